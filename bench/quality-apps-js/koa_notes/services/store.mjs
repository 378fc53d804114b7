import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

export async function notesByTag(tag) {
  // vuln: sqli
  const { rows } = await pool.query(`SELECT * FROM notes WHERE tags @> ARRAY['${tag}']`);
  return rows;
}

export async function noteById(id) {
  // safe: sqli
  const { rows } = await pool.query('SELECT * FROM notes WHERE id = $1', [id]);
  return rows[0];
}

export async function renameNote(id, title) {
  // safe: sqli
  await pool.query({ text: 'UPDATE notes SET title = $2 WHERE id = $1', values: [id, title] });
}

export async function sortedNotes(column, direction) {
  // vuln: sqli
  const { rows } = await pool.query('SELECT id, title FROM notes ORDER BY ' + column + ' ' + direction);
  return rows;
}
