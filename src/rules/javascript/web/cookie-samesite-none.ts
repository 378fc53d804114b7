import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { cookieSite, flag } from './cookie-options.js';

export default defineRule({
  id: 'javascript/cookie-samesite-none',
  language: 'javascript',
  title: "Session cookie sent on cross-site requests (sameSite: 'none')",
  cwe: [1275, 352],
  severity: 'medium',
  confidence: 'medium',
  description:
    "Reports session or credential cookies (and every express-session cookie) set with `sameSite: 'none'` (or `false` through " +
    '`cookie.serialize`-style APIs, which omits the attribute): the browser attaches them to requests any other site makes. ' +
    'Lax and Strict are not reported, nor cookies whose names say nothing.',
  whyItMatters: 'Every cross-site form post or fetch to the application carries the session, so state-changing endpoints without a CSRF token act for the victim.',
  fix: {
    guidance: "Use `sameSite: 'lax'` (or `'strict'`); if a cross-site embed really needs the cookie, keep `'none'` only with CSRF tokens on every state-changing route.",
    before: "app.use(session({ secret, cookie: { secure: true, sameSite: 'none' } }));",
    after: "app.use(session({ secret, cookie: { secure: true, sameSite: 'lax' } }));",
  },
  references: ['https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#samesitesamesite-value', 'https://cwe.mitre.org/data/definitions/1275.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const site = cookieSite(module, call);
          if (!site || !site.sensitive) return;
          const sameSite = flag(module, site.options, 'sameSite');
          const v = typeof sameSite.value === 'string' ? sameSite.value.toLowerCase() : sameSite.value;
          if (v === 'none') report({ node: call, message: `${site.api} sets a session cookie with \`sameSite: 'none'\`: other sites' requests carry it.` });
        },
      },
    };
  },
});
