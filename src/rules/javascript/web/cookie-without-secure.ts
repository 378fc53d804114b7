import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { cookieSite, flag } from './cookie-options.js';

export default defineRule({
  id: 'javascript/cookie-without-secure',
  language: 'javascript',
  title: "Session or credential cookie set without the 'secure' flag",
  cwe: [614],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports cookies that carry a session or credential (by the cookie name or the value passed: `session`, `sid`, `token`, ' +
    '`auth`…) set without `secure: true` through Express `res.cookie`, Fastify `reply.setCookie`, Koa `ctx.cookies.set` or ' +
    '`cookie.serialize`, and express-session whose `cookie.secure` is `false` or absent. `secure: "auto"` and non-constant values ' +
    '(`secure: isProd`) are not reported; neither are cookies whose names say nothing (a theme or language preference).',
  whyItMatters:
    'Without `secure` the browser also sends the cookie over plain HTTP (any `http://` link or redirect), where anyone on the ' +
    'network reads it and takes over the session.',
  fix: {
    guidance: 'Set `secure: true` (behind a TLS-terminating proxy also `app.set("trust proxy", 1)`), or `secure: "auto"` for express-session.',
    before: "res.cookie('session', id, { httpOnly: true });",
    after: "res.cookie('session', id, { httpOnly: true, secure: true, sameSite: 'lax' });",
  },
  references: ['https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies', 'https://expressjs.com/en/api.html#res.cookie', 'https://cwe.mitre.org/data/definitions/614.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const site = cookieSite(module, call);
          if (!site || !site.sensitive) return;
          const secure = flag(module, site.options, 'secure');
          if (secure.present ? secure.value === false : !site.defaults.secure) {
            report({ node: call, message: `${site.api} sets a session or credential cookie ${secure.present ? 'with `secure: false`' : 'without `secure`'}: it is also sent over plain HTTP.`, confidence: secure.present ? 'high' : 'medium' });
          }
        },
      },
    };
  },
});
