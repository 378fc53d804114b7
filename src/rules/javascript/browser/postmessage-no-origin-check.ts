import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calledName, constantValue, isFunction, memberName, memberObject, mentions, unwrap } from '../syntax.js';

/** Receivers of window messages (`self` is left out: in a worker it is the worker's own port). */
const WINDOW = new Set(['window', 'globalThis', 'top', 'parent']);

export default defineRule({
  id: 'javascript/postmessage-no-origin-check',
  language: 'javascript',
  title: "Window 'message' handler uses event.data without checking event.origin",
  cwe: [346],
  severity: 'medium',
  confidence: 'medium',
  description:
    "Reports `window.addEventListener('message', handler)` (or the bare global form) and `window.onmessage = handler` where " +
    'the handler is written inline, reads its event\'s `data`, and never mentions `origin` or `source`. Handlers on workers, ' +
    'message ports, WebSockets and `self` are not reported: their messages do not come from arbitrary windows.',
  whyItMatters:
    'Any page that can hold a reference to this window (one that opened it, or framed it) sends it messages; acting on their ' +
    'data without checking who sent it lets that page drive the application (DOM XSS, token theft, actions as the user).',
  fix: {
    guidance: 'Compare `event.origin` with the exact origins you expect before reading `event.data`, and treat the data as untrusted even then.',
    before: "window.addEventListener('message', (e) => { render(e.data.html); });",
    after: "window.addEventListener('message', (e) => {\n  if (e.origin !== 'https://widget.example.com') return;\n  render(e.data.html);\n});",
  },
  references: ['https://developer.mozilla.org/en-US/docs/Web/API/Window/postMessage#security_concerns', 'https://cwe.mitre.org/data/definitions/346.html'],
  create({ module, report }) {
    function check(at: Node, handler: Node | undefined): void {
      if (!handler) return;
      const fn = unwrap(handler);
      if (!isFunction(fn)) return;
      const body = fn.childForFieldName('body');
      const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
      const first = params?.type === 'identifier' ? params : params?.namedChildren.find((c) => c.type !== 'comment');
      if (!body || !first) return;
      const p = unwrap(first.type === 'required_parameter' ? first.namedChildren[0] ?? first : first);
      let readsData: boolean;
      if (p.type === 'identifier') {
        readsData = body.descendantsOfType('member_expression').some((m) => memberName(m) === 'data' && memberObject(m)?.text === p.text);
      } else if (p.type === 'object_pattern') {
        readsData = mentions(p, 'data');
        if (mentions(p, 'origin') || mentions(p, 'source')) return;
      } else return;
      if (!readsData || mentions(body, 'origin') || mentions(body, 'source')) return;
      report({ node: at, message: "The 'message' handler reads the event's data without checking its origin." });
    }
    return {
      nodes: {
        call_expression(call: Node) {
          if (calledName(call) !== 'addEventListener') return;
          const callee = call.childForFieldName('function');
          if (!callee) return;
          const recv = memberObject(callee);
          if (recv ? !WINDOW.has(unwrap(recv).text) : unwrap(callee).type !== 'identifier') return;
          const [type, handler] = argsOf(call);
          if (type && constantValue(module, type) === 'message') check(call, handler);
        },
        assignment_expression(node: Node) {
          const left = node.childForFieldName('left');
          if (!left || memberName(left) !== 'onmessage') return;
          const recv = memberObject(left);
          if (recv && WINDOW.has(unwrap(recv).text)) check(node, node.childForFieldName('right') ?? undefined);
        },
      },
    };
  },
});
