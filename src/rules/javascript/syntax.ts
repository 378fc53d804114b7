// Helpers shared by the JavaScript/TypeScript pattern rules: resolving callees through the
// module's import table, constant values, object-literal options and the names a value is bound to.
import type { Node } from '../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../frontend/javascript/module.js';
import { stringValue } from '../../frontend/javascript/module.js';

export type Constant = string | number | boolean | null;

/** Wrappers that do not change a value: parentheses, `x as T`, `x!`, `x satisfies T`, `<T>x`. */
const TRANSPARENT = new Set(['parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression', 'type_assertion']);

export function unwrap(node: Node): Node {
  let n = node;
  while (TRANSPARENT.has(n.type)) {
    const inner = n.namedChildren.find((c) => c.type !== 'comment' && !c.type.endsWith('_type') && c.type !== 'type_identifier' && c.type !== 'type_arguments');
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** Argument nodes of a call or `new` expression (comments left out). */
export function argsOf(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  // A tagged template (`sql\`...\``) has the template as its arguments.
  if (args.type === 'template_string') return [args];
  return args.namedChildren.filter((c) => c.type !== 'comment');
}

/** The callee of a call (`function` field) or of `new` (`constructor` field). */
export function calleeOf(call: Node): Node | undefined {
  return (call.type === 'new_expression' ? call.childForFieldName('constructor') : call.childForFieldName('function')) ?? undefined;
}

/** The property name of `a.b` (`b`), `a['b']` (`b`); undefined otherwise. */
export function memberName(node: Node): string | undefined {
  const n = unwrap(node);
  if (n.type === 'member_expression') return n.childForFieldName('property')?.text;
  if (n.type === 'subscript_expression') {
    const index = n.childForFieldName('index');
    return index?.type === 'string' ? stringValue(index) : undefined;
  }
  return undefined;
}

/** The object of `a.b` / `a['b']`. */
export function memberObject(node: Node): Node | undefined {
  const n = unwrap(node);
  if (n.type === 'member_expression' || n.type === 'subscript_expression') return n.childForFieldName('object') ?? undefined;
  return undefined;
}

/**
 * The qualified name of an expression through imports and globals: `cp.exec` after
 * `const cp = require('child_process')` is `child_process.exec`, `crypto.createHash` after
 * `import * as crypto from 'node:crypto'` is `crypto.createHash`, `Math.random` is `Math.random`.
 */
export function qualifiedName(module: JavaScriptModule, node: Node): string | undefined {
  const n = unwrap(node);
  if (n.type === 'identifier') return module.imports.get(n.text) ?? module.globalName(n.text);
  if (n.type === 'member_expression' || n.type === 'subscript_expression') {
    const object = memberObject(n);
    const name = memberName(n);
    if (!object || name === undefined) return undefined;
    const base = qualifiedName(module, object);
    return base === undefined ? undefined : `${base}.${name}`;
  }
  if (n.type === 'call_expression' || n.type === 'await_expression') return module.requiredName(n);
  return undefined;
}

/** The qualified name of a call's callee. */
export function calleeName(module: JavaScriptModule, call: Node): string | undefined {
  const callee = calleeOf(call);
  return callee ? qualifiedName(module, callee) : undefined;
}

/** The method name of a call `x.m(...)` (`m`), or the function name of `f(...)` (`f`). */
export function calledName(call: Node): string | undefined {
  const callee = calleeOf(call);
  if (!callee) return undefined;
  const c = unwrap(callee);
  if (c.type === 'identifier') return c.text;
  return memberName(c);
}

const constDeclarations = new WeakMap<JavaScriptModule, Map<string, Node | null>>();

/** `const NAME = value` declared exactly once in the file: NAME → value (null when ambiguous). */
function constDeclaration(module: JavaScriptModule, name: string): Node | undefined {
  let table = constDeclarations.get(module);
  if (!table) {
    table = new Map();
    for (const d of module.root.descendantsOfType('variable_declarator')) {
      const id = d.childForFieldName('name');
      if (id?.type !== 'identifier') continue;
      const value = d.childForFieldName('value');
      const isConst = d.parent?.type === 'lexical_declaration' && d.parent.child(0)?.text === 'const';
      table.set(id.text, table.has(id.text) || !isConst || !value ? null : value);
    }
    constDeclarations.set(module, table);
  }
  return table.get(name) ?? undefined;
}

/**
 * The value of a constant expression: literals, templates without substitutions, `+` of
 * constants, `-n`, and identifiers declared once as `const NAME = <constant>`. Undefined
 * when the value is not known.
 */
export function constantValue(module: JavaScriptModule, node: Node, depth = 0): Constant | undefined {
  if (depth > 8) return undefined;
  const n = unwrap(node);
  switch (n.type) {
    case 'string':
      return stringValue(n);
    case 'template_string':
      if (n.namedChildren.some((c) => c.type === 'template_substitution')) {
        let out = '';
        for (const c of n.namedChildren) {
          if (c.type === 'template_substitution') {
            const inner = c.namedChildren[0];
            const v = inner ? constantValue(module, inner, depth + 1) : undefined;
            if (v === undefined) return undefined;
            out += String(v);
          } else out += c.text;
        }
        return out;
      }
      return n.namedChildren.map((c) => c.text).join('');
    case 'number': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isNaN(v) ? undefined : v;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
    case 'undefined':
      return null;
    case 'unary_expression': {
      const op = n.child(0)?.text;
      const arg = n.childForFieldName('argument');
      const v = arg ? constantValue(module, arg, depth + 1) : undefined;
      if (v === undefined) return undefined;
      if (op === '-' && typeof v === 'number') return -v;
      if (op === '!') return !v;
      return undefined;
    }
    case 'binary_expression': {
      const op = n.childForFieldName('operator')?.text;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r) return undefined;
      const a = constantValue(module, l, depth + 1);
      const b = constantValue(module, r, depth + 1);
      if (a === undefined || b === undefined) return undefined;
      if (op === '+') return typeof a === 'number' && typeof b === 'number' ? a + b : String(a) + String(b);
      if (op === '*' && typeof a === 'number' && typeof b === 'number') return a * b;
      if (op === '**' && typeof a === 'number' && typeof b === 'number') return a ** b;
      return undefined;
    }
    case 'identifier': {
      if (n.text === 'undefined') return null;
      const value = constDeclaration(module, n.text);
      return value ? constantValue(module, value, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether an expression is a literal or built only of literals (strings, numbers, arrays, objects of such). */
export function isConstant(module: JavaScriptModule, node: Node): boolean {
  const n = unwrap(node);
  if (constantValue(module, n) !== undefined) return true;
  if (n.type === 'array') return n.namedChildren.every((c) => c.type === 'comment' || isConstant(module, c));
  if (n.type === 'object') {
    return n.namedChildren.every((c) => c.type === 'comment' || (c.type === 'pair' && isConstant(module, c.childForFieldName('value')!)));
  }
  if (n.type === 'regex') return true;
  return false;
}

/** Whether a string-valued expression is built at run time from non-constant parts (template or `+`). */
export function isBuiltString(module: JavaScriptModule, node: Node): boolean {
  const n = unwrap(node);
  if (n.type === 'template_string') return n.namedChildren.some((c) => c.type === 'template_substitution') && constantValue(module, n) === undefined;
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
    const parts = [n.childForFieldName('left')!, n.childForFieldName('right')!];
    const hasString = parts.some((p) => {
      const u = unwrap(p);
      return u.type === 'string' || u.type === 'template_string' || isBuiltString(module, u) || typeof constantValue(module, u) === 'string';
    });
    return hasString && constantValue(module, n) === undefined;
  }
  return false;
}

/** The key of an object-literal pair (`a`, `'a'`, `[‘a’]` computed with a constant). */
export function pairKey(pair: Node): string | undefined {
  const key = pair.childForFieldName('key');
  if (!key) return undefined;
  if (key.type === 'property_identifier') return key.text;
  if (key.type === 'string') return stringValue(key);
  if (key.type === 'number') return key.text;
  return undefined;
}

/** The value node of `key` in an object literal (a pair, or a shorthand `{ key }`). */
export function property(object: Node | undefined, key: string): Node | undefined {
  if (!object) return undefined;
  const o = unwrap(object);
  if (o.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const c of o.namedChildren) {
    if (c.type === 'pair' && pairKey(c) === key) found = c.childForFieldName('value') ?? undefined;
    else if (c.type === 'shorthand_property_identifier' && c.text === key) found = c;
  }
  return found;
}

/** Whether an object literal spreads another object (`{ ...defaults }`): its keys are not all known. */
export function hasSpread(object: Node): boolean {
  return unwrap(object).namedChildren.some((c) => c.type === 'spread_element');
}

/**
 * The object literal an options argument denotes: the literal itself, or the literal a
 * `const` in the file was declared with.
 */
export function objectLiteral(module: JavaScriptModule, node: Node | undefined): Node | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'object') return n;
  if (n.type === 'identifier') {
    const v = constDeclaration(module, n.text);
    if (v && unwrap(v).type === 'object') return unwrap(v);
  }
  return undefined;
}

const FUNCTION_TYPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function', 'function']);

export function isFunction(node: Node): boolean {
  return FUNCTION_TYPES.has(node.type);
}

/** The innermost function containing `node` (not `node` itself). */
export function enclosingFunction(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return p;
  return undefined;
}

/** The name of a function node: its own name, or the variable, property or method it is assigned to. */
export function functionName(fn: Node | undefined): string | undefined {
  if (!fn) return undefined;
  const own = fn.childForFieldName('name');
  if (own) return own.text;
  const p = fn.parent;
  if (p?.type === 'variable_declarator') return p.childForFieldName('name')?.text;
  if (p?.type === 'pair') return pairKey(p);
  if (p?.type === 'assignment_expression') {
    const left = p.childForFieldName('left');
    return left ? memberName(left) ?? (left.type === 'identifier' ? left.text : undefined) : undefined;
  }
  return undefined;
}

/**
 * The names the value of `expr` is stored under in its statement: the variable it
 * initialises, the property or variable assigned, the object key, and the name of the call
 * or function it is passed to or returned from, climbing through calls on it (`x.toString(36)`).
 */
export function boundNames(expr: Node): string[] {
  const names: string[] = [];
  let cur = expr;
  for (let steps = 0; steps < 12; steps++) {
    const p = cur.parent;
    if (!p) break;
    if (p.type === 'variable_declarator') {
      const name = p.childForFieldName('name');
      if (name?.type === 'identifier') names.push(name.text);
      break;
    }
    if (p.type === 'assignment_expression' || p.type === 'augmented_assignment_expression') {
      const left = p.childForFieldName('left');
      if (left && left.id !== cur.id) {
        const u = unwrap(left);
        const name = u.type === 'identifier' ? u.text : memberName(u);
        if (name) names.push(name);
      }
      break;
    }
    if (p.type === 'pair') {
      const key = pairKey(p);
      if (key) names.push(key);
      break;
    }
    if (p.type === 'return_statement') {
      const fn = functionName(enclosingFunction(p));
      if (fn) names.push(fn);
      break;
    }
    if (p.type === 'arrow_function' && p.childForFieldName('body')?.id === cur.id) {
      const fn = functionName(p);
      if (fn) names.push(fn);
      break;
    }
    if (p.type === 'arguments') {
      const call = p.parent;
      const fn = call ? calledName(call) : undefined;
      if (fn) names.push(fn);
      cur = call ?? p;
      continue;
    }
    if (p.type === 'expression_statement' || p.type === 'statement_block' || isFunction(p)) break;
    cur = p;
  }
  return names;
}

/**
 * Lower-case words of an identifier, split on `_`, `-`, `.`, digits and camelCase humps:
 * `resetToken` → [reset, token], `API_KEY` → [api, key], `sessionID` → [session, id].
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Shortened source text for a message. */
export function snippet(node: Node, max = 40): string {
  const t = node.text.replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Identifiers and property names read anywhere inside `node`. */
export function mentions(node: Node, name: string): boolean {
  return node.descendantsOfType(['identifier', 'property_identifier', 'shorthand_property_identifier', 'shorthand_property_identifier_pattern']).some((n) => n.text === name);
}

/** Whether the text of the request (Express/Koa/Next/Fastify) appears in the expression: `req.body`, `ctx.query`… */
export function readsRequest(node: Node): boolean {
  return /\b(?:req|request|ctx)\s*\.\s*(?:body|query|params|headers|cookies|request|url|originalUrl|path|hostname|ip)\b/.test(node.text);
}
