/**
 * Worker-thread entry: runs one file job and hands the outcome back as bytes, moved rather
 * than copied. Rules are looked up by id, since functions cannot cross threads.
 */
import Tinypool from 'tinypool';
import { findRule } from '../rules/index.js';
import type { AnyRule } from '../rules/define-rule.js';
import { analyseFile, encodeOutcome, type FileJob } from './file-job.js';

const knownRule = (id: string): boolean => findRule(id) !== undefined;

export default async function runFileJob(job: FileJob): Promise<Uint8Array> {
  const rules = job.ruleIds.map((id) => {
    const rule = findRule(id);
    if (!rule) throw new Error(`unknown rule id ${id}`);
    return rule;
  }) as AnyRule[];
  const bytes = encodeOutcome(await analyseFile(job, rules, knownRule));
  return Tinypool.move(bytes) as Uint8Array;
}
