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

const knownRule = (id: string): boolean => findRule(id) !== undefined;

export default async function runFileJobs(jobs: readonly FileJob[]): Promise<Uint8Array> {
  const outcomes: Uint8Array[][] = [];
  for (const job of jobs) {
    const rules = job.ruleIds.map((id) => {
      const rule = findRule(id);
      if (!rule) throw new Error(`unknown rule id ${id}`);
      return rule;
    }) as AnyRule[];
    const outcome = await analyseFile(job, rules, knownRule);
    const [head, tree] = outcomeSections(outcome);
    if (job.cacheEntry && outcome.meta.cacheable) writeFileEntrySync(job.cacheEntry.path, job.cacheEntry.key, [head, tree]);
    outcomes.push([head, ...tree]);
  }
  return Tinypool.move(packOutcomes(outcomes)) as Uint8Array;
}

/** The other tasks: the whole-program concurrency step (see concurrency-task.ts), and writing the cache entries of files the main thread analysed (see entry-writes.ts). */
export { writePackedEntries as writeCacheEntries };
export { findConcurrencyIssues } from './concurrency-task.js';
