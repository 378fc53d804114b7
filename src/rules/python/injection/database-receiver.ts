import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { bindingsOf } from '../value-facts/index.js';
import { nameWords } from '../crypto/secret-context.js';

/**
 * Is the receiver of an `execute(...)` call a database cursor, connection, session or engine?
 * `execute` is a common method name (`ip_wrapper.netns.execute(cmd)` runs a process,
 * `pool.execute(job)` a task), so SQL-looking text alone is not enough: the receiver must be
 * known (a name from a DB-API or ORM module), named like one (`cursor`, `cur`, `conn`, `db`,
 * `session`, `engine`, `op`...), or made by a call that returns one (`conn.cursor()`,
 * `engine.connect()`, `sqlite3.connect(...)`, `get_session()`), directly or through a local name.
 */
const DB_MODULES = /^(?:sqlite3|psycopg2?|pymysql|MySQLdb|mysql\.connector|sqlalchemy|alembic|django\.db|asyncpg|aiosqlite|aiomysql|aiopg|cx_Oracle|oracledb|pyodbc|ibm_db|pymssql|snowflake\.connector|duckdb|databases|peewee|pony|records)(?:\.|$)/;
/** Words that name a database handle in a receiver's last name (`self._conn`, `db_session`, `read_cursor`). */
const DB_WORDS = new Set([
  'cursor', 'cur', 'curs', 'conn', 'connection', 'connections', 'cnx', 'db', 'database', 'dbapi', 'session', 'sess',
  'engine', 'bind', 'txn', 'transaction', 'tx', 'sqlite', 'sqlite3', 'pg', 'psql', 'postgres', 'mysql', 'sql', 'dbconn',
]);
/** Methods and functions that return a database handle. */
const DB_FACTORIES = new Set([
  'cursor', 'connect', 'connection', 'get_connection', 'raw_connection', 'begin', 'begin_nested', 'get_bind', 'get_engine',
  'create_engine', 'Session', 'session', 'get_session', 'sessionmaker', 'scoped_session', 'execution_options', 'using',
  'get_db', 'get_cursor', 'get_conn',
]);
const MAX_DEPTH = 4;

export function isDatabaseReceiver(module: PythonModule, receiver: Node, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const n = module.unwrap(receiver);
  if (n.type === 'call') {
    const call = module.call(n);
    if (call.qname && DB_MODULES.test(call.qname)) return true;
    const name = call.method ?? (call.callee.type === 'identifier' ? call.callee.text : undefined);
    if (name && DB_FACTORIES.has(name)) return true;
    return false;
  }
  if (n.type !== 'identifier' && n.type !== 'attribute') return false;
  const q = module.resolve(n);
  if (q && DB_MODULES.test(q)) return true;
  const last = n.type === 'attribute' ? n.childForFieldName('attribute')?.text : n.text;
  // Alembic's `op` (from alembic import op) resolves above; a local `op` is the same by convention.
  if (last === 'op') return true;
  if (last && nameWords(last).some((w) => DB_WORDS.has(w))) return true;
  if (n.type === 'identifier') return assignedHandle(module, n, depth);
  return false;
}

/** A local name bound (by assignment or `with ... as`) to something that is a database handle. */
function assignedHandle(module: PythonModule, identifier: Node, depth: number): boolean {
  const bindings = bindingsOf(module, identifier);
  for (const b of bindings) {
    if (b.kind === 'param') {
      const typed = b.node.parent;
      const type = typed && (typed.type === 'typed_parameter' || typed.type === 'typed_default_parameter') ? typed.childForFieldName('type')?.text : undefined;
      if (type && /Cursor|Connection|Session|Engine/.test(type)) return true;
      continue;
    }
    if ((b.kind === 'assign' || b.kind === 'with') && b.value && isDatabaseReceiver(module, b.value, depth + 1)) return true;
  }
  return false;
}
