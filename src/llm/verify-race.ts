/**
 * Race and locking claims of the LLM, checked against the scan's concurrency facts
 * (concurrency-facts.ts) before they become findings of their own (a claim confirming a static
 * concurrency finding is merged into it by verify.ts first, as for any rule):
 *
 * - a race claim (CWE-362, 366, 367, 567, 820, 821, 1223…, and improper locking of shared state)
 *   must cite lines (±RACE_WINDOW) holding an access of shared state the analysis knows, and two
 *   accesses of that state, the cited one and another (cited or elsewhere in the program; at
 *   least one a write), must hold no common lock;
 * - a claim that a lock is not released (or a deadlock, or a lock taken twice) must cite a line
 *   (±RACE_WINDOW) that acquires a lock (`x.acquire(…)`, or for a deadlock also `with lock:`).
 *
 * Files the concurrency analysis did not read (other languages, test code, scans without the
 * concurrency rules) have no facts: their claims get the ordinary checks only. A race claim about
 * state outside the process (its cited lines call `os.path…`, `open(…)`, `shutil…`, or check that
 * something exists: `if not device.exists():` before creating it) is a TOCTOU on files, devices or
 * namespaces, not on shared memory the facts describe, and is not checked here either.
 */
import type { RejectionCode } from './cwe-choice.js';
import type { FileConcurrencyFacts, SharedAccess } from './concurrency-facts.js';
import type { LineRange, ParsedClaim } from './parse-review.js';

/** How far (in lines) an access or acquisition may sit from a cited line: as far as a claim may from a static finding it confirms. */
export const RACE_WINDOW = 2;

/**
 * Weaknesses of shared state without (enough) synchronisation: CWE-362 (race condition) and the
 * members of CWE-662 (improper synchronisation) about shared data, each one under 362 or 662 in
 * MITRE's research view (test/llm/verify-race.test.ts checks it against src/cwe/).
 */
export const RACE_CWES: ReadonlySet<number> = new Set([362, 366, 367, 368, 414, 543, 567, 609, 662, 820, 821, 1096, 1223]);
/** Improper locking (CWE-667 and members about taking and releasing locks). */
export const LOCKING_CWES: ReadonlySet<number> = new Set([413, 667, 764, 833]);

export type ConcurrencyClaimKind = 'race' | 'release' | 'deadlock';

const RELEASE_WORDS = /\b(releas\w*|unlock\w*|finally|left (?:held|locked|acquired)|never freed|not freed)\b/i;
const DEADLOCK_CWES = new Set([764, 833]);
/** Calls on files and existence checks: such a claim is a TOCTOU on state outside the process. */
const EXTERNAL_STATE = /\.\s*(?:exists|is_?exists?|isfile|isdir|islink)\s*\(|\bos\.(?:path\.\w+|stat|lstat|access|makedirs|mkdir|remove|unlink|rename|replace|chmod|chown|open|listdir|rmdir)\s*\(|(?<![\w.])open\s*\(|\bshutil\.\w+\s*\(|\btempfile\.\w+\s*\(|\bPath\([^)]*\)\.\w+\s*\(/;
/** `x.acquire(…)`, `sem.acquire_lock()`, `lock.__enter__()`. */
const ACQUIRE_CALL = /\.\s*(?:acquire\w*|__a?enter__)\s*\(/;
/** `with self._lock:`, `with lockutils.lock(name):`, `@lockutils.synchronized(…)`: lock taken for a block (released on every exit). */
const LOCK_BLOCK = /^\s*(?:(?:async\s+)?with\b.*\b\w*(?:lock|mutex|sem|semaphore|cond|condition)\w*\b|@[\w.]*(?:synchronized|lock)\w*\b)/i;

/** Which concurrency check applies to a claim reported under `cwe`, if one does. */
export function concurrencyClaimKind(cwe: number, claim: ParsedClaim): ConcurrencyClaimKind | undefined {
  const text = `${claim.title} ${claim.description}`;
  if (LOCKING_CWES.has(cwe)) {
    if (RELEASE_WORDS.test(text)) return 'release';
    if (DEADLOCK_CWES.has(cwe)) return 'deadlock';
    return 'race';
  }
  return RACE_CWES.has(cwe) ? 'race' : undefined;
}

/** The code of a line without its comment (a `#` inside a string is rare enough in the lines that matter). */
function code(line: string): string {
  return line.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/, '');
}

function near(ranges: readonly LineRange[], line: number): boolean {
  return ranges.some((r) => line >= r.start - RACE_WINDOW && line <= r.end + RACE_WINDOW);
}

function rangesText(ranges: readonly LineRange[]): string {
  const parts = [...new Set(ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)))];
  return `${parts.length === 1 && !parts[0]!.includes('-') ? 'line' : 'lines'} ${parts.join(', ')}`;
}

function linesList(accesses: readonly SharedAccess[]): string {
  const lines = [...new Set(accesses.map((a) => (a.path === accesses[0]!.path ? `${a.line}` : `${a.path}:${a.line}`)))];
  return lines.length > 6 ? `${lines.slice(0, 6).join(', ')} and ${lines.length - 6} more` : lines.join(', ');
}

const disjoint = (a: readonly string[], b: readonly string[]): boolean => !a.some((l) => b.includes(l));

/** Whether `text` names a field (`self._ports`, `_ports`) as a whole word. */
function names(text: string, label: string): boolean {
  const field = label.replace(/^self\./, '');
  return new RegExp(`(?<![\\w])(?:self\\.)?${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`).test(text);
}

/**
 * Checks a race or locking claim against the facts of its file; the rejection, or undefined when
 * the claim passes (or no check applies). `cited`: the ranges the claim cites and where its quoted
 * code is.
 */
export function checkConcurrencyClaim(
  kind: ConcurrencyClaimKind,
  claim: ParsedClaim,
  cited: readonly LineRange[],
  lines: readonly string[],
  facts: FileConcurrencyFacts,
): { reason: string; code: RejectionCode } | undefined {
  // The code of the cited lines and their neighbours.
  const text: string[] = [];
  for (const r of cited) for (let i = Math.max(1, r.start - RACE_WINDOW); i <= Math.min(lines.length, r.end + RACE_WINDOW); i++) text.push(code(lines[i - 1] ?? ''));
  const where = `${rangesText(cited)} (±${RACE_WINDOW})`;

  if (kind !== 'race') {
    const takes = text.some((l) => ACQUIRE_CALL.test(l) || (kind === 'deadlock' && LOCK_BLOCK.test(l)));
    if (takes) return undefined;
    return kind === 'release'
      ? { reason: `claims a lock is not released, but no lock is acquired (\`acquire()\`) at ${where}`, code: 'lock-no-acquire' }
      : { reason: `claims a deadlock or a lock taken twice, but no lock is taken at ${where}`, code: 'lock-no-acquire' };
  }

  if (text.some((l) => EXTERNAL_STATE.test(l))) return undefined;
  const here = facts.accesses.filter((a) => near(cited, a.line) || near(cited, a.endLine));
  if (here.length === 0) {
    return { reason: `claims a race, but the concurrency analysis found no access to shared state at ${where}`, code: 'race-no-shared-access' };
  }
  // The fields the claim names, if it names any of those accessed there; else all of them.
  const said = [claim.title, claim.description, ...claim.quotes, ...claim.mentions].join('\n');
  const labels = [...new Set(here.map((a) => a.label))];
  const named = labels.filter((l) => names(said, l));
  const fields = named.length > 0 ? named : labels;

  const reasons: string[] = [];
  let readOnly = true;
  for (const label of fields) {
    const mine = here.filter((a) => a.label === label);
    const all = facts.accessesOf(mine[0]!.resource);
    for (const c of mine) {
      for (const a of all) {
        if (c.kind !== 'write' && a.kind !== 'write') continue;
        if (a === c && c.kind !== 'write') continue;
        if (disjoint(c.locks, a.locks)) return undefined;
      }
    }
    if (all.some((a) => a.kind === 'write')) readOnly = false;
    const common = all.reduce<readonly string[]>((acc, a) => acc.filter((l) => a.locks.includes(l)), all[0]!.locks);
    reasons.push(
      !all.some((a) => a.kind === 'write')
        ? `\`${label}\` is only read (lines ${linesList(all)})`
        : common.length > 0
          ? `every access of \`${label}\` (lines ${linesList(all)}) holds ${common.map(facts.lockLabel).join(', ')}`
          : `every two accesses of \`${label}\` that could race (lines ${linesList(all)}) hold a common lock`,
    );
  }
  return readOnly
    ? { reason: `claims a race, but ${reasons.join('; ')}: nothing writes it concurrently`, code: 'race-read-only' }
    : { reason: `claims a race, but ${reasons.join('; ')}, so no two of them can interleave`, code: 'race-common-lock' };
}
