import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property } from '../syntax.js';

const KEYPAIR = new Set(['crypto.generateKeyPair', 'crypto.generateKeyPairSync']);
const MODULUS_TYPES = new Set(['rsa', 'rsa-pss', 'dsa']);

export default defineRule({
  id: 'javascript/weak-key-size',
  language: 'javascript',
  title: 'RSA, DSA or DH key shorter than 2048 bits',
  cwe: [326],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `crypto.generateKeyPair`/`generateKeyPairSync` for `rsa`, `rsa-pss` or `dsa` with a constant `modulusLength` below ' +
    '2048, for `dh` with `primeLength` below 2048, and node-rsa `new NodeRSA({ b: n })` with n below 2048.',
  whyItMatters: '1024-bit RSA and DH are within reach of well-funded attackers, 512-bit keys are factored in hours on rented machines.',
  fix: {
    guidance: 'Use at least 2048 bits (3072 for keys that must last past 2030), or an elliptic-curve key (`ed25519`, `P-256`).',
    before: "crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });",
    after: "crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });",
  },
  references: ['https://nodejs.org/api/crypto.html#cryptogeneratekeypairsynctype-options', 'https://cwe.mitre.org/data/definitions/326.html'],
  create({ module, report }) {
    function small(value: Node | undefined): number | undefined {
      const v = value ? constantValue(module, value) : undefined;
      return typeof v === 'number' && v < 2048 ? v : undefined;
    }
    function check(call: Node): void {
      const name = calleeName(module, call);
      if (!name) return;
      const args = argsOf(call);
      if (KEYPAIR.has(name)) {
        const type = args[0] ? constantValue(module, args[0]) : undefined;
        const options = objectLiteral(module, args[1]);
        if (typeof type !== 'string') return;
        const bits = MODULUS_TYPES.has(type) ? small(property(options, 'modulusLength')) : type === 'dh' ? small(property(options, 'primeLength')) : undefined;
        if (bits !== undefined) report({ node: call, message: `${type.toUpperCase()} key of ${bits} bits; use at least 2048.` });
      } else if (name === 'node-rsa' && call.type === 'new_expression') {
        const bits = small(property(objectLiteral(module, args[0]), 'b'));
        if (bits !== undefined) report({ node: call, message: `node-rsa key of ${bits} bits; use at least 2048.` });
      }
    }
    return { nodes: { call_expression: check, new_expression: check } };
  },
});
