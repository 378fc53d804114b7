import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { calleeOf, isConstant, pairKey, snippet, unwrap } from '../syntax.js';

/** Callees whose result is HTML made safe (DOMPurify, sanitize-html, xss, escapers). */
const SANITIZER = /sanitiz|purif|escape|^xss$|\.xss$|filterXSS/i;

function sanitized(node: Node): boolean {
  const n = unwrap(node);
  if (n.type !== 'call_expression') return false;
  const callee = calleeOf(n);
  return !!callee && SANITIZER.test(callee.text);
}

/** Whether the object holding `__html` is the value of a `dangerouslySetInnerHTML` prop (JSX or createElement props). */
function isDangerousProp(object: Node): boolean {
  const p = object.parent;
  if (p?.type === 'jsx_expression') return p.parent?.type === 'jsx_attribute' && p.parent.namedChildren[0]?.text === 'dangerouslySetInnerHTML';
  if (p?.type === 'pair') return pairKey(p) === 'dangerouslySetInnerHTML';
  return false;
}

export default defineRule({
  id: 'javascript/react-dangerous-html',
  language: 'javascript',
  title: 'dangerouslySetInnerHTML given HTML that is not a constant and not sanitised',
  cwe: [79],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports `dangerouslySetInnerHTML={{ __html: x }}` (JSX, and `createElement` props) where `x` is neither a constant nor the ' +
    'result of a sanitiser call (DOMPurify.sanitize, sanitize-html, xss, an escape function). Markdown renderers and string ' +
    'templates do not sanitise. Request data proven to reach the prop is reported by javascript/xss instead.',
  whyItMatters: "HTML from users, APIs or CMS content carries `<img onerror=…>` or `<script>`: it runs in the application's origin with the user's session.",
  fix: {
    guidance: 'Render text as children (`{text}`), or sanitise HTML first: `{{ __html: DOMPurify.sanitize(html) }}`.',
    before: '<div dangerouslySetInnerHTML={{ __html: comment.body }} />',
    after: '<div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />',
  },
  references: ['https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html', 'https://cwe.mitre.org/data/definitions/79.html'],
  create({ module, report }) {
    return {
      nodes: {
        pair(pair: Node) {
          if (pairKey(pair) !== '__html') return;
          const object = pair.parent;
          const value = pair.childForFieldName('value');
          if (!object || !value || !isDangerousProp(object)) return;
          if (isConstant(module, value) || sanitized(value)) return;
          report({ node: pair, message: `\`dangerouslySetInnerHTML\` renders \`${snippet(value)}\` as HTML without sanitising it.` });
        },
      },
    };
  },
});
