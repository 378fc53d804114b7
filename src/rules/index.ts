import type { AnyRule } from './define-rule.js';
import { injectionRules } from './python/injection/index.js';
import { cryptoRules } from './python/crypto/index.js';
import { webFileRules } from './python/web-files/index.js';
import { errorHandlingRules } from './python/error-handling/index.js';
import { taintRules } from './python/taint/index.js';
import { failurePathRules } from './python/failure-paths/index.js';

/** Every built-in rule, in a stable order (by id). */
export const allRules: readonly AnyRule[] = [
  ...injectionRules,
  ...cryptoRules,
  ...webFileRules,
  ...errorHandlingRules,
  ...taintRules,
  ...failurePathRules,
].sort((a, b) => a.id.localeCompare(b.id));

const byId = new Map(allRules.map((r) => [r.id, r]));

export function findRule(id: string): AnyRule | undefined {
  return byId.get(id);
}
