import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { describeCallee, functionName, nameWords, truncate, valueUse } from './secret-context.js';

/** hashlib's one-shot digests: fast by design, wrong for passwords whatever their strength. */
const FAST = new Set([
  'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512', 'blake2b',
  'blake2s', 'shake_128', 'shake_256',
]);
const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'passcode', 'pw']);
/** A value that is already a digest or a reference to one, not the password itself. */
const NOT_THE_PASSWORD = new Set(['hash', 'hashed', 'digest', 'length', 'len', 'policy', 'field', 'file', 'path', 'url', 'name', 'id', 'reset', 'expiry']);
/** Iterations below which PBKDF2 is too cheap (OWASP: 600,000 for SHA-256; a floor for any hash). */
const MIN_PBKDF2_ITERATIONS = 100_000;

/** `password`, `user_pw`; as hashed data not `password_hash` (already a digest) or `password_length`. */
function isPasswordName(name: string, asData = true): boolean {
  const words = nameWords(name);
  if (!words.some((w) => PASSWORD_WORDS.has(w))) return false;
  // Where the digest goes, `password_hash` / `hash_password` say it is one.
  return !words.some((w) => NOT_THE_PASSWORD.has(w) && (asData || !/^(?:hash|hashed|digest)$/.test(w)));
}

/**
 * Identifiers, attribute names and constant keys in an argument: `password.encode()`, `user.password`,
 * `salt + pw`, `request.POST['password']`, `form.get('password')`.
 */
function namesIn(module: PythonModule, node: Node): string[] {
  const out: string[] = [];
  for (const n of [node, ...node.descendantsOfType(['identifier', 'subscript', 'call'])]) {
    if (n.type === 'identifier') out.push(n.text);
    else if (n.type === 'subscript') {
      const key = n.childForFieldName('subscript');
      const v = key ? module.constantValue(key) : undefined;
      if (typeof v === 'string') out.push(v);
    } else if (n.type === 'call') {
      const call = module.call(n);
      const key = call.method === 'get' || call.method === 'getlist' ? call.positional[0] : undefined;
      const v = key ? module.constantValue(key) : undefined;
      if (typeof v === 'string') out.push(v);
    }
  }
  return out;
}

export default defineRule({
  id: 'python/fast-password-hash',
  language: 'python',
  title: 'Password stored with a fast or unsalted hash',
  cwe: [916, 759, 760],
  severity: 'high',
  confidence: 'high',
  description:
    'A password is hashed with a general-purpose digest (`hashlib.sha256(password...)`, md5, sha1, sha512, sha3, ' +
    'blake2, also through `hashlib.new(name, ...)` or `.update(password)` on a hashlib object), or derived with ' +
    '`hashlib.pbkdf2_hmac` / cryptography `PBKDF2HMAC` with fewer than 100,000 iterations or a literal salt. High ' +
    'confidence when a password-named value is hashed; medium when only the result or the function is named for a ' +
    'password (`def hash_password(p): return sha256(p)`). A value named as a hash, digest or length is not a password.',
  whyItMatters:
    'General-purpose digests run at billions per second on a GPU: a leaked table of SHA-256 password digests is ' +
    'mostly reversed within hours, and without a salt identical passwords share a digest and precomputed tables ' +
    'apply. A key-derivation function with a per-user random salt and a high work factor makes each guess expensive.',
  fix: {
    guidance:
      'Hash passwords with a dedicated password hash: argon2 (argon2-cffi), bcrypt, `hashlib.scrypt`, or PBKDF2 with a ' +
      'random 16-byte salt per password and at least 600,000 SHA-256 iterations; or the framework\'s hasher ' +
      '(`django.contrib.auth.hashers.make_password`, `werkzeug.security.generate_password_hash`).',
    before: 'user.password_digest = hashlib.sha256(password.encode()).hexdigest()',
    after: 'user.password_digest = argon2.PasswordHasher().hash(password)',
  },
  references: [
    'https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html',
    'https://cwe.mitre.org/data/definitions/916.html',
    'https://cwe.mitre.org/data/definitions/759.html',
  ],
  create({ module, report }) {
    /** The fast algorithm a call constructs (`hashlib.sha256`, `hashlib.new('sha256')`), if any. */
    function fastAlgorithm(call: PyCall): string | undefined {
      const q = call.qname;
      if (!q?.startsWith('hashlib.')) return undefined;
      const name = q.slice('hashlib.'.length);
      if (FAST.has(name)) return name;
      if (name === 'new') {
        const v = call.arg(0, 'name');
        const s = v ? module.constantValue(v) : undefined;
        return typeof s === 'string' && FAST.has(s.toLowerCase().replace(/-/g, '_')) ? s : undefined;
      }
      return undefined;
    }

    /** The data argument of a constructor call: `sha256(data)`, `new('sha256', data)`. */
    function dataArgument(call: PyCall): Node | undefined {
      return call.qname === 'hashlib.new' ? call.arg(1, 'data') : call.arg(0, 'data') ?? call.keywords.get('string');
    }

    function checkData(call: PyCall, data: Node, algorithm: string, where: Node): void {
      const usedForSecurity = call.keywords.get('usedforsecurity');
      if (usedForSecurity && module.constantValue(usedForSecurity) === false) return;
      const names = namesIn(module, data);
      const hashed = names.find((n) => isPasswordName(n));
      let evidence: 'high' | 'medium' | undefined = hashed ? 'high' : undefined;
      let named = hashed;
      if (!evidence) {
        let top: Node = where;
        for (;;) {
          const p = top.parent;
          if (p?.type === 'attribute' && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.id === p.id) top = p.parent;
          else break;
        }
        const use = valueUse(module, top);
        const fn = functionName(module.enclosingFunction(call.node));
        named = [...use.bound, use.returnedFrom ?? '', fn ?? ''].find((n) => n && isPasswordName(n, false));
        if (named) evidence = 'medium';
      }
      if (!evidence || !named) return;
      const salted = names.some((n) => nameWords(n).includes('salt'));
      report({
        node: where,
        confidence: evidence,
        message:
          `${describeCallee(module, call)} hashes ${evidence === 'high' ? `\`${named}\`` : `a value for \`${named}\``} with ${algorithm}, a fast digest` +
          (salted ? '' : ' and no salt') +
          '; passwords need a slow, salted password hash (argon2, bcrypt, scrypt).',
      });
    }

    function checkPbkdf2(call: PyCall, iterationsArg: Node | undefined, saltArg: Node | undefined): void {
      const iterations = iterationsArg ? module.constantValue(iterationsArg) : undefined;
      if (typeof iterations === 'number' && iterations < MIN_PBKDF2_ITERATIONS) {
        report({
          node: iterationsArg!,
          confidence: 'high',
          message: `${describeCallee(module, call)} runs only ${iterations.toLocaleString('en')} iterations; use at least 600,000 (SHA-256) so each password guess stays expensive.`,
        });
        return;
      }
      if (saltArg && (module.unwrap(saltArg).type === 'string' || module.unwrap(saltArg).type === 'concatenated_string')) {
        report({
          node: saltArg,
          confidence: 'medium',
          message: `${describeCallee(module, call)} uses a literal salt (\`${truncate(module.text(saltArg), 20)}\`): every password shares it, so one precomputed table covers them all; use \`os.urandom(16)\` per password.`,
        });
      }
    }

    return {
      call(call) {
        if (call.qname === 'hashlib.pbkdf2_hmac') {
          checkPbkdf2(call, call.arg(3, 'iterations'), call.arg(2, 'salt'));
          return;
        }
        if (call.qname === 'cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC') {
          checkPbkdf2(call, call.arg(3, 'iterations'), call.arg(2, 'salt'));
          return;
        }
        const algorithm = fastAlgorithm(call);
        if (algorithm) {
          const data = dataArgument(call);
          if (data) checkData(call, data, algorithm, call.node);
          return;
        }
        // h = hashlib.sha256(); h.update(password)
        if (call.method === 'update' && call.receiver && call.positional[0]) {
          const r = module.unwrap(call.receiver);
          const ctor = r.type === 'call' ? module.call(r) : r.type === 'identifier' ? constructorOf(module, r) : undefined;
          const alg = ctor ? fastAlgorithm(ctor) : undefined;
          if (ctor && alg) checkData(ctor, call.positional[0], alg, call.node);
        }
      },
    };
  },
});

/** `h` assigned once in its function from a call: that call. */
function constructorOf(module: PythonModule, identifier: Node): PyCall | undefined {
  const scope = module.enclosingFunction(identifier) ?? module.root;
  let found: PyCall | undefined;
  for (const a of scope.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier' || left.text !== identifier.text) continue;
    const right = a.childForFieldName('right');
    if (found || right?.type !== 'call') return undefined;
    found = module.call(right);
  }
  return found;
}
