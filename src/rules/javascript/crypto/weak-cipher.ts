import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, pairKey, qualifiedName } from '../syntax.js';

/** OpenSSL cipher names (lower case) that are broken or obsolete, or use ECB. */
function weakness(alg: string): string | undefined {
  const a = alg.toLowerCase();
  if (/^(?:des|des-(?:cbc|ecb|cfb|ofb|ede|ede-cbc)|desx)/.test(a) && !a.startsWith('des-ede3')) return 'DES (56-bit key)';
  if (a.startsWith('des-ede3') || a === 'des3') return 'Triple DES (64-bit blocks, withdrawn by NIST)';
  if (a.startsWith('rc4')) return 'RC4 (biased keystream)';
  if (a.startsWith('rc2')) return 'RC2';
  if (a.startsWith('bf') || a.startsWith('blowfish')) return 'Blowfish (64-bit blocks)';
  if (/-ecb$/.test(a)) return 'ECB mode (equal blocks encrypt equally)';
  return undefined;
}

const CRYPTOJS_WEAK: Record<string, string> = { DES: 'DES', TripleDES: 'Triple DES', RC4: 'RC4', RC4Drop: 'RC4' };

export default defineRule({
  id: 'javascript/weak-cipher',
  language: 'javascript',
  title: 'Broken cipher or ECB mode (DES, 3DES, RC4, Blowfish, *-ecb)',
  cwe: [327],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `crypto.createCipheriv`/`createDecipheriv` with a constant algorithm name for DES, Triple DES, RC4, RC2, Blowfish ' +
    'or any ECB mode, and crypto-js `CryptoJS.DES`/`TripleDES`/`RC4` encryption and `mode: CryptoJS.mode.ECB`. AES in CBC, ' +
    'CTR or GCM and ChaCha20-Poly1305 are not reported.',
  whyItMatters:
    'DES keys are brute-forced in hours, 64-bit block ciphers leak plaintext after a few gigabytes (Sweet32), RC4 output is ' +
    'biased, and ECB shows which blocks of the plaintext are equal.',
  fix: {
    guidance: "Use an authenticated mode of AES: `crypto.createCipheriv('aes-256-gcm', key, iv)` with a random 12-byte IV and check the auth tag.",
    before: "const cipher = crypto.createCipheriv('des-ede3-cbc', key, iv);",
    after: "const cipher = crypto.createCipheriv('aes-256-gcm', key, crypto.randomBytes(12));",
  },
  references: ['https://nodejs.org/api/crypto.html#cryptocreatecipherivalgorithm-key-iv-options', 'https://sweet32.info/', 'https://cwe.mitre.org/data/definitions/327.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (name === 'crypto.createCipheriv' || name === 'crypto.createDecipheriv') {
            const alg = argsOf(call)[0];
            const v = alg ? constantValue(module, alg) : undefined;
            const weak = typeof v === 'string' ? weakness(v) : undefined;
            if (weak) report({ node: call, message: `\`${name}('${v}')\` uses ${weak}.` });
            return;
          }
          const m = name ? /^crypto-js\.(\w+)\.(?:encrypt|decrypt)$/.exec(name) : null;
          const weak = m ? CRYPTOJS_WEAK[m[1]!] : undefined;
          if (weak) report({ node: call, message: `crypto-js ${weak} is broken; use AES-GCM (Web Crypto or Node crypto).` });
        },
        pair(pair: Node) {
          if (pairKey(pair) !== 'mode') return;
          const value = pair.childForFieldName('value');
          if (value && qualifiedName(module, value) === 'crypto-js.mode.ECB') report({ node: pair, message: 'crypto-js ECB mode encrypts equal blocks to equal ciphertext.' });
        },
      },
    };
  },
});
