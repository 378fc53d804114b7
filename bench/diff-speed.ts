// Wall time of `secreview diff` on Debian's python3-neutron (~1,900 files, ~370K lines) committed to
// a fresh git repository with one file then changed in the working tree. Two changes are timed:
// a benign edit (no finding touches it: one scan of the tree) and an edit adding a defect (the base
// is scanned too, to tell new findings from moved ones). The incremental cache starts as a
// developer's or CI's would: filled by one `secreview scan` of the committed tree. Each change is
// timed on its first diff (only the edited file is new to the cache) and on repeats; then once
// with --no-cache for reference. Prints figures; asserts nothing (goal: < 2 s).
//   npm run bench:diff       (or: npx tsx bench/diff-speed.ts [folder])
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianCorpus } from './corpus.js';

const BIN = fileURLToPath(new URL('../bin/secreview.js', import.meta.url));
const source = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Math.max(2, Number(process.env.BENCH_RUNS ?? 3));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const repo = mkdtempSync(join(tmpdir(), 'secreview-bench-diff-'));
const git = (...args: string[]): string =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.test', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.test' },
    maxBuffer: 256 * 1024 * 1024,
  });

try {
  const top = basename(source);
  const start = performance.now();
  cpSync(source, join(repo, top), { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'Import');
  console.log(`corpus: ${source}`);
  console.log(`repository set up in ${((performance.now() - start) / 1000).toFixed(1)} s: ${repo}`);

  const target = git('ls-files', '--', `${top}/*.py`)
    .split('\n')
    .filter((p) => p.endsWith('.py') && !p.endsWith('__init__.py') && !p.includes('/tests/'))
    .sort()[0]!;
  const original = readFileSync(join(repo, target), 'utf8');

  const cacheDir = `${repo}-cache`;
  const secreview = (args: string[]): { wall: number; stdout: string } => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...args, '--format', 'json', '--no-progress'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0 && r.status !== 1) throw new Error(`secreview ${args[0]} failed (${r.status}): ${String(r.stderr)}`);
    return { wall, stdout: String(r.stdout) };
  };
  const withoutTimes = (json: string): string => json.replace(/"durationMs": \d+/g, '');
  const time = (label: string): void => {
    const walls: number[] = [];
    let last = '';
    for (let i = 0; i < runs; i++) {
      const r = secreview(['diff', '--cache-dir', cacheDir]);
      walls.push(r.wall);
      last = r.stdout;
    }
    const uncached = secreview(['diff', '--no-cache']);
    if (withoutTimes(uncached.stdout) !== withoutTimes(last)) throw new Error('diff with and without the cache disagree');
    const report = JSON.parse(last) as { findings: { ruleId: string; location: { path: string; startLine: number } }[]; change: { notShown: number } };
    const found = report.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).join(', ') || 'none';
    const repeats = walls.slice(1);
    console.log(`${label.padEnd(36)} first diff ${walls[0]!.toFixed(2)} s; repeated ${median(repeats).toFixed(2)} s (median of ${repeats.length}); --no-cache ${uncached.wall.toFixed(2)} s, same report`);
    console.log(`${''.padEnd(36)} findings in the change: ${found}; not shown: ${report.change.notShown}`);
  };
  const warmUp = secreview(['scan', '.', '--cache-dir', cacheDir]);
  console.log(`cache filled by \`secreview scan .\` of the committed tree: ${warmUp.wall.toFixed(2)} s`);
  console.log(`changed file: ${target}`);
  appendFileSync(join(repo, target), '\n\ndef _bench_helper(value):\n    return str(value).strip()\n');
  time('benign edit (head scan only):');
  writeFileSync(join(repo, target), original);
  appendFileSync(join(repo, target), '\n\ndef _bench_cleanup(folder):\n    import os\n    os.system("rm -rf " + folder)\n');
  time('edit adding a defect (+ base scan):');
} finally {
  rmSync(repo, { recursive: true, force: true });
  rmSync(`${repo}-cache`, { recursive: true, force: true });
}
