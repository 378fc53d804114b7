// The concurrency and failure-path rules (issue #14) on real trees: Debian's python3-neutron and
// python3-nova, fetched at run time by bench/corpus.ts, scanned through the built CLI
// (`npm run build` first).
//   SECREVIEW_BENCH_CACHE=/work/bench-cache npm run bench:concurrency [-- neutron|nova ...] [--runs N]
// Prints, per tree and for both together:
// - finding counts of the six rules at default settings, and at each confidence level (from one
//   run with --confidence low --include-tests), outside and inside test code;
// - the time of a full `--no-cache` scan with all rules and with the six disabled, each run N times
//   (default 3, interleaved so that a change in machine load hits both alike): median wall time and
//   median CPU time (user+sys of the scan process and its worker threads), and the added percentage.
// Writes bench-results/concurrency.json, with every default-confidence finding (path:line rule
// confidence), sorted by path and line: the list the judged sample in docs/concurrency-neutron-nova.md
// is drawn from. Asserts nothing: the goal (under 15 % added) is for a person to read.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { debianCorpus } from './corpus.js';
import { testPathMatcher } from '../src/filters/test-code.js';

const CLI = resolve('bin/secreview.js');
if (!existsSync(resolve('dist/index.js'))) throw new Error('run `npm run build` first: this bench runs the built CLI');

export const RULES = [
  'python/check-then-act-race',
  'python/inconsistent-locking',
  'python/lock-not-released',
  'python/resource-leak-on-error',
  'python/state-committed-before-success',
  'python/broad-exception-fallback',
] as const;
const LEVELS = ['low', 'medium', 'high'] as const;

const TREES: Record<string, () => string> = {
  neutron: () => debianCorpus('python3-neutron', 'neutron'),
  nova: () => debianCorpus('python3-nova', 'nova'),
};
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1])) : 3;
const names = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
const selected = names.length > 0 ? names : Object.keys(TREES);

interface JsonFinding {
  ruleId: string;
  confidence: (typeof LEVELS)[number];
  location: { path: string; startLine: number };
}
interface JsonOut {
  summary: { filesScanned: number };
  findings: JsonFinding[];
}

/** CPU seconds (user+sys) of this process's waited-for children so far (Linux: /proc/self/stat). */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of the whole line (cutime, cstime) are 14 and 15 after the command name.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** One scan of the package folder from its parent (`nova/...` paths, so imports resolve as installed). */
function scan(tree: string, extra: string[]): { report: JsonOut; wall: number; cpu?: number } {
  const cpu0 = childCpuSeconds();
  const started = performance.now();
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, 'scan', basename(tree), '--no-cache', '--no-config', '--no-progress', '--format', 'json', ...extra], {
      cwd: dirname(tree),
      maxBuffer: 512 << 20,
      encoding: 'utf8',
    });
  } catch (error) {
    // Exit code 1 means "findings at or above fail-on": the report is still on standard output.
    const e = error as { status?: number; stdout?: string };
    if (e.status !== 1 || !e.stdout) throw error;
    out = e.stdout;
  }
  const wall = (performance.now() - started) / 1000;
  const cpu1 = childCpuSeconds();
  return { report: JSON.parse(out) as JsonOut, wall, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpu: cpu1 - cpu0 } : {}) };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(1)} %`;

type Counts = Record<string, { default: { outside: number; tests: number }; levels: Record<string, { outside: number; tests: number }> }>;

function emptyCounts(): Counts {
  const out: Counts = {};
  for (const r of RULES) {
    out[r] = { default: { outside: 0, tests: 0 }, levels: {} };
    for (const l of LEVELS) out[r]!.levels[l] = { outside: 0, tests: 0 };
  }
  return out;
}

function addCounts(into: Counts, shown: readonly JsonFinding[], all: readonly JsonFinding[], isTest: (p: string) => boolean): void {
  for (const f of shown) {
    const c = into[f.ruleId];
    if (c) c.default[isTest(f.location.path) ? 'tests' : 'outside']++;
  }
  for (const f of all) {
    const c = into[f.ruleId];
    if (c) c.levels[f.confidence]![isTest(f.location.path) ? 'tests' : 'outside']++;
  }
}

function printCounts(title: string, counts: Counts): void {
  console.log(`  ${title} (outside / inside test code)`);
  console.log(`    ${'rule'.padEnd(40)} ${'default'.padStart(9)} ${'high'.padStart(9)} ${'medium'.padStart(9)} ${'low'.padStart(9)}`);
  const cell = (c: { outside: number; tests: number }): string => `${c.outside} / ${c.tests}`.padStart(9);
  for (const r of RULES) {
    const c = counts[r]!;
    console.log(`    ${r.padEnd(40)} ${cell(c.default)} ${cell(c.levels.high!)} ${cell(c.levels.medium!)} ${cell(c.levels.low!)}`);
  }
}

const isTest = testPathMatcher();
const disable = ['--disable', RULES.join(',')];
const total = emptyCounts();
const results: Record<string, unknown> = {};
const totals = { withWall: 0, withoutWall: 0, withCpu: 0, withoutCpu: 0 };
const defaultFindings: string[] = [];
for (const name of selected) {
  const make = TREES[name];
  if (!make) throw new Error(`unknown tree ${name} (known: ${Object.keys(TREES).join(', ')})`);
  const tree = make();
  const withRuns: ReturnType<typeof scan>[] = [];
  const withoutRuns: ReturnType<typeof scan>[] = [];
  for (let i = 0; i < RUNS; i++) {
    withRuns.push(scan(tree, []));
    withoutRuns.push(scan(tree, disable));
    process.stderr.write(`${name}: run ${i + 1}/${RUNS}: with ${withRuns[i]!.wall.toFixed(1)} s, without ${withoutRuns[i]!.wall.toFixed(1)} s (wall)\n`);
  }
  const low = scan(tree, ['--confidence', 'low', '--severity', 'low', '--include-tests', '--select', RULES.join(',')]);
  const shown = withRuns[0]!.report.findings.filter((f) => (RULES as readonly string[]).includes(f.ruleId));
  const counts = emptyCounts();
  addCounts(counts, shown, low.report.findings, isTest);
  addCounts(total, shown, low.report.findings, isTest);
  const wall = { with: median(withRuns.map((r) => r.wall)), without: median(withoutRuns.map((r) => r.wall)) };
  const cpuKnown = withRuns.every((r) => r.cpu !== undefined) && withoutRuns.every((r) => r.cpu !== undefined);
  const cpu = cpuKnown ? { with: median(withRuns.map((r) => r.cpu!)), without: median(withoutRuns.map((r) => r.cpu!)) } : undefined;
  totals.withWall += wall.with;
  totals.withoutWall += wall.without;
  if (cpu) {
    totals.withCpu += cpu.with;
    totals.withoutCpu += cpu.without;
  }
  const files = withRuns[0]!.report.summary.filesScanned;
  console.log(`\n${name}: ${files} files`);
  printCounts('findings of the six rules', counts);
  console.log(`  full --no-cache scan, median of ${RUNS}: wall ${wall.with.toFixed(1)} s with the six rules, ${wall.without.toFixed(1)} s without (${pct(wall.with, wall.without)} added)`);
  if (cpu) console.log(`  CPU (user+sys), median of ${RUNS}: ${cpu.with.toFixed(1)} s with, ${cpu.without.toFixed(1)} s without (${pct(cpu.with, cpu.without)} added)`);
  const list = shown
    .filter((f) => !isTest(f.location.path))
    .sort((a, b) => (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : a.location.startLine - b.location.startLine))
    .map((f) => `${f.location.path}:${f.location.startLine} ${f.ruleId} ${f.confidence}`);
  defaultFindings.push(...list);
  results[name] = {
    files,
    counts,
    runs: RUNS,
    wallSeconds: { with: withRuns.map((r) => Number(r.wall.toFixed(2))), without: withoutRuns.map((r) => Number(r.wall.toFixed(2))), median: wall },
    ...(cpu ? { cpuSeconds: { with: withRuns.map((r) => Number(r.cpu!.toFixed(2))), without: withoutRuns.map((r) => Number(r.cpu!.toFixed(2))), median: cpu } } : {}),
    defaultFindings: list,
  };
}
if (selected.length > 1) {
  console.log('\ntogether:');
  printCounts('findings of the six rules', total);
  console.log(`  wall, sum of medians: ${totals.withWall.toFixed(1)} s with, ${totals.withoutWall.toFixed(1)} s without (${pct(totals.withWall, totals.withoutWall)} added)`);
  if (totals.withoutCpu > 0) console.log(`  CPU, sum of medians: ${totals.withCpu.toFixed(1)} s with, ${totals.withoutCpu.toFixed(1)} s without (${pct(totals.withCpu, totals.withoutCpu)} added)`);
  results.together = { counts: total, wallSeconds: { with: totals.withWall, without: totals.withoutWall }, cpuSeconds: { with: totals.withCpu, without: totals.withoutCpu } };
}
results.defaultFindings = defaultFindings;
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', 'concurrency.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench-results/concurrency.json');
