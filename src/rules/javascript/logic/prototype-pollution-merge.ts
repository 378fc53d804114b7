import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calledName, functionName, isConstant, unwrap } from '../syntax.js';

/** Mentions that show the function guards against prototype keys. */
const GUARD = /__proto__|prototype|constructor|hasOwnProperty\s*\(\s*['"]__|isSafeKey|isPrototypePolluted|safeKey|forbiddenKeys?|BLOCKED|pollut|Object\.create\(\s*null\s*\)|new Map\b/i;
const LOOPS = new Set(['for_in_statement', 'for_statement', 'while_statement', 'do_statement']);

/** The identifier a `for (k in …)` / `for (const k of Object.keys(…))` / `Object.keys(…).forEach((k) => …)` binds, if `key` is one. */
function isIteratedKey(fn: Node, key: string): boolean {
  for (const loop of fn.descendantsOfType(['for_in_statement'])) {
    const left = loop.childForFieldName('left');
    const right = loop.childForFieldName('right');
    const isOf = loop.children.some((c) => c.type === 'of');
    if (!left || left.text !== key) continue;
    if (!isOf) return true;
    if (right && /Object\.(?:keys|entries|getOwnPropertyNames)|Reflect\.ownKeys/.test(right.text)) return true;
  }
  for (const call of fn.descendantsOfType('call_expression')) {
    if (calledName(call) !== 'forEach') continue;
    const callee = call.childForFieldName('function');
    if (!callee || !/Object\.(?:keys|getOwnPropertyNames)|Reflect\.ownKeys|\.split\(/.test(callee.text)) continue;
    const cb = argsOf(call)[0];
    const p = cb?.childForFieldName('parameters')?.namedChildren[0] ?? cb?.childForFieldName('parameter');
    if (p?.text === key) return true;
  }
  return false;
}

export default defineRule({
  id: 'javascript/prototype-pollution-merge',
  language: 'javascript',
  title: 'Deep merge or path setter assigns arbitrary keys without a __proto__ check',
  cwe: [1321],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports, in a function that never mentions `__proto__`, `constructor` or `prototype` (nor a key guard or ' +
    '`Object.create(null)`), an assignment `target[key] = …` where `key` is (a) iterated from another object (`for…in`, ' +
    '`Object.keys`) and the function recurses into `target[key]` (a deep merge/clone/extend), or (b) the object is walked ' +
    'down in a loop (`cur = cur[k]`) before the assignment (a `set(obj, "a.b.c", v)` path setter). `hasOwnProperty` on the ' +
    'source is not a guard: `JSON.parse` creates an own `__proto__` key.',
  whyItMatters:
    'Merging `{"__proto__": {"isAdmin": true}}` (from a JSON body or a query string) writes into `Object.prototype`: every ' +
    'object in the process then has `isAdmin`, which breaks authorisation checks, and in many libraries leads to code execution.',
  fix: {
    guidance: "Skip the keys `__proto__`, `constructor` and `prototype` (or copy only own keys into `Object.create(null)` / a `Map`), and validate request bodies against a schema.",
    before: 'for (const key in src) {\n  if (isObject(src[key])) merge(dst[key], src[key]);\n  else dst[key] = src[key];\n}',
    after: "for (const key of Object.keys(src)) {\n  if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;\n  if (isObject(src[key])) merge(dst[key] ??= {}, src[key]);\n  else dst[key] = src[key];\n}",
  },
  references: ['https://portswigger.net/web-security/prototype-pollution', 'https://cwe.mitre.org/data/definitions/1321.html'],
  create({ module, report }) {
    function check(fn: Node): void {
      const body = fn.childForFieldName('body');
      if (!body || body.type !== 'statement_block' || GUARD.test(withoutComments(fn))) return;
      const name = functionName(fn);
      let walked: { assign: Node; target: string; key: string } | undefined;
      for (const assign of body.descendantsOfType('assignment_expression')) {
        // Only assignments of this function, not of nested ones.
        let owner: Node | null = assign.parent;
        while (owner && owner.id !== fn.id && !['function_declaration', 'function_expression', 'arrow_function', 'method_definition'].includes(owner.type)) owner = owner.parent;
        if (owner?.id !== fn.id && !(owner && owner.type === 'arrow_function' && owner.parent?.type === 'arguments' && calledName(owner.parent.parent!) === 'forEach')) continue;
        const left = unwrap(assign.childForFieldName('left')!);
        if (left.type !== 'subscript_expression') continue;
        const index = left.childForFieldName('index');
        const object = left.childForFieldName('object');
        if (!index || !object || index.type !== 'identifier' || isConstant(module, index) || unwrap(object).type !== 'identifier') continue;
        const target = unwrap(object).text;
        const key = index.text;
        // (a) deep merge: iterated key, recursion into target[key].
        const recurses = !!name && body.descendantsOfType('call_expression').some((c) => calledName(c) === name && argsOf(c).some((a) => unwrap(a).text === `${target}[${key}]`));
        // (b) path setter: `cur = cur[k]` inside a loop.
        const walks = body.descendantsOfType('assignment_expression').some((a) => {
          const l = a.childForFieldName('left');
          const r = a.childForFieldName('right');
          if (l?.text !== target || !r || unwrap(r).type !== 'subscript_expression' || unwrap(r).childForFieldName('object')?.text !== target) return false;
          for (let p = a.parent; p && p.id !== fn.id; p = p.parent) if (LOOPS.has(p.type)) return true;
          return false;
        });
        if (recurses && isIteratedKey(fn, key)) {
          report({ node: assign, message: `\`${target}[${key}] = …\` in a recursive merge with no check for \`__proto__\`/\`constructor\`.` });
          return;
        }
        // Writing back (a copy of) what the same key already holds brings in no outside value.
        const right = assign.childForFieldName('right');
        const readBack = `${target}[${key}]`;
        const copies = body.descendantsOfType('variable_declarator').filter((d) => d.childForFieldName('value')?.text === readBack).map((d) => d.childForFieldName('name')?.text);
        const writesBack = !!right && (right.text.includes(readBack) || right.descendantsOfType('identifier').some((id) => copies.includes(id.text)));
        if (walks && !writesBack) walked = { assign, target, key };
      }
      // A path setter: the write at the end of the walk (the last one) is where the value lands.
      if (walked) report({ node: walked.assign, message: `\`${walked.target}[${walked.key}] = …\` after walking the object by keys, with no check for \`__proto__\`/\`constructor\`.` });
    }
    return { nodes: { function_declaration: check, function_expression: check, method_definition: check, arrow_function: check } };
  },
});

/** The function's text without its comments (a comment naming `prototype` is no guard). */
function withoutComments(fn: Node): string {
  let text = fn.text;
  for (const c of fn.descendantsOfType('comment').reverse()) {
    text = text.slice(0, c.startIndex - fn.startIndex) + text.slice(c.endIndex - fn.startIndex);
  }
  return text;
}
