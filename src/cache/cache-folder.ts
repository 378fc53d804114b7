/**
 * Whether a path can hold the scan cache: a folder on an ordinary file system, or a path where
 * one can be created. Kernel pseudo-file systems (procfs, sysfs, devfs and the like) are refused
 * before anything touches them: `mkdir -p` under `/proc/self` loops for ever in Node (mkdir says
 * ENOENT, its parent exists), and walking such a tree never ends. Device files, FIFOs and sockets
 * are refused too (opening a FIFO blocks until a writer comes).
 */
import { realpathSync, statSync, statfsSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Linux `statfs` magic numbers of file systems that do not hold ordinary files. */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
  [0xcafe4a11, 'bpffs'],
  [0x6165676c, 'pstorefs'],
  [0xde5e81e4, 'efivarfs'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x42494e4d, 'binfmt_misc'],
  [0xf97cff8c, 'selinuxfs'],
  [0x6e736673, 'nsfs'],
  [0x958458f6, 'hugetlbfs'],
]);

/** Folders of the kernel's and the devices' on Linux, whatever file system they show up as (`/dev` is a tmpfs). */
const SPECIAL_TREES = ['/proc', '/sys', '/dev'];
const ORDINARY_UNDER_SPECIAL = ['/dev/shm'];

function kindOf(s: Stats): string {
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isFile()) return 'a file';
  return 'not a folder';
}

const within = (path: string, tree: string): boolean => path === tree || path.startsWith(`${tree}/`);

/** Why `dir` cannot be the cache folder, or undefined when it can (or the attempt will say why not). */
export function cacheFolderProblem(dir: string): string | undefined {
  const abs = resolve(dir);
  // The path itself, or the nearest part of it that exists (where the folder would be created).
  let probe = abs;
  let stats: Stats | undefined;
  for (;;) {
    try {
      stats = statSync(probe);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return `a part of the path is not a folder`;
      if (code !== 'ENOENT' || dirname(probe) === probe) return undefined; // opening it reports the cause
      probe = dirname(probe);
    }
  }
  if (!stats.isDirectory()) {
    return probe === abs ? `it is ${kindOf(stats)}, not a folder` : `${probe} is ${kindOf(stats)}, so no folder can be created in it`;
  }
  if (process.platform !== 'linux') return undefined;
  let real = probe;
  try {
    real = realpathSync(probe);
  } catch {
    // keep the path as given
  }
  try {
    const fs = PSEUDO_FILE_SYSTEMS.get(statfsSync(probe).type);
    if (fs) return `${real} is on ${fs}, a kernel pseudo-file system, not a place to keep files`;
  } catch {
    // statfs unavailable: the path checks below still apply
  }
  const tree = SPECIAL_TREES.find((t) => within(real, t));
  if (tree && !ORDINARY_UNDER_SPECIAL.some((t) => within(real, t))) return `${real} is under ${tree}, which holds the kernel's or the devices' files, not a place to keep files`;
  return undefined;
}
