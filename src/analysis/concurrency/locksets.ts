import type { ConcurrencyProgram } from './program.js';

/**
 * Locks a function's callers hold for it (RacerD-style summaries): a function called only while
 * its callers hold lock L runs with L held, whatever its own body does. For each function, the
 * intersection over every known call site of (locks held at the call ∪ locks held for the caller);
 * entry points (called by a thread, a pool, the RPC layer, any outside caller) and functions with
 * no known caller get none. Decorator locks are part of the body's own lock sets already.
 */
export function inheritedLocks(program: ConcurrencyProgram): Map<string, ReadonlySet<string>> {
  const result = new Map<string, Set<string> | null>(); // null: not computed yet (top)
  const entries = new Set(program.entries.map((e) => e.fn));
  for (const id of program.functions.keys()) {
    const hasCallers = (program.callers.get(id)?.length ?? 0) > 0;
    result.set(id, entries.has(id) || !hasCallers ? new Set() : null);
  }
  // Worklist to a fixed point: sets only shrink from top, so this terminates.
  const queue = [...program.functions.keys()];
  const queued = new Set(queue);
  let rounds = 0;
  const limit = program.functions.size * 20 + 100;
  for (let head = 0; head < queue.length && rounds++ < limit; head++) {
    const id = queue[head]!;
    queued.delete(id);
    if (entries.has(id)) continue;
    const callers = program.callers.get(id);
    if (!callers || callers.length === 0) continue;
    let acc: Set<string> | null = null;
    for (const { from, edge } of callers) {
      const callerLocks = result.get(from);
      if (callerLocks === null || callerLocks === undefined) continue; // top: no constraint yet
      const held: Set<string> = new Set<string>([...edge.locks, ...callerLocks]);
      const prev: Set<string> | null = acc;
      acc = prev === null ? held : new Set<string>([...prev].filter((l: string) => held.has(l)));
    }
    if (acc === null) continue;
    const before = result.get(id);
    if (before && before.size === acc.size && [...acc].every((l) => before.has(l))) continue;
    result.set(id, acc);
    for (const edge of program.edges.get(id) ?? []) {
      if (!queued.has(edge.to)) {
        queued.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  // Only functions whose callers hold a lock for them: an absent entry is the empty set.
  const out = new Map<string, ReadonlySet<string>>();
  for (const [id, set] of result) if (set && set.size > 0) out.set(id, set);
  return out;
}
