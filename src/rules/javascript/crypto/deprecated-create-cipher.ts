import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { calleeName } from '../syntax.js';

export default defineRule({
  id: 'javascript/deprecated-create-cipher',
  language: 'javascript',
  title: 'crypto.createCipher derives key and IV from a password with one MD5 round',
  cwe: [916, 329],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `crypto.createCipher` and `crypto.createDecipher` (deprecated since Node 10, removed in Node 22): they derive ' +
    'the key and the IV from the password with `EVP_BytesToKey`, one iteration of MD5 and no salt, so the same password always ' +
    'gives the same key and IV.',
  whyItMatters:
    'Passwords behind the ciphertext are brute-forced at GPU speed, and a fixed IV per password makes CBC and CTR ciphertexts ' +
    'comparable, or (in CTR/GCM) reuses the keystream, revealing plaintext.',
  fix: {
    guidance:
      'Derive a key with `crypto.scrypt` (random salt stored beside the ciphertext) and use `crypto.createCipheriv` with a random IV.',
    before: "const cipher = crypto.createCipher('aes-256-cbc', password);",
    after: "const key = crypto.scryptSync(password, salt, 32);\nconst cipher = crypto.createCipheriv('aes-256-gcm', key, crypto.randomBytes(12));",
  },
  references: ['https://nodejs.org/api/deprecations.html#DEP0106', 'https://cwe.mitre.org/data/definitions/916.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (name === 'crypto.createCipher' || name === 'crypto.createDecipher') {
            report({ node: call, message: `\`${name}\` derives key and IV from the password with one unsalted MD5 round; use scrypt and createCipheriv.` });
          }
        },
      },
    };
  },
});
