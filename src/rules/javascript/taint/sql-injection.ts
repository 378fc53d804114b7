import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/sql-injection',
  language: 'javascript',
  title: "Untrusted data is spliced into an SQL query",
  cwe: [89],
  severity: 'critical',
  confidence: 'high',
  taint: { kind: 'sql-injection' },
  description:
    "Data from outside the program is part of the SQL text given to a database client: `query`/`execute` of pg, mysql, mysql2, Sequelize or TypeORM, knex `raw`/`whereRaw`, Prisma `$queryRawUnsafe`/`$executeRawUnsafe`, sqlite3 and better-sqlite3 statements.",
  whyItMatters:
    "Quotes and SQL keywords in the data change the query: an attacker reads or alters any table the connection can reach, or bypasses a login.",
  fix: {
    guidance:
      "Pass values as bound parameters (`client.query('SELECT \u2026 WHERE id = $1', [id])`, `?` placeholders, Prisma's tagged `$queryRaw`), never by concatenation or template literals.",
    before: "const id = req.params.id;\nawait pool.query(`SELECT * FROM users WHERE id = ${id}`);",
    after: "const id = req.params.id;\nawait pool.query('SELECT * FROM users WHERE id = $1', [id]);",
  },
  references: ["https://cwe.mitre.org/data/definitions/89.html", "https://node-postgres.com/features/queries#parameterized-query"],
  create: () => ({}),
});
