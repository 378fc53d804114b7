import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary files being written right now, removed by `removePendingTempFiles` on a signal. */
const pending = new Set<string>();

/** Best effort: delete temporary files of writes in progress (called before exiting on a signal). */
export function removePendingTempFiles(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
}

/**
 * Write a file so readers see the old content or the new, never half of it: write a
 * temporary file in the same folder, flush it, then rename it over the target. A target that
 * exists and is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written to
 * directly: renaming over it would replace the device or pipe with a plain file.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  let existing;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) {
    writeFileSync(path, content);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  pending.add(tmp);
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeFileSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  } finally {
    pending.delete(tmp);
  }
}
