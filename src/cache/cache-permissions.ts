/**
 * Whose cache folder this is, checked before any entry is read (as git checks a repository's
 * owner, `safe.directory`): entries decide what a scan reports, so a folder that someone else
 * owns or may write to could feed a scan findings, or hide them. Such a folder is not used at
 * all; the scan runs without the cache and says why.
 */
import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** The folders secreview creates (mode 0700: only their owner may read or write). */
export const CACHE_FOLDER_MODE = 0o700;

/**
 * Why the cache folder `dir` must not be used, or undefined when it may: it, or one of the
 * folders of `format` under it, is owned by a user other than the one running the scan (for
 * root too: root's scan reads only root's folders), or writable by its group or by others.
 * Folders that do not exist yet are fine (secreview creates them, mode 0700). Not checked on
 * Windows, which has neither owners by uid nor these mode bits.
 */
export function cacheFolderProblem(dir: string, format: string, platform = process.platform, uid = process.getuid?.()): string | undefined {
  if (platform === 'win32' || uid === undefined) return undefined;
  const folders = [dir, join(dir, format), ...['files', 'program', 'replay', 'models'].map((sub) => join(dir, format, sub))];
  for (const folder of folders) {
    let s: Stats;
    try {
      s = statSync(folder);
    } catch {
      continue; // not there (yet): nothing in it to read
    }
    if (!s.isDirectory()) continue; // not a folder: opening the cache says so
    const fix = `use a --cache-dir of your own`;
    if (s.uid !== uid) {
      return `cache folder ${folder} is owned by another user (uid ${s.uid}, this scan runs as uid ${uid}), so its entries are not read; ${fix}`;
    }
    if ((s.mode & 0o022) !== 0) {
      const mode = (s.mode & 0o777).toString(8).padStart(4, '0');
      return `cache folder ${folder} is writable by ${s.mode & 0o020 ? (s.mode & 0o002 ? 'group and others' : 'its group') : 'others'} (mode ${mode}), so its entries are not read; run \`chmod go-w ${folder}\` or ${fix}`;
    }
  }
  return undefined;
}
