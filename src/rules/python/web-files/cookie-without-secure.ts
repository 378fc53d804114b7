import { defineRule } from '../../define-rule.js';
import { cookieFlagVisitors } from './cookie-flag.js';

export default defineRule({
  id: 'python/cookie-without-secure',
  language: 'python',
  title: "Cookie set without the 'Secure' attribute",
  cwe: [614],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A response sets a cookie (`set_cookie`) without `secure=True`, or the configuration turns the Secure flag off ' +
    'for the session, CSRF or remember-me cookie (`SESSION_COOKIE_SECURE = False`, `CSRF_COOKIE_SECURE = False`, ' +
    "`app.config['SESSION_COOKIE_SECURE'] = False`). Confidence follows the cookie name: session, token and " +
    'identity cookies are certain findings, other names less so.',
  whyItMatters:
    'Without the Secure attribute the browser also sends the cookie over plain HTTP, so anyone on the network path ' +
    '(public Wi-Fi, a proxy, an SSL-stripping attacker) can read a session or token cookie and take over the session.',
  fix: {
    guidance:
      'Pass `secure=True` (and `httponly=True`, `samesite="Lax"`) to every `set_cookie` that carries a session, token ' +
      'or identity, and set `SESSION_COOKIE_SECURE = True` / `CSRF_COOKIE_SECURE = True` in production settings.',
    before: "resp.set_cookie('session_token', token)",
    after: "resp.set_cookie('session_token', token, secure=True, httponly=True, samesite='Lax')",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/614.html',
    'https://flask.palletsprojects.com/en/stable/security/#set-cookie-options',
    'https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure',
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies',
  ],
  create({ module, report }) {
    return cookieFlagVisitors(module, report, {
      flag: 'secure',
      settings: new Set(['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'REMEMBER_COOKIE_SECURE']),
      consequence: 'the browser also sends it over plain HTTP, where it can be intercepted',
    });
  },
});
