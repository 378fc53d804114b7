import * as nodeFs from 'node:fs';
import { readFileSync, statSync, lstatSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import ignore, { type Ignore } from 'ignore';
import { PathPatterns } from './path-patterns.js';
import type { Diagnostic } from '../findings/types.js';

/** Folders nobody wants scanned: dependencies, VCS data, virtualenvs, caches. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.hg/**',
  '**/.svn/**',
  '**/.tox/**',
  '**/.nox/**',
  '**/.venv/**',
  '**/venv/**',
  '**/virtualenv/**',
  '**/.virtualenvs/**',
  '**/site-packages/**',
  '**/__pycache__/**',
  '**/.mypy_cache/**',
  '**/.pytest_cache/**',
  '**/.ruff_cache/**',
  '**/.eggs/**',
  '**/*.egg-info/**',
  '**/.secreview-cache/**',
];

export interface DiscoverOptions {
  /** Folder that reported paths are relative to (usually the working directory). */
  root: string;
  /** Files and folders to scan, relative to root or absolute. */
  paths: readonly string[];
  /** File extensions the front ends claim, with a dot. */
  extensions: readonly string[];
  /** Only files matching these patterns (relative to root, .gitignore semantics) are kept, when given. */
  include?: readonly string[];
  /** Files matching these patterns (.gitignore semantics: a folder excludes its subtree) are dropped. */
  exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  respectGitignore?: boolean;
  /**
   * Scan generated JavaScript found in folders too: `.d.ts` declarations, minified files
   * (`.min.js`, lines over 1,000 characters) and files under build output folders (`dist/`,
   * `build/`, `out/`, `.next/`, `coverage/`, `vendor/`…). Default false; files named
   * explicitly are always scanned.
   */
  includeGenerated?: boolean;
  /**
   * Other files to collect, for a purpose of their own (templates): globs to walk besides the
   * extensions, and which paths count. They are listed in `extra`, not in `files`.
   */
  extra?: { globs: readonly string[]; accept: (path: string) => boolean };
  /**
   * Also asked of every file a folder walk finds (the include/exclude of the settings governing
   * it); explicitly named files are kept whatever it says, as with include/exclude.
   */
  keep?: (path: string) => boolean;
}

export interface DiscoveredFile {
  absPath: string;
  /** Relative to the root, forward slashes. */
  path: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Files matching `extra` (and not the extensions), sorted. */
  extra: DiscoveredFile[];
  diagnostics: Diagnostic[];
}

/** JavaScript-family files: generated ones are skipped in folder walks by default. */
const JS_FAMILY = /\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/i;
/** Declarations only (`.d.ts`, `.d.mts`…), minified files, and bundles in build output folders. */
const GENERATED_JS = /(?:\.d\.[cm]?ts$|[.-]min\.[cm]?js$|\.bundle\.[cm]?js$)/i;
const BUILD_FOLDERS = /(?:^|\/)(?:dist|build|out|\.next|\.nuxt|coverage|bower_components|vendor)\//;
/** A line longer than this in a file's first 64 KiB means minified code. */
const MINIFIED_LINE = 1000;

/** Why a JavaScript/TypeScript file found in a folder walk is not worth scanning, if it is not. */
export function generatedJavaScript(absPath: string, relPath: string): string | undefined {
  if (!JS_FAMILY.test(relPath)) return undefined;
  if (/\.d\.[cm]?ts$/i.test(relPath)) return 'declaration';
  if (GENERATED_JS.test(relPath)) return 'minified';
  if (BUILD_FOLDERS.test(relPath)) return 'build output';
  try {
    const fd = nodeFs.openSync(absPath, 'r');
    try {
      const buffer = Buffer.alloc(65536);
      const n = nodeFs.readSync(fd, buffer, 0, buffer.length, 0);
      const text = buffer.toString('latin1', 0, n);
      let start = 0;
      for (let i = text.indexOf('\n'); ; i = text.indexOf('\n', start)) {
        const end = i < 0 ? text.length : i;
        if (end - start > MINIFIED_LINE) return 'minified';
        if (i < 0) break;
        start = i + 1;
      }
    } finally {
      nodeFs.closeSync(fd);
    }
  } catch {
    // Unreadable: the read stage says why.
  }
  return undefined;
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/**
 * Expand paths into the sorted list of source files to scan. Explicitly named files are
 * kept even when ignored (the user asked for them); folders are walked without following
 * symbolic links, so link loops cannot trap the walk.
 */
export async function discoverFiles(options: DiscoverOptions): Promise<Discovery> {
  const root = resolve(options.root);
  const diagnostics: Diagnostic[] = [];
  const found = new Map<string, DiscoveredFile>();
  /** Generated JavaScript left out of folder walks, by reason. */
  const skipped = new Map<string, number>();
  const extra = new Map<string, DiscoveredFile>();
  const claimed = (path: string): boolean => options.extensions.some((e) => path.endsWith(e));
  const isExtra = (path: string): boolean => options.extra !== undefined && !claimed(path) && options.extra.accept(path);
  const include = options.include?.length ? new PathPatterns(options.include) : undefined;
  const exclude = options.exclude?.length ? new PathPatterns(options.exclude) : undefined;
  const gitignore = options.respectGitignore === false ? undefined : new GitignoreStack(root);
  const extGlob = options.extensions.length === 1
    ? `**/*${options.extensions[0]}`
    : `**/*{${options.extensions.join(',')}}`;

  const keep = (absPath: string): DiscoveredFile => ({ absPath, path: toPosix(relative(root, absPath)) || '.' });
  const filtered = (file: DiscoveredFile): boolean =>
    (!include || include.matches(file.path)) && (!exclude || !exclude.matches(file.path)) && (!options.keep || options.keep(file.path));

  for (const given of options.paths) {
    const absPath = isAbsolute(given) ? given : resolve(root, given);
    let stat;
    try {
      stat = statSync(absPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const cause = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(error);
      diagnostics.push({ kind: 'path-error', level: 'error', path: given, message: `cannot scan ${given}: ${cause}` });
      continue;
    }
    if (stat.isFile()) {
      const file = keep(absPath);
      (isExtra(file.path) ? extra : found).set(file.absPath, file);
      continue;
    }
    if (!stat.isDirectory()) {
      diagnostics.push({ kind: 'path-error', level: 'error', path: given, message: `cannot scan ${given}: not a regular file or folder` });
      continue;
    }
    let matches: string[];
    // The walk skips folders it cannot list; record them so nothing is skipped silently.
    const unlistable: { dir: string; code: string }[] = [];
    const readdir = ((dir: string, opts: unknown, callback: (error: NodeJS.ErrnoException | null, entries?: unknown) => void) =>
      (nodeFs.readdir as (d: string, o: unknown, c: typeof callback) => void)(dir, opts, (error, entries) => {
        if (error) unlistable.push({ dir, code: error.code ?? error.message });
        callback(error, entries);
      })) as unknown as typeof nodeFs.readdir;
    try {
      matches = await glob([extGlob, ...(options.extra?.globs ?? [])], {
        cwd: absPath,
        absolute: true,
        dot: true,
        onlyFiles: true,
        followSymbolicLinks: false,
        ignore: [...DEFAULT_EXCLUDES],
        fs: { readdir, readdirSync: nodeFs.readdirSync, realpath: nodeFs.realpath, realpathSync: nodeFs.realpathSync, stat: nodeFs.stat, statSync: nodeFs.statSync },
      });
      for (const { dir, code } of unlistable) {
        const path = toPosix(relative(root, resolve(absPath, dir))) || '.';
        const cause = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
        diagnostics.push({ kind: 'read-error', level: 'error', path, message: `cannot list folder ${path}: ${cause}; files in it were not scanned` });
      }
    } catch (error) {
      diagnostics.push({ kind: 'read-error', level: 'error', path: given, message: `cannot list ${given}: ${String(error)}` });
      continue;
    }
    // A folder the user names is scanned even if an outer .gitignore excludes it; the
    // .gitignore files inside it still apply.
    const top = gitignore?.ignoresDir(absPath) ? absPath : undefined;
    for (const match of matches) {
      const abs = resolve(match);
      if (gitignore?.ignores(abs, top)) continue;
      if (isSymlink(abs)) continue;
      const file = keep(abs);
      if (!filtered(file)) continue;
      if (claimed(file.path)) {
        const generated = options.includeGenerated ? undefined : generatedJavaScript(abs, toPosix(relative(absPath, abs)));
        if (generated) {
          skipped.set(generated, (skipped.get(generated) ?? 0) + 1);
          continue;
        }
        found.set(abs, file);
      } else if (isExtra(file.path)) extra.set(abs, file);
    }
  }
  if (skipped.size > 0) {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    const parts = [...skipped.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([why, n]) => `${n} ${why}`).join(', ');
    diagnostics.push({
      kind: 'generated-skipped',
      level: 'warning',
      path: '',
      message: `skipped ${total} generated JavaScript/TypeScript ${total === 1 ? 'file' : 'files'} (${parts}); name a file to scan it`,
    });
  }
  const byPath = (a: DiscoveredFile, b: DiscoveredFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const files = [...found.values()].sort(byPath);
  for (const [flag, patterns] of [['--include', include], ['--exclude', exclude]] as const) {
    for (const pattern of patterns?.unmatched() ?? []) {
      diagnostics.push({ kind: 'config-error', level: 'warning', path: '', message: `${flag} pattern \`${pattern}\` matches no file; it has no effect` });
    }
  }
  return { files, extra: [...extra.values()].sort(byPath), diagnostics };
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * .gitignore semantics: every .gitignore from the repository root down to the file's folder
 * applies, each with paths relative to its own folder. Loaded lazily and cached per folder.
 */
class GitignoreStack {
  private readonly perDir = new Map<string, Ignore | null>();
  private readonly repoRoots = new Map<string, string | null>();

  /** `fallbackTop` bounds the walk up when the files are not inside a git repository. */
  constructor(private readonly fallbackTop: string) {}

  /** Is this folder itself excluded by the .gitignore files above it? */
  ignoresDir(absDir: string): boolean {
    const parent = dirname(absDir);
    if (parent === absDir) return false;
    return this.ignores(absDir, undefined, true);
  }

  ignores(absFile: string, top?: string, isDir = false): boolean {
    const repo = top ?? this.repoRootOf(dirname(absFile)) ?? this.fallbackTop;
    // Folders from the repo root down to the file's folder.
    const chain: string[] = [];
    for (let d = dirname(absFile); ; d = dirname(d)) {
      chain.push(d);
      if (d === repo || dirname(d) === d) break;
    }
    for (const dir of chain.reverse()) {
      const rules = this.rulesFor(dir);
      if (!rules) continue;
      const rel = toPosix(relative(dir, absFile));
      if (rel && !rel.startsWith('..') && rules.ignores(isDir ? `${rel}/` : rel)) return true;
    }
    return false;
  }

  private rulesFor(dir: string): Ignore | null {
    let rules = this.perDir.get(dir);
    if (rules === undefined) {
      rules = null;
      const file = join(dir, '.gitignore');
      try {
        rules = ignore().add(readFileSync(file, 'utf8'));
      } catch {
        // No .gitignore here, or unreadable: nothing to apply.
      }
      this.perDir.set(dir, rules);
    }
    return rules;
  }

  private repoRootOf(dir: string): string | null {
    const cached = this.repoRoots.get(dir);
    if (cached !== undefined) return cached;
    let result: string | null;
    if (existsSync(join(dir, '.git'))) result = dir;
    else {
      const parent = dirname(dir);
      result = parent === dir ? null : this.repoRootOf(parent);
    }
    this.repoRoots.set(dir, result);
    return result;
  }
}
