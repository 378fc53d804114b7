/**
 * Analysis results a report carries in memory for the steps run after the scan (the LLM second
 * opinion gives the model the concurrency facts and checks its race claims against them), under
 * a symbol, not enumerable: JSON, the reporters and deep comparisons never see them, a report read
 * back from a file has none, and a copy (`{ ...report }`) has them only if `carryResults` gives
 * them to it.
 */
import type { ConcurrencyResult } from '../analysis/concurrency/races.js';

const CONCURRENCY = Symbol('secreview.concurrency');
const CACHE_WRITES = Symbol('secreview.cache-writes');

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
  const writes = cacheWritesOf(from);
  if (writes) attachCacheWrites(copy, writes);
  return get ? attachConcurrency(copy, get) : copy;
}

/** Keeps with a report the cache writes its scan left for after it (`ScanOptions.cache.afterReport`). */
export function attachCacheWrites<R extends object>(report: R, finish: () => Promise<void>): R {
  Object.defineProperty(report, CACHE_WRITES, { value: finish, enumerable: false, configurable: true, writable: true });
  return report;
}

/**
 * The cache writes the scan behind this report left for after it, if it left any: the same
 * promise however often it is called (it never rejects: a cache that cannot be written only costs speed).
 */
export function cacheWritesOf(report: object): (() => Promise<void>) | undefined {
  return (report as { [CACHE_WRITES]?: () => Promise<void> })[CACHE_WRITES];
}
