import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/header-injection',
  language: 'python',
  title: 'Untrusted data written into an HTTP header without a CR/LF check',
  cwe: [113],
  severity: 'medium',
  confidence: 'high',
  taint: { kind: 'header-injection' },
  description:
    'Data from outside the program becomes the name or value of an HTTP response header through an API that does ' +
    'not reject line breaks (`http.server`\'s `send_header`). Werkzeug/Flask and Django refuse CR/LF in headers ' +
    'and are not reported.',
  whyItMatters:
    'A `\\r\\n` in the value ends the header: the attacker adds headers of their own (`Set-Cookie`, a `Location`), ' +
    'or splits the response and supplies a body, which leads to session fixation, cache poisoning and XSS.',
  fix: {
    guidance:
      'Reject or strip `\\r` and `\\n` in header values, or percent-encode them (`urllib.parse.quote`), and prefer a ' +
      'framework whose header objects check values for you.',
    before: 'self.send_header("Content-Language", lang)',
    after: 'if not re.fullmatch(r"[A-Za-z-]{1,20}", lang):\n    lang = "en"\nself.send_header("Content-Language", lang)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/113.html',
    'https://owasp.org/www-community/attacks/HTTP_Response_Splitting',
  ],
  create: () => ({}),
});
