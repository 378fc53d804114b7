/**
 * A report that cannot be delivered (closed pipe, full disk) is exit code 2 and one line on
 * standard error, never a stack trace and never 1 (the code for findings), even for a clean tree.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const ENV = { ...process.env, NO_COLOR: '1', CI: 'true' };
const hasDevFull = existsSync('/dev/full');

/** Runs the CLI with its standard output closed by the reader before anything is written. */
function runIntoClosedPipe(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reading end goes away at once, as `| head -c0` would
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function runIntoDevFull(args: string[], cwd: string): { code: number | null; stderr: string } {
  const fd = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

const oneLine = (stderr: string): string[] => stderr.split('\n').filter(Boolean);

describe('standard output that cannot be written', () => {
  it('a closed pipe (EPIPE) exits 2 with one line, no stack trace, for a clean tree', async () => {
    const dir = tempTree({ 'clean.py': 'x = 1\n' });
    const r = await runIntoClosedPipe(['scan', 'clean.py', '--no-cache', '--format', 'json'], dir);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['secreview: cannot write the report to standard output: EPIPE (the reader closed the pipe before the end)']);
  });

  it('a closed pipe while findings are reported is still 2, not 1', async () => {
    const dir = tempTree({ 'bad.py': 'import os\n\ndef f(x):\n    os.system("ls " + x)\n' });
    const r = await runIntoClosedPipe(['scan', 'bad.py', '--no-cache'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EPIPE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.runIf(hasDevFull)('a full disk (ENOSPC, /dev/full) exits 2 with one line', () => {
    const dir = tempTree({ 'clean.py': 'x = 1\n' });
    const r = runIntoDevFull(['scan', 'clean.py', '--no-cache'], dir);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['secreview: cannot write the report to standard output: ENOSPC (no space left on the device)']);
  });

  it.runIf(hasDevFull)('`rules` and `explain` into a full disk exit 2 with one line', () => {
    const dir = tempTree({});
    for (const args of [['rules'], ['explain', 'CWE-78']]) {
      const r = runIntoDevFull(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr)).toEqual(['secreview: cannot write to standard output: ENOSPC (no space left on the device)']);
    }
  });

  it.runIf(hasDevFull)('`-o /dev/full` and `-o` into a missing folder exit 2 with one line', () => {
    const dir = tempTree({ 'clean.py': 'x = 1\n' });
    for (const target of ['/dev/full', 'missing/report.json']) {
      const r = spawnSync(process.execPath, [BIN, 'scan', 'clean.py', '--no-cache', '-o', target], { cwd: dir, env: ENV, encoding: 'utf8' });
      expect(r.status, target).toBe(2);
      expect(oneLine(r.stderr), target).toHaveLength(1);
      expect(r.stderr).toContain(`secreview: cannot write ${target}: `);
    }
  });
});
