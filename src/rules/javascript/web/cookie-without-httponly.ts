import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { cookieSite, flag } from './cookie-options.js';

export default defineRule({
  id: 'javascript/cookie-without-httponly',
  language: 'javascript',
  title: "Session or credential cookie readable by scripts (no 'httpOnly')",
  cwe: [1004],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports cookies that carry a session or credential (by name or value) set without `httpOnly: true` where the library ' +
    'default is off (Express `res.cookie`, Fastify `reply.setCookie`, `cookie.serialize`), and `httpOnly: false` where it is on ' +
    '(express-session, Koa). Cookies whose names say nothing are not reported, nor non-constant values.',
  whyItMatters: 'Any script injected into the page (one XSS, one compromised third-party script) reads `document.cookie` and sends the session away.',
  fix: {
    guidance: 'Set `httpOnly: true` on session and credential cookies; give scripts what they need through an API, not the session cookie.',
    before: "res.cookie('auth_token', token, { secure: true });",
    after: "res.cookie('auth_token', token, { secure: true, httpOnly: true, sameSite: 'lax' });",
  },
  references: ['https://owasp.org/www-community/HttpOnly', 'https://cwe.mitre.org/data/definitions/1004.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const site = cookieSite(module, call);
          if (!site || !site.sensitive) return;
          const httpOnly = flag(module, site.options, 'httpOnly');
          if (httpOnly.present ? httpOnly.value === false : !site.defaults.httpOnly) {
            report({ node: call, message: `${site.api} sets a session or credential cookie ${httpOnly.present ? 'with `httpOnly: false`' : 'without `httpOnly`'}: scripts can read it.`, confidence: httpOnly.present ? 'high' : 'medium' });
          }
        },
      },
    };
  },
});
