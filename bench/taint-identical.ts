// Byte-identical reports: scans real Python trees (Debian's python3-neutron and python3-nova by
// default) with the code at a reference git revision and with the working tree, as a user would
// (`secreview scan <tree> --no-cache --format json`), and compares the two JSON reports byte for
// byte, the run's `durationMs` aside. Two reports per tree: the default one, and every finding
// (`--severity low --confidence low --include-tests`, which shows the taint engine's low-confidence
// parameter findings too). A difference is an error (exit 1).
//   npm run bench:identical -- [neutron|nova|<folder>]... [--ref REV] [--fresh]
// The reference is built once in a git worktree under the system's temporary folder (node_modules
// linked to this checkout's, `npm run build` there); its reports are kept in bench-results/ and
// reused for the same revision unless --fresh. The working tree is built first (`npm run build`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { debianCorpus } from './corpus.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const flag = (name: string): boolean => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const here = process.cwd();
const git = (...a: string[]): string => execFileSync('git', a, { cwd: here, encoding: 'utf8' }).trim();
const ref = git('rev-parse', '--short', option('--ref') ?? 'dcd458b');
const fresh = flag('--fresh');
const corpora = args.length > 0 ? args : ['neutron', 'nova'];
const results = join(here, 'bench-results', 'taint-identical');
mkdirSync(results, { recursive: true });

function rootOf(name: string): string {
  if (name === 'neutron') return debianCorpus('python3-neutron', 'neutron');
  if (name === 'nova') return debianCorpus('python3-nova', 'nova');
  return resolve(name);
}

/** The reference revision, checked out and built once. */
function referenceCheckout(): string {
  const dir = join(tmpdir(), `secreview-ref-${ref}`);
  if (!existsSync(join(dir, 'package.json'))) git('worktree', 'add', '--detach', dir, ref);
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'));
  if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) build(dir);
  return dir;
}

function build(dir: string): void {
  console.log(`building ${dir}`);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'inherit' });
}

const MODES: { name: string; flags: string[] }[] = [
  { name: 'default', flags: [] },
  { name: 'all', flags: ['--severity', 'low', '--confidence', 'low', '--include-tests'] },
];

/** One scan of `tree` by the checkout at `dir`, run from the tree's parent (paths as a user sees them). */
function scan(dir: string, tree: string, flags: string[], out: string): number {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [join(dir, 'bin', 'secreview.js'), 'scan', basename(tree), '--no-cache', '--format', 'json', '--no-progress', '--no-config', '--fail-on', 'none', '-o', out, ...flags],
    { cwd: dirname(tree), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`${dir}: scan of ${tree} exited with ${run.status ?? run.signal}`);
  return (performance.now() - started) / 1000;
}

/** The report without the run's duration (the only field that differs between two equal runs). */
function comparable(file: string): Buffer {
  const text = readFileSync(file, 'utf8').replace(/\n {4}"durationMs": \d+,/, '');
  return Buffer.from(text, 'utf8');
}

build(here);
const refDir = referenceCheckout();
let differ = 0;
console.log(`reference ${ref} (${refDir}) against the working tree (${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain').length > 0 ? ', with changes' : ''})`);
console.log('tree     report    findings  bytes      reference s  working s  identical');
for (const name of corpora) {
  const tree = rootOf(name);
  for (const mode of MODES) {
    const refFile = join(results, `${ref}-${basename(tree)}-${mode.name}.json`);
    const nowFile = join(results, `working-${basename(tree)}-${mode.name}.json`);
    const refTime = fresh || !existsSync(refFile) ? scan(refDir, tree, mode.flags, refFile).toFixed(1) : 'kept';
    const nowTime = scan(here, tree, mode.flags, nowFile).toFixed(1);
    const a = comparable(refFile);
    const b = comparable(nowFile);
    const same = a.equals(b);
    if (!same) differ++;
    const findings = (JSON.parse(b.toString('utf8')) as { findings: unknown[] }).findings.length;
    console.log(
      `${basename(tree).padEnd(8)} ${mode.name.padEnd(9)} ${String(findings).padStart(8)}  ${String(b.length).padEnd(9)}  ${refTime.padStart(11)}  ${nowTime.padStart(9)}  ${same ? 'yes' : `NO (reference ${a.length} bytes)`}`,
    );
  }
}
writeFileSync(join(results, 'last-run.txt'), `${ref} ${differ === 0 ? 'identical' : `${differ} differ`}\n`);
if (differ > 0) {
  console.error(`${differ} report(s) differ from ${ref}'s; compare the files in ${results}`);
  process.exitCode = 1;
}
