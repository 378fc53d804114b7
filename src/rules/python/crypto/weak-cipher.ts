import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import type { Severity } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { describeCallee, normaliseCryptoRoot, tableLookup } from './secret-context.js';

interface Weakness {
  name: string;
  why: string;
  severity: Severity;
}

const BROKEN_64 = 'a 64-bit block cipher (Sweet32 birthday attacks after a few GB under one key)';

/** PyCrypto / PyCryptodome(x) cipher modules, by `Crypto.Cipher.<X>.new`. */
const PYCRYPTO: Record<string, Weakness> = {
  DES: { name: 'DES', why: 'a 56-bit key, brute-forced in hours', severity: 'high' },
  DES3: { name: 'Triple DES', why: BROKEN_64, severity: 'medium' },
  ARC2: { name: 'RC2', why: 'a weak 64-bit block cipher with related-key attacks', severity: 'high' },
  ARC4: { name: 'RC4', why: 'a stream cipher with exploitable keystream biases', severity: 'high' },
  Blowfish: { name: 'Blowfish', why: BROKEN_64, severity: 'medium' },
  CAST: { name: 'CAST5', why: BROKEN_64, severity: 'medium' },
  XOR: { name: 'XOR "cipher"', why: 'a repeating-key XOR, not encryption', severity: 'high' },
};

/** cryptography's `algorithms.<X>` (also under the newer `hazmat.decrepit` package). */
const CRYPTOGRAPHY: Record<string, Weakness> = {
  TripleDES: { name: 'Triple DES', why: BROKEN_64, severity: 'medium' },
  ARC4: { name: 'RC4', why: 'a stream cipher with exploitable keystream biases', severity: 'high' },
  Blowfish: { name: 'Blowfish', why: BROKEN_64, severity: 'medium' },
  IDEA: { name: 'IDEA', why: BROKEN_64, severity: 'medium' },
  CAST5: { name: 'CAST5', why: BROKEN_64, severity: 'medium' },
  SEED: {
    name: 'SEED',
    why: 'not broken, but deprecated and moved to `cryptography.hazmat.decrepit` for lack of scrutiny and support',
    severity: 'low',
  },
};
const CRYPTOGRAPHY_ALGORITHM_MODULES = [
  'cryptography.hazmat.primitives.ciphers.algorithms.',
  'cryptography.hazmat.decrepit.ciphers.algorithms.',
];

const PYDES: Record<string, Weakness> = {
  'pyDes.des': PYCRYPTO.DES!,
  'pyDes.triple_des': PYCRYPTO.DES3!,
};
const pydes = tableLookup(PYDES);

const ECB_WHY = 'ECB encrypts equal plaintext blocks to equal ciphertext blocks, so patterns and repeated records show through';

export default defineRule({
  id: 'python/weak-cipher',
  language: 'python',
  title: 'Broken or risky cipher or ECB mode',
  cwe: [327],
  severity: 'high',
  confidence: 'high',
  description:
    'Data is encrypted with a broken or risky cipher (DES, RC2, RC4, XOR), a 64-bit block cipher (Triple DES, ' +
    'Blowfish, IDEA, CAST5), or a sound cipher in ECB mode, which leaks the structure of the plaintext.',
  whyItMatters:
    'An eavesdropper recovers the plaintext or parts of it: DES keys fall to brute force, RC4 keystream biases ' +
    'reveal repeated secrets such as cookies, 64-bit blocks collide after a few gigabytes, ECB shows which records ' +
    'are equal and lets blocks be cut and pasted.',
  fix: {
    guidance:
      'Use an authenticated mode of a modern cipher: AES-GCM or ChaCha20-Poly1305 (`cryptography`\'s `AESGCM` / ' +
      '`ChaCha20Poly1305`, or `AES.new(key, AES.MODE_GCM)`), with a fresh random nonce per message.',
    before: 'cipher = DES.new(key, DES.MODE_ECB)\nct = cipher.encrypt(pad(data, 8))',
    after: 'nonce = os.urandom(12)\nct = AESGCM(key).encrypt(nonce, data, None)',
  },
  references: [
    'https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#weak-ciphers',
    'https://sweet32.info/',
    'https://csrc.nist.gov/pubs/sp/800/131/a/r2/final',
    'https://cwe.mitre.org/data/definitions/327.html',
  ],
  create({ module, report }) {
    /** `Crypto.Cipher.AES.MODE_ECB` and friends. */
    function isEcbMode(n: Node | undefined): boolean {
      if (!n) return false;
      const q = module.resolve(n);
      return q !== undefined && /^Crypto\.Cipher\.\w+\.MODE_ECB$/.test(normaliseCryptoRoot(q));
    }

    function cryptographyAlgorithm(call: PyCall): Weakness | undefined {
      const q = call.qname;
      if (!q) return undefined;
      for (const prefix of CRYPTOGRAPHY_ALGORITHM_MODULES) {
        if (q.startsWith(prefix)) return CRYPTOGRAPHY[q.slice(prefix.length)];
      }
      return undefined;
    }

    /** The call that receives `arg` as an argument (positional or keyword). */
    function holderCall(arg: Node): Node | undefined {
      const p = arg.parent;
      const holder = p?.type === 'argument_list' ? p.parent : p?.type === 'keyword_argument' ? p.parent?.parent : undefined;
      return holder?.type === 'call' ? holder : undefined;
    }

    /** For `Cipher(<algorithm>, modes.ECB())`, given the algorithm node. */
    function cipherModeIsEcb(algorithm: Node): boolean {
      const holder = holderCall(algorithm);
      const mode = holder ? module.call(holder).arg(1, 'mode') : undefined;
      const m = mode ? module.unwrap(mode) : undefined;
      return m?.type === 'call' && module.call(m).qname === 'cryptography.hazmat.primitives.ciphers.modes.ECB';
    }

    return {
      call(call) {
        const q = call.qname;
        if (!q) return;
        const nq = normaliseCryptoRoot(q);

        // PyCrypto / PyCryptodome: <Module>.new(key, mode, ...)
        const pc = /^Crypto\.Cipher\.(\w+)\.new$/.exec(nq);
        if (pc) {
          const weak = PYCRYPTO[pc[1]!];
          const ecb = isEcbMode(call.arg(1, 'mode'));
          if (weak) {
            report({
              node: call.node,
              message: `${describeCallee(module, call)} encrypts with ${weak.name}, ${weak.why}${ecb ? ', and in ECB mode' : ''}.`,
              severity: weak.severity === 'medium' && ecb ? 'high' : weak.severity,
            });
          } else if (ecb) {
            report({ node: call.node, message: `${describeCallee(module, call)} uses ECB mode: ${ECB_WHY}.`, severity: 'medium' });
          }
          return;
        }

        const weak = cryptographyAlgorithm(call) ?? pydes(q);
        if (weak) {
          const ecb = cipherModeIsEcb(call.node);
          report({
            node: call.node,
            message: `${describeCallee(module, call)} selects ${weak.name}, ${weak.why}${ecb ? ', and in ECB mode' : ''}.`,
            severity: weak.severity !== 'high' && ecb ? 'high' : weak.severity,
          });
          return;
        }

        if (q === 'cryptography.hazmat.primitives.ciphers.modes.ECB') {
          // Cipher(algorithms.TripleDES(k), modes.ECB()): the algorithm finding already covers it.
          const holder = holderCall(call.node);
          if (holder) {
            const algorithm = module.call(holder).arg(0, 'algorithm');
            const a = algorithm ? module.unwrap(algorithm) : undefined;
            if (a?.type === 'call' && cryptographyAlgorithm(module.call(a))) return;
          }
          report({ node: call.node, message: `${describeCallee(module, call)} selects ECB mode: ${ECB_WHY}.`, severity: 'medium' });
        }
      },
    };
  },
});
