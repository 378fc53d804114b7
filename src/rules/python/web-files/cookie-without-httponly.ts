import { defineRule } from '../../define-rule.js';
import { cookieFlagVisitors } from './cookie-flag.js';
import { nameParts } from './app-context.js';

export default defineRule({
  id: 'python/cookie-without-httponly',
  language: 'python',
  title: "Cookie set without the 'HttpOnly' attribute",
  cwe: [1004],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A response sets a cookie (`set_cookie`) without `httponly=True`, or the configuration turns HttpOnly off for ' +
    'the session or remember-me cookie (`SESSION_COOKIE_HTTPONLY = False`). CSRF token cookies are left out: ' +
    'scripts are meant to read them. Confidence follows the cookie name.',
  whyItMatters:
    'Without HttpOnly any script running in the page can read the cookie, so a single cross-site scripting bug is ' +
    'enough to steal the session or token it carries and replay it from elsewhere.',
  fix: {
    guidance:
      'Pass `httponly=True` to every `set_cookie` that scripts do not need to read (sessions, tokens, identities), ' +
      'and keep `SESSION_COOKIE_HTTPONLY = True` (the default in Django and Flask).',
    before: "response.set_cookie('sessionid', sid, secure=True)",
    after: "response.set_cookie('sessionid', sid, secure=True, httponly=True, samesite='Lax')",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/1004.html',
    'https://owasp.org/www-community/HttpOnly',
    'https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-httponly',
  ],
  create({ module, report }) {
    return cookieFlagVisitors(module, report, {
      flag: 'httponly',
      settings: new Set(['SESSION_COOKIE_HTTPONLY', 'REMEMBER_COOKIE_HTTPONLY']),
      consequence: 'any script in the page, including one injected through XSS, can read it',
      exempt: (name) => nameParts(name).some((p) => p === 'csrf' || p === 'xsrf' || p === 'csrftoken'),
    });
  },
});
