/**
 * Which findings belong to a change: those whose location, or any step of whose data-flow path,
 * touches a changed line, and that did not already exist before the change (moved code is not
 * new code).
 */
import type { ChangedFile, Finding, Location } from '../findings/types.js';
import { identityKey, movedKey } from '../findings/identity.js';
import { compareByLocation } from '../report/common.js';

/** Fast "is this line changed?" lookups over a change's files. */
export class ChangeIndex {
  private readonly added = new Map<string, Set<number>>();
  private readonly nearDeletion = new Map<string, Set<number>>();

  constructor(files: readonly ChangedFile[]) {
    for (const f of files) {
      if (f.status === 'deleted') continue;
      const added = new Set<number>();
      for (const [start, end] of f.lines) for (let n = start; n <= end; n++) added.add(n);
      this.added.set(f.path, added);
      // Lines on both sides of a removal: removing a check or a sanitiser changes the code around it.
      const near = new Set<number>();
      for (const after of f.deletedAfter ?? []) {
        if (after > 0) near.add(after);
        near.add(after + 1);
      }
      this.nearDeletion.set(f.path, near);
    }
  }

  /** True when a line in [start, end] of `path` was added or rewritten. */
  hasAdded(path: string, start: number, end: number): boolean {
    return this.anyIn(this.added.get(path), start, end);
  }

  /** Added or rewritten, or next to removed lines. */
  touches(path: string, start: number, end: number): boolean {
    return this.hasAdded(path, start, end) || this.anyIn(this.nearDeletion.get(path), start, end);
  }

  /** The first added line in [start, end] of `path`, if any. */
  firstAdded(path: string, start: number, end: number): number | undefined {
    const set = this.added.get(path);
    if (!set) return undefined;
    for (let n = start; n <= end; n++) if (set.has(n)) return n;
    return undefined;
  }

  /** The first line in [start, end] of `path` that touches the change, if any. */
  firstTouched(path: string, start: number, end: number): number | undefined {
    const added = this.firstAdded(path, start, end);
    if (added !== undefined) return added;
    const near = this.nearDeletion.get(path);
    if (!near) return undefined;
    for (let n = start; n <= end; n++) if (near.has(n)) return n;
    return undefined;
  }

  private anyIn(set: Set<number> | undefined, start: number, end: number): boolean {
    if (!set || set.size === 0) return false;
    if (end - start > set.size) {
      for (const n of set) if (n >= start && n <= end) return true;
      return false;
    }
    for (let n = start; n <= end; n++) if (set.has(n)) return true;
    return false;
  }
}

/** The lines a finding occupies: from the start of its statement to the end of the flagged code. */
function span(f: Finding): [number, number] {
  const loc = f.location;
  return [Math.min(f.statementLine || loc.startLine, loc.startLine), Math.max(loc.endLine, loc.startLine)];
}

function stepSpan(loc: Location): [number, number] {
  return [loc.startLine, Math.max(loc.endLine, loc.startLine)];
}

/** The location, or any step of the data-flow path, touches the change. */
export function touchesChange(f: Finding, index: ChangeIndex): boolean {
  const [start, end] = span(f);
  if (index.touches(f.location.path, start, end)) return true;
  return (f.trace ?? []).some((step) => index.touches(step.location.path, ...stepSpan(step.location)));
}

/** Where a review comment goes: a line, and the code (the finding's or a path step's) it is on. */
export interface Anchor {
  path: string;
  line: number;
  /** The finding's location or the data-flow step whose lines hold `line`. */
  on: Location;
}

/**
 * Where a review comment about `f` belongs: the first changed line of the finding itself, else of
 * the first step of its path on a changed line (a new source reaching an old sink is commented at
 * the source), else the finding's own line.
 */
export function anchorOf(f: Finding, index: ChangeIndex | undefined): Anchor {
  const own: Anchor = { path: f.location.path, line: f.location.startLine, on: f.location };
  if (!index) return own;
  const [start, end] = span(f);
  const steps = f.trace ?? [];
  const pick = (lookup: (path: string, s: number, e: number) => number | undefined): Anchor | undefined => {
    const mine = lookup(f.location.path, Math.max(start, f.location.startLine), end) ?? lookup(f.location.path, start, end);
    if (mine !== undefined) return { path: f.location.path, line: mine, on: f.location };
    for (const step of steps) {
      const line = lookup(step.location.path, ...stepSpan(step.location));
      if (line !== undefined) return { path: step.location.path, line, on: step.location };
    }
    return undefined;
  };
  return pick((p, s, e) => index.firstAdded(p, s, e)) ?? pick((p, s, e) => index.firstTouched(p, s, e)) ?? own;
}

/** Decides, for findings touching the change, which are new and which existed before it. */
export interface NoveltyResult {
  fresh: Finding[];
  /** Touching the change but already there at the base (moved, re-indented, or unchanged). */
  existing: Finding[];
}

/**
 * A finding touching the change is new unless the base had it too: the base's findings are matched
 * as multisets, first by identity key (fingerprint, refined by the data-flow source), then what is
 * left by a path-free key (rule, flagged code, source expression) so code moved to another file
 * matches too. Findings away from the change take their matches first, so when a defect is
 * duplicated the copy on changed lines is the new one.
 */
export function newSinceBase(candidates: readonly Finding[], head: readonly Finding[], base: readonly Finding[]): NoveltyResult {
  const isCandidate = new Set(candidates);
  const order = [...head].sort((a, b) => Number(isCandidate.has(a)) - Number(isCandidate.has(b)) || compareByLocation(a, b));

  const byIdentity = new Map<string, Finding[]>();
  for (const f of [...base].sort(compareByLocation)) push(byIdentity, identityKey(f), f);
  const unmatched: Finding[] = [];
  for (const f of order) {
    if (!take(byIdentity, identityKey(f))) unmatched.push(f);
  }
  const byMove = new Map<string, Finding[]>();
  for (const rest of byIdentity.values()) for (const f of rest) push(byMove, movedKey(f), f);
  const fresh = new Set<Finding>();
  for (const f of unmatched) {
    if (!take(byMove, movedKey(f)) && isCandidate.has(f)) fresh.add(f);
  }
  return {
    fresh: candidates.filter((f) => fresh.has(f)),
    existing: candidates.filter((f) => !fresh.has(f)),
  };
}

function push(map: Map<string, Finding[]>, key: string, f: Finding): void {
  const list = map.get(key);
  if (list) list.push(f);
  else map.set(key, [f]);
}

function take(map: Map<string, Finding[]>, key: string): boolean {
  const list = map.get(key);
  if (!list || list.length === 0) return false;
  list.shift();
  return true;
}
