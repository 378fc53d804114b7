/**
 * Unified diffs (from `git diff`, `git format-patch` or `diff -u`) → which lines of which files
 * changed, on the new side. Hunk line counts decide where a hunk ends, so removed lines that look
 * like headers (`--- x`) are never misread; mail headers and diffstats before the first diff are
 * skipped.
 */

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';

export interface FileChange {
  /** Path on the new side (the old path for a deleted file), relative to the repository root. */
  path: string;
  /** Path on the old side, when it differs (renames and copies). */
  oldPath?: string;
  status: FileStatus;
  /** New-side line numbers (1-based, ascending, unique) of added or rewritten lines. */
  added: number[];
  /**
   * New-side line numbers after which old lines were removed without a replacement (0: at the top
   * of the file). Removing a check or a sanitiser changes the code around it.
   */
  deletedAfter: number[];
  binary: boolean;
}

const HUNK = /^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface Draft {
  header?: { a?: string; b?: string };
  oldPath?: string | null;
  newPath?: string | null;
  renameFrom?: string;
  renameTo?: string;
  copy?: boolean;
  created?: boolean;
  deleted?: boolean;
  binary?: boolean;
  added: Set<number>;
  deletedAfter: Set<number>;
}

/**
 * Parses a unified diff. `strip` is the number of leading path components to drop from paths in
 * `---`/`+++` lines of plain (non-git) diffs, like `patch -p1`; git diffs always drop `a/` and `b/`.
 */
export function parseUnifiedDiff(text: string, strip = 1): FileChange[] {
  const lines = text.split('\n');
  const files: FileChange[] = [];
  let draft: Draft | undefined;
  let gitStyle = false;

  const finish = (): void => {
    if (draft) {
      const change = toChange(draft);
      if (change) files.push(change);
    }
    draft = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = stripCr(lines[i]!);
    if (line.startsWith('diff --git ')) {
      finish();
      gitStyle = true;
      draft = { header: splitGitHeader(line.slice('diff --git '.length)), added: new Set(), deletedAfter: new Set() };
      continue;
    }
    if (line.startsWith('--- ') && i + 1 < lines.length && stripCr(lines[i + 1]!).startsWith('+++ ')) {
      // A plain diff starts a new file at `---`; a git diff already started it at `diff --git`.
      if (!draft || draft.oldPath !== undefined) {
        finish();
        gitStyle = false;
        draft = { added: new Set(), deletedAfter: new Set() };
      }
      draft.oldPath = headerPath(line.slice(4), gitStyle, strip);
      draft.newPath = headerPath(stripCr(lines[i + 1]!).slice(4), gitStyle, strip);
      i++;
      continue;
    }
    if (!draft) continue;
    const hunk = HUNK.exec(line);
    if (hunk) {
      i = readHunk(lines, i + 1, hunk, draft) - 1;
      continue;
    }
    if (!gitStyle) continue;
    if (line.startsWith('rename from ')) draft.renameFrom = unquote(line.slice('rename from '.length));
    else if (line.startsWith('rename to ')) draft.renameTo = unquote(line.slice('rename to '.length));
    else if (line.startsWith('copy from ')) {
      draft.renameFrom = unquote(line.slice('copy from '.length));
      draft.copy = true;
    } else if (line.startsWith('copy to ')) draft.renameTo = unquote(line.slice('copy to '.length));
    else if (line.startsWith('new file mode ')) draft.created = true;
    else if (line.startsWith('deleted file mode ')) draft.deleted = true;
    else if (line.startsWith('Binary files ') || line === 'GIT binary patch') draft.binary = true;
  }
  finish();
  return files;
}

/** Reads hunk lines from `start`; returns the index of the first line after the hunk. */
function readHunk(lines: readonly string[], start: number, header: RegExpExecArray, draft: Draft): number {
  let oldLeft = header[2] === undefined ? 1 : Number(header[2]);
  let newLeft = header[4] === undefined ? 1 : Number(header[4]);
  const newStart = Number(header[3]);
  // With no new lines, git numbers the hunk by the line *before* it.
  let next = newLeft === 0 ? newStart + 1 : newStart;
  let pendingDeletion: number | undefined;
  const flush = (): void => {
    if (pendingDeletion !== undefined) draft.deletedAfter.add(pendingDeletion);
    pendingDeletion = undefined;
  };
  let i = start;
  for (; i < lines.length && (oldLeft > 0 || newLeft > 0); i++) {
    const line = stripCr(lines[i]!);
    const tag = line.charAt(0);
    if (tag === '\\') continue; // "\ No newline at end of file"
    if (tag === '+') {
      draft.added.add(next++);
      newLeft--;
      pendingDeletion = undefined;
    } else if (tag === '-') {
      pendingDeletion ??= next - 1;
      oldLeft--;
    } else if (tag === ' ' || line === '') {
      // An empty line is a context line whose leading space was lost (mail clients do that).
      flush();
      next++;
      oldLeft--;
      newLeft--;
    } else {
      break; // a malformed hunk: stop here rather than misread what follows
    }
  }
  flush();
  if (i < lines.length && stripCr(lines[i]!).startsWith('\\')) i++;
  return i;
}

function toChange(d: Draft): FileChange | undefined {
  const oldPath = d.renameFrom ?? (d.oldPath === undefined ? d.header?.a : d.oldPath ?? undefined);
  const newPath = d.renameTo ?? (d.newPath === undefined ? d.header?.b : d.newPath ?? undefined);
  const created = d.created === true || (d.oldPath === null && d.newPath !== null);
  const deleted = d.deleted === true || (d.newPath === null && d.oldPath !== null);
  const path = deleted ? oldPath : newPath;
  if (!path) return undefined;
  let status: FileStatus = 'modified';
  if (created) status = 'added';
  else if (deleted) status = 'deleted';
  else if (d.renameFrom !== undefined && d.copy) status = 'copied';
  else if (d.renameFrom !== undefined || (oldPath && newPath && oldPath !== newPath)) status = 'renamed';
  const change: FileChange = {
    path,
    status,
    added: deleted ? [] : [...d.added].sort((a, b) => a - b),
    deletedAfter: deleted ? [] : [...d.deletedAfter].sort((a, b) => a - b),
    binary: d.binary === true,
  };
  if ((status === 'renamed' || status === 'copied') && oldPath) change.oldPath = oldPath;
  return change;
}

/** A `---`/`+++` path: null for /dev/null, prefix and timestamp removed. */
function headerPath(raw: string, gitStyle: boolean, strip: number): string | null {
  let p = raw;
  if (p.startsWith('"')) p = unquote(p);
  else p = p.replace(/\t.*$/, ''); // `diff -u` appends a tab and a timestamp
  p = p.replace(/\s+$/, '');
  if (p === '/dev/null') return null;
  return stripComponents(p, gitStyle ? 1 : strip);
}

function stripComponents(path: string, n: number): string {
  let p = path;
  for (let k = 0; k < n; k++) {
    const slash = p.indexOf('/');
    if (slash < 0) break;
    p = p.slice(slash + 1);
  }
  return p;
}

/** `a/x b/x` (or quoted forms) → { a: 'x', b: 'x' }; ambiguous unquoted names with spaces are split in the middle. */
function splitGitHeader(rest: string): { a?: string; b?: string } {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0);
    const a = unquote(rest.slice(0, end + 1));
    const tail = rest.slice(end + 1).trimStart();
    const b = tail.startsWith('"') ? unquote(tail) : tail;
    return { a: stripComponents(a, 1), b: stripComponents(b, 1) };
  }
  const quoted = rest.indexOf(' "');
  if (quoted >= 0) return { a: stripComponents(rest.slice(0, quoted), 1), b: stripComponents(unquote(rest.slice(quoted + 1)), 1) };
  // Same path on both sides (the usual case): "a/<p> b/<p>".
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.charAt(half) === ' ') {
    const a = stripComponents(rest.slice(0, half), 1);
    const b = stripComponents(rest.slice(half + 1), 1);
    if (a === b) return { a, b };
  }
  const space = rest.indexOf(' b/');
  if (space >= 0) return { a: stripComponents(rest.slice(0, space), 1), b: stripComponents(rest.slice(space + 1), 1) };
  return {};
}

function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Undoes git's C-style quoting of a path ("a/t\303\251st" → a/tést); unquoted input is returned as is. */
export function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  const end = closingQuote(s, 0);
  const body = s.slice(1, end);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(oct, 8));
      i += oct.length;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Line numbers → sorted, merged [start, end] ranges. */
export function toRanges(lines: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of [...lines].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && n <= last[1] + 1) last[1] = Math.max(last[1], n);
    else out.push([n, n]);
  }
  return out;
}
