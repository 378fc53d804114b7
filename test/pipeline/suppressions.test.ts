import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import { applySuppressions, parseSuppressions, unusedSuppressionDiagnostics } from '../../src/filters/suppressions.js';
import { findRule } from '../../src/rules/index.js';

const RULE = 'python/subprocess-shell-injection';

async function run(source: string) {
  const rule = findRule(RULE)!;
  const analysis = await analysePythonSource('app.py', source, [rule]);
  const parsed = parseSuppressions(analysis.module, (id) => !!findRule(id));
  const applied = applySuppressions(analysis.findings, parsed.suppressions);
  const unused = unusedSuppressionDiagnostics('app.py', parsed.suppressions);
  analysis.release();
  return { ...parsed, ...applied, unused };
}

describe('suppressions', () => {
  it('silences a finding on its own line when the rule and a reason are named', async () => {
    const r = await run(`import subprocess\nsubprocess.call(cmd, shell=True)  # secreview: ignore[${RULE}] cmd is a fixed admin script path\n`);
    expect(r.kept).toEqual([]);
    expect(r.suppressed.map((f) => f.location.startLine)).toEqual([2]);
    expect(r.diagnostics).toEqual([]);
    expect(r.unused).toEqual([]);
  });

  it('applies from the first line of a multi-line statement', async () => {
    const r = await run(`import subprocess\nsubprocess.call(  # secreview: ignore[${RULE}] reviewed: value is validated above\n    cmd,\n    shell=True,\n)\n`);
    expect(r.suppressed.map((f) => f.location.startLine)).toEqual([3]);
    expect(r.kept).toEqual([]);
  });

  it('does not silence other rules or other lines', async () => {
    const r = await run(`import subprocess\nx = 1  # secreview: ignore[${RULE}] wrong line\nsubprocess.call(cmd, shell=True)  # secreview: ignore[python/eval-injection] wrong rule\n`);
    expect(r.kept.map((f) => f.location.startLine)).toEqual([3]);
    expect(r.unused.map((d) => d.line)).toEqual([2, 3]);
  });

  it('reports an unknown rule id as an error instead of silencing everything', async () => {
    const r = await run('import subprocess\nsubprocess.call(cmd, shell=True)  # secreview: ignore[no-such-rule] because\n');
    expect(r.kept.map((f) => f.location.startLine)).toEqual([2]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ kind: 'suppression-error', level: 'error', path: 'app.py', line: 2 });
    expect(r.diagnostics[0]!.message).toContain('unknown rule `no-such-rule`');
  });

  it('requires a rule and a reason', async () => {
    const r = await run(`import subprocess\nsubprocess.call(a, shell=True)  # secreview: ignore\nsubprocess.call(b, shell=True)  # secreview: ignore[${RULE}]\n`);
    expect(r.kept.map((f) => f.location.startLine)).toEqual([2, 3]);
    expect(r.diagnostics.map((d) => [d.line, d.kind])).toEqual([[2, 'suppression-error'], [3, 'suppression-error']]);
    expect(r.diagnostics[1]!.message).toContain('gives no reason');
  });

  it('ignores the marker inside a string literal', async () => {
    const r = await run(`import subprocess\nsubprocess.call("x" + "# secreview: ignore[${RULE}] nope" + cmd, shell=True)\n`);
    expect(r.kept.map((f) => f.location.startLine)).toEqual([2]);
  });
});
