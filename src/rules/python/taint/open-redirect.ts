import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/open-redirect',
  language: 'python',
  title: 'Untrusted data chooses where the user is redirected',
  cwe: [601],
  severity: 'medium',
  confidence: 'high',
  taint: { kind: 'open-redirect' },
  description:
    'Data from outside the program (typically a `next` or `return_to` parameter) becomes the target of a redirect ' +
    '(`flask.redirect`, Django `redirect`/`HttpResponseRedirect`, `RedirectResponse`) without a check that it ' +
    'points to this site. `//evil.example` and `https://evil.example` both leave the site.',
  whyItMatters:
    'Links on the trusted domain send users to a page of the attacker\'s choosing: a convincing login page for ' +
    'phishing, or, in OAuth and SSO flows, a page that receives tokens meant for this site.',
  fix: {
    guidance:
      'Redirect only to URLs built by the application (`url_for`, `reverse`), or check the target first: Django\'s ' +
      '`url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})`, or parse it and accept only a ' +
      'relative path that does not start with `//`.',
    before: 'target = request.args.get("next", "/")\nreturn redirect(target)',
    after:
      'target = request.args.get("next", "/")\nif not url_has_allowed_host_and_scheme(target, allowed_hosts={request.host}):\n' +
      '    target = url_for("index")\nreturn redirect(target)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/601.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
