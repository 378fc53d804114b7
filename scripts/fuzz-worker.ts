/**
 * Fuzz worker (see scripts/fuzz.ts): writes each mutant to its own scratch folder and runs the
 * real `scan()` on it, with data-flow analysis and every rule. Replies `ok`, or `crash` with the
 * exception or internal-error diagnostics. The parent kills this thread when a mutant hangs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../src/api/scan.js';

export interface FuzzJob {
  id: number;
  bytes: Uint8Array;
}
export type FuzzReply = { id: number; outcome: 'ok'; findings: number; diagnostics: string[] } | { id: number; outcome: 'crash'; error: string };

const dir = join(workerData.scratch as string, `w${workerData.index as number}`);
mkdirSync(dir, { recursive: true });

parentPort!.on('message', (job: FuzzJob) => {
  void run(job).then((reply) => parentPort!.postMessage(reply));
});

async function run(job: FuzzJob): Promise<FuzzReply> {
  try {
    writeFileSync(join(dir, 'mutant.py'), job.bytes);
    const report = await scan({
      paths: ['mutant.py'],
      cwd: dir,
      config: false,
      severity: 'low',
      confidence: 'low',
      // Hangs are the watchdog's to find; the budget would turn them into `skipped`.
      fileTimeoutMs: Infinity,
    });
    const internal = report.diagnostics.filter((d) => d.kind === 'internal-error');
    if (internal.length > 0) return { id: job.id, outcome: 'crash', error: internal.map((d) => `internal-error: ${d.message}`).join('\n') };
    return { id: job.id, outcome: 'ok', findings: report.findings.length, diagnostics: report.diagnostics.map((d) => d.kind) };
  } catch (error) {
    return { id: job.id, outcome: 'crash', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
