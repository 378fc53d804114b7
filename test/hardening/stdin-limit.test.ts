/**
 * Standard input obeys --max-file-size like a file does: it is read a chunk at a time and given
 * up as soon as it passes the limit, so an endless pipe cannot make secreview read without bound.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/api/scan.js';
import { readStreamLimited } from '../../src/api/stdin.js';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

/** An endless source of `size`-byte chunks that counts what it handed out and whether it was closed. */
function endless(size: number) {
  const state = { yielded: 0, closed: false };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        state.yielded++;
        yield new Uint8Array(size).fill(0x23); // '#'
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, stream: chunks() };
}

/** Writes `chunk` to the child's standard input until it stops reading; its exit code and the bytes written. */
async function feedEndlessly(child: ChildProcessWithoutNullStreams, chunk: Buffer): Promise<{ code: number | null; written: number }> {
  let written = 0;
  child.stdin.on('error', () => {}); // EPIPE once secreview stops reading and closes its end
  const pump = (): void => {
    while (!child.stdin.destroyed && child.exitCode === null) {
      written += chunk.length;
      if (!child.stdin.write(chunk)) {
        child.stdin.once('drain', pump);
        return;
      }
    }
  };
  pump();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.destroy();
  return { code, written };
}

describe('reading standard input up to the limit', () => {
  it('stops pulling chunks as soon as the limit is passed, and closes the source', async () => {
    const { state, stream } = endless(4);
    expect(await readStreamLimited(stream, 10)).toEqual({ tooLarge: 12 });
    expect(state.yielded).toBe(3);
    expect(state.closed).toBe(true);
  });

  it('returns the whole input when it is within the limit', async () => {
    async function* two(): AsyncGenerator<Uint8Array | string> {
      yield 'x = ';
      yield new TextEncoder().encode('1\n');
    }
    expect((await readStreamLimited(two(), 6)).toString()).toBe('x = 1\n');
  });

  it('scan(): an endless stdin is skipped with the same diagnostic as an oversized file', async () => {
    const { state, stream } = endless(1024);
    const dir = tempTree({ 'big.py': '#'.repeat(5000) });
    const report = await scan({ paths: ['-', 'big.py'], cwd: dir, config: false, stdin: { filename: 'piped.py', stream }, maxFileSize: 4096 });
    expect(state.yielded).toBe(5);
    expect(state.closed).toBe(true);
    const piped = report.diagnostics.find((d) => d.path === 'piped.py');
    const file = report.diagnostics.find((d) => d.path === 'big.py');
    expect(piped).toMatchObject({ kind: 'skipped', level: 'error', message: 'skipped: file is over the 4 KiB limit (--max-file-size)' });
    expect(file).toMatchObject({ kind: 'skipped', level: 'error' });
    expect(file!.message).toMatch(/^skipped: file is .*, over the 4 KiB limit \(--max-file-size\)$/);
  });

  it('scan(): stdin within the limit is decoded like a file (a UTF-7 declaration included)', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('# coding: utf-7\nimport os\n# +AAo-os.system(cmd)\n');
    }
    const report = await scan({ paths: ['-'], cwd: tempTree({}), config: false, stdin: { filename: 'piped.py', stream: source() }, severity: 'low', confidence: 'low' });
    expect(report.diagnostics).toEqual([]);
    expect(report.findings.map((f) => `${f.ruleId}:${f.location.startLine}`).sort()).toEqual(['python/hidden-code-encoding:1', 'python/os-command-injection:4']);
  });

  it('the CLI stops reading an endless pipe at --max-file-size and reports it skipped', async () => {
    const dir = tempTree({ 'ok.py': 'x = 1\n' });
    const child = spawn(process.execPath, [BIN, 'scan', '-', 'ok.py', '--no-cache', '--max-file-size', '100k', '--format', 'json'], {
      cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const { code, written } = await feedEndlessly(child, Buffer.alloc(16 * 1024, '#'));
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { diagnostics: { path: string; kind: string; message: string }[] };
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ path: 'stdin.py', kind: 'skipped', message: 'skipped: file is over the 100 KiB limit (--max-file-size)' }));
    // What the writer got rid of: the limit plus what the pipe and stream buffers held, not more.
    expect(written).toBeLessThan(2 * 1024 * 1024);
  }, 60_000);

  it('secreview diff --patch - stops reading an endless pipe at the patch limit and exits 2 naming it', async () => {
    const dir = tempTree({ 'ok.py': 'x = 1\n' });
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const child = spawn(process.execPath, [BIN, 'diff', '--patch', '-', '--no-cache'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const { code, written } = await feedEndlessly(child, Buffer.alloc(64 * 1024, '+'));
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read patch standard input: it is over the 64 MiB limit for a patch');
    expect(written).toBeLessThan(80 * 1024 * 1024);
  }, 120_000);
});
