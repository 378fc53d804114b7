/**
 * Bad input, end to end: every broken file yields its documented diagnostic and every other file
 * in the same run is still scanned (counted by the findings of a known-good file in the run).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';
import { ReplyCache, CACHE_FORMAT, cacheKey } from '../../src/llm/cache.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const SCAN_API = fileURLToPath(new URL('../../dist/api/scan.js', import.meta.url));
const IS_ROOT = process.getuid?.() === 0;

function run(args: string[], cwd: string, extra: { uid?: number; gid?: number; bin?: string } = {}) {
  const { bin = BIN, ...ids } = extra;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input: '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' }, ...ids });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A world-readable copy of the built CLI and its production dependencies, for running as
 * `nobody`: the checkout may sit in a folder only root can enter (a fresh clone in a
 * `mktemp -d` folder, as in CI), where `nobody` could not even load the program.
 */
function cliCopyForNobody(): { bin: string; remove: () => void } {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const copy = mkdtempSync(join(tmpdir(), 'secreview-cli-'));
  chmodSync(copy, 0o755);
  for (const part of ['bin', 'dist', 'models', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' }).stdout;
  const modules = join(root, 'node_modules');
  for (const dep of listed.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(modules))) {
    cpSync(dep, join(copy, relative(root, dep)), { recursive: true });
  }
  return { bin: join(copy, 'bin', 'secreview.js'), remove: () => rmSync(copy, { recursive: true, force: true }) };
}

const VULNERABLE_LINES = ['import subprocess', '', 'def ping(host):', '    subprocess.call("ping " + host, shell=True)', ''];
const VULNERABLE = VULNERABLE_LINES.join('\n');
type JsonFinding = { ruleId: string; location: { path: string; startLine: number; startColumn: number } };
type JsonDiagnostic = { kind: string; path: string; message: string; level: string; line?: number };

/** Findings a lone copy of the good file produces, so "still scanned" is an exact count. */
function goodAloneCount(): number {
  const dir = tempTree({ 'good.py': VULNERABLE });
  const json = JSON.parse(run(['scan', '.', '--format', 'json', '--no-config'], dir).stdout);
  expect(json.findings.length).toBeGreaterThan(0);
  return json.findings.length;
}

describe('bad input files (CLI, one run)', () => {
  it('reports each broken file and still scans every other file, with correct line numbers', () => {
    const expected = goodAloneCount();
    const dir = tempTree({
      'good.py': VULNERABLE,
      'binary.py': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]),
      'invalid_utf8.py': new Uint8Array([...Buffer.from('x = "'), 0xc3, 0x28, ...Buffer.from('"\n')]),
      'utf16.py': new Uint8Array([0xff, 0xfe, ...Buffer.from(VULNERABLE, 'utf16le')]),
      'bom.py': new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(VULNERABLE)]),
      'crlf.py': VULNERABLE_LINES.join('\r\n'),
      'cr.py': VULNERABLE_LINES.join('\r'),
      'mixed.py': 'import subprocess\r\n\rdef ping(host):\n    subprocess.call("ping " + host, shell=True)\r\n',
      'empty.py': '',
      'syntax.py': 'def broken(:\n    pass\nimport subprocess\nsubprocess.call("ping " + h, shell=True)\n',
      'name with spaces.py': VULNERABLE,
      'new\nline.py': VULNERABLE,
      'ünïcödé_名前.py': VULNERABLE,
    });
    mkdirSync(join(dir, 'loop'));
    symlinkSync(join(dir, 'loop'), join(dir, 'loop', 'self'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    const r = run(['scan', '.', '--format', 'json', '--no-config'], dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: JsonFinding[]; diagnostics: JsonDiagnostic[]; summary: Record<string, number> };
    const diag = (p: string) => json.diagnostics.filter((d) => d.path === p);
    const lines = (p: string) => json.findings.filter((f) => f.location.path === p).map((f) => `${f.location.startLine}:${f.location.startColumn}`);

    expect(json.findings.filter((f) => f.location.path === 'good.py')).toHaveLength(expected);
    expect(diag('binary.py')).toMatchObject([{ kind: 'binary-file', level: 'error' }]);
    expect(diag('invalid_utf8.py')).toMatchObject([{ kind: 'decode-error', message: expect.stringContaining('offset 5') }]);
    expect(diag('utf16.py')).toMatchObject([{ kind: 'decode-error', message: expect.stringContaining('UTF-16') }]);
    for (const p of ['bom.py', 'crlf.py', 'cr.py', 'mixed.py', 'name with spaces.py', 'new\nline.py', 'ünïcödé_名前.py']) {
      expect(diag(p), p).toEqual([]);
      expect(lines(p), p).toContain('4:21');
    }
    expect(diag('empty.py')).toEqual([]);
    expect(lines('empty.py')).toEqual([]);
    expect(diag('syntax.py')).toMatchObject([{ kind: 'parse-error', line: 1 }]);
    expect(lines('syntax.py').some((l) => l.startsWith('4:'))).toBe(true);
    // Link loops are not followed: the walk ends and the links are not files to scan.
    expect(json.diagnostics.filter((d) => d.path.startsWith('loop') || d.path === 'a' || d.path === 'b')).toEqual([]);
    expect(json.summary.filesScanned).toBe(10);
  });

  it('names a missing path, scans the others, and exits 2', () => {
    const dir = tempTree({ 'good.py': VULNERABLE });
    const r = run(['scan', 'does-not-exist', 'good.py', '--format', 'json', '--no-config'], dir);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.diagnostics).toMatchObject([{ kind: 'path-error', path: 'does-not-exist', message: 'cannot scan does-not-exist: no such file or directory' }]);
    expect(json.findings.length).toBe(goodAloneCount());
    expect(r.stderr).toContain('does-not-exist');
  });

  it('reports files and folders without read permission (as an unprivileged user) and scans the rest', () => {
    const expected = goodAloneCount();
    const dir = tempTree({ 'good.py': VULNERABLE, 'locked.py': VULNERABLE, 'locked_dir/inner.py': VULNERABLE });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'locked.py'), 0o000);
    chmodSync(join(dir, 'locked_dir'), 0o000);
    // Root reads regardless of mode bits: run the CLI as `nobody` then, so the check is real.
    const cli = IS_ROOT ? cliCopyForNobody() : undefined;
    const asUser = cli ? { uid: 65534, gid: 65534, bin: cli.bin } : {};
    const r = run(['scan', '.', '--format', 'json', '--no-config'], dir, asUser);
    cli?.remove();
    chmodSync(join(dir, 'locked.py'), 0o644);
    chmodSync(join(dir, 'locked_dir'), 0o755);
    const json = JSON.parse(r.stdout) as { findings: JsonFinding[]; diagnostics: JsonDiagnostic[] };
    expect(json.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'read-error', path: 'locked.py', message: 'cannot read file: permission denied' }),
        expect.objectContaining({ kind: 'read-error', path: 'locked_dir', message: expect.stringContaining('cannot list folder locked_dir: permission denied') }),
      ]),
    );
    expect(json.findings.filter((f) => f.location.path === 'good.py')).toHaveLength(expected);
    expect(r.code).toBe(1);
  });
});

describe('limits: --max-file-size and --file-timeout', () => {
  const big = (): string => {
    // ~10 MB of valid Python, generated here (never committed).
    const line = 'value_with_a_long_name = "0123456789012345678901234567890123456789"\n';
    return line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
  };

  it('skips a 10 MB file over the default 5 MiB limit, says so in every format, and scans the rest', () => {
    const expected = goodAloneCount();
    const dir = tempTree({ 'good.py': VULNERABLE, 'huge.py': big() });
    const json = JSON.parse(run(['scan', '.', '--format', 'json', '--no-config'], dir).stdout);
    expect(json.diagnostics).toMatchObject([{ kind: 'skipped', path: 'huge.py', message: expect.stringMatching(/^skipped: file is 10(\.\d)? MiB, over the 5 MiB limit \(--max-file-size\)$/) }]);
    expect(json.findings).toHaveLength(expected);
    const text = run(['scan', '.', '--no-config'], dir).stdout;
    expect(text).toMatch(/huge\.py.*skipped: file is/);
    const sarif = JSON.parse(run(['scan', '.', '--format', 'sarif', '--no-config'], dir).stdout);
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications as { message: { text: string } }[];
    expect(notes.some((n) => n.message.text.includes('skipped: file is'))).toBe(true);
    expect(run(['scan', '.', '--format', 'markdown', '--no-config'], dir).stdout).toContain('skipped: file is');
    expect(run(['scan', '.', '--format', 'html', '--no-config'], dir).stdout).toContain('skipped: file is');
  });

  it('a higher --max-file-size (or settings key) scans the big file; a lower one skips small files', () => {
    const dir = tempTree({ 'good.py': VULNERABLE, 'huge.py': big() });
    const raised = JSON.parse(run(['scan', '.', '--format', 'json', '--no-config', '--max-file-size', '20MiB'], dir).stdout);
    expect(raised.diagnostics).toEqual([]);
    expect(raised.summary.filesScanned).toBe(2);
    const small = tempTree({ 'good.py': VULNERABLE, 'other.py': 'x = 1\n'.repeat(100), '.secreview.yml': 'max-file-size: 100\n' });
    const json = JSON.parse(run(['scan', '.', '--format', 'json'], small).stdout);
    expect(json.diagnostics.map((d: JsonDiagnostic) => `${d.path} ${d.kind}`)).toEqual(['other.py skipped']);
    expect(json.findings.length).toBeGreaterThan(0);
    expect(run(['scan', '.', '--max-file-size', 'lots'], small).code).toBe(2);
    const bad = tempTree({ 'good.py': VULNERABLE, '.secreview.yml': 'max-file-size: huge\n' });
    expect(run(['scan', '.'], bad).stderr).toMatch(/\.secreview\.yml: max-file-size/);
  });

  it('skips a file whose analysis exceeds --file-timeout, and scans the rest', () => {
    const expected = goodAloneCount();
    const dir = tempTree({ 'good.py': VULNERABLE, 'slow.py': `${'x = a + b\n'.repeat(400_000)}` });
    // slow.py takes several seconds to analyse; good.py well under the budget.
    const r = run(['scan', '.', '--format', 'json', '--no-config', '--file-timeout', '0.5'], dir);
    const json = JSON.parse(r.stdout);
    expect(json.diagnostics).toMatchObject([{ kind: 'skipped', path: 'slow.py', message: expect.stringMatching(/^skipped: analysis exceeded the 0\.500 s time budget during .+ \(--file-timeout 0\.500 s\)$/) }]);
    expect(json.findings).toHaveLength(expected);
    expect(run(['scan', '.', '--file-timeout', '-1'], dir).code).toBe(2);
  });
});

describe('100,000 tiny files', () => {
  // Time and memory of this shape are figures of `npm run bench:many-files`, not asserted here.
  it('scans every one of them, and the one vulnerable file still counts', () => {
    const dir = tempTree({ 'good.py': VULNERABLE });
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(dir, `pkg${d}`));
      for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `pkg${d}`, `m${i}.py`), `x = ${i}\n`);
    }
    const script = `
      const { scan } = await import(${JSON.stringify(SCAN_API)});
      const r = await scan({ paths: ['.'], cwd: ${JSON.stringify(dir)}, config: false });
      console.log(JSON.stringify({ files: r.stats.filesScanned, findings: r.findings.length, diagnostics: r.diagnostics.length }));
    `;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    const m = JSON.parse(p.stdout) as { files: number; findings: number; diagnostics: number };
    expect(m.files).toBe(100_001);
    expect(m.findings).toBe(goodAloneCount());
    expect(m.diagnostics).toBe(0);
  }, 120_000);
});

describe('malformed settings, models, baselines and cache entries', () => {
  it('a malformed settings file is a clear error naming file and cause (exit 2)', () => {
    const yaml = tempTree({ 'good.py': VULNERABLE, '.secreview.yml': 'severity: [unclosed\n' });
    const r1 = run(['scan', '.'], yaml);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/\.secreview\.yml: invalid YAML at line \d/);
    const toml = tempTree({ 'good.py': VULNERABLE, 'pyproject.toml': '[tool.secreview]\nseverity = \n' });
    const r2 = run(['scan', '.'], toml);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/pyproject\.toml: invalid TOML at line 2/);
  });

  it('a malformed model file is a clear error naming file and cause (exit 2)', () => {
    const dir = tempTree({ 'good.py': VULNERABLE, '.secreview.yml': 'models: [models/bad.yml]\n', 'models/bad.yml': 'sources: [this is: not: valid\n' });
    const r = run(['scan', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/bad\.yml/);
    const missing = tempTree({ 'good.py': VULNERABLE, '.secreview.yml': 'models: [nope.yml]\n' });
    const r2 = run(['scan', '.'], missing);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/nope\.yml/);
  });

  it('a malformed baseline is a clear error naming file and cause (exit 2); no report is written', () => {
    const dir = tempTree({ 'good.py': VULNERABLE, 'base.json': '{"version": 1, "tool": {"name": "secreview"}, "fingerprints": {"x": 1}}', 'trunc.json': '{"version": 1, "tool"' });
    const r = run(['scan', '.', '--baseline', 'base.json', '-o', 'out.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('base.json: "fingerprints": "x" is not a fingerprint');
    const t = run(['scan', '.', '--baseline', 'trunc.json'], dir);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/trunc\.json: not a secreview baseline \(invalid JSON/);
    expect(() => readFileSync(join(dir, 'out.json'))).toThrow();
  });

  it('a corrupt LLM cache entry is discarded and rebuilt, not fatal', () => {
    const dir = tempTree({});
    const cache = new ReplyCache(join(dir, 'cache'));
    const key = cacheKey('model-x', 'prompt');
    const file = join(dir, 'cache', key.slice(0, 2), `${key}.json`);
    mkdirSync(join(dir, 'cache', key.slice(0, 2)), { recursive: true });
    for (const junk of ['{"format": 1, "model": "model-x", "key"', '\u0000\u0001garbage', '[]', 'null', JSON.stringify({ format: CACHE_FORMAT, model: 'model-x', key, content: 42 })]) {
      writeFileSync(file, junk);
      expect(cache.get(key, 'model-x')).toBeUndefined();
    }
    expect(cache.set({ format: CACHE_FORMAT, model: 'model-x', key, content: 'ok', finishReason: 'stop', usage: { prompt: 1, completion: 2 } })).toBeUndefined();
    expect(cache.get(key, 'model-x')).toMatchObject({ content: 'ok' });
  });
});
