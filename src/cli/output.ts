/**
 * Writing the report where the user asked for it. A write to standard output can fail: the
 * reader closed the pipe (`secreview scan | head -c1`: EPIPE), the disk is full (ENOSPC), the
 * terminal is gone (EIO). Unhandled, Node prints a stack trace and exits 1, the code for
 * "findings" — even for a clean tree. Here such a failure is one line on standard error and the
 * exit code 2 (secreview could not do its job: the report was not delivered whole). EPIPE gets
 * the line too, rather than a silent exit, so that a CI log says why a step failed; a user who
 * pipes into `head` on purpose can add `2>/dev/null`.
 */
import { writeFileAtomic } from '../files/atomic-write.js';

const REASONS: Readonly<Record<string, string>> = {
  EPIPE: 'the reader closed the pipe before the end',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EBADF: 'standard output is closed',
  EAGAIN: 'standard output would block',
  EFBIG: 'file too large',
};

function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return `${code} (${REASONS[code]})`;
  return code ?? (error as Error | undefined)?.message ?? String(error);
}

let guarded = false;

/**
 * From here on a failed write to standard output never crashes the process: `writeStdout`
 * reports its own failure, and an error the stream emits later (a write of another part of the
 * program) is ignored rather than thrown from the event loop.
 */
export function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', () => {});
}

/** Writes `text` to standard output; resolves to a one-line cause when it could not be written. */
export function writeStdout(text: string): Promise<string | undefined> {
  guardStdout();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (error: unknown): void => {
      if (settled) return;
      settled = true;
      process.stdout.off('error', settle);
      resolve(error ? describeWriteError(error) : undefined);
    };
    process.stdout.once('error', settle);
    try {
      process.stdout.write(text, (error) => settle(error ?? undefined));
    } catch (error) {
      settle(error ?? new Error('write failed'));
    }
  });
}

/**
 * The report to `-o FILE` (replaced atomically) or standard output. Resolves to the message to
 * print (without the `secreview: ` prefix) when it could not be written.
 */
export async function deliverReport(rendered: string, output: string | undefined): Promise<string | undefined> {
  if (output) {
    try {
      writeFileAtomic(output, rendered);
      return undefined;
    } catch (error) {
      return `cannot write ${output}: ${(error as Error).message}`;
    }
  }
  const failure = await writeStdout(rendered);
  return failure ? `cannot write the report to standard output: ${failure}` : undefined;
}
