import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/trust-boundary-violation',
  language: 'python',
  title: 'Untrusted data stored in the session next to trusted data',
  cwe: [501],
  severity: 'medium',
  confidence: 'high',
  taint: { kind: 'trust-boundary' },
  description:
    'Data from the request is stored in the server-signed session (`session[key] = value`, `session.update(...)`) ' +
    'without being checked first. Code that later reads the session assumes the application put the value there ' +
    'after validating it.',
  whyItMatters:
    'The boundary between checked and unchecked data disappears: a role, a user id or a redirect target read ' +
    'back from the session is trusted although the client chose it, which leads to privilege escalation or ' +
    'bypassed checks in code far from this line.',
  fix: {
    guidance:
      'Validate the value (type, allow-list, ownership) before storing it in the session, and store only what the ' +
      'application derived itself, e.g. the id of the authenticated user rather than a name from the form.',
    before: 'session["role"] = request.form["role"]',
    after: 'role = request.form["role"]\nif role not in ALLOWED_ROLES:\n    abort(400)\nsession["role"] = role',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/501.html',
    'https://flask.palletsprojects.com/en/stable/api/#sessions',
  ],
  create: () => ({}),
});
