import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/ldap-injection',
  language: 'python',
  title: 'Untrusted data reaches an LDAP search filter',
  cwe: [90],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'ldap-injection' },
  description:
    'Data from outside the program is built into the filter of an LDAP search (ldap3 `Connection.search`, ' +
    'python-ldap `search_s` and friends) without escaping, so `*`, `(`, `)` and `\\` in it change the filter.',
  whyItMatters:
    'An attacker widens the search to other entries (`*`), adds conditions that always hold (`*)(uid=*`), and so ' +
    'enumerates the directory or bypasses an LDAP-based login check.',
  fix: {
    guidance:
      'Escape every value put into a filter with `ldap3.utils.conv.escape_filter_chars` or ' +
      '`ldap.filter.escape_filter_chars` (or build it with `ldap.filter.filter_format`), and validate user names ' +
      'against a strict pattern.',
    before: 'user = request.form["user"]\nconn.search("dc=example,dc=com", f"(uid={user})")',
    after: 'user = request.form["user"]\nconn.search("dc=example,dc=com", f"(uid={escape_filter_chars(user)})")',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/90.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/LDAP_Injection_Prevention_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
