import type { Finding } from '../../findings/types.js';
import type { AnyRule } from '../../rules/define-rule.js';
import type { ModelSet } from '../taint/models.js';
import type { ConcurrencyFacts } from './facts.js';
import { concurrencyModelWith } from './model.js';
import { analyseConcurrency, type ConcurrencyIssue, type ConcurrencyResult } from './races.js';
import { concurrencyFindings } from './to-findings.js';

/**
 * Test code is not analysed for races: test runners call it one test at a time, and its mocks and
 * fixtures would only add noise (and a third of a large project's functions).
 */
export function concurrencyAppliesTo(path: string): boolean {
  return !/(^|\/)(tests?|unit_tests|functional_tests)\/|(^|\/)(test_[^/]*|[^/]*_tests?|conftest)\.py$/.test(path);
}

/**
 * The whole-program step of the concurrency rules: link every file's facts, find the races,
 * turn them into findings of the rules asked for. Nothing to do when no concurrency rule runs.
 * `handlerDecorators` are the taint models' request-handler decorators (concurrent entry points).
 * `onResult` receives the analysis the findings came from (the LLM second opinion reuses it).
 */
export function runConcurrencyRules(
  rules: readonly AnyRule[],
  files: readonly { concurrency?: ConcurrencyFacts }[],
  handlerDecorators: readonly string[],
  extra?: readonly string[],
  onResult?: (result: ConcurrencyResult) => void,
): Finding[] {
  const byKind = new Map<ConcurrencyIssue['kind'], AnyRule>();
  for (const r of rules) if (r.concurrency) byKind.set(r.concurrency.kind, r);
  if (byKind.size === 0) return [];
  const facts = files.map((f) => f.concurrency).filter((f): f is ConcurrencyFacts => f !== undefined);
  if (facts.length === 0) return [];
  const result = analyseFacts(facts, handlerDecorators, extra);
  onResult?.(result);
  return concurrencyFindings(result, byKind);
}

/** The whole-program analysis of the files' facts, with the concurrency models and the extra ones. */
export function analyseFacts(facts: readonly ConcurrencyFacts[], handlerDecorators: readonly string[], extra?: readonly string[]): ConcurrencyResult {
  const model = concurrencyModelWith(extra);
  return analyseConcurrency(facts, { handlerDecorators, threadClasses: model.threadClasses });
}
