/**
 * The per-file stage of a scan: every input's outcome, from the cache when an entry matches,
 * otherwise analysed in worker threads and on the main thread, or inline only. Results are
 * placed by input index, so their order never depends on which thread finished first.
 */
import type { DiscoveredFile } from '../discover/discover.js';
import { findRule } from '../rules/index.js';
import type { AnyRule } from '../rules/define-rule.js';
import type { ExtraModels } from '../analysis/extra-models.js';
import { concurrencyAppliesTo } from '../analysis/concurrency/run.js';
import type { ScanCache } from '../cache/scan-cache.js';
import { createLimiter } from '../scheduling/limiter.js';
import { BATCH_BYTES, BATCH_FILES, FilePool, MIN_FILES_FOR_WORKERS } from '../workers/pool.js';
import { analyseFile, analyseFileSync, encodeOutcome, failedMeta, FileResult, outcomeParts, type FileJob, type FileMeta, type FileOutcome, type LanguageTable } from '../workers/file-job.js';
import type { SettingsPlan } from './settings-plan.js';

/** A file's bytes (or given text) as read, or the outcome of a file that could not be read. */
export type Loaded = { content: Uint8Array | string } | { failed: FileMeta };

/** What the per-file stage needs of the scan's plan. */
export interface FileStagePlan {
  rules: readonly AnyRule[];
  settings: SettingsPlan;
  extraModels: ExtraModels;
  fileTimeoutMs: number;
}

export interface FileStageRun {
  /** Threads to analyse on, the main thread included (1: inline only). */
  jobs: number;
  cache?: ScanCache;
  /** The grammars' symbol tables, when the taint run wants data-flow IRs. */
  language?: LanguageTable;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the per-file stages over every input. With `jobs` > 1 and enough files, `jobs - 1`
 * workers analyse batches of files while the main thread builds the IRs of what they return
 * and, whenever nothing they returned is waiting, analyses a batch itself: on a machine with
 * two cores, a third busy thread only made both slower, and each worker costs its own start-up
 * and compiled code.
 */
export async function analyseFiles(
  plan: FileStagePlan,
  inputs: readonly { file: DiscoveredFile }[],
  loaded: readonly Loaded[],
  keys: readonly (string | undefined)[],
  wantIR: boolean,
  run: FileStageRun,
): Promise<FileResult[]> {
  const results = new Array<FileResult>(inputs.length);
  const knownRule = (id: string): boolean => findRule(id) !== undefined;
  const jobFor = (index: number): { job: FileJob; rules: AnyRule[] } => {
    const path = inputs[index]!.file.path;
    const content = (loaded[index] as { content: Uint8Array | string }).content;
    const enabled = (r: AnyRule): boolean => plan.settings.ruleEnabledFor(r.id, path);
    const rules = plan.rules.filter((r) => !r.taint && !r.concurrency && enabled(r));
    const wantConcurrency = concurrencyAppliesTo(path) && plan.rules.some((r) => r.concurrency && enabled(r));
    const { concurrency, failure } = plan.extraModels;
    const models = concurrency.length || failure.length ? { models: { concurrency, failure } } : {};
    return { job: { path, content, ruleIds: rules.map((r) => r.id), fileTimeoutMs: plan.fileTimeoutMs, wantIR, ...(wantConcurrency ? { wantConcurrency } : {}), ...models }, rules };
  };
  // Test code whose findings are hidden: its IR waits until the taint run knows whether the rest imports it.
  const outsideDataFlow = (index: number): boolean => plan.settings.hidesTestFindings(inputs[index]!.file.path);
  let done = 0;
  const finished = (index: number, result: FileResult): void => {
    results[index] = result;
    run.onProgress?.(++done, inputs.length);
  };

  // Failures and cache hits first; what is left needs analysing.
  const todo: number[] = [];
  inputs.forEach((_, i) => {
    const l = loaded[i]!;
    if ('failed' in l) return finished(i, new FileResult(l.failed));
    const key = keys[i];
    const cached = key ? run.cache!.getFileSync(key) : undefined;
    if (cached) {
      // Should the tree copy turn out unusable when the IR is built: a fresh analysis.
      const reanalyse = (reason?: string): FileOutcome => {
        if (reason !== undefined) run.cache!.rejectFile(key!, reason);
        const { job, rules } = jobFor(i);
        return analyseFileSync(job, rules, knownRule);
      };
      try {
        return finished(i, FileResult.decodeHead(cached, reanalyse));
      } catch (error) {
        // a damaged entry: analyse the file again
        run.cache!.rejectFile(key!, `its outcome does not hold together (${(error as Error).message})`);
      }
    }
    todo.push(i);
  });

  // Cache entries are written in the background, a few at a time: waiting for each write
  // before the next file would hold up the hand-over of work to the threads.
  const writes: Promise<void>[] = [];
  const writing = createLimiter(8);
  const store = (index: number, result: FileResult, bytes: Uint8Array | undefined): void => {
    const key = keys[index];
    if (key && bytes && result.meta.cacheable) writes.push(writing(() => run.cache!.putFile(key, outcomeParts(bytes))));
    finished(index, result);
  };
  // On this thread, files are analysed one at a time, so a file's time budget is its own. Test
  // code's IR is built only if the rest imports it (see the taint run), from the tree copy; the
  // others need one only for their cache entry.
  const analyseHere = async (index: number): Promise<void> => {
    const { job, rules } = jobFor(index);
    const later = outsideDataFlow(index);
    const cached = keys[index] !== undefined;
    const outcome = await analyseFile({ ...job, ...(later ? { buildIR: false } : {}), ...(later || cached ? {} : { copyTree: false }) }, rules, knownRule);
    store(index, FileResult.fromOutcome(outcome), cached && outcome.meta.cacheable ? encodeOutcome(outcome) : undefined);
  };

  if (!(run.jobs > 1 && todo.length >= MIN_FILES_FOR_WORKERS)) {
    for (const index of todo) await analyseHere(index);
    await Promise.all(writes);
    return results;
  }

  const pool = new FilePool(run.jobs - 1);
  const runBatch = async (batch: number[]): Promise<void> => {
    let outcomes: Uint8Array[];
    try {
      outcomes = await pool.run(batch.map((i) => ({ ...jobFor(i).job, buildIR: false })));
    } catch (error) {
      // A worker died (out of memory, say): retry the batch's files one by one, so only the
      // file that caused it is lost.
      if (batch.length > 1) {
        for (const i of batch) await runBatch([i]);
        return;
      }
      const path = inputs[batch[0]!]!.file.path;
      return finished(batch[0]!, new FileResult(failedMeta(path, { kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` }, false)));
    }
    for (const [n, index] of batch.entries()) {
      const result = FileResult.decode(outcomes[n]!);
      // Cache it as the worker made it, before the IR (built here, while workers run) can
      // change its meta.
      store(index, result, outcomes[n]);
      if (run.language && !outsideDataFlow(index)) result.takeIR(run.language, plan.fileTimeoutMs);
    }
  };
  const batches = batchesOf(todo, loaded);
  let next = 0;
  const take = (): number[] | undefined => (next < batches.length ? batches[next++] : undefined);
  // Two batches in flight per worker, so none waits while the main thread is busy.
  const feedWorker = async (): Promise<void> => {
    for (let batch = take(); batch; batch = take()) await runBatch(batch);
  };
  const analyseOnMainThread = async (): Promise<void> => {
    for (let batch = take(); batch; batch = take()) {
      for (const index of batch) {
        await analyseHere(index);
        // What the workers returned meanwhile is taken in (their IRs built) before the next file.
        await new Promise<void>((resume) => setImmediate(resume));
      }
    }
  };
  try {
    await Promise.all([...Array.from({ length: 2 * (run.jobs - 1) }, feedWorker), analyseOnMainThread()]);
  } finally {
    await pool.close();
  }
  await Promise.all(writes);
  return results;
}

/** Batches for worker tasks: at most BATCH_BYTES of source or BATCH_FILES files each, in input order. */
function batchesOf(todo: readonly number[], loaded: readonly Loaded[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let size = 0;
  for (const index of todo) {
    const content = (loaded[index] as { content: Uint8Array | string }).content;
    current.push(index);
    size += typeof content === 'string' ? content.length : content.byteLength;
    if (size >= BATCH_BYTES || current.length >= BATCH_FILES) {
      batches.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
