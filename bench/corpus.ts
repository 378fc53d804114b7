// Fetches real Python corpora from Debian packages at run time (never committed):
// `apt-get download <pkg>` then `dpkg -x` into .bench-cache/<pkg>/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CACHE = resolve(process.env.SECREVIEW_BENCH_CACHE ?? '.bench-cache');

/** The unpacked tree of a Debian package's Python sources (dist-packages/<top>). */
export function debianCorpus(pkg: string, top: string): string {
  const dir = join(CACHE, pkg);
  const tree = join(dir, 'root', 'usr', 'lib', 'python3', 'dist-packages', top);
  if (existsSync(tree)) return tree;
  mkdirSync(dir, { recursive: true });
  const download = (): void => {
    execFileSync('apt-get', ['download', pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  try {
    download();
  } catch {
    // The package lists may be missing on a fresh machine.
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    download();
  }
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb in ${dir}`);
  rmSync(join(dir, 'root'), { recursive: true, force: true });
  execFileSync('dpkg', ['-x', join(dir, deb), join(dir, 'root')], { stdio: 'inherit' });
  if (!existsSync(tree)) throw new Error(`${pkg} has no ${tree}`);
  return tree;
}
