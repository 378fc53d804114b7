import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import {
  howBuilt, lineOf, pieceList, qualifiedName, snippet, sqlQuoteEscape, stringTemplate, strongestOrigin, valueFacts,
} from '../value-facts/index.js';
import { isDatabaseReceiver } from './database-receiver.js';

/** DB-API and SQLAlchemy/Django methods that take SQL text as their first argument. */
const EXECUTE_METHODS = new Set(['execute', 'executemany', 'executescript']);
const QUERY_KEYWORDS = ['sql', 'query', 'operation', 'statement', 'sql_script'];
/** Functions whose first argument is SQL text by definition: name → keyword. */
const SQL_FUNCTIONS = new Map<string, string>([
  ['sqlalchemy.text', 'text'],
  ['sqlalchemy.sql.text', 'text'],
  ['sqlalchemy.sql.expression.text', 'text'],
  ['django.db.models.expressions.RawSQL', 'sql'],
  ['django.db.models.RawSQL', 'sql'],
  ['pandas.read_sql', 'sql'],
  ['pandas.read_sql_query', 'sql'],
]);
/** Results that are safe to splice into SQL: driver escaping, placeholders from the driver. */
const SQL_SANITIZER_METHODS = new Set([
  'mogrify', 'escape_string', 'escape_literal', 'escape_identifier', 'quote_ident', 'quote_name', 'literal',
]);
const SQL_SANITIZERS = new Set([
  'psycopg2.extensions.quote_ident', 'psycopg.sql.quote', 'pymysql.converters.escape_string', 'MySQLdb.escape_string',
]);

const OBJECT = '(?:table|index|view|trigger|schema|database|sequence|function|procedure|type|extension|role|user)';
/** Shapes of SQL statements (case-insensitive), so `.execute("show ip route %s")` on a device is not SQL. */
const SQL_SHAPES = [
  'select\\s', 'insert\\s+(?:or\\s+\\w+\\s+)?into\\s', 'update\\s+\\S+\\s+set\\s', 'delete\\s+from\\s',
  'replace\\s+into\\s', 'merge\\s+into\\s', 'upsert\\s', 'truncate\\s+(?:table\\s+)?\\S',
  `create\\s+(?:or\\s+replace\\s+|temp(?:orary)?\\s+|unique\\s+|materialized\\s+)*${OBJECT}\\b`,
  `(?:drop|alter)\\s+${OBJECT}\\b`, 'with\\s+(?:recursive\\s+)?\\w+\\s*(?:\\([^)]*\\)\\s*)?as\\s*\\(',
  'pragma\\s+\\w', 'set\\s+\\w+\\s*(?:=|to\\b)', 'show\\s+(?:tables|columns|databases|create|index|grants)\\b',
  'explain\\s', 'call\\s+[\\w.]+\\s*\\(', 'grant\\s.*\\son\\s', 'revoke\\s.*\\son\\s', 'lock\\s+table', 'vacuum\\b',
];
const SQL_START = new RegExp(`^\\s*\\(?\\s*(?:${SQL_SHAPES.join('|')})`, 'i');
/** SQL clauses anywhere in the text. */
const SQL_INNER = /\s(?:from|where)\s/i;
/**
 * Schema statements, whose formatted pieces are usually identifiers rather than values; also DDL
 * run through a PL/pgSQL helper in a dollar-quoted body (`SELECT execute($$CREATE TABLE %s ...$$)`).
 */
const DDL_START = /^\s*\(?\s*(?:select\s+[\w.]+\s*\(\s*\$\$\s*)?(?:create|alter|drop|rename|comment\s+on)\b/i;

export default defineRule({
  id: 'python/sql-injection-format',
  language: 'python',
  title: 'SQL query built by string formatting',
  cwe: [89],
  severity: 'high',
  confidence: 'medium',
  description:
    'SQL text is built from a value that is not a constant with `%`, `.format()`, an f-string or `+`, and then run: ' +
    'passed to a DB-API `execute`/`executemany`/`executescript` on a receiver known or inferred to be a cursor, ' +
    'connection, session or engine (a name from a DB-API or ORM module, a name such as `cursor`, `conn`, `db`, ' +
    '`session`, `engine` or Alembic\'s `op`, or a local assigned from `connect()`, `.cursor()`, `get_session()`...; ' +
    '`ip_wrapper.netns.execute(cmd)` or a task pool\'s `self.execute(...)` run no SQL), to `sqlalchemy.text()`, ' +
    'Django `Model.objects.raw()`, `QuerySet.extra(where=..., select=...)`, `RawSQL()` or `pandas.read_sql()`. ' +
    'A local variable assigned the query (and extended with `+=`) in the same function is followed; the finding ' +
    'is reported at the argument of the call that runs the query. Placeholders with a separate parameter tuple ' +
    '(`execute("... WHERE id = %s", (id,))`), placeholder lists (`",".join(["%s"] * len(ids))`), `%d` ' +
    'conversions and `int()` values are not reported. Confidence is high when the value visibly comes from a ' +
    'request, `sys.argv`, `input()` or the environment, low when only attributes such as `self.table` or configuration options (`CONF.x`, `cfg.CONF.x`, ' +
    '`settings.X`) are spliced in ' +
    'or when the SQL is DDL (`CREATE`/`ALTER`/`DROP`/`RENAME`/`COMMENT ON`) run by Alembic\'s `op.execute` in a ' +
    'migration and no piece comes from outside.',
  whyItMatters:
    'A quote in the spliced value ends the SQL string literal and the rest is SQL the attacker wrote: reading ' +
    'other users\' rows, bypassing login checks, changing or deleting data, and on some databases running commands.',
  fix: {
    guidance:
      'Keep the SQL text constant and pass values as parameters (`%s`/`?`/`:name` placeholders with a params ' +
      'tuple or dict). Identifiers such as table or column names cannot be parameters: pick them from a fixed ' +
      'allow-list, or quote them with the driver (`psycopg2.sql.Identifier`).',
    before: 'cur.execute("SELECT * FROM users WHERE name = \'%s\'" % name)',
    after: 'cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/89.html',
    'https://peps.python.org/pep-0249/#id15',
    'https://www.psycopg.org/docs/usage.html#the-problem-with-the-query-parameters',
    'https://docs.djangoproject.com/en/stable/topics/db/sql/',
    'https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text',
  ],
  create({ module, report }) {
    const reported = new Set<number>();

    function check(sink: string, query: Node, requireSql: boolean, migration = false): void {
      if (reported.has(query.id)) return;
      const facts = valueFacts(module, query, {
        sanitizers: SQL_SANITIZERS,
        sanitizerMethods: SQL_SANITIZER_METHODS,
        escapes: sqlQuoteEscape,
      });
      if (!facts.built || facts.parts.length === 0) return;
      const template = requireSql ? stringTemplate(module, query) : undefined;
      if (requireSql && (template === undefined || !(SQL_START.test(template) || SQL_INNER.test(template)))) return;
      const origin = strongestOrigin(module, facts.parts);
      if (!origin) return;
      reported.add(query.id);
      const how = howBuilt(module, facts.via.find((v) => v.type !== 'identifier') ?? query);
      const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
      const pieces = pieceList(facts.parts);
      if (origin.kind === 'external') {
        report({
          node: query,
          confidence: 'high',
          message:
            `SQL passed to \`${sink}\` is built by ${how}${where} from \`${snippet(origin.node, 40)}\`, ` +
            `which comes from ${origin.source}; a quote in it rewrites the query.`,
        });
        return;
      }
      // Alembic migration DDL formats table, column and type names, which cannot be query parameters, and
      // they come from the migration's own code: still worth a look, but not at the confidence of a value.
      if (migration && template !== undefined && DDL_START.test(template)) {
        report({
          node: query,
          confidence: 'low',
          message:
            `DDL passed to \`${sink}\` in a migration is built by ${how}${where} from ${pieces}, which look like ` +
            'identifiers (table, column or type names); make sure they are constants, or quote them with the ' +
            'dialect\'s identifier quoting (`op.get_bind().dialect.identifier_preparer.quote`).',
        });
        return;
      }
      report({
        node: query,
        confidence: origin.kind === 'attribute' || origin.kind === 'config' ? 'low' : 'medium',
        message:
          `SQL passed to \`${sink}\` is built by ${how}${where} from ${pieces}; if ${pieces} can hold a quote or ` +
          'SQL from an untrusted source, it rewrites the query. Pass values as query parameters.',
      });
    }

    return {
      call(call) {
        const q = call.qname && SQL_FUNCTIONS.has(call.qname) ? qualifiedName(module, call) : undefined;
        if (q && SQL_FUNCTIONS.has(q)) {
          const query = call.arg(0, SQL_FUNCTIONS.get(q));
          if (query) check(q, query, false);
          return;
        }
        if (!call.method || !call.receiver) return;
        if (!EXECUTE_METHODS.has(call.method) && call.method !== 'raw' && call.method !== 'extra') return;
        const sink = `${module.dottedName(call.receiver) ?? '…'}.${call.method}`;
        if (EXECUTE_METHODS.has(call.method)) {
          // `ip_wrapper.netns.execute(cmd)` runs a process, `pool.execute(job)` a task: only database handles run SQL.
          if (!isDatabaseReceiver(module, call.receiver)) return;
          const query = queryArgument(call);
          if (query) check(sink, query, true, qualifiedName(module, call) === 'alembic.op.execute');
          return;
        }
        if (call.method === 'raw' && isDjangoManager(call.receiver)) {
          const query = call.arg(0, 'raw_query');
          if (query) check(sink, query, false);
          return;
        }
        if (call.method === 'extra' && (call.keywords.has('where') || call.keywords.has('select'))) {
          for (const key of ['where', 'select', 'tables', 'order_by']) {
            const value = call.keywords.get(key);
            if (!value) continue;
            for (const piece of containerValues(value)) check(`${sink}(${key}=...)`, piece, false);
          }
        }
      },
    };

    function queryArgument(call: PyCall): Node | undefined {
      if (call.positional[0]) return call.positional[0];
      for (const k of QUERY_KEYWORDS) {
        const v = call.keywords.get(k);
        if (v) return v;
      }
      return undefined;
    }

    /** `Model.objects`, `Model.objects.using("x")`, `Model._default_manager`. */
    function isDjangoManager(receiver: Node): boolean {
      for (let n: Node | null = module.unwrap(receiver); n; ) {
        if (n.type === 'attribute') {
          const attr = n.childForFieldName('attribute')?.text;
          if (attr === 'objects' || attr === '_default_manager' || attr === '_base_manager') return true;
          n = n.childForFieldName('object');
        } else if (n.type === 'call') {
          n = n.childForFieldName('function');
        } else return false;
      }
      return false;
    }

    function containerValues(node: Node): Node[] {
      const n = module.unwrap(node);
      if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (n.type === 'dictionary') {
        return n.namedChildren
          .filter((c): c is Node => !!c && c.type === 'pair')
          .map((p) => p.childForFieldName('value'))
          .filter((v): v is Node => !!v);
      }
      return [n];
    }
  },
});
