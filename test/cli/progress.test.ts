import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { progressLine } from '../../src/cli/progress.js';

/** A stream that passes for a terminal and keeps what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => chunks.join('').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

describe('progress line', () => {
  it('names the per-file stage with counts, then the cross-file pass, so the end of the bar never looks hung', () => {
    const t = fakeTerminal();
    const p = progressLine('scanning the change', t.stream);
    p.onProgress(1, 3);
    p.onProgress(3, 3);
    p.onStage('cross-file', 1885);
    p.stop();
    expect(t.text()).toContain('scanning the change: parse and rules');
    expect(t.text()).toContain('3/3 files');
    expect(t.text()).toContain('scanning the change: cross-file data flow over 1,885 modules…');
  });

  it('restarts under a new label for the base scan of a diff', () => {
    const t = fakeTerminal();
    const p = progressLine('scanning the change', t.stream);
    p.onProgress(2, 2);
    p.restart('scanning the base');
    p.onProgress(1, 2);
    p.stop();
    expect(t.text()).toContain('scanning the base: parse and rules');
  });
});
