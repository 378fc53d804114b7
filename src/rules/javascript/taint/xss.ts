import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/xss',
  language: 'javascript',
  title: "Untrusted data is written into HTML",
  cwe: [79],
  severity: 'high',
  confidence: 'medium',
  taint: { kind: 'xss', supersedes: ['javascript/react-dangerous-html'] },
  description:
    "Data from outside the program reaches HTML without escaping: a response body sent with `res.send`, or the DOM through `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write`, jQuery `.html()` or React's `dangerouslySetInnerHTML`. Browser sources include `location.hash`/`search`, `document.URL`, `document.referrer` and `postMessage` event data.",
  whyItMatters:
    "A `<script>` or an event handler attribute in the data runs in the victim's browser with the site's privileges: session theft, actions on the user's behalf.",
  fix: {
    guidance:
      "Escape for the context (`escape-html`, a template engine that escapes by default), assign text with `textContent` instead of `innerHTML`, or sanitise HTML with DOMPurify when markup is intended.",
    before: "el.innerHTML = location.hash.slice(1);",
    after: "el.textContent = location.hash.slice(1);",
  },
  references: ["https://cwe.mitre.org/data/definitions/79.html", "https://cheatsheetseries.owasp.org/cheatsheets/DOM_based_XSS_Prevention_Cheat_Sheet.html"],
  create: () => ({}),
});
