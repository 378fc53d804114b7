import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { calleeName, describeCallee, functionName, nameWords, normaliseCryptoRoot, tableLookup, truncate, valueUse } from './secret-context.js';

/** hashlib constructors for broken digests. */
const HASHLIB_WEAK: Record<string, string> = { 'hashlib.md5': 'MD5', 'hashlib.sha1': 'SHA-1', 'hashlib.sha': 'SHA-1' };
const hashlibWeak = tableLookup(HASHLIB_WEAK);
/** Names accepted by `hashlib.new()` (OpenSSL spellings, case-insensitive). */
const HASHLIB_NEW_WEAK: Record<string, string> = {
  md5: 'MD5', sha1: 'SHA-1', sha: 'SHA-1', md4: 'MD4', md2: 'MD2', 'md5-sha1': 'MD5-SHA1', mdc2: 'MDC2',
};
const PYCRYPTO_WEAK: Record<string, string> = {
  'Crypto.Hash.MD5.new': 'MD5', 'Crypto.Hash.MD4.new': 'MD4', 'Crypto.Hash.MD2.new': 'MD2',
  'Crypto.Hash.SHA.new': 'SHA-1', 'Crypto.Hash.SHA1.new': 'SHA-1',
};
const pycryptoWeak = tableLookup(PYCRYPTO_WEAK);
const CRYPTOGRAPHY_WEAK: Record<string, string> = {
  'cryptography.hazmat.primitives.hashes.MD5': 'MD5',
  'cryptography.hazmat.primitives.hashes.SHA1': 'SHA-1',
};
const cryptographyWeak = tableLookup(CRYPTOGRAPHY_WEAK);
/**
 * cryptography constructions that stay sound with MD5/SHA-1 because they need a PRF, not
 * collision resistance: HMAC, HKDF, PBKDF2, and OAEP/MGF1 padding.
 */
const PRF_CONSUMERS = new Set(['HMAC', 'HKDF', 'HKDFExpand', 'PBKDF2HMAC', 'ConcatKDFHash', 'ConcatKDFHMAC', 'X963KDF', 'MGF1', 'OAEP']);

/** Words that show the digest protects a secret or proves authenticity. */
const SECURITY_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'token', 'secret', 'signature', 'sign', 'signed', 'auth', 'authenticate',
  'hmac', 'credential', 'credentials', 'otp', 'nonce', 'apikey', 'csrf', 'login', 'session', 'verify', 'integrity',
]);
/** Words that show a non-security use: identifying content, not protecting it. */
const BENIGN_WORDS = new Set([
  'cache', 'cached', 'etag', 'checksum', 'fingerprint', 'dedup', 'dedupe', 'shard', 'bucket', 'partition', 'gravatar',
  'color', 'colour', 'avatar', 'filename', 'file', 'lock', 'slug', 'memo', 'memoize', 'hashring', 'consistent',
  'uuid', 'identifier', 'md5sum', 'sha1sum',
]);

export default defineRule({
  id: 'python/weak-hash',
  language: 'python',
  title: 'Broken hash function (MD5, SHA-1, MD4)',
  cwe: [328],
  severity: 'medium',
  confidence: 'medium',
  description:
    'MD5, MD4 and SHA-1 are broken: practical collisions exist for all three (chosen-prefix for MD5 and SHA-1), and ' +
    'they are fast enough to brute-force password digests at billions of guesses per second. The rule reports them ' +
    'unless the call says `usedforsecurity=False`: at high confidence where the names around the call say the digest ' +
    'protects something (a password, token, signature, HMAC or integrity check), at low confidence otherwise (most ' +
    'such digests only name or index things, e.g. `sha1(port_id)` to build a device name). It deliberately does not report them inside HMAC, HKDF, PBKDF2 ' +
    '(`hmac.new(key, msg, hashlib.md5)`) or OAEP/MGF1: those constructions rely on the hash as a keyed PRF, where no ' +
    'practical attack is known, so flagging them would be noise; a migration to SHA-256 there is hygiene, not a fix.',
  whyItMatters:
    'Colliding digests let an attacker forge signatures, certificates or integrity checks; unsalted fast digests of ' +
    'passwords are reversed with precomputed tables or GPUs as soon as the database leaks.',
  fix: {
    guidance:
      'Use SHA-256 or SHA-3 (`hashlib.sha256`) for integrity and signatures; for passwords use a slow, salted KDF ' +
      '(`hashlib.scrypt`, argon2, bcrypt). When the digest is only an identifier (cache key, ETag), say so with ' +
      '`hashlib.md5(data, usedforsecurity=False)`.',
    before: 'digest = hashlib.md5(password.encode()).hexdigest()',
    after: 'digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()',
  },
  references: [
    'https://docs.python.org/3/library/hashlib.html#hash-algorithms',
    'https://csrc.nist.gov/projects/hash-functions',
    'https://cwe.mitre.org/data/definitions/328.html',
  ],
  create({ module, report }) {
    /** Which broken algorithm this call constructs, if any. */
    function weakAlgorithm(call: PyCall): string | undefined {
      const q = call.qname;
      if (!q) return undefined;
      const hashlib = hashlibWeak(q);
      if (hashlib) return hashlib;
      if (q === 'hashlib.new') {
        const name = call.arg(0, 'name');
        const v = name ? module.constantValue(name) : undefined;
        return typeof v === 'string' ? HASHLIB_NEW_WEAK[v.toLowerCase()] : undefined;
      }
      const nq = normaliseCryptoRoot(q);
      const pycrypto = pycryptoWeak(nq);
      if (pycrypto) return pycrypto;
      const cryptography = cryptographyWeak(q);
      if (cryptography) return cryptography;
      return undefined;
    }

    /** Names around the call: where its value goes, what it hashes, the function it is in. */
    function contextNames(call: PyCall): string[] {
      const names: string[] = [];
      // Climb method chains (`md5(x).hexdigest()`) so the use of the final value counts.
      let top: Node = call.node;
      for (;;) {
        const p = top.parent;
        if (p?.type === 'attribute' && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.id === p.id) top = p.parent;
        else break;
      }
      const use = valueUse(module, top);
      names.push(...use.bound, ...use.passedTo);
      if (use.returnedFrom) names.push(use.returnedFrom);
      for (const a of [...call.positional, ...call.keywords.values()]) {
        for (const id of [a, ...a.descendantsOfType(['identifier'])]) {
          if (id.type === 'identifier') names.push(id.text);
        }
      }
      const fn = functionName(module.enclosingFunction(call.node));
      if (fn) names.push(fn);
      return names;
    }

    function classify(names: string[]): 'security' | 'benign' | 'unknown' {
      let security = false;
      let benign = false;
      for (const n of names) {
        for (const w of nameWords(n)) {
          if (SECURITY_WORDS.has(w)) security = true;
          if (BENIGN_WORDS.has(w)) benign = true;
        }
      }
      if (security && !benign) return 'security';
      if (benign && !security) return 'benign';
      return 'unknown';
    }

    return {
      call(call) {
        const algorithm = weakAlgorithm(call);
        if (!algorithm) return;
        const usedForSecurity = call.keywords.get('usedforsecurity');
        if (usedForSecurity && module.constantValue(usedForSecurity) === false) return;

        // cryptography: hashes.SHA1() handed to HMAC/HKDF/PBKDF2/OAEP/MGF1.
        const parent = call.node.parent;
        const holder = parent?.type === 'argument_list' ? parent.parent : parent?.type === 'keyword_argument' ? parent.parent?.parent : undefined;
        if (holder?.type === 'call') {
          const consumer = calleeName(module, module.call(holder));
          if (consumer && PRF_CONSUMERS.has(consumer)) return;
        }

        const kind = classify(contextNames(call));
        const nameArg = call.qname === 'hashlib.new' ? call.arg(0, 'name') : undefined;
        const callText = nameArg ? `\`hashlib.new(${truncate(module.text(nameArg), 20)})\`` : describeCallee(module, call);
        if (kind === 'security') {
          report({
            node: call.node,
            message: `${callText} computes ${algorithm} for what looks like a password, token or signature; ${algorithm} is broken for that use.`,
            confidence: 'high',
            severity: 'high',
          });
        } else if (kind === 'benign') {
          report({
            node: call.node,
            message: `${callText} computes ${algorithm}, apparently as a non-security identifier; mark it \`usedforsecurity=False\` or use SHA-256.`,
            confidence: 'low',
            severity: 'low',
          });
        } else {
          // Nothing says the digest protects anything (a password, token, signature or integrity check):
          // most such digests name or index things (`sha1(port_id)` for a device name).
          report({
            node: call.node,
            message: `${callText} computes ${algorithm}, a broken hash function; nothing around it says what the digest protects, so it may only be an identifier.`,
            confidence: 'low',
          });
        }
      },
    };
  },
});
