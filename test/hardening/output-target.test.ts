import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/files/atomic-write.js';
import { tempTree } from '../support/tmp.js';

describe('writing a report (-o) to a file that is not a regular file', () => {
  it('writes into a named pipe instead of replacing it with a plain file (as /dev/null once was)', async () => {
    const dir = tempTree({});
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const received = new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(fifo, 'utf8')
        .on('data', (chunk) => (text += chunk))
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    // Give the reader's open a moment to reach the pipe before the synchronous write opens it.
    await new Promise((r) => setTimeout(r, 50));
    writeFileAtomic(fifo, 'report\n');
    expect(await received).toBe('report\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('still replaces a regular file atomically', () => {
    const dir = tempTree({ 'out.json': 'old' });
    writeFileAtomic(join(dir, 'out.json'), 'new');
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'out.json')).isFile()).toBe(true);
  });
});
