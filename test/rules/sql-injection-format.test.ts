import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import rule from '../../src/rules/python/injection/sql-injection-format.js';

async function findings(text: string) {
  const report = await scan({
    paths: ['-'], stdin: { text, filename: 'migration.py' }, rules: [rule], config: false, severity: 'low', confidence: 'low',
  });
  return report.findings.map((f) => ({ line: f.location.startLine, confidence: f.confidence, message: f.message }));
}

describe('python/sql-injection-format: Alembic migration DDL', () => {
  it('reports DDL built from migration parameters at low confidence, with identifier advice', async () => {
    const found = await findings(
      [
        'from alembic import op',
        '',
        'def alter_enum(table, column, enum_type, nullable):',
        '    values = {"table": table, "column": column, "name": enum_type.name}',
        '    op.execute("ALTER TYPE %(name)s rename to old_%(name)s" % values)',
        '    op.execute("ALTER TABLE %(table)s ALTER COLUMN %(column)s TYPE %(name)s" % values)',
        '',
      ].join('\n'),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[5, 'low'], [6, 'low']]);
    expect(found[0]!.message).toMatch(/identifiers/);
    expect(found[0]!.message).toMatch(/identifier quoting/);
  });

  it('keeps today\'s confidence for non-DDL statements through op.execute', async () => {
    const found = await findings(
      ['from alembic import op', '', 'def migrate(t, v):', '    op.execute("UPDATE %s SET x = \'%s\'" % (t, v))', ''].join('\n'),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[4, 'medium']]);
  });

  it('keeps high confidence when a DDL piece comes from the request', async () => {
    const found = await findings(
      [
        'from alembic import op',
        'from flask import request',
        '',
        'def add_column():',
        '    column = request.args.get("column", "")',
        '    op.execute("ALTER TABLE accounts ADD COLUMN %s TEXT" % column)',
        '',
      ].join('\n'),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[6, 'high']]);
  });

  it('does not lower DDL through an execute that is not Alembic\'s', async () => {
    const found = await findings(
      ['def alter(cursor, table):', '    cursor.execute("ALTER TABLE %s ADD COLUMN x TEXT" % table)', ''].join('\n'),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[2, 'medium']]);
  });
});
