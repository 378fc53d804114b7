import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/open-redirect',
  language: 'javascript',
  title: "Untrusted data chooses a redirect target",
  cwe: [601],
  severity: 'medium',
  confidence: 'medium',
  taint: { kind: 'open-redirect' },
  description:
    "Data from outside the program becomes the target of a redirect: `res.redirect`, `ctx.redirect`, `reply.redirect`, or a browser navigation through `location`, `location.href`, `location.assign`/`replace`, `window.open`.",
  whyItMatters:
    "A link on the trusted site sends users to a phishing page; in the browser a `javascript:` URL runs code in the page.",
  fix: {
    guidance:
      "Redirect only to relative paths you check (a single leading `/`, no `//` or `\\\\`), or map a key to a known URL; compare the parsed URL's origin with an allow-list.",
    before: "res.redirect(req.query.next);",
    after: "const next = String(req.query.next || '/');\nres.redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/');",
  },
  references: ["https://cwe.mitre.org/data/definitions/601.html", "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"],
  create: () => ({}),
});
