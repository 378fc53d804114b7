/**
 * Cache fuzz worker (see scripts/fuzz-cache.ts): runs the real `scan()` over the sample of the
 * corpus with the given cache folder (or none), and replies with a digest of the JSON findings,
 * how many cache entries the scan rejected, and any exception or internal-error diagnostic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { scan } from '../src/api/scan.js';

export interface CacheJob {
  id: number;
  /** No cache folder: the reference scan. */
  cacheDir?: string;
}
export interface CacheReply {
  id: number;
  digest: string;
  findings: number;
  files: number;
  /** Cache entries the scan found damaged and ignored. */
  rejected: number;
  ms: number;
  error?: string;
  /** The worker itself died (the parent replaces it). */
  dead?: boolean;
}

const { corpus, sample, budgetMs } = workerData as { corpus: string; sample: string[]; budgetMs: number };

parentPort!.on('message', (job: CacheJob) => {
  void run(job).then((reply) => parentPort!.postMessage(reply));
});

async function run(job: CacheJob): Promise<CacheReply> {
  const started = performance.now();
  try {
    const report = await scan({
      paths: sample,
      cwd: corpus,
      config: false,
      severity: 'low',
      confidence: 'low',
      fileTimeoutMs: budgetMs,
      jobs: 1,
      cache: job.cacheDir ? { dir: job.cacheDir } : undefined,
    });
    const ms = performance.now() - started;
    const internal = report.diagnostics.filter((d) => d.kind === 'internal-error' || d.kind === 'skipped');
    const digest = createHash('sha256').update(JSON.stringify(report.findings)).digest('hex');
    const base = { id: job.id, digest, findings: report.findings.length, files: report.stats.filesScanned, rejected: report.cache?.rejected ?? 0, ms };
    if (report.cache?.error) return { ...base, error: `cache not used: ${report.cache.error}` };
    if (internal.length > 0) return { ...base, error: internal.map((d) => `${d.kind}: ${d.path}: ${d.message}`).join('\n') };
    return base;
  } catch (error) {
    return { id: job.id, digest: '', findings: 0, files: 0, rejected: 0, ms: performance.now() - started, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
