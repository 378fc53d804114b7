import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useColor } from '../../src/cli/review-options.js';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const ANSI = '\u001b[';

describe('useColor', () => {
  it('follows --color, then NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(useColor({ color: 'always' }, { NO_COLOR: '1' }, false)).toBe(true);
    expect(useColor({ color: 'never' }, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColor({ color: false }, {}, true)).toBe(false);
    expect(useColor({}, {}, true)).toBe(true);
    expect(useColor({}, {}, false)).toBe(false);
    expect(useColor({}, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(useColor({}, { FORCE_COLOR: '0' }, false)).toBe(false);
    expect(useColor({}, { FORCE_COLOR: 'false' }, false)).toBe(false);
    expect(useColor({}, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColor({ output: 'r.txt' }, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColor({ output: 'r.txt', color: 'always' }, {}, false)).toBe(true);
  });
});

describe('colour and verdicts from the CLI', () => {
  const run = (args: string[], env: Record<string, string>) => {
    // A fresh tree per run: tempTree folders are removed after each test.
    const dir = tempTree({ 'app.py': 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n' });
    const base = { ...process.env };
    delete base.NO_COLOR;
    delete base.FORCE_COLOR;
    return spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...base, CI: 'true', ...env } });
  };

  it('colours a CI log (not a terminal) with FORCE_COLOR or --color always, and not otherwise', () => {
    expect(run(['scan', '.', '--no-cache'], {}).stdout).not.toContain(ANSI);
    expect(run(['scan', '.', '--no-cache'], { FORCE_COLOR: '1' }).stdout).toContain(ANSI);
    expect(run(['scan', '.', '--no-cache', '--color', 'always'], {}).stdout).toContain(ANSI);
    expect(run(['scan', '.', '--no-cache', '--color', 'never'], { FORCE_COLOR: '1' }).stdout).not.toContain(ANSI);
    expect(run(['scan', '.', '--no-cache', '--no-color'], { FORCE_COLOR: '1' }).stdout).not.toContain(ANSI);
    expect(run(['scan', '.', '--no-cache', '--color', 'sometimes'], {}).status).toBe(2);
  });

  it('a mistyped path exits 2 and the report never says there are no defects', () => {
    for (const format of ['text', 'concise', 'markdown']) {
      const r = run(['scan', 'ap.py', '--no-cache', '--format', format], {});
      expect(r.status).toBe(2);
      expect(r.stdout).not.toContain('No security defects are detected in the code');
      expect(r.stdout).toContain('No verdict: the review did not complete');
    }
  });

  it('--format concise prints path:line:col lines and exits 1 on findings', () => {
    const r = run(['scan', '.', '--no-cache', '--format', 'concise'], {});
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^app\.py:4:21: high python\/subprocess-shell-injection CWE-78 `subprocess\.call` runs a shell command/);
    expect(lines.at(-1)).toMatch(/^1 security defect found \(1 high\)$/);
  });
});
