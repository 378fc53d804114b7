import { describe, expect, it } from 'vitest';
import { FORMAT } from '../../src/cache/scan-cache.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

function run(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const VULNERABLE = 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n';
const CLEAN = 'import subprocess\n\ndef ping():\n    subprocess.call(["ping", "-c", "1", "localhost"])\n';

describe('secreview scan (end to end)', () => {
  it('reports a grounded finding in text with exit 1', () => {
    const dir = tempTree({ 'app.py': VULNERABLE });
    const r = run(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CWE-78');
    expect(r.stdout).toContain('app.py:4:21');
    expect(r.stdout).toContain('subprocess.call("ping " + host, shell=True)');
    expect(r.stdout).toContain('Pillar:   CWE-707');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('prints exactly the verdict and exits 0 on clean code', () => {
    const dir = tempTree({ 'app.py': CLEAN });
    const r = run(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContain('No security defects are detected in the code');
  });

  it('--fail-on decides exit 1 versus 0', () => {
    const dir = tempTree({ 'app.py': VULNERABLE });
    expect(run(['scan', '.', '--fail-on', 'critical'], { cwd: dir }).code).toBe(0);
    expect(run(['scan', '.', '--fail-on', 'high'], { cwd: dir }).code).toBe(1);
    expect(run(['scan', '.', '--fail-on', 'none'], { cwd: dir }).code).toBe(0);
  });

  it('writes JSON with the documented schema', () => {
    const dir = tempTree({ 'app.py': VULNERABLE });
    const r = run(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.schemaVersion).toBe(1);
    const f = json.findings.find((x: { ruleId: string }) => x.ruleId === 'python/subprocess-shell-injection');
    expect(f).toMatchObject({
      cwe: [{ id: 78 }],
      pillar: { id: 707 },
      severity: 'high',
      location: { path: 'app.py', startLine: 4, startColumn: 21 },
    });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes SARIF 2.1.0 and markdown to files with --output', () => {
    const dir = tempTree({ 'app.py': VULNERABLE });
    expect(run(['scan', '.', '--format', 'sarif', '-o', 'out.sarif'], { cwd: dir }).code).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(4);
    expect(run(['scan', '.', '--format', 'markdown', '-o', 'out.md'], { cwd: dir }).code).toBe(1);
    expect(readFileSync(join(dir, 'out.md'), 'utf8')).toContain('CWE-78');
  });

  it('reads standard input with --stdin-filename', () => {
    const r = run(['scan', '-', '--stdin-filename', 'piped.py', '--format', 'json'], { input: VULNERABLE });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].location.path).toBe('piped.py');
  });

  it('exits 2 on bad arguments, a missing path, an empty folder and a bad config', () => {
    expect(run(['scan', '--format', 'yaml']).code).toBe(2);
    expect(run(['scan', '--severity', 'extreme']).code).toBe(2);
    expect(run(['bogus-command']).code).toBe(2);
    const dir = tempTree({ 'app.py': CLEAN, 'empty/readme.txt': 'x' });
    const missing = run(['scan', 'nope.py', 'app.py'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toContain('cannot scan nope.py: no such file or directory');
    const empty = run(['scan', 'empty'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no readable source files');
    const badConfig = tempTree({ 'app.py': CLEAN, '.secreview.yml': 'fail-on: sometimes\n' });
    const bad = run(['scan', '.'], { cwd: badConfig });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\.secreview\.yml: fail-on:/);
    expect(run(['scan', '.', '--disable', 'python/no-such-rule'], { cwd: dir }).code).toBe(2);
  });

  it('keeps scanning past unreadable, non-UTF-8, binary and unparsable files', () => {
    const dir = tempTree({
      'a_good.py': VULNERABLE,
      'b_latin.py': new Uint8Array([0x78, 0x3d, 0x22, 0xe9, 0x22, 0x0a]),
      'c_binary.py': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]),
      'd_broken.py': 'def f(:\n    pass\nimport os\nos.system("rm " + x)\n',
      'e_locked.py': VULNERABLE,
    });
    chmodSync(join(dir, 'e_locked.py'), 0o000);
    const r = run(['scan', '.', '--format', 'json'], { cwd: dir });
    chmodSync(join(dir, 'e_locked.py'), 0o644);
    const json = JSON.parse(r.stdout);
    const byPath = (p: string) => json.diagnostics.filter((d: { path: string }) => d.path === p);
    expect(byPath('b_latin.py')[0]).toMatchObject({ kind: 'decode-error' });
    expect(byPath('c_binary.py')[0]).toMatchObject({ kind: 'binary-file' });
    expect(byPath('d_broken.py')[0]).toMatchObject({ kind: 'parse-error', line: 1 });
    const paths = new Set(json.findings.map((f: { location: { path: string } }) => f.location.path));
    expect(paths.has('a_good.py')).toBe(true);
    expect(paths.has('d_broken.py')).toBe(true);
    if (process.getuid?.() !== 0) {
      // root reads files regardless of their mode
      expect(byPath('e_locked.py')[0]).toMatchObject({ kind: 'read-error' });
    }
    expect(r.code).toBe(1);
  });

  it('applies suppressions and reports unknown rule ids in them', () => {
    const dir = tempTree({
      'app.py': 'import subprocess\nsubprocess.call(c, shell=True)  # secreview: ignore[python/subprocess-shell-injection] c is fixed by the deploy script\nsubprocess.call(d, shell=True)  # secreview: ignore[python/nope] typo\n',
    });
    const r = run(['scan', '.', '--format', 'json', '--confidence', 'low'], { cwd: dir });
    const json = JSON.parse(r.stdout);
    expect(json.findings.map((f: { location: { startLine: number } }) => f.location.startLine)).toEqual([3]);
    expect(json.summary.suppressed).toBe(1);
    expect(json.diagnostics[0]).toMatchObject({ kind: 'suppression-error', line: 3 });
  });

  it('hides findings in test code unless --include-tests, and says how to show them', () => {
    const dir = tempTree({ 'app.py': VULNERABLE, 'tests/test_app.py': VULNERABLE });
    const lines = (out: string): string[] => JSON.parse(out).findings.map((f: { location: { path: string } }) => f.location.path);
    const hidden = run(['scan', '.', '--format', 'json', '--no-cache'], { cwd: dir });
    expect(lines(hidden.stdout)).toEqual(['app.py']);
    expect(JSON.parse(hidden.stdout).summary.hiddenInTests).toBe(1);
    const text = run(['scan', '.', '--no-cache'], { cwd: dir });
    expect(text.stdout).toContain('1 in test code (shown with --include-tests or the setting `tests: show`)');
    const shown = run(['scan', '.', '--format', 'json', '--no-cache', '--include-tests'], { cwd: dir });
    expect(lines(shown.stdout)).toEqual(['app.py', 'tests/test_app.py']);
  });

  it('honours # nosec unless --no-foreign-suppressions', () => {
    const dir = tempTree({ 'app.py': VULNERABLE.replace('shell=True)', 'shell=True)  # nosec B602') });
    const on = run(['scan', '.', '--format', 'json', '--no-cache'], { cwd: dir });
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout).summary.suppressed).toBe(1);
    const off = run(['scan', '.', '--format', 'json', '--no-cache', '--no-foreign-suppressions'], { cwd: dir });
    expect(off.code).toBe(1);
    expect(JSON.parse(off.stdout).findings).toHaveLength(1);
  });

  it('honours per-path overrides from pyproject.toml', () => {
    const dir = tempTree({
      'pyproject.toml': '[tool.secreview]\n[[tool.secreview.overrides]]\npaths = ["tests/**"]\ndisable = ["python/subprocess-shell-injection"]\n',
      'tests/test_x.py': VULNERABLE,
      'app.py': VULNERABLE,
    });
    const json = JSON.parse(run(['scan', '.', '--format', 'json'], { cwd: dir }).stdout);
    expect(json.findings.map((f: { location: { path: string } }) => f.location.path)).toEqual(['app.py']);
  });

  it('scans the examples with findings in both apps', () => {
    const r = run(['scan', EXAMPLES, '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    const files = new Set(json.findings.map((f: { location: { path: string } }) => f.location.path.split('/').slice(-2)[0]));
    expect(files.has('flask-notes')).toBe(true);
    expect(files.has('netops')).toBe(true);
    expect(json.diagnostics).toEqual([]);
  });
});

describe('secreview scan: workers and the incremental cache', () => {
  const files = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];

  it('keeps its cache under XDG_CACHE_HOME (never in the scanned tree), reuses it, and --no-cache writes none', () => {
    const dir = tempTree({ 'app.py': VULNERABLE, 'clean.py': CLEAN });
    const xdg = tempTree({});
    const env = { XDG_CACHE_HOME: xdg };
    const cold = run(['scan', '.', '--format', 'json'], { cwd: dir, env });
    expect(readdirSync(dir).sort()).toEqual(['app.py', 'clean.py']);
    const cacheDir = join(xdg, 'secreview', 'scan');
    const entries = files(join(cacheDir, FORMAT, 'files'));
    expect(entries).toHaveLength(2);
    const warm = run(['scan', '.', '--format', 'json', '--jobs', '2'], { cwd: dir, env });
    const same = (out: string): unknown => ({ ...JSON.parse(out), summary: { ...JSON.parse(out).summary, durationMs: 0 } });
    expect(same(warm.stdout)).toEqual(same(cold.stdout));
    expect(files(join(cacheDir, FORMAT, 'files'))).toEqual(entries);

    const other = tempTree({});
    run(['scan', '.', '--no-cache'], { cwd: dir, env: { XDG_CACHE_HOME: other } });
    expect(files(other)).toEqual([]);
    const explicit = join(other, 'mine');
    expect(run(['scan', '.', '--cache-dir', explicit], { cwd: dir, env: { XDG_CACHE_HOME: other } }).code).toBe(1);
    expect(files(join(explicit, FORMAT, 'files'))).toHaveLength(2);
  });

  it('says so, and still scans, when the cache folder cannot be created; rejects a bad --jobs', () => {
    const dir = tempTree({ 'app.py': VULNERABLE, 'blocker': '' });
    const r = run(['scan', 'app.py', '--cache-dir', 'blocker/cache'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: cannot use cache folder .*blocker\/cache: .*scanned without the cache/);
    expect(r.stdout).toContain('CWE-78');
    const bad = run(['scan', '.', '--jobs', '0'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a whole number from 1 to 256');
  });
});

describe('secreview rules and explain', () => {
  it('lists at least 35 rules with CWE and pillar, as text and JSON', () => {
    const text = run(['rules']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/python\/subprocess-shell-injection\s+CWE-78\s+CWE-707\s+high/);
    const json = JSON.parse(run(['rules', '--format', 'json']).stdout);
    expect(json.length).toBeGreaterThanOrEqual(35);
    for (const r of json) expect(r.pillar.id).toBeGreaterThan(0);
  });

  it('explains a rule and a CWE, and exits 2 on an unknown one', () => {
    const rule = run(['explain', 'python/subprocess-shell-injection']);
    expect(rule.code).toBe(0);
    expect(rule.stdout).toContain('How to fix it');
    expect(rule.stdout).toContain('Before:');
    const cwe = run(['explain', 'CWE-78']);
    expect(cwe.stdout).toContain('pillar: CWE-707 Improper Neutralization');
    expect(cwe.stdout).toContain('python/subprocess-shell-injection');
    expect(run(['explain', 'nothing-like-this']).code).toBe(2);
  });

  it('prints version and help with exit 0', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(['scan', '--help']).code).toBe(0);
  });
});

describe('the CLI needs a build', () => {
  it('has a built dist/cli/main.js (npm test builds first)', () => {
    expect(existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)))).toBe(true);
  });
});
