/**
 * Analysis results a report carries in memory for the steps run after the scan (the LLM second
 * opinion gives the model the concurrency facts and checks its race claims against them), under
 * a symbol, not enumerable: JSON, the reporters and deep comparisons never see them, a report read
 * back from a file has none, and a copy (`{ ...report }`) has them only if `carryResults` gives
 * them to it.
 */
import type { ConcurrencyResult } from '../analysis/concurrency/races.js';

const CONCURRENCY = Symbol('secreview.concurrency');

/**
 * Keeps the whole-program concurrency analysis of a scan with its report: the analysis, or how
 * to make it on first use (the scan's findings came from a worker; see concurrency-stage.ts).
 */
export function attachConcurrency<R extends object>(report: R, result: ConcurrencyResult | (() => ConcurrencyResult)): R {
  let made: ConcurrencyResult | undefined = typeof result === 'function' ? undefined : result;
  const get = (): ConcurrencyResult => (made ??= (result as () => ConcurrencyResult)());
  Object.defineProperty(report, CONCURRENCY, { value: get, enumerable: false, configurable: true, writable: true });
  return report;
}

/** The concurrency analysis the scan behind this report ran, if it ran one (a concurrency rule was selected). */
export function concurrencyOf(report: object): ConcurrencyResult | undefined {
  return (report as { [CONCURRENCY]?: () => ConcurrencyResult })[CONCURRENCY]?.();
}

/** Gives `copy` the results `from` carries (a copy made with `{ ...from }` loses them). */
export function carryResults<R extends object>(from: object, copy: R): R {
  const get = (from as { [CONCURRENCY]?: () => ConcurrencyResult })[CONCURRENCY];
  return get ? attachConcurrency(copy, get) : copy;
}
