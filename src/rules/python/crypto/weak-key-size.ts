import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { describeCallee, normaliseCryptoRoot, tableLookup } from './secret-context.js';

const ASYM = 'cryptography.hazmat.primitives.asymmetric';

/** Key generators whose size is an integer argument: where the size is, and the algorithm. */
interface SizedGenerator {
  algorithm: 'RSA' | 'DSA' | 'DH';
  index: number;
  keyword: string;
}
const SIZED: Record<string, SizedGenerator> = {
  [`${ASYM}.rsa.generate_private_key`]: { algorithm: 'RSA', index: 1, keyword: 'key_size' },
  [`${ASYM}.dsa.generate_private_key`]: { algorithm: 'DSA', index: 0, keyword: 'key_size' },
  [`${ASYM}.dsa.generate_parameters`]: { algorithm: 'DSA', index: 0, keyword: 'key_size' },
  [`${ASYM}.dh.generate_parameters`]: { algorithm: 'DH', index: 1, keyword: 'key_size' },
  'Crypto.PublicKey.RSA.generate': { algorithm: 'RSA', index: 0, keyword: 'bits' },
  'Crypto.PublicKey.DSA.generate': { algorithm: 'DSA', index: 0, keyword: 'bits' },
  'Crypto.PublicKey.ElGamal.generate': { algorithm: 'DH', index: 0, keyword: 'bits' },
  // python-rsa
  'rsa.newkeys': { algorithm: 'RSA', index: 0, keyword: 'nbits' },
  'paramiko.RSAKey.generate': { algorithm: 'RSA', index: 0, keyword: 'bits' },
  'paramiko.rsakey.RSAKey.generate': { algorithm: 'RSA', index: 0, keyword: 'bits' },
  'paramiko.DSSKey.generate': { algorithm: 'DSA', index: 0, keyword: 'bits' },
  'paramiko.dsskey.DSSKey.generate': { algorithm: 'DSA', index: 0, keyword: 'bits' },
};
const sizedGenerator = tableLookup(SIZED);
const PYOPENSSL_TYPES: Record<string, 'RSA' | 'DSA'> = { 'OpenSSL.crypto.TYPE_RSA': 'RSA', 'OpenSSL.crypto.TYPE_DSA': 'DSA' };

/** Curves under 224 bits (about 112-bit security): SEC 2 / NIST curves cryptography still exposes. */
const WEAK_CURVES: Record<string, number> = { SECP192R1: 192, SECT163K1: 163, SECT163R2: 163 };
const EC_CONSUMERS = new Set([`${ASYM}.ec.generate_private_key`, `${ASYM}.ec.derive_private_key`]);

/** NIST SP 800-57 / SP 800-131A: 2048-bit RSA/DSA/DH and 224-bit EC are the floor (112-bit security). */
const MIN_BITS = 2048;

export default defineRule({
  id: 'python/weak-key-size',
  language: 'python',
  title: 'Asymmetric key too short',
  cwe: [326],
  severity: 'medium',
  confidence: 'high',
  description:
    'An RSA, DSA or Diffie-Hellman key is generated with fewer than 2048 bits, or an elliptic-curve key on a curve ' +
    'under 224 bits. These sizes give less than the 112-bit security NIST SP 800-131A requires. Only sizes that fold ' +
    'to a constant are reported.',
  whyItMatters:
    '512-bit RSA is factored in hours on rented hardware and 768-bit RSA has been publicly factored; 1024-bit keys ' +
    'and DH groups are within reach of well-funded attackers, who then decrypt recorded traffic or forge signatures.',
  fix: {
    guidance:
      'Generate RSA/DSA/DH keys of at least 2048 bits (3072 for data that must stay secret past 2030), or use ' +
      'Ed25519/X25519 or a P-256 or larger curve.',
    before: 'key = rsa.generate_private_key(public_exponent=65537, key_size=1024)',
    after: 'key = rsa.generate_private_key(public_exponent=65537, key_size=3072)',
  },
  references: [
    'https://csrc.nist.gov/pubs/sp/800/131/a/r2/final',
    'https://cryptography.io/en/latest/hazmat/primitives/asymmetric/rsa/#generation',
    'https://cwe.mitre.org/data/definitions/326.html',
  ],
  create({ module, report }) {
    function checkSize(call: PyCall, algorithm: string, size: Node | undefined): void {
      if (!size) return;
      const bits = module.constantValue(size);
      if (typeof bits !== 'number' || bits >= MIN_BITS || bits <= 0) return;
      report({
        node: size.parent?.type === 'keyword_argument' ? size.parent : size,
        message: `${describeCallee(module, call)} generates a ${bits}-bit ${algorithm} key; at least ${MIN_BITS} bits are needed.`,
        severity: bits <= 1024 ? 'high' : 'medium',
      });
    }

    return {
      call(call) {
        const q = call.qname;
        if (q) {
          const sized = sizedGenerator(normaliseCryptoRoot(q));
          if (sized) {
            checkSize(call, sized.algorithm, call.arg(sized.index, sized.keyword));
            return;
          }
          if (EC_CONSUMERS.has(q)) {
            const curve = call.arg(q.endsWith('derive_private_key') ? 1 : 0, 'curve');
            if (!curve) return;
            const c = module.unwrap(curve);
            const curveName = module.resolve(c.type === 'call' ? (c.childForFieldName('function') ?? c) : c);
            const prefix = `${ASYM}.ec.`;
            if (!curveName?.startsWith(prefix)) return;
            const bits = WEAK_CURVES[curveName.slice(prefix.length)];
            if (bits === undefined) return;
            report({
              node: curve,
              message: `${describeCallee(module, call)} uses the ${bits}-bit curve \`${curveName.slice(prefix.length)}\`; use P-256 or larger (or Ed25519/X25519).`,
            });
          }
          return;
        }
        // pyOpenSSL: OpenSSL.crypto.PKey().generate_key(crypto.TYPE_RSA, 1024)
        if (call.method === 'generate_key') {
          const type = call.arg(0, 'type');
          const kind = type ? PYOPENSSL_TYPES[module.resolve(type) ?? ''] : undefined;
          if (kind) checkSize(call, kind, call.arg(1, 'bits'));
        }
      },
    };
  },
});
