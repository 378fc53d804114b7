// Helpers shared by the crypto/TLS/secrets rules. Private to this family.
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * `table[key]` for a constant lookup table, as a Map probe: rules look up every call's name,
 * and a keyed property load with a different string each time is slow, most of all for the
 * usual miss. Keys that name Object.prototype members still read through the object, so the
 * answer is the same for every key. Build it after the table is complete.
 */
export function tableLookup<T>(table: Readonly<Record<string, T>>): (key: string) => T | undefined {
  const own = new Map(Object.entries(table));
  return (key) => {
    const v = own.get(key);
    if (v !== undefined || own.has(key)) return v;
    return PROTOTYPE_KEYS.has(key) ? table[key] : undefined;
  };
}

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
  /** Names the value is stored under: assignment targets, keyword names, dict keys. */
  bound: string[];
  /** Names of the calls the value is passed into (`set_password(...)` → `set_password`). */
  passedTo: string[];
  /** The enclosing function's name when the value is returned from it. */
  returnedFrom: string | undefined;
}

export function valueUse(module: PythonModule, expr: Node): ValueUse {
  const bound: string[] = [];
  const passedTo: string[] = [];
  let returnedFrom: string | undefined;
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
        returnedFrom = functionName(module.enclosingFunction(p));
        break;
      }
      default:
        break;
    }
    if (p.parent && (p.parent.type === 'block' || p.parent.type === 'module' || !p.parent.parent)) break;
    if (p.type === 'lambda' || p.type === 'function_definition' || p.type === 'class_definition') break;
  }
  return { bound, passedTo, returnedFrom };
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

/** How to name a call's callee in a message: its spelling, plus the qualified name when they differ. */
export function describeCallee(module: PythonModule, call: PyCall): string {
  const spelled = truncate(module.text(call.callee), 50);
  return call.qname && call.qname !== spelled ? `\`${spelled}\` (\`${call.qname}\`)` : `\`${spelled}\``;
}

/** Right-hand sides of every assignment to the exact dotted `name` within `scope`. */
export function assignedValues(module: PythonModule, name: string, scope: Node): Node[] {
  const out: Node[] = [];
  for (const a of scope.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left && right && module.dottedName(left) === name) out.push(right);
  }
  return out;
}

export function truncate(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Single words that, on their own, name a secret value. */
const SECRET_WORDS = new Set([
  'token', 'password', 'passwd', 'passphrase', 'secret', 'nonce', 'salt', 'otp', 'totp', 'hotp', 'csrf', 'xsrf',
  'apikey', 'credential', 'credentials',
]);
/** Words that name a secret only next to a qualifier: `api_key`, `session_id`, `reset_code`. */
const QUALIFIED_SECRET_WORDS: Record<string, ReadonlySet<string>> = {
  key: new Set([
    'api', 'secret', 'session', 'encryption', 'enc', 'crypto', 'private', 'signing', 'sign', 'aes', 'hmac', 'access',
    'auth', 'master', 'license', 'activation', 'reset', 'symmetric', 'shared', 'cipher', 'otp', 'jwt',
  ]),
  session: new Set(['id', 'key', 'cookie']),
  reset: new Set(['code', 'key', 'link', 'hash', 'id']),
  code: new Set([
    'verification', 'verify', 'confirmation', 'confirm', 'reset', 'otp', 'auth', 'authorization', 'invite',
    'invitation', 'activation', 'sms', 'mfa', 'login', 'access', 'security', 'recovery', 'backup',
  ]),
  pin: new Set(['sms', 'login', 'security', 'verification', 'card', 'access']),
  id: new Set(['session']),
};
const qualifiedSecretWords = tableLookup(QUALIFIED_SECRET_WORDS);
/** A last word that makes the name describe a property of a secret, not the secret itself. */
const NON_SECRET_TAILS = new Set([
  'length', 'len', 'count', 'num', 'size', 'index', 'idx', 'position', 'pos', 'delay', 'timeout', 'ttl', 'expiry',
  'expires', 'expiration', 'interval', 'jitter', 'backoff', 'retries', 'attempts', 'type', 'name', 'names', 'url',
  'uri', 'endpoint', 'field', 'fields', 'header', 'prompt', 'label', 'regex', 'pattern', 'policy', 'file', 'path',
  'dir', 'env', 'var', 'prefix', 'suffix', 'format', 'fmt', 'template', 'message', 'msg', 'help', 'error', 'param',
  'column', 'attr', 'kind', 'mode', 'method', 'scheme', 'class', 'cls', 'chars', 'charset', 'alphabet', 'bits',
  'bytes', 'min', 'max', 'required', 'enabled', 'valid', 'validator', 'validation', 'strength', 'hint', 'widget',
  'input', 'form', 'arn', 'ref', 'location', 'store', 'storage', 'backend', 'provider', 'manager', 'handler',
  'generator', 'factory', 'cache', 'version', 'algorithm', 'alg', 'digest', 'hash', 'hashes', 'salted', 'rounds',
  'iterations', 'callback', 'tokens', 'passwords', 'secrets', 'keys',
]);
/** Words in a `*token*` name that mean a lexer/NLP/pagination token, not a credential. */
export const NON_CREDENTIAL_TOKEN_WORDS: ReadonlySet<string> = new Set([
  'next', 'page', 'continuation', 'pagination', 'cancel', 'cancellation', 'sync', 'resume', 'start', 'end', 'stop',
  'eos', 'bos', 'pad', 'unk', 'mask', 'sep', 'cls', 'special', 'first', 'last', 'prev', 'previous', 'current', 'word',
  'vocab', 'lexer', 'parser', 'random', 'masked', 'sentence', 'bpe', 'sub',
]);

/**
 * True when an identifier (or dict key) names a secret value: `api_key`, `resetToken`, `SECRET_KEY`,
 * `session_id`, `sms_code`; not `keys`, `monkey`, `token_type`, `password_length`, `next_token`.
 */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1]!;
  if (NON_SECRET_TAILS.has(last)) return false;
  let secret = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w)) secret = true;
    const qualifiers = qualifiedSecretWords(w);
    if (qualifiers && words.some((o, j) => j !== i && qualifiers.has(o))) secret = true;
  }
  if (!secret) return false;
  if (words.includes('token') && !words.some((w) => SECRET_WORDS.has(w) && w !== 'token')) {
    if (words.some((w) => NON_CREDENTIAL_TOKEN_WORDS.has(w))) return false;
  }
  return true;
}
