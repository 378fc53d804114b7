import type { Node } from '../../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../../frontend/javascript/module.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, isConstant, snippet, unwrap } from '../syntax.js';

const BUFFER_MAKERS = new Set(['Buffer.from', 'Buffer.alloc']);
const TYPED_ARRAYS = new Set(['Uint8Array', 'Buffer']);

/** Whether `node` is a byte string fixed in the code: a literal, `Buffer.from('…')`, `Buffer.alloc(16)`, `new Uint8Array(16)`. */
function fixedBytes(module: JavaScriptModule, node: Node, depth = 0): boolean {
  const n = unwrap(node);
  if (typeof constantValue(module, n) === 'string') return true;
  if (n.type === 'call_expression' || n.type === 'new_expression') {
    const name = calleeName(module, n);
    const args = argsOf(n);
    if (name && BUFFER_MAKERS.has(name)) return args.length > 0 && args.every((a) => isConstant(module, a));
    const ctor = n.type === 'new_expression' ? n.childForFieldName('constructor') : null;
    const plain = ctor?.type === 'identifier' && !module.imports.has(ctor.text) && !module.topLevelNames.has(ctor.text) ? ctor.text : name;
    if (plain && TYPED_ARRAYS.has(plain)) return args.length > 0 && args.every((a) => isConstant(module, a));
  }
  if (n.type === 'identifier' && depth < 3) {
    // A `const` declared once in the file with such a value.
    for (const d of module.root.descendantsOfType('variable_declarator')) {
      const id = d.childForFieldName('name');
      const v = d.childForFieldName('value');
      if (id?.text === n.text && v && d.parent?.child(0)?.text === 'const' && d.parent.parent?.type === 'program') return fixedBytes(module, v, depth + 1);
    }
  }
  return false;
}

export default defineRule({
  id: 'javascript/static-iv',
  language: 'javascript',
  title: 'Cipher initialised with a constant IV',
  cwe: [1204, 329],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `crypto.createCipheriv`/`createDecipheriv` whose IV is fixed in the code: a string literal, `Buffer.from` or ' +
    '`Buffer.alloc` of constants (all zeros included), `new Uint8Array(16)`, or a top-level `const` holding one. ECB ciphers ' +
    '(no IV) and IVs from `crypto.randomBytes` are not reported.',
  whyItMatters:
    'With a fixed IV, CBC leaks which messages share a prefix and CTR/GCM reuse the keystream: XOR of two ciphertexts is the ' +
    'XOR of the plaintexts, and GCM authentication keys can be recovered.',
  fix: {
    guidance: 'Generate a fresh random IV for every encryption (`crypto.randomBytes(12)` for GCM, 16 for CBC) and store it beside the ciphertext.',
    before: "const cipher = crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16, 0));",
    after: "const iv = crypto.randomBytes(16);\nconst cipher = crypto.createCipheriv('aes-256-cbc', key, iv);",
  },
  references: ['https://nodejs.org/api/crypto.html#cryptocreatecipherivalgorithm-key-iv-options', 'https://cwe.mitre.org/data/definitions/1204.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (name !== 'crypto.createCipheriv' && name !== 'crypto.createDecipheriv') return;
          const [alg, , iv] = argsOf(call);
          const algName = alg ? constantValue(module, alg) : undefined;
          if (typeof algName === 'string' && /-ecb$/i.test(algName)) return;
          if (!iv || constantValue(module, iv) === null) return;
          if (fixedBytes(module, iv)) report({ node: call, message: `\`${name}\` uses the constant IV \`${snippet(iv)}\`; every message gets the same IV.` });
        },
      },
    };
  },
});
