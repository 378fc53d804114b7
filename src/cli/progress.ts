/**
 * The progress line on a terminal's stderr: which stage the scan is in and how far, e.g.
 * `scanning the change: parse and rules ████░░ 812/1885 files`, then
 * `scanning the change: cross-file data flow over 1,885 modules…` while the whole-program pass
 * runs (it reports no steps of its own, and a bar frozen at its end would look hung).
 */
import { SingleBar } from 'cli-progress';
import type { ScanStage } from '../api/scan.js';

export interface Progress {
  onProgress: (done: number, total: number) => void;
  onStage: (stage: ScanStage, count: number) => void;
  /** A new scan (diff mode scans the change, then the base) under this label. */
  restart: (label: string) => void;
  stop: () => void;
}

const STAGE_LABEL: Record<ScanStage, (count: number) => string> = {
  files: () => 'parse and rules',
  'cross-file': (count) => `cross-file data flow over ${count.toLocaleString('en-US')} modules…`,
};

export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let bar: SingleBar | undefined;
  let total = 0;
  let prefix = label ? `${label}: ` : '';
  const start = (stage: string): SingleBar => {
    const b = new SingleBar({ format: `{stage} {bar} {value}/{total} files`, stream, clearOnComplete: true, hideCursor: true });
    b.start(total, 0, { stage: `${prefix}${stage}` });
    return b;
  };
  return {
    onProgress(done, all) {
      total = all;
      bar ??= start(STAGE_LABEL.files(all));
      bar.update(done);
    },
    onStage(stage, count) {
      if (!bar) {
        total = count;
        bar = start(STAGE_LABEL[stage](count));
      }
      bar.update(total, { stage: `${prefix}${STAGE_LABEL[stage](count)}` });
    },
    restart(next) {
      bar?.stop();
      bar = undefined;
      prefix = next ? `${next}: ` : '';
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
