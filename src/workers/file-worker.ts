/**
 * Worker-thread entry: runs a batch of file jobs and hands their outcomes back as one buffer,
 * moved rather than copied. Rules are looked up by id, since functions cannot cross threads.
 * Batches keep the per-task cost of the pool (messages, bookkeeping) small next to the work.
 */
import Tinypool from 'tinypool';
import { findRule } from '../rules/index.js';
import type { AnyRule } from '../rules/define-rule.js';
import { analyseFile, outcomeSections, type FileJob } from './file-job.js';
import { writeFileEntrySync } from '../cache/scan-cache.js';
import { packOutcomes } from './batch.js';
import { writePackedEntries } from './entry-writes.js';
import { holdUntilGo, type HeldFile, type LatePort } from './late-rules.js';

const knownRule = (id: string): boolean => findRule(id) !== undefined;

/** A worker task: files to analyse, and the port to run their rules late on (see late-rules.ts). */
export interface FileBatch {
  jobs: readonly FileJob[];
  rulesLater?: LatePort;
}

export default async function runFileJobs({ jobs, rulesLater }: FileBatch): Promise<Uint8Array> {
  const outcomes: Uint8Array[][] = [];
  const held: HeldFile[] = [];
  for (const job of jobs) {
    const rules = job.ruleIds.map((id) => {
      const rule = findRule(id);
      if (!rule) throw new Error(`unknown rule id ${id}`);
      return rule;
    }) as AnyRule[];
    let outcome = await analyseFile(job, rulesLater ? [] : rules, knownRule);
    // No tree copy to run the rules on later (no data-flow model was wanted): they run now.
    if (rulesLater && outcome.meta.analysed && !outcome.tree) outcome = await analyseFile(job, rules, knownRule);
    const [head, tree] = outcomeSections(outcome);
    if (rulesLater && outcome.meta.analysed && outcome.tree) {
      // The tree's buffer moves to the main thread with the outcome: the rules run on a copy.
      const copy = { ...outcome.tree, buffer: outcome.tree.buffer.slice(0) };
      held.push({ job, rules, meta: outcome.meta, source: outcome.source!, tree: copy, ...(outcome.encoding ? { encoding: outcome.encoding } : {}) });
    } else if (job.cacheEntry && outcome.meta.cacheable) {
      writeFileEntrySync(job.cacheEntry.path, job.cacheEntry.key, [head, tree]);
    }
    outcomes.push([head, ...tree]);
  }
  if (rulesLater) holdUntilGo(rulesLater, held);
  return Tinypool.move(packOutcomes(outcomes)) as Uint8Array;
}

/** The other tasks: the whole-program concurrency step (see concurrency-task.ts), and writing the cache entries of files the main thread analysed (see entry-writes.ts). */
export { writePackedEntries as writeCacheEntries };
export { findConcurrencyIssues } from './concurrency-task.js';
