import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/sql-injection',
  language: 'python',
  title: 'Untrusted data reaches the text of an SQL query',
  cwe: [89],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'sql-injection', supersedes: ['python/sql-injection-format'] },
  description:
    'Data from outside the program is built into the SQL text passed to `cursor.execute`, `executemany`, ' +
    '`executescript`, SQLAlchemy `text()`, Django `raw()`/`extra()`/`RawSQL` or `pandas.read_sql`, by an f-string, ' +
    '`%`, `.format` or concatenation. Values passed separately as query parameters are bound by the driver and are ' +
    'not reported.',
  whyItMatters:
    'Quotes and keywords in the data change the query: an attacker reads or modifies other rows and tables, ' +
    'bypasses login checks, and on some databases runs commands or reads files on the database server.',
  fix: {
    guidance:
      'Pass values as query parameters (placeholders `?`, `%s` or `:name`, with the values as the second argument) ' +
      'and let the driver bind them. Identifiers (table or column names) cannot be parameters: map them from an ' +
      'allow-list of known names.',
    before: 'name = request.args["name"]\ncursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
    after: 'name = request.args["name"]\ncursor.execute("SELECT * FROM users WHERE name = %s", (name,))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/89.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html',
    'https://peps.python.org/pep-0249/#paramstyle',
  ],
  create: () => ({}),
});
