/**
 * Where a file's settings come from, as Ruff finds them: the nearest folder, from the file's own
 * folder upwards, holding a settings file (`.secreview.yml`, `.secreview.yaml`, `[tool.secreview]`
 * in pyproject.toml, `"secreview"` in package.json; config.ts settingsInFolder). The search stops at
 * the repository root (the folder holding `.git`): a settings file above the repository belongs to
 * something else. Outside a repository it goes on to the filesystem root, as Ruff's does, but a
 * file there owned by another user (a `.secreview.yml` planted in /tmp, say) is ignored with a
 * warning, as git ignores a repository another user owns.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { settingsInFolder, type ConfigFile } from './config.js';

/** One settings file and the folder it governs. */
export interface SettingsFile {
  /** The folder whose files (and subfolders without settings of their own) it governs. */
  dir: string;
  /** The file read (absolute). Its relative paths are relative to its own folder, dirname(source). */
  source: string;
  config: ConfigFile;
}

export interface FinderOptions {
  /** Search no higher than this folder (a diff checkout, which has no `.git` of its own). */
  top?: string;
  /**
   * Read settings files from this tree instead, at the same place relative to `top`: the base of a
   * change is judged with the changed state's settings. Needs `top`.
   */
  settingsTree?: string;
  /**
   * Hears of files that are ignored: shadowed by `by` in their folder, or owned by another user
   * outside any repository.
   */
  onIgnored?: (file: string, why: { shadowedBy: string } | { otherOwner: true }) => void;
}

export class SettingsFinder {
  private readonly perDir = new Map<string, SettingsFile | null>();
  private readonly warned = new Set<string>();
  private readonly top: string | undefined;
  private readonly uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

  constructor(private readonly options: FinderOptions = {}) {
    this.top = options.top ? resolve(options.top) : undefined;
  }

  /** The settings governing files in this folder (absolute), or undefined for none. */
  nearest(absDir: string): SettingsFile | undefined {
    return this.lookup(resolve(absDir)) ?? undefined;
  }

  private lookup(dir: string): SettingsFile | null {
    const cached = this.perDir.get(dir);
    if (cached !== undefined) return cached;
    const read = this.folderToRead(dir);
    const here = read === undefined ? undefined : settingsInFolder(read);
    for (const file of here?.shadowed ?? []) {
      this.ignored(file, { shadowedBy: here!.found!.source });
    }
    let result: SettingsFile | null = null;
    const isRepoRoot = read !== undefined && existsSync(join(read, '.git'));
    // Outside a repository, the folders above the scanned files may hold files of other users.
    if (here?.found && !(!this.inRepository(dir) && this.ownedByAnother(here.found.source))) {
      result = { dir, source: here.found.source, config: here.found.config };
    } else {
      if (here?.found) this.ignored(here.found.source, { otherOwner: true });
      const parent = dirname(dir);
      const stop = isRepoRoot || dir === this.top || parent === dir || (this.top !== undefined && !inside(this.top, dir));
      if (!stop) result = this.lookup(parent);
    }
    this.perDir.set(dir, result);
    return result;
  }

  private folderToRead(dir: string): string | undefined {
    const { settingsTree } = this.options;
    if (!settingsTree || !this.top) return dir;
    if (!inside(this.top, dir)) return undefined;
    return join(settingsTree, relative(this.top, dir));
  }

  /** Is some folder from `dir` up (bounded by `top`) a repository root? */
  private inRepository(dir: string): boolean {
    for (let d = dir; ; d = dirname(d)) {
      const read = this.folderToRead(d);
      if (read !== undefined && existsSync(join(read, '.git'))) return true;
      if (d === this.top || dirname(d) === d) return this.top !== undefined;
    }
  }

  private ownedByAnother(file: string): boolean {
    if (this.uid === undefined) return false;
    try {
      const { uid } = statSync(file);
      return uid !== this.uid && uid !== 0;
    } catch {
      return false;
    }
  }

  private ignored(file: string, why: { shadowedBy: string } | { otherOwner: true }): void {
    if (this.warned.has(file)) return;
    this.warned.add(file);
    this.options.onIgnored?.(file, why);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
