import { join, type Value } from '../values.js';
import type { Expr } from '../ir.js';

/** A function's variables as the interpreter sees them, and how branches' variables are joined. */

export type Env = Map<string, Value>;

/** How a block ends: it falls through, or it leaves (return, raise, break, continue, exit call). */
export type Flow = 'normal' | 'exit';

/** The env key an expression is stored under (`x`, `self.x` is stored on `self`). */
export function envKey(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  return undefined;
}

/** The join of two environments; `a` itself when `b` holds nothing else (callers copy before changing it). */
export function joinEnv(a: Env, b: Env): Env {
  let out: Env | undefined;
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === v) continue;
    out ??= new Map(a);
    out.set(k, join(old, v));
  }
  return out ?? a;
}

export function replaceEnv(target: Env, source: Env): void {
  if (target === source) return;
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}
