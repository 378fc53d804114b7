import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import { applySuppressions, parseSuppressions, unusedSuppressionDiagnostics } from '../../src/filters/suppressions.js';
import { foreignIdTable } from '../../src/filters/foreign-suppressions.js';
import { findRule } from '../../src/rules/index.js';
import { scan } from '../../src/api/scan.js';
import { getReporter } from '../../src/report/index.js';
import { tempTree } from '../support/tmp.js';

const SHELL = 'python/subprocess-shell-injection';

async function run(source: string, foreign = true) {
  const rules = [findRule(SHELL)!, findRule('python/weak-hash')!];
  const analysis = await analysePythonSource('app.py', source, rules);
  const parsed = parseSuppressions(analysis.module, (id) => !!findRule(id));
  const applied = applySuppressions(analysis.findings, parsed.suppressions, { foreign });
  const unused = unusedSuppressionDiagnostics('app.py', parsed.suppressions, { foreign });
  analysis.release();
  return { ...parsed, ...applied, unused, keptLines: applied.kept.map((f) => f.location.startLine) };
}
const call = (comment: string): string => `import subprocess\nsubprocess.call(cmd, shell=True)  ${comment}\n`;

describe('the foreign id table', () => {
  it('names only rules that exist, and maps the Bandit and Ruff ids of what secreview checks', () => {
    const t = foreignIdTable();
    const named = [...Object.values(t.bandit), ...Object.values(t.ruff)].flatMap((e) => e.rules);
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((id) => !findRule(id))).toEqual([]);
    expect(t.bandit.B602!.rules).toContain(SHELL);
    expect(t.ruff.S602!.rules).toContain(SHELL);
    expect(t.bandit.B608!.rules).toContain('python/sql-injection-format');
    expect(t.ruff.S324!.rules).toEqual(['python/weak-hash']);
  });
});

describe('Bandit # nosec', () => {
  it('naming a check silences the mapped rules only', async () => {
    expect((await run(call('# nosec B602'))).keptLines).toEqual([]);
    expect((await run(call('# nosec: B602'))).keptLines).toEqual([]);
    expect((await run(call('# nosec B603, B602 reviewed'))).keptLines).toEqual([]);
    expect((await run(call('# nosec subprocess_popen_with_shell_equals_true'))).keptLines).toEqual([]);
    // The wrong check, and a check secreview has no rule for, silence nothing.
    expect((await run(call('# nosec B608'))).keptLines).toEqual([2]);
    expect((await run(call('# nosec B404'))).keptLines).toEqual([2]);
  });

  it('bare, silences the line but is reported as unqualified', async () => {
    const r = await run(call('# nosec'));
    expect(r.keptLines).toEqual([]);
    expect(r.unqualified.map((u) => [u.line, u.marker, u.findings.map((f) => f.ruleId)])).toEqual([[2, '# nosec', [SHELL]]]);
    const text = await run(call('# nosec - fixed admin command'));
    expect(text.unqualified).toHaveLength(1);
  });

  it('applies on any line of a multi-line finding, as Bandit does', async () => {
    const r = await run('import subprocess\nsubprocess.call(\n    "ls " +\n    cmd, shell=True)  # nosec B602\n');
    expect(r.keptLines).toEqual([]);
  });

  it('is a word in a comment, not part of one (`nanoseconds`), nor in a string', async () => {
    expect((await run(call('# nanoseconds'))).keptLines).toEqual([2]);
    expect((await run('import subprocess\nsubprocess.call("# nosec " + cmd, shell=True)\n')).keptLines).toEqual([2]);
  });
});

describe('Ruff # noqa', () => {
  it('silences the rules its S codes map to', async () => {
    expect((await run(call('# noqa: S602'))).keptLines).toEqual([]);
    expect((await run(call('# noqa:E501,S602'))).keptLines).toEqual([]);
    expect((await run(call('# noqa: S324'))).keptLines).toEqual([2]);
  });

  it('without an S code is not a security suppression', async () => {
    for (const c of ['# noqa', '# noqa: E501', '# noqa F401', '# ruff: noqa: S602']) {
      const r = await run(call(c));
      expect(r.keptLines, c).toEqual([2]);
      expect(r.unqualified, c).toEqual([]);
    }
  });
});

describe('Semgrep # nosemgrep', () => {
  it('naming a secreview rule silences it; other ids silence nothing', async () => {
    expect((await run(call(`# nosemgrep: ${SHELL}`))).keptLines).toEqual([]);
    expect((await run(call('# nosemgrep: python.lang.security.audit.subprocess-shell-true'))).keptLines).toEqual([2]);
    expect((await run(call('# nosemgrep: python/weak-hash'))).keptLines).toEqual([2]);
  });

  it('bare, silences the line and is unqualified', async () => {
    const r = await run(call('# nosemgrep'));
    expect(r.keptLines).toEqual([]);
    expect(r.unqualified.map((u) => u.marker)).toEqual(['# nosemgrep']);
  });
});

describe('foreign suppressions in a scan', () => {
  it('are honoured, listed as unqualified when bare, and reported unused like secreview ones', async () => {
    const root = tempTree({
      'app.py': `import subprocess, hashlib\nsubprocess.call(a, shell=True)  # nosec\nsubprocess.call(b, shell=True)  # noqa: S602\nx = 1  # nosec B602\ny = 2  # nosemgrep\n`,
    });
    const r = await scan({ paths: ['.'], cwd: root, config: false, reportUnusedSuppressions: true });
    expect(r.findings).toEqual([]);
    expect(r.stats.suppressed).toBe(2);
    expect(r.stats.suppressedUnqualified).toBe(1);
    expect(r.diagnostics.map((d) => [d.line, d.kind])).toEqual([
      [2, 'unqualified-suppression'],
      [4, 'unused-suppression'],
      [5, 'unused-suppression'],
    ]);
    expect(r.diagnostics[1]!.message).toContain('`# nosec B602` matches no finding of python/subprocess-shell-injection');
    const text = getReporter('text')!.render(r, { color: false });
    expect(text).toContain('2 suppressed by comments (1 by unqualified # nosec / # nosemgrep)');
    expect(text).toContain('app.py:2: unqualified-suppression');
    expect(JSON.parse(getReporter('json')!.render(r, { color: false })).summary).toMatchObject({ suppressed: 2, suppressedUnqualified: 1 });
  });

  it('are ignored with foreignSuppressions: false (--no-foreign-suppressions) or the setting', async () => {
    const files = { 'app.py': 'import subprocess, sys\ndef f():\n    subprocess.call("ls " + sys.argv[1], shell=True)  # nosec B602\n    subprocess.call("rm " + sys.argv[2], shell=True)  # noqa: S602\n' };
    const off = await scan({ paths: ['.'], cwd: tempTree(files), config: false, foreignSuppressions: false });
    expect(off.findings.map((f) => f.location.startLine)).toEqual([3, 4]);
    const setting = await scan({ paths: ['.'], cwd: tempTree({ ...files, '.secreview.yml': 'foreign-suppressions: false\n' }) });
    expect(setting.findings.map((f) => f.location.startLine)).toEqual([3, 4]);
    const on = await scan({ paths: ['.'], cwd: tempTree(files), config: false });
    expect(on.findings).toEqual([]);
  });

  it('leave secreview suppressions as they were: a rule and a reason are still required', async () => {
    const r = await run(call('# secreview: ignore[python/subprocess-shell-injection]  # nosec B602'));
    // The secreview comment is malformed (no reason: the Bandit comment is not one) and says so; the Bandit id still applies.
    expect(r.diagnostics.map((d) => d.kind)).toEqual(['suppression-error']);
    expect(r.keptLines).toEqual([]);
    expect(r.suppressions.map((s) => s.reason)).toEqual(['# nosec B602']);
  });
});
