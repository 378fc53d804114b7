import type { Access, ConcurrencyFacts, Span } from './facts.js';
import { ConcurrencyProgram, type ProgramOptions, type Reach } from './program.js';
import { inheritedLocks } from './locksets.js';
import { BlockingSummary } from './blocking.js';
import { confidenceRank } from '../../findings/types.js';

/**
 * Race detection over the linked program: accesses of shared state made from functions that run
 * concurrently, with the lock set at each (the function body's own plus what its callers hold
 * for it), checked for two defects:
 *
 * - inconsistent locking: a resource written under a lock somewhere, and read or written with
 *   none of that write's locks somewhere else;
 * - check-then-act: a check of shared state and an act on it with no single lock held across
 *   both.
 */

export type Confidence = 'low' | 'medium' | 'high';

export interface IssueSite {
  path: string;
  span: Span;
  code: string;
  /** Locks held there (own and inherited). */
  locks: string[];
  fn: string;
}

export interface ConcurrencyIssue {
  kind: 'inconsistent-locking' | 'check-then-act';
  resource: string;
  /** Where the finding is reported: the unguarded access, or the check. */
  primary: IssueSite & { access?: 'read' | 'write' };
  /** The locked write (inconsistent locking) or the act (check-then-act). */
  other: IssueSite & { access?: 'read' | 'write' };
  /** How the primary site's function runs concurrently. */
  reach: Reach;
  /** Functions on the way from the entry point to the primary site, entry first. */
  chain: { fn: string; path: string; line: number; column: number; callee: string }[];
  confidence: Confidence;
  /** Locks that guard the resource elsewhere (for the fix). */
  guardedBy: string[];
  shape?: 'if' | 'flag';
  /** Why the confidence is lower than the lock evidence alone would make it, for the message. */
  notes?: string[];
  /** Inconsistent locking: other fields accessed the same way without the same lock on the way from the same entry point (one report per entry, as RacerD). */
  alsoUnguarded?: { resource: string; site: IssueSite & { access?: 'read' | 'write' } }[];
}

export interface ConcurrencyResult {
  issues: ConcurrencyIssue[];
  stats: { functions: number; entries: number; concurrent: number };
  program: ConcurrencyProgram;
  /** Locks each function's callers hold for it, and the resource an access's resource counts as: what the checks above used. */
  inherited: ReadonlyMap<string, ReadonlySet<string>>;
  canonical: (resource: string) => string;
}

export function analyseConcurrency(files: readonly ConcurrencyFacts[], options: ProgramOptions = {}): ConcurrencyResult {
  const program = new ConcurrencyProgram(files, options);
  const inherited = inheritedLocks(program);
  const canonical = canonicalResources(program);
  const issues: ConcurrencyIssue[] = [];
  // Green threads (eventlet.monkey_patch): a thread switches only where it blocks.
  const greenFile = files.find((f) => f.greenThreads);
  const green = greenFile?.greenThreads ? `${greenFile.path}:${greenFile.greenThreads.line}` : undefined;
  const blocking = new BlockingSummary(program, inherited);

  // Which classes take each lock in their own code (a body, a `with`, a decorator).
  const holders = new Map<string, Set<string>>();
  for (const f of program.functions.values()) {
    if (!f.cls) continue;
    const own = new Set([...f.locks, ...f.accesses.flatMap((a) => a.locks), ...f.calls.flatMap((c) => c.locks)]);
    for (const l of own) {
      const set = holders.get(l);
      if (set) set.add(f.cls);
      else holders.set(l, new Set([f.cls]));
    }
  }
  /** Whether the class owning `resource` (or a relative) takes `lock` itself. */
  const ownerHoldsLock = (resource: string, lock: string): boolean => {
    const owner = resource.slice(0, resource.indexOf('#'));
    if (!program.classes.has(owner)) return true; // module state: any holder counts
    const family = new Set([...program.ancestors(owner), ...program.descendants(owner)]);
    return [...(holders.get(lock) ?? [])].some((c) => family.has(c) || program.ancestors(c).includes(owner));
  };

  interface Placed {
    access: Access;
    fn: string;
    path: string;
    locks: string[];
  }
  const byResource = new Map<string, Placed[]>();
  const lockedAnywhere = new Set<string>();
  for (const [id, reach] of program.reach) {
    void reach;
    const fn = program.functions.get(id)!;
    const extra = [...(inherited.get(id) ?? [])];
    for (const a of fn.accesses) {
      const r = canonical(a.resource);
      const locks = [...new Set([...a.locks, ...extra])].sort();
      if (locks.length) lockedAnywhere.add(r);
      const list = byResource.get(r);
      const placed = { access: a, fn: id, path: fn.path, locks };
      if (list) list.push(placed);
      else byResource.set(r, [placed]);
    }
  }

  // Inconsistent locking: per resource, the locked writes; every access sharing none of a locked write's locks.
  for (const [resource, accesses] of byResource) {
    const lockedWrites = accesses.filter((p) => p.access.kind === 'write' && p.locks.length > 0);
    if (lockedWrites.length === 0) continue;
    const guardedBy = [...new Set(lockedWrites.flatMap((w) => w.locks))].sort();
    const reported = new Set<string>();
    // Writes first, so a function with an unguarded write and read reports the write.
    const ordered = [...accesses].sort((a, b) => (a.access.kind === b.access.kind ? 0 : a.access.kind === 'write' ? -1 : 1));
    for (const p of ordered) {
      const w = lockedWrites.find((lw) => !lw.locks.some((l) => p.locks.includes(l)) && program.concurrent(p.fn, lw.fn));
      if (!w || w === p) continue;
      const key = p.fn;
      if (reported.has(key)) continue;
      reported.add(key);
      const reach = program.reach.get(p.fn)!;
      let confidence: Confidence = p.access.kind === 'write' ? 'high' : 'medium';
      if (reach.weak) confidence = lower(confidence);
      const notes: string[] = [];
      if (green && p.access.kind === 'read') {
        confidence = 'low';
        notes.push(`the program runs on green threads (\`eventlet.monkey_patch()\` at ${green}), where a single unlocked read sees the field either before or after a change, never half-way`);
      }
      // Green threads: an unlocked write is one step no other green thread can split, and a
      // locked region that cannot block runs whole; with no locked region of this state that can
      // block, no interleaving can break what the lock protects.
      if (green && p.access.kind === 'write' && confidence !== 'low') {
        const missing = guardedBy.filter((l) => !p.locks.includes(l));
        const locked = accesses.filter((q) => q.locks.some((l) => missing.includes(l)));
        const regionBlocks = locked.some((q) => q.locks.filter((l) => missing.includes(l)).some((l) => blocking.heldMayBlock(q.fn, l)));
        if (!regionBlocks) {
          confidence = 'low';
          notes.push(`the program runs on green threads (\`eventlet.monkey_patch()\` at ${green}) and no code holding the lock for this state can block while it holds it, so no other green thread can run in the middle of a locked section`);
        }
      }
      // Concurrent only because its class owns a lock, and nothing in the program calls it.
      const entries = program.entriesOf.get(p.fn) ?? [];
      if (confidence !== 'low' && entries.length > 0 && entries.every((e) => program.uncalledLockOwnerMethod(e))) {
        confidence = 'low';
        const names = [...new Set(entries.map((e) => program.functions.get(e.fn)?.name ?? e.fn))].map((n) => `\`${n}\``).join(' and ');
        notes.push(`nothing in the scanned code calls ${names}, whose class has no base outside it: that it runs concurrently is inferred from the class owning a lock alone, and only code outside the scan (tests, other packages) can call it`);
      }
      // The lock is only ever held by callers of another class (for their own state), and most writers of this state take none.
      if (lockedWrites.every((lw) => lw.access.locks.length === 0) && !guardedBy.some((l) => ownerHoldsLock(resource, l))) {
        const lockedFns = new Set(lockedWrites.map((lw) => lw.fn));
        const unlockedFns = new Set(accesses.filter((a) => a.access.kind === 'write' && !a.locks.some((l) => guardedBy.includes(l))).map((a) => a.fn));
        confidence = unlockedFns.size > lockedFns.size ? 'low' : lower(confidence);
        notes.push(
          `the lock is not taken for this state anywhere: it is held by the callers of ${lockedFns.size === 1 ? 'the locked write' : 'the locked writes'} (for their own work)` +
            (unlockedFns.size > lockedFns.size ? `, and ${unlockedFns.size} functions write it without any lock against ${lockedFns.size} under one` : ''),
        );
      }
      issues.push({
        kind: 'inconsistent-locking',
        resource,
        primary: { path: p.path, span: p.access.span, code: p.access.code, locks: p.locks, fn: p.fn, access: p.access.kind },
        other: { path: w.path, span: w.access.span, code: w.access.code, locks: w.locks, fn: w.fn, access: 'write' },
        ...(unlockedPath(program, inherited, p.fn, guardedBy.filter((l) => !p.locks.includes(l)), reach) ?? { reach, chain: chainOf(program, p.fn) }),
        confidence,
        guardedBy,
        ...(notes.length ? { notes } : {}),
      });
    }
  }

  // Check-then-act.
  const readsOf = (fnId: string, depth: number, seen: Set<string>): Set<string> => {
    const out = new Set<string>();
    if (depth > 2 || seen.has(fnId)) return out;
    seen.add(fnId);
    const fn = program.functions.get(fnId);
    if (!fn) return out;
    for (const a of fn.accesses) if (a.kind === 'read') out.add(canonical(a.resource));
    for (const e of program.edges.get(fnId) ?? []) if (!e.weak) for (const r of readsOf(e.to, depth + 1, seen)) out.add(r);
    return out;
  };
  for (const [id, reach] of program.reach) {
    const fn = program.functions.get(id)!;
    if (fn.checks.length === 0) continue;
    const extra = [...(inherited.get(id) ?? [])];
    const reported = new Set<string>();
    for (const c of fn.checks) {
      if (fn.async && !c.awaitBetween) continue; // one event loop thread: nothing interleaves without an await
      // Green threads: with nothing that can block between the check and the act, no other green
      // thread runs in between (a flag is acted on later, after the work, so it still counts).
      const noYield = c.noYield || (c.yieldCalls !== undefined && !c.yieldCalls.some((ref) => blocking.callMayBlock(ref, id)));
      if (green && noYield && c.shape === 'if') continue;
      // `batch = self.pending; self.pending = []` between blocking calls: the swap is atomic under green threads.
      if (green && c.reset) continue;
      // `if k in self.d: self.d.pop(k, None)`: a stale check does the act no harm.
      if (c.tolerant) continue;
      const resource = canonical(c.act.resource);
      const reads = new Set(c.reads.map(canonical));
      for (const call of c.calls) for (const t of program.resolve(call, id).targets) for (const r of readsOf(t, 0, new Set())) reads.add(r);
      if (!reads.has(resource)) continue;
      const common = c.check.locks.filter((l) => c.act.locks.includes(l));
      if (common.length > 0 || extra.length > 0) continue;
      // Two threads must be able to run the check: many copies of this function, or another entry point touching the state.
      const touching = new Set<string>((byResource.get(resource) ?? []).map((p) => p.fn));
      if (!program.manyReach.has(id) && ![...touching].some((g) => program.concurrent(id, g) && g !== id) && !program.concurrent(id, id)) continue;
      const key = `${c.check.span.line}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const guardedBy = [...new Set((byResource.get(resource) ?? []).flatMap((p) => p.locks))].sort();
      // Only a lock owner's public methods say it runs concurrently: callers may serialise it
      // (Neutron processes one router at a time), so that alone is weak evidence.
      const explicit = (program.entriesOf.get(id) ?? []).some((e) => e.kind === 'explicit');
      let confidence: Confidence = lockedAnywhere.has(resource) ? 'high' : explicit ? 'medium' : 'low';
      if (reach.weak) confidence = lower(confidence);
      const notes: string[] = [];
      // `if not self.x: self.x = make()`, `if stale(self.t): self.t = now()`: lazy initialisation or
      // a refresh. Two callers may both build the value; the last one wins and nothing is half-made.
      if (c.rebind && c.shape === 'if' && c.calls.length === 0 && reads.size === 1) {
        confidence = 'low';
        notes.push('the act only rebinds the field to a value built in full first (lazy initialisation or a refresh): at worst two callers both build it and the last one wins');
      } else if (c.clock) {
        confidence = 'low';
        notes.push('the act stores the time (a refresh marker): at worst two callers both refresh');
      }
      if (green && noYield && c.shape === 'flag') {
        confidence = 'low';
        notes.push(`the program runs on green threads (\`eventlet.monkey_patch()\` at ${green}) and nothing between the check and the act can block, so only one caller sees the old state; a race remains only if the others rely on work the first has not finished`);
      }
      issues.push({
        kind: 'check-then-act',
        resource,
        primary: { path: fn.path, span: c.check.span, code: c.check.code, locks: [...new Set([...c.check.locks, ...extra])].sort(), fn: id, access: 'read' },
        other: { path: fn.path, span: c.act.span, code: c.act.code, locks: [...new Set([...c.act.locks, ...extra])].sort(), fn: id, access: 'write' },
        reach,
        chain: chainOf(program, id),
        confidence,
        guardedBy,
        shape: c.shape,
        ...(notes.length ? { notes } : {}),
      });
    }
  }
  const merged = onePerEntryPoint(issues);
  merged.sort((a, b) => (a.primary.path < b.primary.path ? -1 : a.primary.path > b.primary.path ? 1 : a.primary.span.line - b.primary.span.line || a.kind.localeCompare(b.kind) || a.resource.localeCompare(b.resource)));
  return { issues: merged, stats: { functions: program.functions.size, entries: program.entries.length, concurrent: program.reach.size }, program, inherited, canonical };
}

/**
 * Inconsistent locking is reported once per entry point, kind of access and missing lock: code
 * that changes three fields of a lock-guarded object without the lock, on the path from one entry
 * point, is one defect with one fix (take the lock on that path), not three. RacerD likewise
 * reports one unprotected write per procedure, however many fields it reaches. The report kept is
 * the most confident one (then the first line); the others become its `alsoUnguarded` sites.
 */
function onePerEntryPoint(issues: readonly ConcurrencyIssue[]): ConcurrencyIssue[] {
  const out: ConcurrencyIssue[] = [];
  const groups = new Map<string, ConcurrencyIssue[]>();
  for (const issue of issues) {
    if (issue.kind !== 'inconsistent-locking') {
      out.push(issue);
      continue;
    }
    const key = `${issue.reach.entry.fn}|${issue.primary.access}|${issue.guardedBy.join(',')}`;
    const group = groups.get(key);
    if (group) group.push(issue);
    else groups.set(key, [issue]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => confidenceRank(b.confidence) - confidenceRank(a.confidence) || a.primary.span.line - b.primary.span.line || a.primary.span.column - b.primary.span.column);
    const [kept, ...rest] = group as [ConcurrencyIssue, ...ConcurrencyIssue[]];
    out.push(rest.length ? { ...kept, alsoUnguarded: rest.map((r) => ({ resource: r.resource, site: r.primary })) } : kept);
  }
  return out;
}

function lower(c: Confidence): Confidence {
  return c === 'high' ? 'medium' : 'low';
}

/** `Sub#f` → `Base#f` when an ancestor's methods use the field too: one resource per field of an object. */
function canonicalResources(program: ConcurrencyProgram): (resource: string) => string {
  const used = new Set<string>();
  for (const f of program.functions.values()) for (const a of f.accesses) used.add(a.resource);
  const memo = new Map<string, string>();
  return (resource) => {
    const hit = memo.get(resource);
    if (hit) return hit;
    const at = resource.indexOf('#');
    const owner = resource.slice(0, at);
    const field = resource.slice(at + 1);
    let out = resource;
    if (program.classes.has(owner)) {
      for (const c of program.ancestors(owner)) if (used.has(`${c}#${field}`)) out = `${c}#${field}`;
    }
    memo.set(resource, out);
    return out;
  };
}

/**
 * A path from an entry point down to `fn` along which none of `locks` is held (the path that
 * makes the access unguarded: `delete_port` → `clean_by_port`, not the locked `handle_port` →
 * `clean_by_port`), entry first; the shortest one, at most 8 calls. Undefined when none is found.
 */
function unlockedPath(
  program: ConcurrencyProgram,
  inherited: ReadonlyMap<string, ReadonlySet<string>>,
  fn: string,
  locks: readonly string[],
  base: Reach,
): { reach: Reach; chain: ConcurrencyIssue['chain'] } | undefined {
  if (locks.length === 0) return undefined;
  const own = (id: string) => program.entries.filter((e) => e.fn === id);
  const entryOf = (id: string) => own(id).find((e) => e.kind === 'explicit') ?? own(id)[0];
  const next = new Map<string, { to: string; line: number; column: number }>();
  const queue = [fn];
  const seen = new Set([fn]);
  for (let i = 0; i < queue.length && i < 2000; i++) {
    const id = queue[i]!;
    const entry = entryOf(id);
    if (entry && !locks.some((l) => program.functions.get(id)?.locks.includes(l))) {
      const chain: ConcurrencyIssue['chain'] = [];
      let at = id;
      while (at !== fn && chain.length < 8) {
        const step = next.get(at)!;
        chain.push({ fn: at, path: program.functions.get(at)!.path, line: step.line, column: step.column, callee: step.to });
        at = step.to;
      }
      if (at !== fn) return undefined;
      return { reach: { entry, weak: base.weak, depth: chain.length }, chain };
    }
    for (const { from, edge } of program.callers.get(id) ?? []) {
      if (seen.has(from) || edge.locks.some((l) => locks.includes(l))) continue;
      if (locks.some((l) => inherited.get(from)?.has(l))) continue;
      seen.add(from);
      next.set(from, { to: id, line: edge.line, column: edge.column });
      queue.push(from);
    }
  }
  return undefined;
}

/** The calls from the entry point down to `fn`, entry first (at most 8). */
function chainOf(program: ConcurrencyProgram, fn: string): ConcurrencyIssue['chain'] {
  const out: ConcurrencyIssue['chain'] = [];
  let id: string | undefined = fn;
  const seen = new Set<string>();
  while (id && !seen.has(id) && out.length < 8) {
    seen.add(id);
    const r = program.reach.get(id);
    if (!r?.from) break;
    out.unshift({ fn: r.from.fn, path: r.from.path, line: r.from.line, column: r.from.column, callee: id });
    id = r.from.fn;
  }
  return out;
}
