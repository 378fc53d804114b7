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
import { BATCH_BYTES, BATCH_FILES, FilePool, MIN_FILES_FOR_WORKERS, TASKS_PER_WORKER } from '../workers/pool.js';
import { packEntries, type PendingEntry } from '../workers/entry-writes.js';
import { analyseFile, analyseFileSync, encodeHead, failedMeta, FileResult, outcomeSections, type FileJob, type FileMeta, type FileOutcome, type LanguageTable } from '../workers/file-job.js';
import type { SettingsPlan } from './settings-plan.js';
import { withLateRules, type LateAnswer, type LatePort } from '../workers/late-rules.js';

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
  /**
   * Workers started before the files were read (`jobs - 1` of them, see scan.ts): the stage owns
   * them from here on, and closes them itself when it has no use for them.
   */
  workers?: FilePool;
}

/**
 * Of the source to analyse, the share whose pattern rules run late on a worker, during the taint
 * pass (late-rules.ts), and at most this many bytes of it. On neutron (16 MB of source, two cores)
 * the rules of 40 % of it took the worker 0.6-0.8 s and the concurrency step after them 0.4 s,
 * within a 1.5 s taint pass; on neutron + nova, holding more than 6 MiB cost the worker more
 * (collections, 100 MB more at the peak) than it saved.
 */
export const LATE_RULES_SHARE = 0.4;
export const LATE_RULES_MAX_BYTES = 6 * 1024 * 1024;

/** Cache entries waiting this long, in bytes, are written at once rather than after the last file. */
const DEFERRED_ENTRY_BYTES = 128 * 1024 * 1024;

export interface FileStageResult {
  /** Per input, in input order. */
  results: FileResult[];
  /** Settles when the analysed files' cache entries are written (it never rejects). */
  written: Promise<void>;
  /**
   * The workers, when the files were shared with them, for the rest of the scan's work: the
   * caller closes them once `written` has settled and its own tasks are done, whatever becomes
   * of the scan.
   */
  workers?: FilePool;
  /**
   * Settles when the pattern findings of the files whose rules run late on a worker are in
   * their outcomes (see late-rules.ts): they run while the caller runs the taint pass, and
   * nothing may read a result's findings or diagnostics before this; the workers write those
   * files' cache entries before they answer.
   */
  lateRules: Promise<void>;
}

/**
 * Runs the per-file stages over every input. With `jobs` > 1 and enough files, `jobs - 1`
 * workers analyse batches of files while the main thread builds the IRs of what they return
 * and, whenever nothing they returned is waiting, analyses a batch itself: on a machine with
 * two cores, a third busy thread only made both slower, and each worker costs its own start-up
 * and compiled code. The workers run the pattern rules of their first batches late, while the
 * caller runs the taint pass (see `lateRules`).
 */
export async function analyseFiles(
  plan: FileStagePlan,
  inputs: readonly { file: DiscoveredFile }[],
  loaded: readonly Loaded[],
  keys: readonly (string | undefined)[],
  wantIR: boolean,
  run: FileStageRun,
): Promise<FileStageResult> {
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

  // A file's cache entry: written at once with no worker to hand it to, else handed over (see below).
  let keep = (key: string, outcome: FileOutcome): void => run.cache!.putFileSync(key, outcomeSections(outcome));
  // On this thread, files are analysed one at a time, so a file's time budget is its own. Test
  // code's IR is built only if the rest imports it (see the taint run), from the tree copy; the
  // others need one only for their cache entry.
  const analyseHere = async (index: number): Promise<void> => {
    const { job, rules } = jobFor(index);
    const later = outsideDataFlow(index);
    const cached = keys[index] !== undefined;
    const outcome = await analyseFile({ ...job, ...(later ? { buildIR: false } : {}), ...(later || cached ? {} : { copyTree: false }) }, rules, knownRule);
    if (cached && outcome.meta.cacheable) keep(keys[index]!, outcome);
    finished(index, FileResult.fromOutcome(outcome));
  };

  if (!(run.jobs > 1 && todo.length >= MIN_FILES_FOR_WORKERS)) {
    void run.workers?.close();
    for (const index of todo) await analyseHere(index);
    return { results, written: Promise.resolve(), lateRules: Promise.resolve() };
  }

  const pool = run.workers ?? new FilePool(run.jobs - 1);
  // Workers write the cache entries of their files as they go (they have the bytes at hand).
  // Those of the files analysed here wait until every file is analysed, then the workers write
  // them while this thread runs the taint pass; past DEFERRED_ENTRY_BYTES, a worker writes them at once.
  const writes: Promise<void>[] = [];
  let pending: PendingEntry[] = [];
  let pendingBytes = 0;
  const handOver = (tasks: number): void => {
    const share = Math.ceil(pending.length / tasks);
    for (let at = 0; at < pending.length; at += share) {
      // A worker that cannot write them (it died) only costs the next run its cache hits.
      writes.push(pool.write(packEntries(pending.slice(at, at + share))).catch(() => undefined));
    }
    pending = [];
    pendingBytes = 0;
  };
  keep = (key, outcome) => {
    // A tree copy that the IR is still to be built from (test code, see the taint run) stays here: a copy of it moves.
    const tree = outcome.tree && (outcome.ir ? outcome.tree : { ...outcome.tree, buffer: outcome.tree.buffer.slice(0) });
    const head = encodeHead(outcome);
    pending.push({ path: run.cache!.fileEntryPath(key), key, head, ...(tree ? { tree } : {}) });
    pendingBytes += head.byteLength + (tree?.buffer.byteLength ?? 0);
    if (pendingBytes > DEFERRED_ENTRY_BYTES) handOver(1);
  };
  // The first batches the workers take (the largest files) run their rules late, up to
  // LATE_RULES_SHARE of the source, when there is a taint pass to run them beside.
  const late: { port: LatePort; held: number[] }[] = [];
  let lateBudget = run.language ? Math.min(LATE_RULES_MAX_BYTES, LATE_RULES_SHARE * todo.reduce((n, i) => n + sizeOf(loaded[i]!), 0)) : 0;
  const runBatch = async (batch: number[], retry = false): Promise<void> => {
    let outcomes: Uint8Array[];
    const bytes = batch.reduce((n, i) => n + sizeOf(loaded[i]!), 0);
    const channel = !retry && bytes <= lateBudget ? new MessageChannel() : undefined;
    if (channel) lateBudget -= bytes;
    try {
      outcomes = await pool.run(batch.map((i) => {
        const key = keys[i];
        return { ...jobFor(i).job, buildIR: false, ...(key ? { cacheEntry: { path: run.cache!.fileEntryPath(key), key } } : {}) };
      }), channel?.port2);
    } catch (error) {
      channel?.port1.close();
      // A worker died (out of memory, say): retry the batch's files one by one, so only the
      // file that caused it is lost.
      if (batch.length > 1) {
        for (const i of batch) await runBatch([i], true);
        return;
      }
      const path = inputs[batch[0]!]!.file.path;
      return finished(batch[0]!, new FileResult(failedMeta(path, { kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` }, false)));
    }
    // The files whose rules the worker holds: those it analysed, with a tree copy.
    const held: number[] = [];
    for (const [n, index] of batch.entries()) {
      const result = FileResult.decode(outcomes[n]!);
      if (channel && result.meta.analysed && result.hasIR) held.push(index);
      // The worker wrote its cache entry (or writes it once its rules have run).
      finished(index, result);
      if (run.language && !outsideDataFlow(index)) result.takeIR(run.language, plan.fileTimeoutMs);
    }
    if (channel) late.push({ port: channel.port1, held });
  };
  // Largest files first: the workers take batches from the front, the main thread from the back,
  // so it never holds up the hand-over of work with a large file, and the small files that are
  // left last share out evenly.
  const bySize = [...todo].sort((a, b) => sizeOf(loaded[b]!) - sizeOf(loaded[a]!) || a - b);
  const batches = batchesOf(bySize, loaded);
  let front = 0;
  let back = batches.length;
  const takeFront = (): number[] | undefined => (front < back ? batches[front++] : undefined);
  const takeBack = (): number[] | undefined => (front < back ? batches[--back] : undefined);
  // As many batches in flight per worker as it holds, so none waits while the main thread is busy.
  const feedWorker = async (): Promise<void> => {
    for (let batch = takeFront(); batch; batch = takeFront()) await runBatch(batch);
  };
  const analyseOnMainThread = async (): Promise<void> => {
    for (let batch = takeBack(); batch; batch = takeBack()) {
      for (const index of batch) {
        await analyseHere(index);
        // What the workers returned meanwhile is taken in (their IRs built) before the next file.
        await new Promise<void>((resume) => setImmediate(resume));
      }
    }
  };
  try {
    await Promise.all([...Array.from({ length: TASKS_PER_WORKER * (run.jobs - 1) }, feedWorker), analyseOnMainThread()]);
  } catch (error) {
    await pool.close();
    throw error;
  }
  handOver(run.jobs - 1);
  // Every file is analysed: the rules held back run now, on the workers.
  const lateRulesOf = async ({ port, held }: (typeof late)[number]): Promise<void> => {
    const answer = await new Promise<LateAnswer | undefined>((settle) => {
      port.once('message', (m: LateAnswer) => settle(m));
      port.once('close', () => settle(undefined));
      port.postMessage('go');
    });
    port.close();
    held.forEach((index, n) => {
      const file = results[index]!;
      const result = answer && 'results' in answer && answer.results.length === held.length ? answer.results[n] : undefined;
      // A worker that died or failed: the file is analysed again here, whole (its entry is not written).
      if (!result) {
        const { job, rules } = jobFor(index);
        file.meta = analyseFileSync({ ...job, buildIR: false }, rules, knownRule).meta;
      } else if ('failed' in result) file.meta = failedMeta(file.meta.path, result.failed, false);
      // (A file whose data-flow model outlasted its budget here is skipped already.)
      else if (file.meta.analysed) file.meta = withLateRules(file.meta, result);
    });
  };
  const lateRules = Promise.all(late.map(lateRulesOf)).then(() => undefined);
  const written = Promise.all(writes).then(() => undefined);
  return { results, written, workers: pool, lateRules };
}

function sizeOf(l: Loaded): number {
  const content = (l as { content: Uint8Array | string }).content;
  return typeof content === 'string' ? content.length : content.byteLength;
}

/** Batches for worker tasks: at most BATCH_BYTES of source or BATCH_FILES files each, in the order given. */
function batchesOf(todo: readonly number[], loaded: readonly Loaded[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let size = 0;
  for (const index of todo) {
    current.push(index);
    size += sizeOf(loaded[index]!);
    if (size >= BATCH_BYTES || current.length >= BATCH_FILES) {
      batches.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
