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
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { packageRoot } from '../util/package-root.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { cacheFolderProblem } from './cache-folder.js';
import { VERSION } from '../version.js';
import type { ModelFile, ModelMemo } from '../analysis/taint/models.js';

/** Bumped when the entry format changes. */
const FORMAT = 'v2';
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

export class ScanCache {
  private readonly filesDir: string;
  private readonly programDir: string;
  private readonly replayDir: string;
  private tmpCount = 0;
  hits = 0;
  misses = 0;

  private constructor(
    readonly dir: string,
    /** Everything besides a file's path and content that decides its outcome. */
    readonly fingerprint: string,
  ) {
    this.filesDir = join(dir, FORMAT, 'files');
    this.programDir = join(dir, FORMAT, 'program');
    this.replayDir = join(dir, FORMAT, 'replay');
  }

  /** Opens (creating) the cache folder; `settings` is whatever else must invalidate entries. */
  static open(dir: string, settings: unknown): ScanCache {
    const abs = resolve(dir);
    const problem = cacheFolderProblem(abs);
    if (problem) throw new Error(problem);
    mkdirSync(join(abs, FORMAT, 'files'), { recursive: true });
    mkdirSync(join(abs, FORMAT, 'program'), { recursive: true });
    // Keep the cache out of version control wherever it is created (as pytest does).
    const ignore = join(abs, '.gitignore');
    try {
      statSync(ignore);
    } catch {
      writeFileSync(ignore, '# created by secreview: its scan cache\n*\n');
    }
    const fingerprint = createHash('sha256').update(codeFingerprint()).update('\0').update(stableJson(settings)).digest('hex');
    return new ScanCache(abs, fingerprint);
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
  async getReplayRecords(): Promise<unknown> {
    const key = this.replayKey();
    const bytes = await this.read(join(this.replayDir, key), key, false);
    if (!bytes) return undefined;
    try {
      return deserialize(bytes);
    } catch {
      await rm(join(this.replayDir, key), { force: true });
      return undefined;
    }
  }

  async putReplayRecords(value: unknown): Promise<void> {
    const key = this.replayKey();
    await this.write(join(this.replayDir, key), key, serialize(value));
  }

  private replayKey(): string {
    return createHash('sha256').update(this.fingerprint).update('\0taint replay records').digest('hex');
  }

  /**
   * A file entry's first bytes (up to 32 KiB), its size, and a way to read the rest when needed:
   * an outcome's tree copy, most of the entry, is read only if the IR is built from it. Synchronous:
   * a scan looks up thousands of small entries in a row, and the thread-pool round trips of
   * asynchronous calls cost more than the reads.
   */
  getFileSync(key: string): EntryBytes | undefined {
    const path = this.filePath(key);
    const header = MAGIC.length + key.length + 1;
    let first: Buffer;
    let size: number;
    let mtimeMs: number;
    try {
      const fd = openSync(path, 'r');
      try {
        ({ size, mtimeMs } = fstatSync(fd));
        first = readAt(fd, 0, Math.min(size, header + FIRST_BYTES)) ?? Buffer.alloc(0);
      } finally {
        closeSync(fd);
      }
    } catch {
      this.misses++;
      return undefined;
    }
    if (!this.headerMatches(first, key)) {
      rmSync(path, { force: true }); // damaged or foreign: drop it
      this.misses++;
      return undefined;
    }
    this.hits++;
    const now = Date.now();
    if (now - mtimeMs > DAY_MS) {
      try {
        utimesSync(path, now / 1000, now / 1000);
      } catch {
        // a concurrent prune removed it: nothing to do
      }
    }
    return {
      first: first.subarray(header),
      size: size - header,
      read: (offset, length) => {
        try {
          const fd = openSync(path, 'r');
          try {
            return readAt(fd, header + offset, length);
          } finally {
            closeSync(fd);
          }
        } catch {
          return undefined;
        }
      },
    };
  }

  private headerMatches(bytes: Buffer, key: string): boolean {
    const header = MAGIC.length + key.length + 1;
    return bytes.length >= header && bytes.subarray(0, MAGIC.length).equals(MAGIC) && bytes.toString('latin1', MAGIC.length, header - 1) === key;
  }

  async putFile(key: string, bytes: Uint8Array): Promise<void> {
    await this.write(this.filePath(key), key, bytes);
  }

  async getProgram<T>(key: string): Promise<T | undefined> {
    const bytes = await this.read(join(this.programDir, key), key);
    if (!bytes) return undefined;
    try {
      return deserialize(bytes) as T;
    } catch {
      await rm(join(this.programDir, key), { force: true });
      return undefined;
    }
  }

  async putProgram(key: string, value: unknown): Promise<void> {
    await this.write(join(this.programDir, key), key, serialize(value));
  }

  private filePath(key: string): string {
    return join(this.filesDir, key.slice(0, 2), key);
  }

  private async read(path: string, key: string, counted = true): Promise<Uint8Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      if (counted) this.misses++;
      return undefined;
    }
    if (!this.headerMatches(bytes, key)) {
      await rm(path, { force: true }); // damaged or foreign: drop it
      if (counted) this.misses++;
      return undefined;
    }
    if (counted) this.hits++;
    await this.touch(path);
    return bytes.subarray(MAGIC.length + key.length + 1);
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

  private async write(path: string, key: string, bytes: Uint8Array): Promise<void> {
    const tmp = `${path}.${process.pid}.${++this.tmpCount}.tmp`;
    try {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(tmp, Buffer.concat([MAGIC, Buffer.from(`${key}\n`, 'latin1'), bytes]));
      await rename(tmp, path);
    } catch {
      // A cache that cannot be written (full disk, read-only folder) only costs speed.
      await rm(tmp, { force: true }).catch(() => undefined);
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

/** A file entry as `getFileSync` gives it. */
export interface EntryBytes {
  first: Uint8Array;
  size: number;
  read(offset: number, length: number): Uint8Array | undefined;
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
 * fingerprint of secreview's code, so a new schema never reads an old entry. Failures to read or
 * write only mean parsing again.
 */
export function modelMemo(dir: string): ModelMemo {
  const folder = join(resolve(dir), FORMAT, 'models');
  const pathOf = (key: string): string => join(folder, createHash('sha256').update(codeFingerprint()).update('\0').update(key).digest('hex'));
  return {
    get(key) {
      try {
        const bytes = readFileSync(pathOf(key));
        if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
        return deserialize(bytes.subarray(MAGIC.length)) as ModelFile[];
      } catch {
        return undefined;
      }
    },
    set(key, parsed) {
      try {
        mkdirSync(folder, { recursive: true });
        writeFileAtomic(pathOf(key), Buffer.concat([MAGIC, serialize(parsed)]));
      } catch {
        // not kept: parsed again next time
      }
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
