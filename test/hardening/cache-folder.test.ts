/**
 * A cache folder that cannot hold files (procfs, sysfs, a device, a FIFO, a socket) is refused at
 * once with a note, and the scan runs without the cache. `--cache-dir /proc/self` used to hang:
 * Node's recursive mkdir loops for ever there.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFolderProblem } from '../../src/cache/cache-folder.js';
import { scan } from '../../src/api/scan.js';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const linux = process.platform === 'linux';

describe('cacheFolderProblem', () => {
  it.runIf(linux)('refuses kernel pseudo-file systems and device folders', () => {
    expect(cacheFolderProblem('/proc/self')).toMatch(/^\/proc\/\d+ is on procfs, a kernel pseudo-file system/);
    expect(cacheFolderProblem('/proc/self/not-there/cache')).toMatch(/is on procfs/);
    if (existsSync('/sys/kernel')) expect(cacheFolderProblem('/sys/kernel/cache')).toMatch(/is on sysfs|is under \/sys/);
    expect(cacheFolderProblem('/dev/secreview-cache')).toBe('/dev is under /dev, which holds the kernel\'s or the devices\' files, not a place to keep files');
  });

  it('refuses a character device, a FIFO, a socket and a file, as the folder or on its way', async () => {
    const dir = tempTree({ 'plain.txt': 'x' });
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(dir, 'sock'), r));
    try {
      expect(cacheFolderProblem('/dev/null')).toBe('it is a character device, not a folder');
      expect(cacheFolderProblem(join(dir, 'fifo'))).toBe('it is a named pipe (FIFO), not a folder');
      expect(cacheFolderProblem(join(dir, 'sock'))).toBe('it is a socket, not a folder');
      expect(cacheFolderProblem(join(dir, 'plain.txt'))).toBe('it is a file, not a folder');
      expect(cacheFolderProblem(join(dir, 'plain.txt', 'cache'))).toBe('a part of the path is not a folder');
    } finally {
      server.close();
    }
  });

  it('accepts an existing folder and a path where one can be created', () => {
    const dir = tempTree({});
    mkdirSync(join(dir, 'there'));
    expect(cacheFolderProblem(join(dir, 'there'))).toBeUndefined();
    expect(cacheFolderProblem(join(dir, 'new', 'deeper'))).toBeUndefined();
    if (linux && existsSync('/dev/shm')) expect(cacheFolderProblem('/dev/shm/secreview-cache')).toBeUndefined();
  });
});

describe('a scan with a cache folder that cannot hold files', () => {
  it('scan(): /dev/null and a FIFO are refused with the cause, the scan still runs', async () => {
    const dir = tempTree({ 'a.py': 'import os\n\ndef f(x):\n    os.system("ls " + x)\n' });
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    for (const cacheDir of ['/dev/null', 'fifo']) {
      const report = await scan({ paths: ['a.py'], cwd: dir, config: false, cache: { dir: cacheDir } });
      expect(report.cache?.error, cacheDir).toMatch(/^cannot use cache folder .*: it is a (character device|named pipe \(FIFO\)), not a folder$/);
      expect(report.findings.map((f) => f.ruleId)).toContain('python/os-command-injection');
    }
  });

  it.runIf(linux)('the CLI with --cache-dir /proc/self finishes with a note instead of hanging', () => {
    const dir = tempTree({ 'a.py': 'x = 1\n' });
    writeFileSync(join(dir, 'b.py'), 'y = 2\n');
    for (const cacheDir of ['/proc/self', '/proc/self/secreview']) {
      const r = spawnSync(process.execPath, [BIN, 'scan', '.', '--cache-dir', cacheDir], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' }, timeout: 60_000, killSignal: 'SIGKILL',
      });
      expect(r.signal, cacheDir).toBeNull();
      expect(r.status, cacheDir).toBe(0);
      expect(r.stderr).toMatch(/^secreview: warning: cannot use cache folder \/proc\/self.*: \/proc\/\d+ is on procfs, a kernel pseudo-file system, not a place to keep files; scanned without the cache\n$/);
    }
  }, 120_000);
});
