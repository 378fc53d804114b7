/**
 * The incremental cache: each file's outcome (findings, suppressions, data-flow IR) under a
 * key made of the file's path and content plus a fingerprint of everything else that decides
 * the result (secreview's own code, models, settings, rule selection); and the taint engine's
 * findings for a whole set of files, under a key made of all their keys.
 *
 * Entries are written to a temporary file and renamed into place, so concurrent runs sharing a
 * folder see whole entries or none; a damaged entry is a miss and is removed. Entries not used
 * for PRUNE_AFTER_DAYS are deleted, checked at most once a day.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, writevSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { packageRoot } from '../files/package-root.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { cacheFolderProblem } from './cache-folder.js';
import { VERSION } from '../version.js';
import type { ModelFile, ModelMemo } from '../analysis/taint/models.js';
import { CACHE_FOLDER_MODE } from './cache-permissions.js';

/** Bumped when the entry format changes. */
export const FORMAT = 'v4';
const MAGIC = Buffer.from(`secreview-cache-${FORMAT}\n`);
const PRUNE_AFTER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The per-user cache folder: `$XDG_CACHE_HOME/secreview/scan`, else `~/.cache/secreview/scan`.
 * Outside the scanned tree, so a scan never writes into what it reviews; one cache may serve
 * many checkouts, since entries are keyed by content (and path), not by location.
 */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'secreview', 'scan');
  return join(homedir(), '.cache', 'secreview', 'scan');
}

/**
 * Entries: the magic line, the key, then a line of sections (`length:checksum`, space-separated),
 * then the sections' bytes. A checksum is the SHA-256 of the key, the section's index and its
 * bytes, so a damaged byte anywhere, an entry copied under another key or a truncated entry
 * is a miss. A file entry has two sections, its outcome's head and its tree copy, so that the
 * tree (most of the entry) is read and checked only when the IR is built from it.
 */
export function entryBytes(key: string, sections: readonly Section[]): Buffer {
  return Buffer.concat(entryParts(key, sections));
}

/** A section's bytes, whole or as pieces that follow each other (written as they are, never joined). */
export type Section = Uint8Array | readonly Uint8Array[];

/** `entryBytes` as the pieces to write one after the other (a scan's entries add up to hundreds of megabytes: not copied once more). */
function entryParts(key: string, sections: readonly Section[]): Uint8Array[] {
  const pieces = sections.map((s) => (s instanceof Uint8Array ? [s] : s));
  const line = pieces.map((p, i) => `${p.reduce((n, b) => n + b.byteLength, 0)}:${sectionSum(key, i, p)}`).join(' ');
  return [MAGIC, Buffer.from(`${key}\n${line}\n`, 'latin1'), ...pieces.flat()];
}

/** Writes every byte of `parts` to a new file (0600), in one system call when the kernel takes them all. */
function writePartsSync(path: string, parts: Uint8Array[]): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (let rest = unwritten(parts, 0); rest.length > 0; ) rest = unwritten(rest, writevSync(fd, rest));
  } finally {
    closeSync(fd);
  }
}

/** What is left of `parts` after the first `written` bytes went (a write may be short). */
function unwritten(parts: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const part of parts) {
    if (written >= part.byteLength) written -= part.byteLength;
    else {
      rest.push(written > 0 ? part.subarray(written) : part);
      written = 0;
    }
  }
  return rest;
}

async function writeParts(path: string, parts: Uint8Array[]): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    for (let rest = unwritten(parts, 0); rest.length > 0; ) rest = unwritten(rest, (await file.writev(rest)).bytesWritten);
  } finally {
    await file.close();
  }
}

/** Temporary files written by this thread so far, and a token of its own (names must not meet another thread's). */
let tmpCount = 0;
const THREAD_TOKEN = randomBytes(6).toString('hex');

/** The temporary file an entry is written to before it is renamed into place. */
function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${THREAD_TOKEN}.${++tmpCount}.tmp`;
}

/**
 * Writes an entry to a temporary file renamed into place, from any thread (the name of the
 * temporary file carries the process and a token of the thread's). Never throws: a cache that cannot be written
 * (full disk, read-only folder) only costs speed.
 */
export async function writeEntry(path: string, key: string, sections: readonly Section[]): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(join(path, '..'), { recursive: true, mode: CACHE_FOLDER_MODE });
    await writeParts(tmp, entryParts(key, sections));
    await rename(tmp, path);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Folders this thread made or found for file entries (asking again for each entry costs a system call). */
const entryFolders = new Set<string>();

/**
 * `writeEntry` for a file entry, synchronously: a scan writes thousands of them, and for each
 * the promises and thread-pool round trips of the asynchronous calls took twice the CPU of the
 * writes themselves (2,000 entries of 50 KB: 0.9–1.1 s against 0.5 s).
 */
export function writeFileEntrySync(path: string, key: string, sections: readonly Section[]): void {
  const tmp = tempPathFor(path);
  try {
    const folder = join(path, '..');
    if (!entryFolders.has(folder)) {
      mkdirSync(folder, { recursive: true, mode: CACHE_FOLDER_MODE });
      entryFolders.add(folder);
    }
    writePartsSync(tmp, entryParts(key, sections));
    renameSync(tmp, path);
  } catch {
    // The folder may have been pruned by a concurrent run: made again for the next entry.
    entryFolders.delete(join(path, '..'));
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was left, or nothing can be removed there
    }
  }
}

function sectionSum(key: string, index: number, pieces: readonly Uint8Array[]): string {
  const hash = createHash('sha256').update(key).update(`\0${index}\0`);
  for (const bytes of pieces) hash.update(bytes);
  return hash.digest('hex');
}

interface Header {
  /** Where the first section starts. */
  length: number;
  sections: { length: number; sum: string }[];
}

/** An entry's header from its first bytes, or why it is not one for `key`. */
function parseHeader(bytes: Uint8Array, key: string, size: number): Header | string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    return buf.toString('latin1', 0, Math.min(buf.length, MAGIC.length)).startsWith('secreview-cache-') ? 'an entry of another format version' : 'not a cache entry';
  }
  const keyEnd = MAGIC.length + key.length;
  if (buf.length <= keyEnd || buf.toString('latin1', MAGIC.length, keyEnd) !== key || buf[keyEnd] !== 0x0a) return 'the entry of another key';
  const lineEnd = buf.indexOf(0x0a, keyEnd + 1);
  if (lineEnd < 0 || lineEnd - keyEnd > MAX_SECTIONS_LINE) return 'a damaged header';
  const sections: Header['sections'] = [];
  let total = 0;
  for (const part of buf.toString('latin1', keyEnd + 1, lineEnd).split(' ')) {
    const m = /^(\d{1,10}):([0-9a-f]{64})$/.exec(part);
    if (!m) return 'a damaged header';
    sections.push({ length: Number(m[1]), sum: m[2]! });
    total += Number(m[1]);
  }
  const length = lineEnd + 1;
  if (length + total !== size) return size < length + total ? 'a truncated entry' : 'an entry with extra bytes';
  return { length, sections };
}

/** The sections line is at most this long (two sections: 2 × (10 + 1 + 64) + 1). */
const MAX_SECTIONS_LINE = 256;

/** Reports a rejected entry (verbose mode); each entry at most once per run. */
export type CacheLog = (message: string) => void;

export class ScanCache {
  private readonly filesDir: string;
  private readonly programDir: string;
  private readonly replayDir: string;
  private readonly reported = new Set<string>();
  hits = 0;
  misses = 0;
  /** Entries found damaged (checksum, header or contents) in this run: each was a miss. */
  rejected = 0;

  private constructor(
    readonly dir: string,
    /** Everything besides a file's path and content that decides its outcome. */
    readonly fingerprint: string,
    private readonly log: CacheLog | undefined,
  ) {
    this.filesDir = join(dir, FORMAT, 'files');
    this.programDir = join(dir, FORMAT, 'program');
    this.replayDir = join(dir, FORMAT, 'replay');
  }

  /**
   * Opens (creating, mode 0700) the cache folder; `settings` is whatever else must invalidate
   * entries. Whether the folder may be used at all is `cacheFolderProblem`'s to say, first.
   */
  static open(dir: string, settings: unknown, log?: CacheLog): ScanCache {
    const abs = resolve(dir);
    const problem = cacheFolderProblem(abs);
    if (problem) throw new Error(problem);
    mkdirSync(join(abs, FORMAT, 'files'), { recursive: true, mode: CACHE_FOLDER_MODE });
    mkdirSync(join(abs, FORMAT, 'program'), { recursive: true, mode: CACHE_FOLDER_MODE });
    // Keep the cache out of version control wherever it is created (as pytest does).
    const ignore = join(abs, '.gitignore');
    try {
      statSync(ignore);
    } catch {
      writeFileSync(ignore, '# created by secreview: its scan cache\n*\n');
    }
    const fingerprint = createHash('sha256').update(codeFingerprint()).update('\0').update(stableJson(settings)).digest('hex');
    return new ScanCache(abs, fingerprint, log);
  }

  /** Whether any whole-run entry is kept (none: no run entry can answer this run, so its files will be analysed). */
  holdsRunEntries(): boolean {
    try {
      return readdirSync(this.programDir).length > 0;
    } catch {
      return false;
    }
  }

  /** The key of a file's outcome. */
  fileKey(path: string, content: Uint8Array | string): string {
    return createHash('sha256').update(this.fingerprint).update('\0').update(path).update('\0').update(content).digest('hex');
  }

  /** The key of a whole-program result over files with these keys (in scan order). */
  programKey(fileKeys: readonly string[]): string {
    const h = createHash('sha256').update(this.fingerprint);
    for (const k of fileKeys) h.update('\0').update(k);
    return h.digest('hex');
  }

  /**
   * The taint engine's records of the last run that wrote them (see analysis/taint/replay.ts):
   * one entry per settings, whatever tree was scanned, so that a checkout of another commit finds
   * them. Not counted in `hits` and `misses`, which count file and run entries.
   */
  async getReplayRecords(variant?: string): Promise<unknown> {
    const key = this.replayKey(variant);
    const bytes = await this.read(join(this.replayDir, key), key, 'replay records', false);
    if (!bytes) return undefined;
    try {
      return deserialize(bytes);
    } catch (error) {
      await this.drop(join(this.replayDir, key), 'replay records', `cannot be decoded (${(error as Error).message})`, false);
      return undefined;
    }
  }

  async putReplayRecords(value: unknown, variant?: string): Promise<void> {
    const key = this.replayKey(variant);
    await writeEntry(join(this.replayDir, key), key, [serialize(value)]);
  }

  /** Replay records that decoded but do not hold together: dropped (rewritten by this run). */
  async rejectReplayRecords(reason: string, variant?: string): Promise<void> {
    await this.drop(join(this.replayDir, this.replayKey(variant)), 'replay records', reason, false);
  }

  /**
   * `variant`: what else the records depend on (the scan's templates: an analysis of a view
   * that renders one replays only with the same templates); none for a scan without any.
   */
  private replayKey(variant?: string): string {
    const h = createHash('sha256').update(this.fingerprint).update('\0taint replay records');
    if (variant !== undefined) h.update('\0').update(variant);
    return h.digest('hex');
  }

  /**
   * A file entry's head (checked) and a way to read its tree copy (checked when read), which
   * is most of the entry and needed only if the IR is built from it. Synchronous: a scan looks
   * up thousands of small entries in a row, and the thread-pool round trips of asynchronous
   * calls cost more than the reads.
   */
  getFileSync(key: string): EntryBytes | undefined {
    const path = this.fileEntryPath(key);
    let first: Buffer;
    let size: number;
    let mtimeMs: number;
    try {
      const fd = openSync(path, 'r');
      try {
        ({ size, mtimeMs } = fstatSync(fd));
        first = readAt(fd, 0, Math.min(size, MAGIC.length + key.length + 1 + MAX_SECTIONS_LINE + FIRST_BYTES)) ?? Buffer.alloc(0);
      } finally {
        closeSync(fd);
      }
    } catch {
      this.misses++;
      return undefined;
    }
    const header = parseHeader(first, key, size);
    const reject = (reason: string): undefined => {
      this.dropSync(path, 'file', reason);
      return undefined;
    };
    if (typeof header === 'string') return reject(header);
    if (header.sections.length !== 2) return reject('a damaged header');
    const [head, tail] = header.sections as [Header['sections'][0], Header['sections'][0]];
    const headBytes = header.length + head.length <= first.length ? first.subarray(header.length, header.length + head.length) : readPart(path, header.length, head.length);
    if (!headBytes) return reject('a truncated entry');
    if (sectionSum(key, 0, [headBytes]) !== head.sum) return reject('a checksum mismatch');
    this.hits++;
    const now = Date.now();
    if (now - mtimeMs > DAY_MS) {
      try {
        utimesSync(path, now / 1000, now / 1000);
      } catch {
        // a concurrent prune removed it: nothing to do
      }
    }
    const tailAt = header.length + head.length;
    return {
      head: headBytes,
      tailLength: tail.length,
      tail: () => {
        if (tail.length === 0) return new Uint8Array(0);
        const bytes = readPart(path, tailAt, tail.length);
        if (bytes && sectionSum(key, 1, [bytes]) === tail.sum) return bytes;
        this.rejectFile(key, bytes ? 'a checksum mismatch in its tree copy' : 'its tree copy can no longer be read');
        return undefined;
      },
    };
  }

  /**
   * A file entry that `getFileSync` gave but whose contents do not hold together (or whose tree
   * copy failed its checks): counted as a miss instead of a hit, removed, reported. The scan
   * analyses the file again and writes a new entry.
   */
  rejectFile(key: string, reason: string): void {
    this.hits--;
    this.dropSync(this.fileEntryPath(key), 'file', reason);
  }

  async putFile(key: string, sections: readonly [Section, Section]): Promise<void> {
    await writeEntry(this.fileEntryPath(key), key, sections);
  }

  /** `putFile`, synchronously (see `writeFileEntrySync`). */
  putFileSync(key: string, sections: readonly [Section, Section]): void {
    writeFileEntrySync(this.fileEntryPath(key), key, sections);
  }

  /** A whole-run entry; `check` says what is wrong with the decoded value (undefined: nothing). */
  async getProgram<T>(key: string, check: (value: unknown) => string | undefined): Promise<T | undefined> {
    const path = join(this.programDir, key);
    const bytes = await this.read(path, key, 'run');
    if (!bytes) return undefined;
    let problem: string | undefined;
    let value: unknown;
    try {
      value = deserialize(bytes);
      problem = check(value);
    } catch (error) {
      problem = `cannot be decoded (${(error as Error).message})`;
    }
    if (problem === undefined) return value as T;
    this.hits--;
    await this.drop(path, 'run', problem);
    return undefined;
  }

  async putProgram(key: string, value: unknown): Promise<void> {
    await writeEntry(join(this.programDir, key), key, [serialize(value)]);
  }

  /** Where a file entry lives: a worker that analysed the file writes it there (`writeFileEntrySync`). */
  fileEntryPath(key: string): string {
    return join(this.filesDir, key.slice(0, 2), key);
  }


  /** A single-section entry's bytes, checked. */
  private async read(path: string, key: string, kind: string, counted = true): Promise<Uint8Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      if (counted) this.misses++;
      return undefined;
    }
    const header = parseHeader(bytes, key, bytes.length);
    const problem = typeof header === 'string' ? header : header.sections.length !== 1 ? 'a damaged header' : sectionSum(key, 0, [bytes.subarray(header.length)]) !== header.sections[0]!.sum ? 'a checksum mismatch' : undefined;
    if (problem !== undefined || typeof header === 'string') {
      await this.drop(path, kind, problem ?? 'a damaged header', counted);
      return undefined;
    }
    if (counted) this.hits++;
    await this.touch(path);
    return bytes.subarray(header.length);
  }

  /** Removes a damaged entry (a miss), reporting it once. */
  private async drop(path: string, kind: string, reason: string, counted = true): Promise<void> {
    this.note(path, kind, reason, counted);
    await rm(path, { force: true });
  }

  private dropSync(path: string, kind: string, reason: string): void {
    this.note(path, kind, reason, true);
    rmSync(path, { force: true });
  }

  private note(path: string, kind: string, reason: string, counted: boolean): void {
    if (counted) this.misses++;
    this.rejected++;
    if (this.reported.has(path)) return;
    this.reported.add(path);
    this.log?.(`cache: ${kind} entry ${relative(this.dir, path)} ignored: ${reason}; it is rewritten by this run`);
  }

  /** Marks an entry as used (at most once a day, to keep reads cheap). */
  private async touch(path: string): Promise<void> {
    try {
      const { mtimeMs } = await stat(path);
      const now = Date.now();
      if (now - mtimeMs > DAY_MS) await utimes(path, now / 1000, now / 1000);
    } catch {
      // a concurrent prune removed it: nothing to do
    }
  }

  /** Deletes entries unused for PRUNE_AFTER_DAYS; runs at most once a day per cache folder. */
  prune(now = Date.now()): number {
    const marker = join(this.dir, FORMAT, 'last-prune');
    try {
      if (now - statSync(marker).mtimeMs < DAY_MS) return 0;
    } catch {
      // never pruned
    }
    writeFileSync(marker, '');
    let removed = 0;
    const sweep = (dir: string): void => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const path = join(dir, name);
        try {
          const s = statSync(path);
          if (s.isDirectory()) sweep(path);
          else if (now - s.mtimeMs > PRUNE_AFTER_DAYS * DAY_MS || name.endsWith('.tmp') && now - s.mtimeMs > DAY_MS) {
            rmSync(path, { force: true });
            removed++;
          }
        } catch {
          // removed concurrently
        }
      }
    };
    sweep(this.filesDir);
    sweep(this.programDir);
    sweep(this.replayDir);
    return removed;
  }
}

/** How much of a file entry `getFileSync` reads at once (the meta and source of most files). */
const FIRST_BYTES = 32 * 1024;

/** A file entry as `getFileSync` gives it: its head, checked, and its tree copy, checked when read. */
export interface EntryBytes {
  head: Uint8Array;
  tailLength: number;
  /** The tree copy's bytes; undefined when they can no longer be read or fail their checksum. */
  tail(): Uint8Array | undefined;
}

/** `length` bytes at `position` of a file; undefined when they cannot be read. */
function readPart(path: string, position: number, length: number): Buffer | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      return readAt(fd, position, length);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** `length` bytes at `position`; undefined when the file is shorter. */
function readAt(fd: number, position: number, length: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, position + got);
    if (n === 0) return undefined;
    got += n;
  }
  return out;
}

let code: string | undefined;

/**
 * A hash of secreview's own code and bundled models, so a rebuilt or upgraded secreview never
 * trusts results of another build (the version alone misses local edits).
 */
export function codeFingerprint(): string {
  if (code) return code;
  const root = packageRoot();
  const h = createHash('sha256').update(VERSION);
  const fromSources = import.meta.url.endsWith('.ts');
  for (const top of [fromSources ? 'src' : 'dist', 'models']) {
    for (const file of listFiles(join(root, top))) h.update('\0').update(relative(root, file)).update('\0').update(readFileSync(file));
  }
  code = h.digest('hex');
  return code;
}

/**
 * Parsed model files kept in the cache folder (see ModelMemo), under the loader's key and the
 * fingerprint of secreview's code, so a new schema never reads an old entry. Entries carry a
 * checksum like the others (the loader checks what they decode to against the schema).
 * Failures to read or write only mean parsing again.
 */
export function modelMemo(dir: string, log?: CacheLog): ModelMemo {
  const folder = join(resolve(dir), FORMAT, 'models');
  const keyOf = (key: string): string => createHash('sha256').update(codeFingerprint()).update('\0').update(key).digest('hex');
  const drop = (path: string, reason: string): undefined => {
    log?.(`cache: models entry ${relative(resolve(dir), path)} ignored: ${reason}; it is rewritten by this run`);
    rmSync(path, { force: true });
    return undefined;
  };
  return {
    get(key) {
      const k = keyOf(key);
      const path = join(folder, k);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        return undefined;
      }
      const header = parseHeader(bytes, k, bytes.length);
      if (typeof header === 'string') return drop(path, header);
      if (header.sections.length !== 1 || sectionSum(k, 0, [bytes.subarray(header.length)]) !== header.sections[0]!.sum) return drop(path, 'a checksum mismatch');
      try {
        return deserialize(bytes.subarray(header.length)) as ModelFile[];
      } catch (error) {
        return drop(path, `cannot be decoded (${(error as Error).message})`);
      }
    },
    set(key, parsed) {
      try {
        mkdirSync(folder, { recursive: true, mode: CACHE_FOLDER_MODE });
        writeFileAtomic(join(folder, keyOf(key)), entryBytes(keyOf(key), [serialize(parsed)]));
      } catch {
        // not kept: parsed again next time
      }
    },
    reject(key, reason) {
      drop(join(folder, keyOf(key)), reason);
    },
  };
}

/** Every file under `dir`, in a fixed order (none when it does not exist). */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((relativePath) => join(dir, relativePath))
    .filter((path) => statSync(path).isFile())
    .sort();
}

/** JSON with object keys sorted, so equal settings give equal text. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
