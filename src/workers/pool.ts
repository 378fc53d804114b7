/**
 * The worker-thread pool that runs file jobs in parallel. Outcomes come back in whatever order
 * the workers finish; callers place them by index, so reports never depend on timing.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { FileJob } from './file-job.js';
import { unpackOutcomes } from './batch.js';
import { transferListOf, type EntryBatch } from './entry-writes.js';
import type { ConcurrencyTask } from './concurrency-task.js';
import type { Finding } from '../findings/types.js';
import type { FileBatch } from './file-worker.js';
import type { LatePort } from './late-rules.js';

/** Below this many files to analyse, starting workers costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 24;
/** A batch for one worker task ends at this much source or this many files. */
export const BATCH_BYTES = 64 * 1024;
export const BATCH_FILES = 16;
/**
 * Batches a worker holds at once: it starts the next before the main thread, busy with a file of
 * its own, has taken in the last one.
 */
export const TASKS_PER_WORKER = 3;

/** Old-generation heap limit of each worker; a file needing more fails alone, with a diagnostic. */
const WORKER_HEAP_MB = 384;

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export class FilePool {
  private readonly pool: Tinypool;

  constructor(threads: number) {
    // Running from the TypeScript sources, the worker needs a loader for .ts files.
    const fromSources = import.meta.url.endsWith('.ts');
    const filename = fileURLToPath(new URL(fromSources ? './tsx-worker.mjs' : './file-worker.js', import.meta.url));
    this.pool = new Tinypool({
      filename,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 0,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
      // An idle worker waits on its event loop, not blocked in Atomics.wait: it must hear the
      // main thread say go on a batch's port to run the batch's rules late (late-rules.ts).
      useAtomics: false,
      // Workers keep nothing between files; a modest heap limit makes V8 collect early instead
      // of growing each worker's heap towards the process default.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
  }

  /**
   * Analyses the jobs in one worker, in order; one encoded outcome per job. With `rulesLater`,
   * their pattern rules run when a message on the other end of that port says go (late-rules.ts).
   */
  async run(jobs: readonly FileJob[], rulesLater?: LatePort): Promise<Uint8Array[]> {
    const task: FileBatch = rulesLater ? { jobs, rulesLater } : { jobs };
    const outcomes = unpackOutcomes((await this.pool.run(task, rulesLater ? { transferList: [rulesLater] } : {})) as Uint8Array);
    if (outcomes.length !== jobs.length) throw new Error(`a worker returned ${outcomes.length} outcomes for ${jobs.length} files`);
    return outcomes;
  }

  /** Writes cache entries in a worker (moved there, not copied). */
  async write(batch: EntryBatch): Promise<void> {
    await this.pool.run(batch, { name: 'writeCacheEntries', transferList: transferListOf(batch) });
  }

  /** The whole-program concurrency step, in a worker (see concurrency-task.ts). */
  async findConcurrencyIssues(task: ConcurrencyTask): Promise<Finding[]> {
    return (await this.pool.run(task, { name: 'findConcurrencyIssues' })) as Finding[];
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
