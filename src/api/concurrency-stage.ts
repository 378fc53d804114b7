/**
 * The whole-program concurrency step of a scan, on a worker while this thread runs the taint
 * pass when the scan has workers, else here. Its analysis (for the LLM second opinion, which few
 * runs ask for) is then made here on first use, from the same facts: the same result.
 */
import type { Finding } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';
import { findRule } from '../rules/index.js';
import type { ConcurrencyFacts } from '../analysis/concurrency/facts.js';
import type { ConcurrencyResult } from '../analysis/concurrency/races.js';
import { analyseFacts, runConcurrencyRules } from '../analysis/concurrency/run.js';
import type { FilePool } from '../workers/pool.js';

export interface ConcurrencyStage {
  findings: Promise<Finding[]>;
  /** The analysis the findings came from; undefined when none ran (no concurrency rule, no facts). */
  analysis: (() => ConcurrencyResult) | undefined;
}

export function startConcurrency(
  rules: readonly AnyRule[],
  files: readonly { concurrency?: ConcurrencyFacts }[],
  handlerDecorators: () => readonly string[],
  extra: readonly string[],
  workers?: FilePool,
): ConcurrencyStage {
  const wanted = rules.filter((r) => r.concurrency);
  const facts = files.map((f) => f.concurrency).filter((f): f is ConcurrencyFacts => f !== undefined);
  if (wanted.length === 0 || facts.length === 0) return { findings: Promise.resolve([]), analysis: undefined };
  const decorators = [...handlerDecorators()];
  let result: ConcurrencyResult | undefined;
  const analysis = (): ConcurrencyResult => (result ??= analyseFacts(facts, decorators, extra));
  const here = (): Finding[] => runConcurrencyRules(wanted, files, decorators, extra, (r) => (result = r));
  // Rules given as objects that are not the registered ones cannot travel by id.
  if (!workers || !wanted.every((r) => findRule(r.id) === r)) return { findings: Promise.resolve(here()), analysis };
  const task = { ruleIds: wanted.map((r) => r.id), facts, handlerDecorators: decorators, extra: [...extra] };
  // A worker that fails (it died) only costs the time of running the step here.
  return { findings: workers.findConcurrencyIssues(task).catch(here), analysis };
}
