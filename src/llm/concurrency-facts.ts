/**
 * The concurrency facts the LLM second opinion is given, and checks race claims against: per file,
 * every access of shared state (a field of `self`, a class attribute, a module global) with its
 * line, whether it reads or writes, and the locks held there; the concurrent entry points that
 * reach each function; the locks a class keeps in its fields. All of it is read from the scan's own
 * whole-program concurrency analysis (src/analysis/concurrency/, carried with the report by
 * src/api/analysis-results.ts): the lock sets are the ones the race rules used (the function's own
 * and what its callers hold for it), resources are merged across a class hierarchy the same way.
 *
 * Only names the analysis computed reach the prompt, never code text: field, function and class
 * names are identifiers; a lock named by a string in the code (`lockutils.lock('fip-ns-x')`) is
 * shown only when its name is plain (letters, digits, `._-:/`), else as "a named lock".
 */
import type { EntryPoint } from '../analysis/concurrency/program.js';
import type { ConcurrencyResult } from '../analysis/concurrency/races.js';
import type { LineRange } from './parse-review.js';
import { CHARS_PER_TOKEN } from './tokens.js';

export interface SharedAccess {
  /** The resource as the race rules see it (`mod.Class#field`, `mod#NAME`). */
  resource: string;
  /** As code spells it: `self._subscribers`, `_CACHE`. */
  label: string;
  kind: 'read' | 'write';
  path: string;
  line: number;
  endLine: number;
  /** Locks held there, own and inherited from every caller, as lock ids, sorted. */
  locks: readonly string[];
  /** The function making the access. */
  fn: string;
}

export interface FactsFunction {
  id: string;
  /** `Class.method` or `func`. */
  label: string;
  start: number;
  end: number;
  /** The entry points (at most two) that make it run concurrently; none if the analysis knows of none. */
  entries: readonly EntryPoint[];
}

export interface FileConcurrencyFacts {
  path: string;
  /** This file's accesses of shared state, by line. */
  accesses: readonly SharedAccess[];
  /** This file's functions that access shared state, by line. */
  functions: readonly FactsFunction[];
  /** Classes of this file that keep a lock in a field, with the fields (`self._lock`). */
  lockOwners: readonly { label: string; start: number; end: number; locks: readonly string[] }[];
  /** Every access of `resource` in the program (other functions and files too). */
  accessesOf(resource: string): readonly SharedAccess[];
  /** A lock id as short text (`self._lock`, `lock('fip-ns-…')`). */
  lockLabel(lock: string): string;
}

/** Most accesses the section lists, fields it names, entry points it names. */
export const FACTS_LIMITS = { accesses: 20, fields: 8, entries: 4, accessesPerField: 6 } as const;

/** Text from the scanned code cut down to name-like characters (it is shown to the model). */
function plain(text: string, max = 60): string | undefined {
  return /^[\w.:/\-]+$/.test(text) && text.length <= max ? text : undefined;
}

/** `Class.method` for a method, `func` for a function, from a function id. */
export function functionLabel(id: string): string {
  const parts = id.split('.');
  return parts.length >= 2 && /^[A-Z]/.test(parts[parts.length - 2]!) ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : parts[parts.length - 1]!;
}

/** `mod.Class#_ports` → `self._ports`; `mod#_CACHE` → `_CACHE`. */
export function resourceText(resource: string, classes: ReadonlySet<string>): string {
  const at = resource.indexOf('#');
  const owner = resource.slice(0, at);
  const field = resource.slice(at + 1);
  return classes.has(owner) || /^[A-Z]/.test(owner.split('.').pop() ?? '') ? `self.${field}` : field;
}

/** A lock id as short text for the prompt and for rejection reasons. */
export function lockText(lock: string, classes: ReadonlySet<string> = new Set()): string {
  if (lock.startsWith('name:')) {
    const name = lock.slice(5);
    if (name === '*') return 'a lock named at run time';
    const shown = plain(name.endsWith('*') ? name.slice(0, -1) : name);
    if (!shown) return 'a named lock';
    return name.endsWith('*') ? `lock('${shown}…')` : `lock('${shown}')`;
  }
  if (lock.startsWith('decorator:')) return `@${plain(lock.slice(10)) ?? 'a lock decorator'}`;
  // `with common_utils.lock(name):`-style helpers whose lock the analysis cannot name: one per helper and class.
  if (lock.startsWith('call:')) return `the lock of ${plain(lock.slice(5).split('.').pop() ?? '') ?? 'a lock helper'}(…)`;
  if (lock.includes('#')) return resourceText(lock, classes);
  return plain(lock.split(':').pop() ?? '') ?? 'a lock';
}

/** An entry point as `handed to eventlet.GreenPool.spawn_n at agent.py:412` or `public method of RouterInfo, which owns a lock`. */
function entryText(entry: EntryPoint): string {
  if (entry.kind === 'lock-owner') {
    // `why` names the class that owns the lock (a subclass of the method's own, maybe).
    const cls = /`([^`]+)`/.exec(entry.why)?.[1] ?? functionLabel(entry.fn).split('.')[0]!;
    return `public method of ${plain(cls) ?? 'a class'}, which owns a lock`;
  }
  const why = entry.why.replace(/`/g, '').replace(/[^\w .,:()'/\-]/g, '').slice(0, 80);
  const site = entry.site ? ` at ${plain(entry.site.path, 120) ?? 'another file'}:${entry.site.span.line}` : '';
  return `${why}${site}`;
}

/** The analysis of one scan, indexed by file (built once per LLM run). */
export class ConcurrencyFactsIndex {
  private readonly byPath = new Map<string, FileConcurrencyFacts>();
  private readonly byResource = new Map<string, SharedAccess[]>();

  constructor(result: ConcurrencyResult) {
    const { program, inherited, canonical } = result;
    const classes = new Set(program.classes.keys());
    const files = new Map<string, { accesses: SharedAccess[]; functions: FactsFunction[] }>();
    for (const file of program.files) files.set(file.path, { accesses: [], functions: [] });
    for (const fn of program.functions.values()) {
      if (fn.accesses.length === 0) continue;
      const file = files.get(fn.path);
      if (!file) continue;
      const extra = inherited.get(fn.id) ?? new Set<string>();
      for (const a of fn.accesses) {
        const resource = canonical(a.resource);
        // `self.subscribe` handed to a pool reads a method, not state.
        const at = resource.indexOf('#');
        if (program.classes.has(resource.slice(0, at)) && program.method(resource.slice(0, at), resource.slice(at + 1)).length > 0) continue;
        const access: SharedAccess = {
          resource,
          label: resourceText(resource, classes),
          kind: a.kind,
          path: fn.path,
          line: a.span.line,
          endLine: a.span.endLine,
          locks: [...new Set([...a.locks, ...extra])].sort(),
          fn: fn.id,
        };
        file.accesses.push(access);
        const list = this.byResource.get(resource);
        if (list) list.push(access);
        else this.byResource.set(resource, [access]);
      }
      if (file.accesses.at(-1)?.fn !== fn.id) continue;
      file.functions.push({ id: fn.id, label: functionLabel(fn.id), start: fn.span.line, end: fn.span.endLine, entries: program.entriesOf.get(fn.id) ?? [] });
    }
    const owners = new Map<string, FileConcurrencyFacts['lockOwners'][number][]>();
    const own = (path: string, owner: FileConcurrencyFacts['lockOwners'][number]): void => {
      const list = owners.get(path);
      if (list) list.push(owner);
      else owners.set(path, [owner]);
    };
    for (const c of program.classes.values()) {
      if (c.lockFields.length > 0) own(c.path, { label: c.name, start: c.span.line, end: c.span.endLine, locks: [...c.lockFields].sort().map((f) => `self.${f}`) });
    }
    // Module globals holding a lock: the locks held in this file that a module (not a class) keeps.
    for (const file of program.files) {
      const held = new Set<string>();
      for (const a of files.get(file.path)?.accesses ?? []) for (const l of a.locks) if (l.startsWith(`${file.module}#`)) held.add(l);
      if (held.size > 0) own(file.path, { label: 'the module', start: 1, end: Number.MAX_SAFE_INTEGER, locks: [...held].sort().map((l) => lockText(l, classes)) });
    }
    const byPlace = (a: SharedAccess, b: SharedAccess): number =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || a.label.localeCompare(b.label) || a.kind.localeCompare(b.kind);
    for (const list of this.byResource.values()) list.sort(byPlace);
    for (const [path, file] of files) {
      file.accesses.sort(byPlace);
      file.functions.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
      this.byPath.set(path, {
        path,
        accesses: file.accesses,
        functions: file.functions,
        lockOwners: (owners.get(path) ?? []).sort((a, b) => a.start - b.start),
        accessesOf: (resource) => this.byResource.get(resource) ?? [],
        lockLabel: (lock) => lockText(lock, classes),
      });
    }
  }

  /** The facts of a file the concurrency analysis read; undefined for any other file (it has none to check against). */
  forFile(path: string): FileConcurrencyFacts | undefined {
    return this.byPath.get(path);
  }
}

/** Characters of the facts section a request may spend: a fifth of its room for code (small contexts keep their code). */
export function factsBudget(codeTokens: number): number {
  return Math.max(0, Math.floor(codeTokens * 0.2 * CHARS_PER_TOKEN));
}

/**
 * The prompt section for lines `range` of a file: undefined when no shared state is accessed
 * there (or `maxChars` leaves no room for one field). Deterministic (fields in order of first
 * access, lines ascending), capped by FACTS_LIMITS and `maxChars`, saying how much was left out.
 * One row per field, its accesses grouped by the locks held:
 * `- self._ports: write 28, 32 (locks: self._ports_lock); read 40 (locks: none)`.
 */
export function factsSection(facts: FileConcurrencyFacts | undefined, range: LineRange, maxChars = Number.POSITIVE_INFINITY): string | undefined {
  if (!facts) return undefined;
  const inRange = facts.accesses.filter((a) => a.line >= range.start && a.line <= range.end);
  if (inRange.length === 0) return undefined;
  const fields = new Map<string, SharedAccess[]>();
  for (const a of inRange) {
    const list = fields.get(a.label);
    if (list) list.push(a);
    else fields.set(a.label, [a]);
  }
  const rows: { text: string; count: number }[] = [];
  let left = 0;
  let shown = 0;
  for (const [label, list] of fields) {
    const room = Math.min(FACTS_LIMITS.accessesPerField, FACTS_LIMITS.accesses - shown);
    if (rows.length >= FACTS_LIMITS.fields || room <= 0) {
      left += list.length;
      continue;
    }
    const listed = list.slice(0, room);
    shown += listed.length;
    left += list.length - listed.length;
    // Grouped by lock set, then by kind; both in order of first appearance.
    const groups = new Map<string, Map<string, number[]>>();
    for (const a of listed) {
      const key = a.locks.length === 0 ? 'none' : a.locks.map(facts.lockLabel).join(', ');
      const byKind = groups.get(key) ?? new Map<string, number[]>();
      const lines = byKind.get(a.kind) ?? [];
      if (!lines.includes(a.line)) lines.push(a.line);
      byKind.set(a.kind, lines);
      groups.set(key, byKind);
    }
    const parts = [...groups].map(([locks, byKind]) => `${[...byKind].map(([kind, lines]) => `${kind} ${lines.join(', ')}`).join(', ')} (locks: ${locks})`);
    rows.push({ text: `- ${label}: ${parts.join('; ')}`, count: listed.length });
  }

  // Functions reached the same way share a row: `- A.f, A.g: handed to … at x.py:41`.
  const reaching = facts.functions.filter((f) => f.entries.length > 0 && inRange.some((a) => a.fn === f.id));
  const byEntry = new Map<string, string[]>();
  for (const f of reaching) {
    const text = f.entries.map((e) => (e.fn === f.id ? entryText(e) : `through ${functionLabel(e.fn)}, ${entryText(e)}`)).join('; ');
    const list = byEntry.get(text);
    if (list) list.push(f.label);
    else byEntry.set(text, [f.label]);
  }
  const entryRows = [...byEntry].slice(0, FACTS_LIMITS.entries).map(([text, fns]) => {
    const names = fns.length > 3 ? `${fns.slice(0, 3).join(', ')} and ${fns.length - 3} more` : fns.join(', ');
    return `- ${names}: ${text}`;
  });
  if (byEntry.size > FACTS_LIMITS.entries) entryRows.push(`(${byEntry.size - FACTS_LIMITS.entries} more entry points left out)`);
  const owners = facts.lockOwners.filter((o) => o.start <= range.end && o.end >= range.start);
  const ownerRow = owners.length > 0 ? `Locks owned: ${owners.map((o) => `${o.label}: ${o.locks.join(', ')}`).join('; ')}.` : undefined;

  // Within maxChars: the accesses first (as many rows as fit), then the entry points, then the locks.
  const out = ['Concurrency facts from static analysis (race claims are checked against them):', 'Shared state accessed, by line (read or write) and locks held:'];
  let size = out.join('\n').length;
  const LEFT_OUT = 50;
  const fits = (text: string, reserve = 0): boolean => size + 1 + text.length + reserve <= maxChars;
  let kept = 0;
  for (const row of rows) {
    if (!fits(row.text, LEFT_OUT)) {
      left += row.count;
      continue;
    }
    out.push(row.text);
    size += row.text.length + 1;
    kept++;
  }
  if (kept === 0) return undefined;
  if (left > 0) {
    const note = `(${left} more ${left === 1 ? 'access' : 'accesses'} in these lines left out)`;
    out.push(note);
    size += note.length + 1;
  }
  const entries = entryRows.length === 0 ? ['Concurrent entry points reaching these lines: none known.'] : ['Concurrent entry points reaching these lines:', ...entryRows];
  for (const text of entries) {
    if (!fits(text)) break;
    out.push(text);
    size += text.length + 1;
  }
  if (ownerRow && fits(ownerRow)) out.push(ownerRow);
  return out.join('\n');
}
