import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, boundNames, calleeName, constantValue, enclosingFunction, functionName } from '../syntax.js';
import { classifyNames } from './secret-words.js';

const WEAK: Record<string, string> = { md5: 'MD5', md4: 'MD4', md2: 'MD2', sha1: 'SHA-1', 'sha-1': 'SHA-1', rmd160: '', 'md5-sha1': 'MD5-SHA1' };

export default defineRule({
  id: 'javascript/weak-hash',
  language: 'javascript',
  title: 'Broken hash function (MD5, SHA-1, MD4) from crypto.createHash',
  cwe: [328],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports `crypto.createHash` with MD5, MD4 or SHA-1 (the `crypto` module under any local name). Where the names around the ' +
    'digest (where it is stored, what is hashed, the enclosing function) say it protects a password, token or signature, it is ' +
    'reported at high confidence and severity; otherwise at low confidence, since many such digests only name things (ETags, ' +
    'cache keys). `createHmac("sha1", key)` is not reported: HMAC needs a PRF, not collision resistance.',
  whyItMatters:
    'MD5 and SHA-1 collisions are practical, so signatures and integrity checks built on them can be forged; fast unsalted ' +
    'digests of passwords are reversed by GPU brute force as soon as they leak.',
  fix: {
    guidance:
      "Use SHA-256 or better (`crypto.createHash('sha256')`) for integrity; for passwords a slow salted KDF (`crypto.scrypt`, argon2, bcrypt).",
    before: "const passwordHash = crypto.createHash('md5').update(password).digest('hex');",
    after: "const passwordHash = await scrypt(password, salt, 64);",
  },
  references: ['https://nodejs.org/api/crypto.html#cryptocreatehashalgorithm-options', 'https://cwe.mitre.org/data/definitions/328.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          if (calleeName(module, call) !== 'crypto.createHash') return;
          const alg = argsOf(call)[0];
          const v = alg ? constantValue(module, alg) : undefined;
          const algorithm = typeof v === 'string' ? WEAK[v.toLowerCase()] : undefined;
          if (!algorithm) return;
          // Climb `createHash('md5').update(x).digest()` to the whole chain.
          let top: Node = call;
          while (top.parent?.type === 'member_expression' && top.parent.parent?.type === 'call_expression') top = top.parent.parent;
          const names = boundNames(top);
          for (const id of top.descendantsOfType(['identifier', 'property_identifier'])) names.push(id.text);
          const fn = functionName(enclosingFunction(call));
          if (fn) names.push(fn);
          const kind = classifyNames(names);
          if (kind === 'security') {
            report({ node: call, message: `${algorithm} digest of what looks like a password, token or signature; ${algorithm} is broken for that use.`, confidence: 'high', severity: 'high' });
          } else {
            report({
              node: call,
              message: `\`crypto.createHash('${v}')\` computes ${algorithm}, a broken hash; ${kind === 'benign' ? 'it looks like an identifier (use SHA-256 anyway)' : 'nothing says what it protects'}.`,
              confidence: 'low',
              severity: 'low',
            });
          }
        },
      },
    };
  },
});
