import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/log-injection',
  language: 'python',
  title: 'Untrusted data written to a log without neutralising line breaks',
  cwe: [117],
  severity: 'low',
  confidence: 'high',
  taint: { kind: 'log-injection' },
  description:
    'Data from outside the program is written to a log record as it is: the `logging` module\'s functions ' +
    '(`logging.info(...)`) or the methods of a logger from `logging.getLogger(...)` (`log.warning(...)`). Line ' +
    'breaks in it start what looks like a new, separate log entry; control characters and markup reach whoever ' +
    'reads the log.',
  whyItMatters:
    'An attacker forges log entries (a fake "login succeeded for admin"), hides their traces among fake lines, or ' +
    'attacks the tools that display logs (terminal escape sequences, HTML log viewers).',
  fix: {
    guidance:
      'Neutralise line breaks before logging: log `repr(value)`, which escapes them, or replace `\\r` and `\\n` ' +
      'yourself; or use a structured (JSON) log formatter that escapes field values.',
    before: 'user = request.form["user"]\nlogging.warning("failed login for %s", user)',
    after: 'user = request.form["user"]\nlogging.warning("failed login for %s", repr(user))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/117.html',
    'https://owasp.org/www-community/attacks/Log_Injection',
    'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
