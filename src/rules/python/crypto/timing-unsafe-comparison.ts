import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { replaceNode } from '../../autofix.js';
import { ensureImport } from '../python-edits.js';

/** Parents in which `not x` needs no parentheses. */
const CONDITION_PARENTS = new Set(['if_statement', 'elif_clause', 'while_statement', 'boolean_operator', 'not_operator', 'return_statement', 'assignment', 'parenthesized_expression', 'expression_statement', 'conditional_expression', 'assert_statement']);
import { isConstantName } from '../../../frontend/python/index.js';
import { NON_CREDENTIAL_TOKEN_WORDS, assignedFromCall, assignedValues, functionName, nameWords, scopeOf, targetName, truncate } from './secret-context.js';

/** Names of values an attacker tries to forge byte by byte. */
const STRONG_WORDS = new Set(['signature', 'hmac', 'secret', 'apikey']);
/**
 * Names that are secrets only in some code: `token` (also lexer/NLP/pagination tokens), `digest` (also
 * content checksums, image digests) and `sig` (also signals, file magic). They need corroboration from the
 * other side. `mac` is left out: in network code (Neutron, Nova) it is a MAC address far more often than a
 * message authentication code.
 */
const WEAK_WORDS = new Set(['token', 'digest', 'sig']);
/** `<secret>_hash`: a stored verifier for a secret (`password_hash`, `token_hash`, `api_key_hash`). */
const HASHED_SECRET_WORDS = new Set(['password', 'passwd', 'token', 'key', 'secret', 'otp']);
/** Trailing words that keep the secret meaning (`signature_hex`, `token_value`). */
const VALUE_TAILS = new Set(['hex', 'hexdigest', 'b64', 'base64', 'bytes', 'str', 'value', 'header', 'param', 'expected', 'actual', 'received', 'provided', 'given', 'computed', 'calculated']);
/** Words that turn `mac`/`digest` into something else: `mac_address`, `digest_size`, `secret_name`. */
const DISQUALIFIERS = new Set([
  'address', 'addr', 'size', 'algorithm', 'alg', 'algo', 'mod', 'name', 'type', 'method', 'len', 'length', 'count',
  'id', 'path', 'file', 'url', 'version', 'format', 'os', 'vendor', 'kind', 'prefix', 'field', 'enabled', 'required',
  // Error codes named after what is missing: `libvirt.VIR_ERR_NO_SECRET`, `ERROR_INVALID_TOKEN`.
  'err', 'error', 'errno',
  // Flags about a secret, not the secret: `verify_signature`, `check_token`, `use_hmac`.
  'verify', 'check', 'validate', 'require', 'use', 'is', 'has', 'enable', 'skip', 'should', 'must', 'allow',
]);
/** Where a request value comes from: evidence that a `token` comparison checks attacker input. */
const REQUEST_SOURCE = /\b(?:request|req|self\.request)\s*\.\s*(?:headers|args|form|values|params|query_params|GET|POST|META|COOKIES|cookies|json|data)\b|\bheaders\s*(?:\.get\s*\(|\[)/;

const DIGEST_METHODS = new Set(['hexdigest', 'digest']);
const HMAC_FACTORIES = new Set(['hmac.new', 'hmac.HMAC']);
/** Wrappers that keep a digest a digest: `hmac...hexdigest().lower()`, `base64.b64encode(digest)`. */
const PASS_THROUGH_METHODS = new Set(['decode', 'encode', 'lower', 'upper', 'strip', 'hex']);
const PASS_THROUGH_FUNCTIONS = new Set([
  'base64.b64encode', 'base64.urlsafe_b64encode', 'base64.b32encode', 'base64.b16encode', 'binascii.hexlify',
  'binascii.b2a_hex', 'str', 'bytes',
]);

type Strength = 'strong' | 'weak' | undefined;

export default defineRule({
  id: 'python/timing-unsafe-comparison',
  language: 'python',
  title: 'Secret compared with `==` (timing side channel)',
  cwe: [208],
  severity: 'medium',
  confidence: 'high',
  description:
    'An HMAC, digest, signature, API key or secret is checked with `==` or `!=`. Python compares strings and bytes ' +
    'left to right and stops at the first difference, so the time taken reveals how many leading bytes were right. ' +
    'The rule reports a comparison when one side is a digest computation (`.hexdigest()`, `.digest()`, ' +
    '`hmac.digest()`) or is named signature/digest/HMAC/MAC/secret/API key, and the other side is not a constant; ' +
    'a side named only `token` is reported when the other side is also a token or comes from the request.',
  whyItMatters:
    'An attacker who can submit many guesses and measure response times recovers a valid signature or key one ' +
    'byte at a time, in a few thousand requests per byte instead of a brute force of the whole value, and then ' +
    'forges webhooks, session cookies or API calls.',
  fix: {
    guidance:
      'Compare with `hmac.compare_digest(a, b)` (or `secrets.compare_digest`), whose running time does not depend ' +
      'on where the values differ. Compare values of the same type (both `bytes` or both ASCII `str`).',
    before: 'if hmac.new(key, body, hashlib.sha256).hexdigest() == signature:',
    after: 'if hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), signature):',
  },
  references: [
    'https://docs.python.org/3/library/hmac.html#hmac.compare_digest',
    'https://codahale.com/a-lesson-in-timing-attacks/',
    'https://cwe.mitre.org/data/definitions/208.html',
  ],
  create({ module, report }) {
    /** Strength of a name as a secret: the secret word must be last, or followed only by value-ish words. */
    function nameStrength(name: string): Strength {
      const words = nameWords(name);
      if (words.some((w) => DISQUALIFIERS.has(w))) return undefined;
      let i = words.length - 1;
      while (i > 0 && VALUE_TAILS.has(words[i]!)) i--;
      const w = words[i];
      const before = words[i - 1];
      if (w === undefined) return undefined;
      if (STRONG_WORDS.has(w) || (w === 'key' && before === 'api')) return 'strong';
      if (w === 'hash' && before !== undefined && HASHED_SECRET_WORDS.has(before)) return 'strong';
      if (WEAK_WORDS.has(w)) return 'weak';
      return undefined;
    }

    /** An HMAC object: `hmac.new(...)`, `hmac.HMAC(...)`, or a local variable assigned one. */
    function isHmacObject(node: Node): boolean {
      const n = module.unwrap(node);
      if (n.type === 'call') return HMAC_FACTORIES.has(module.call(n).qname ?? '');
      const name = module.dottedName(n);
      const origin = name ? assignedFromCall(module, name, scopeOf(module, n)) : undefined;
      return origin !== undefined && HMAC_FACTORIES.has(origin);
    }

    /**
     * A digest computed in place, possibly encoded or lower-cased: 'strong' for an HMAC
     * (`hmac.new(...).hexdigest()`, `hmac.digest(...)`), 'weak' for a plain `.hexdigest()`/`.digest()`.
     */
    function digestCall(node: Node, depth = 0): Strength {
      const n = module.unwrap(node);
      if (n.type !== 'call' || depth > 4) return undefined;
      const call = module.call(n);
      if (call.qname === 'hmac.digest') return 'strong';
      if (call.method && DIGEST_METHODS.has(call.method) && call.positional.length === 0 && call.receiver) {
        return isHmacObject(call.receiver) ? 'strong' : 'weak';
      }
      if (call.method && PASS_THROUGH_METHODS.has(call.method) && call.receiver) return digestCall(call.receiver, depth + 1);
      if (call.qname && PASS_THROUGH_FUNCTIONS.has(call.qname) && call.positional[0]) return digestCall(call.positional[0], depth + 1);
      return undefined;
    }

    function operandName(node: Node): string | undefined {
      const n = module.unwrap(node);
      if (n.type === 'call') {
        // headers.get('X-Hub-Signature'), request.args.get('token')
        const call = module.call(n);
        if (call.method === 'get' && call.positional[0]) {
          const key = module.constantValue(call.positional[0]);
          if (typeof key === 'string') return key;
        }
        return undefined;
      }
      return targetName(module, n);
    }

    interface Side {
      strength: Strength;
      digest: boolean;
      /** The weak word the name ends in (`token`, `digest`, `sig`). */
      weakWord?: string;
    }

    /** A local variable holding an HMAC computed in this scope: `expected = 'sha256=' + hmac.new(...).hexdigest()`. */
    function holdsHmac(node: Node): boolean {
      const n = module.unwrap(node);
      if (n.type !== 'identifier') return false;
      return assignedValues(module, n.text, scopeOf(module, n)).some((value) =>
        [value, ...value.descendantsOfType('call')].some((c) => c.type === 'call' && digestCall(c) === 'strong'),
      );
    }

    function side(node: Node): Side & { lexical: boolean } {
      const digest = digestCall(node) ?? (holdsHmac(node) ? 'strong' : undefined);
      if (digest) return { strength: digest, digest: true, weakWord: digest === 'weak' ? 'digest' : undefined, lexical: false };
      const name = operandName(node);
      const words = name ? nameWords(name) : [];
      // `sig = inspect.signature(fn)`: a function signature.
      const n = module.unwrap(node);
      if (n.type === 'identifier' && assignedFromCall(module, n.text, scopeOf(module, n))?.startsWith('inspect.')) {
        return { strength: undefined, digest: false, lexical: false };
      }
      const strength = name ? nameStrength(name) : undefined;
      return {
        strength,
        digest: false,
        weakWord: strength === 'weak' ? words.find((w) => WEAK_WORDS.has(w)) : undefined,
        // `stop_token`, `next_token`, `pad_token`: parser, pagination and NLP tokens.
        lexical: words.includes('token') && words.some((w) => NON_CREDENTIAL_TOKEN_WORDS.has(w)),
      };
    }

    /**
     * Values that are public by nature: None, booleans, numbers, string literals (sentinels such as `''` or
     * `'null'`), lengths and types. Named constants are not harmless: `settings.API_KEY` is the secret itself.
     */
    function isHarmless(node: Node): boolean {
      const n = module.unwrap(node);
      if (['none', 'true', 'false', 'integer', 'float', 'string', 'concatenated_string'].includes(n.type)) return true;
      // Library constants (`signal.SIGTERM`) and module-level literals (`MAGIC = b"PK\x06\x06"`), unless named as secrets.
      const name = targetName(module, n);
      if (name && isConstantName(name) && !nameStrength(name)) {
        if (n.type === 'attribute' && module.resolve(n) !== undefined) return true;
        const literal = n.type === 'identifier' ? module.moduleConstants.get(n.text) : undefined;
        if (literal && ['string', 'concatenated_string', 'integer', 'float'].includes(module.unwrap(literal).type)) return true;
      }
      if (n.type === 'call') {
        const q = module.call(n).qname;
        if (q === 'len' || q === 'type' || q === 'bool' || q === 'isinstance' || q === 'int') return true;
      }
      return false;
    }

    /** How sure we are that this comparison checks a secret against attacker-influenced input. */
    function judge(left: Node, right: Node, l: Side, r: Side): 'high' | 'medium' | undefined {
      if (l.strength === 'strong' || r.strength === 'strong') {
        const s = l.strength === 'strong' ? l : r;
        const other = s === l ? right : left;
        return s.digest || (l.strength && r.strength) || REQUEST_SOURCE.test(module.text(other)) ? 'high' : 'medium';
      }
      if (l.strength !== 'weak' && r.strength !== 'weak') return undefined;
      // A token, sig or plain digest: corroborated by request input on the other side, or by another
      // token/sig/digest. Two values that are only digests are checksum checks.
      const other = l.strength === 'weak' ? right : left;
      if (REQUEST_SOURCE.test(module.text(other))) return 'medium';
      if (l.strength === 'weak' && r.strength === 'weak' && !(l.weakWord === 'digest' && r.weakWord === 'digest')) return 'medium';
      return undefined;
    }

    /** `a == b` → `hmac.compare_digest(a, b)` (`!=` → `not …`), with `import hmac` when the module lacks it. */
    function compareDigestFix(node: Node, left: Node, right: Node, negated: boolean) {
      const imported = ensureImport(module, 'hmac');
      if (imported === undefined) return undefined;
      const call = `hmac.compare_digest(${module.text(left)}, ${module.text(right)})`;
      // `not` binds looser than arithmetic and attribute access: parenthesised unless the parent takes a condition.
      const bare = !node.parent || CONDITION_PARENTS.has(node.parent.type);
      const text = negated ? (bare ? `not ${call}` : `(not ${call})`) : call;
      const edits = [replaceNode(node, text)];
      if (imported) edits.unshift(imported);
      return { description: 'Compare with hmac.compare_digest (both sides str of ASCII, or both bytes)', edits };
    }

    return {
      nodes: {
        comparison_operator(node) {
          const operators = node.childrenForFieldName('operators').map((o) => o?.type);
          const operands = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
          if (operators.length !== 1 || operands.length !== 2) return;
          const op = operators[0];
          if (op !== '==' && op !== '!=') return;
          // Assertions in tests and `__eq__` implementations do not face an attacker.
          if (module.statementOf(node).type === 'assert_statement') return;
          const fn = functionName(module.enclosingFunction(node));
          if (fn === '__eq__' || fn === '__ne__') return;

          const [left, right] = operands as [Node, Node];
          if (isHarmless(left) || isHarmless(right)) return;
          const l = side(left);
          const r = side(right);
          if (l.lexical || r.lexical) return;
          const confidence = judge(left, right, l, r);
          if (!confidence) return;
          const secretSide = l.strength === 'strong' || (l.strength && r.strength !== 'strong') ? l : r;
          const secretNode = secretSide === l ? left : right;
          const what = secretSide.digest
            ? secretSide.strength === 'strong' ? 'a computed HMAC' : 'a computed digest'
            : `\`${truncate(module.text(secretNode), 40)}\``;
          report({
            node,
            message: `\`${truncate(module.text(node))}\` compares ${what} with \`${op}\`, which returns as soon as a byte differs; use \`hmac.compare_digest()\`.`,
            confidence,
            autofix: compareDigestFix(node, left, right, op === '!='),
          });
        },
      },
    };
  },
});
