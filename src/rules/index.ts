import type { AnyRule } from './define-rule.js';
import { injectionRules } from './python/injection/index.js';

/** Every built-in rule, in a stable order (by id). */
export const allRules: readonly AnyRule[] = [...injectionRules].sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): AnyRule | undefined {
  return allRules.find((r) => r.id === id);
}
