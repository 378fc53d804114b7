/**
 * SIGINT/SIGTERM mid-scan: exit 130/143, the previous --output file intact (reports are written
 * by temp file + rename in one synchronous step, after the scan), and no temporary files left.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

function bigTree(): string {
  const dir = tempTree({ 'report.json': 'PREVIOUS REPORT\n' });
  const body = 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n';
  for (let d = 0; d < 40; d++) {
    mkdirSync(join(dir, `pkg${d}`));
    for (let i = 0; i < 500; i++) writeFileSync(join(dir, `pkg${d}`, `m${i}.py`), body);
  }
  return dir;
}

/**
 * Starts a scan and sends `signal` once the scan is under way: when it has created its cache folder
 * (after the CLI installed its handlers), not after a fixed delay, which a loaded machine outlasts
 * before node has even started.
 */
function interrupt(dir: string, signal: 'SIGINT' | 'SIGTERM', extra: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const cacheDir = join(dir, '.scan-cache');
    const child = spawn(process.execPath, [BIN, 'scan', '.', '--format', 'json', '--cache-dir', cacheDir, ...extra], { cwd: dir, env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const poll = setInterval(() => {
      if (existsSync(cacheDir) || performance.now() - started > 60_000) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 25);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolvePromise({ code, signal: sig, stderr, ms: performance.now() - started });
    });
  });
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('signals mid-scan', () => {
  it('SIGINT exits 130, keeps the previous output file and leaves no temp file', async () => {
    const dir = bigTree();
    const r = await interrupt(dir, 'SIGINT', ['--output', 'report.json']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT)');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('PREVIOUS REPORT\n');
    expect(leftovers(dir)).toEqual([]);
  });

  it('SIGTERM exits 143 and writes neither a new output nor a baseline', async () => {
    const dir = bigTree();
    const r = await interrupt(dir, 'SIGTERM', ['--output', 'fresh.json', '--write-baseline', 'base.json']);
    expect(r.code).toBe(143);
    const files = readdirSync(dir);
    expect(files).not.toContain('fresh.json');
    expect(files).not.toContain('base.json');
    expect(leftovers(dir)).toEqual([]);
  });
});
