import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calledName, constantValue, isConstant, snippet } from '../syntax.js';

/** Names of the current global object. */
const SELF = /^_?(?:window|self|globalThis|global|_global|root)$/;

export default defineRule({
  id: 'javascript/postmessage-any-target',
  language: 'javascript',
  title: "postMessage of non-constant data to any origin ('*')",
  cwe: [201],
  severity: 'medium',
  confidence: 'medium',
  description:
    "Reports `otherWindow.postMessage(data, '*')` (or `{ targetOrigin: '*' }`) where the data is not a constant: the message " +
    'is delivered whatever page the target window shows at that moment. Constant signals (`postMessage("ready", "*")`) and ' +
    'worker or port `postMessage(data, [transfer])` calls are not reported, nor a window posting to itself (`window.postMessage(x, "*")`).',
  whyItMatters:
    'If the frame or opener was navigated to another site (an attacker can do that to windows it opened or framed), that site ' +
    'receives the data: tokens, personal data, application state.',
  fix: {
    guidance: "Name the receiver's exact origin: `frame.contentWindow.postMessage(data, 'https://widget.example.com')`.",
    before: "parent.postMessage({ token }, '*');",
    after: "parent.postMessage({ token }, 'https://app.example.com');",
  },
  references: ['https://developer.mozilla.org/en-US/docs/Web/API/Window/postMessage#targetorigin', 'https://cwe.mitre.org/data/definitions/201.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          if (calledName(call) !== 'postMessage') return;
          // A window posting to itself (`window.postMessage(x, '*')`, a setImmediate shim) only reaches its own origin.
          const callee = call.childForFieldName('function');
          const recv = callee?.type === 'member_expression' ? callee.childForFieldName('object') : null;
          if (!recv || SELF.test(recv.text)) return;
          const [data, target] = argsOf(call);
          if (!data || !target || isConstant(module, data)) return;
          const t = unwrap2(target);
          const star = constantValue(module, t) === '*' || (t.type === 'object' && t.namedChildren.some((c) => c.type === 'pair' && c.childForFieldName('key')?.text === 'targetOrigin' && constantValue(module, c.childForFieldName('value')!) === '*'));
          if (star) report({ node: call, message: `\`${snippet(data)}\` is posted to any origin (\`'*'\`).` });
        },
      },
    };
  },
});

function unwrap2(n: Node): Node {
  return n.type === 'parenthesized_expression' && n.namedChildren[0] ? n.namedChildren[0] : n;
}
