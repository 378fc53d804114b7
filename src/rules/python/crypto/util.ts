// Helpers shared by the crypto/TLS/secrets rules. Private to this family.
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';

/**
 * Lower-case words of an identifier, split on `_`, `-`, `.`, digits and camelCase humps:
 * `resetToken` → [reset, token], `CSRF_TOKEN` → [csrf, token], `APIKey` → [api, key].
 * `monkey` stays [monkey], so word tests never match inside another word.
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** The name a target expression binds: `x`, `self.x` → `x`, `d['x']` → `x`. */
export function targetName(module: PythonModule, node: Node): string | undefined {
  const n = module.unwrap(node);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text;
  if (n.type === 'subscript') {
    const index = n.childForFieldName('subscript');
    if (index) {
      const v = module.constantValue(index);
      if (typeof v === 'string') return v;
    }
  }
  return undefined;
}

/** Name of a function definition node. */
export function functionName(fn: Node | undefined): string | undefined {
  return fn?.childForFieldName('name')?.text;
}

/** The callee's own name: `f` for `f(...)`, `m` for `x.m(...)`. */
export function calleeName(module: PythonModule, call: PyCall): string | undefined {
  if (call.method) return call.method;
  const n = module.unwrap(call.callee);
  return n.type === 'identifier' ? n.text : undefined;
}

/**
 * Where the value of `expr` goes, within its statement: the names it is bound to (assignment
 * targets, keyword argument names, dict keys), the names of the calls that receive it, and
 * the enclosing function's name when it is returned.
 */
export interface ValueUse {
  /** Names the value is stored under: assignment targets, keyword names, dict keys, returning function. */
  bound: string[];
  /** Names of the calls the value is passed into (`set_password(...)` → `set_password`). */
  passedTo: string[];
}

export function valueUse(module: PythonModule, expr: Node): ValueUse {
  const bound: string[] = [];
  const passedTo: string[] = [];
  let child = expr;
  for (let p = expr.parent; p; child = p, p = p.parent) {
    switch (p.type) {
      case 'assignment':
      case 'augmented_assignment': {
        const right = p.childForFieldName('right');
        if (right && right.id === child.id) {
          const left = p.childForFieldName('left');
          if (left) {
            for (const t of left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren : [left]) {
              const name = t ? targetName(module, t) : undefined;
              if (name) bound.push(name);
            }
          }
        }
        break;
      }
      case 'keyword_argument': {
        const value = p.childForFieldName('value');
        const name = p.childForFieldName('name')?.text;
        if (value && value.id === child.id && name) bound.push(name);
        break;
      }
      case 'pair': {
        const value = p.childForFieldName('value');
        const key = p.childForFieldName('key');
        if (value && key && value.id === child.id) {
          const k = module.constantValue(key);
          if (typeof k === 'string') bound.push(k);
        }
        break;
      }
      case 'call': {
        const fn = p.childForFieldName('function');
        if (fn && fn.id !== child.id) {
          const name = calleeName(module, module.call(p));
          if (name) passedTo.push(name);
        }
        break;
      }
      case 'return_statement': {
        const name = functionName(module.enclosingFunction(p));
        if (name) bound.push(name);
        break;
      }
      default:
        break;
    }
    if (p.parent && (p.parent.type === 'block' || p.parent.type === 'module')) break;
    if (p.type === 'lambda' || p.type === 'function_definition' || p.type === 'class_definition') break;
  }
  return { bound, passedTo };
}

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const n = [...s].length;
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** `qname` with the `Crypto.` (PyCrypto/PyCryptodome) or `Cryptodome.` (PyCryptodomex) root normalised to `Crypto.`. */
export function normaliseCryptoRoot(qname: string): string {
  return qname.startsWith('Cryptodome.') ? `Crypto.${qname.slice('Cryptodome.'.length)}` : qname;
}

/** True when the file looks like test code (its findings deserve less confidence). */
export function isTestPath(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  return /^test_.*\.py$|_tests?\.py$|^conftest\.py$/.test(base) || /(^|\/)tests?\//.test(p);
}

/** The function definition around `node`, or the module root when it is at module level. */
export function scopeOf(module: PythonModule, node: Node): Node {
  return module.enclosingFunction(node) ?? module.root;
}

/** Every call inside `scope`, nested functions included. */
export function callsIn(module: PythonModule, scope: Node): PyCall[] {
  return scope.descendantsOfType('call').map((n) => module.call(n));
}

/**
 * The qualified callee of the call assigned to `name` in `scope` (`ctx = ssl.create_default_context()`),
 * when every assignment to that exact dotted name in the scope is such a call.
 */
export function assignedFromCall(module: PythonModule, name: string, scope: Node): string | undefined {
  let found: string | undefined;
  for (const a of scope.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left');
    if (!left || module.dottedName(left) !== name) continue;
    const right = a.childForFieldName('right');
    const r = right ? module.unwrap(right) : undefined;
    if (!r || r.type !== 'call') return undefined;
    const qname = module.call(r).qname;
    if (!qname || (found !== undefined && found !== qname)) return undefined;
    found = qname;
  }
  // `with ssl.create_default_context() as ctx:`
  if (found === undefined) {
    for (const item of scope.descendantsOfType('as_pattern')) {
      const alias = item.childForFieldName('alias');
      const value = item.namedChildren[0];
      if (!alias || !value || alias.text !== name) continue;
      const v = module.unwrap(value);
      if (v.type === 'call') return module.call(v).qname;
    }
  }
  return found;
}

export function truncate(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
