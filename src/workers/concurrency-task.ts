/**
 * The whole-program concurrency step as a worker task: a scan hands it the files' facts (copied)
 * while its own thread runs the taint pass, and gets the findings back. Rules travel by id.
 */
import type { Finding } from '../findings/types.js';
import type { ConcurrencyFacts } from '../analysis/concurrency/facts.js';
import { runConcurrencyRules } from '../analysis/concurrency/run.js';
import { findRule } from '../rules/index.js';

export interface ConcurrencyTask {
  /** The concurrency rules asked for (registered ones only). */
  ruleIds: string[];
  /** The analysed files' facts, in the scan's file order. */
  facts: ConcurrencyFacts[];
  handlerDecorators: string[];
  /** The `models:` setting's concurrency model files. */
  extra: string[];
}

export function findConcurrencyIssues(task: ConcurrencyTask): Finding[] {
  const rules = task.ruleIds.map((id) => {
    const rule = findRule(id);
    if (!rule?.concurrency) throw new Error(`unknown concurrency rule id ${id}`);
    return rule;
  });
  return runConcurrencyRules(rules, task.facts.map((concurrency) => ({ concurrency })), task.handlerDecorators, task.extra);
}
