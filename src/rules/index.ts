import type { AnyRule } from './define-rule.js';
import { injectionRules } from './python/injection/index.js';
import { cryptoRules } from './python/crypto/index.js';
import { webFileRules } from './python/web-files/index.js';
import { errorHandlingRules } from './python/error-handling/index.js';
import { taintRules } from './python/taint/index.js';
import { concurrencyRules } from './python/concurrency/index.js';
import { failurePathRules } from './python/failure-paths/index.js';
import { javascriptTaintRules } from './javascript/taint/index.js';
import { settingsRules } from './python/settings/index.js';
import { javascriptCodeRules } from './javascript/code/index.js';
import { javascriptCryptoRules } from './javascript/crypto/index.js';
import { javascriptAuthRules } from './javascript/auth/index.js';
import { javascriptWebRules } from './javascript/web/index.js';
import { javascriptBrowserRules } from './javascript/browser/index.js';
import { javascriptFileRules } from './javascript/files/index.js';
import { javascriptLogicRules } from './javascript/logic/index.js';

/** Every built-in rule, in a stable order (by id). */
export const allRules: readonly AnyRule[] = [
  ...injectionRules,
  ...cryptoRules,
  ...webFileRules,
  ...errorHandlingRules,
  ...taintRules,
  ...concurrencyRules,
  ...failurePathRules,
  ...javascriptTaintRules,
  ...settingsRules,
  ...javascriptCodeRules,
  ...javascriptCryptoRules,
  ...javascriptAuthRules,
  ...javascriptWebRules,
  ...javascriptBrowserRules,
  ...javascriptFileRules,
  ...javascriptLogicRules,
].sort((a, b) => a.id.localeCompare(b.id));

const byId = new Map(allRules.map((r) => [r.id, r]));

export function findRule(id: string): AnyRule | undefined {
  return byId.get(id);
}

/**
 * The rules a `select` entry names: a rule id, or `CWE-<n>` for every rule that lists that CWE
 * (any of its CWEs, not only the first). Undefined when the entry names nothing.
 */
export function rulesSelectedBy(entry: string, rules: readonly AnyRule[] = allRules): AnyRule[] | undefined {
  const cwe = /^CWE-(\d+)$/i.exec(entry.trim());
  if (cwe) {
    const id = Number(cwe[1]);
    const matched = rules.filter((r) => r.cwe.includes(id));
    return matched.length > 0 ? matched : undefined;
  }
  const rule = rules.find((r) => r.id === entry.trim());
  return rule ? [rule] : undefined;
}
