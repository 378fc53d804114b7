import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/ssrf',
  language: 'javascript',
  title: "Untrusted data chooses the URL of a server-side request",
  cwe: [918],
  severity: 'high',
  confidence: 'medium',
  taint: { kind: 'ssrf' },
  description:
    "Data from outside the program becomes the URL of an outgoing request: `fetch`, `axios`, `got`, `node-fetch`, `undici`, `http.request`/`https.get`.",
  whyItMatters:
    "The server fetches what the attacker names: internal services, cloud metadata endpoints (credentials), or other hosts behind the firewall, with the server's network position.",
  fix: {
    guidance:
      "Do not let clients choose hosts: map an identifier to a configured URL, or parse the URL and check its scheme and host against an allow-list (and resolve-then-check the address against private ranges).",
    before: "const url = req.query.url;\nconst reply = await fetch(url);",
    after: "const target = ALLOWED_FEEDS[req.query.feed];\nif (target) { const reply = await fetch(target); }",
  },
  references: ["https://cwe.mitre.org/data/definitions/918.html", "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html"],
  create: () => ({}),
});
