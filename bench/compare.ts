// secreview against Bandit and against the parse-only floor, on the same files of real code
// fetched at run time from Debian (python3-neutron, python3-nova): neutron alone, then neutron +
// nova in one tree. Every measurement is a fresh process (`/usr/bin/time -v` gives wall time, CPU
// time and peak RSS for all three tools alike); BENCH_RUNS=N runs each N times (default 3) and
// the median is quoted. secreview runs as users run it: the built CLI (`npm run build` first),
// default --jobs (the cores), taint on; --no-cache for the comparison, then with --jobs 1, then
// the first scan into an empty cache, warm re-runs, a run reading file entries (as after an
// edit: it records for replay) and one replaying those records, checking that all these give the
// same JSON report byte for byte. Prints the figures and writes bench-results/compare.json.
// Asserts nothing.
//   npm run bench   (BENCH_RUNS=1 for a quick pass; BENCH_NOVA=1 adds nova alone; BENCH_SCALING=1 adds
//                    the quarter/half/all scaling of neutron + nova)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianCorpus } from './corpus.js';
import { discoverFiles } from '../src/discover/discover.js';
import { supportedExtensions } from '../src/frontend/registry.js';
import { FORMAT as CACHE_FORMAT } from '../src/cache/scan-cache.js';

const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const withScaling = process.env.BENCH_SCALING === '1';
const cli = fileURLToPath(new URL('../bin/secreview.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('build secreview first: npm run build');
const parseOnce = fileURLToPath(new URL('./parse-once.ts', import.meta.url));
const outDir = resolve('bench-results');
const work = mkdtempSync(join(tmpdir(), 'secreview-compare-'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// ---- tools -------------------------------------------------------------------------------

function aptInstall(pkg: string): void {
  console.log(`installing ${pkg} (apt-get)...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
if (!has('bandit')) aptInstall('bandit');
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  try {
    aptInstall('time');
  } catch (e) {
    console.log(`could not install GNU time (${(e as Error).message}); peak RSS of Bandit will be missing`);
  }
}
const gnuTime = existsSync(TIME);
const banditVersion = execFileSync('bandit', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();

// ---- one measured process ------------------------------------------------------------------

interface Measured {
  /** Wall seconds from spawn to exit (start-up included), measured here. */
  wallSeconds: number;
  /** User + system CPU seconds of the process (GNU time), when known. */
  cpuSeconds?: number;
  /** Peak resident set size of the process (GNU time), when known. */
  peakRssMB?: number;
  stdout: string;
}

function measure(cmd: string, args: string[], cwd: string, okStatus: number[] = [0]): Measured {
  const timeOut = join(work, 'time.txt');
  const [file, argv] = gnuTime ? [TIME, ['-v', '-o', timeOut, cmd, ...args]] : [cmd, args];
  const start = performance.now();
  const r = spawnSync(file, argv, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallSeconds = (performance.now() - start) / 1000;
  if (r.error) throw r.error;
  if (!okStatus.includes(r.status ?? -1)) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}... exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const m: Measured = { wallSeconds, stdout: r.stdout };
  if (gnuTime) {
    const t = readFileSync(timeOut, 'utf8');
    const num = (label: string): number => Number(new RegExp(`${label}:\\s*([\\d.]+)`).exec(t)?.[1] ?? NaN);
    m.cpuSeconds = num('User time \\(seconds\\)') + num('System time \\(seconds\\)');
    m.peakRssMB = num('Maximum resident set size \\(kbytes\\)') / 1024;
  }
  return m;
}

interface OnceJson { files: number; lines: number; wallSeconds: number; cpuSeconds: number; peakRssMB: number; findings?: number; taintFindings?: number; filesWithErrors?: number; errors?: number; byRule?: Record<string, number> }
/** `reportOutSeconds`: from the process's start until the report file was written (the CLI writes the cache's last entries after it). */
interface ToolRun { wallSeconds: number; inProcessSeconds?: number; cpuSeconds?: number; peakRssMB?: number; reportOutSeconds?: number }
interface ToolSummary { runs: ToolRun[]; wallSeconds: number; inProcessSeconds?: number; cpuSeconds?: number; peakRssMB?: number; reportOutSeconds?: number }

function summarise(xs: ToolRun[]): ToolSummary {
  const pick = (k: keyof ToolRun): number | undefined => {
    const v = xs.map((x) => x[k]).filter((n): n is number => typeof n === 'number' && Number.isFinite(n));
    return v.length ? median(v) : undefined;
  };
  return { runs: xs, wallSeconds: pick('wallSeconds')!, inProcessSeconds: pick('inProcessSeconds'), cpuSeconds: pick('cpuSeconds'), peakRssMB: pick('peakRssMB'), reportOutSeconds: pick('reportOutSeconds') };
}

function nodeOnce(script: string, root: string, list: string, extra: string[] = []): { run: ToolRun; json: OnceJson } {
  const m = measure(process.execPath, ['--import', 'tsx', script, root, list, ...extra], process.cwd());
  const json = JSON.parse(m.stdout.trim().split('\n').pop()!) as OnceJson;
  return { run: { wallSeconds: m.wallSeconds, inProcessSeconds: json.wallSeconds, cpuSeconds: m.cpuSeconds ?? json.cpuSeconds, peakRssMB: m.peakRssMB ?? json.peakRssMB }, json };
}

interface ReportJson {
  summary: { filesScanned: number; filesWithErrors: number; lines: number; durationMs: number };
  findings: { ruleId: string; trace?: unknown[] }[];
}

/** The JSON report without its own run time: what must not change with --jobs or the cache. */
function reportIdentity(text: string): string {
  return text.replace(/"durationMs": \d+/g, '"durationMs": 0');
}

/** One `secreview scan` through the built CLI, in a fresh process; the report goes to a file. */
function secreviewOnce(root: string, paths: string[] | undefined, flags: string[]): { run: ToolRun; json: OnceJson; report: string } {
  const out = join(work, 'report.json');
  const args = [cli, 'scan', ...(paths ?? ['.']), '--format', 'json', '-o', out, '--no-progress', '--no-config', '--severity', 'low', '--confidence', 'low', '--fail-on', 'none', ...flags];
  rmSync(out, { force: true });
  const started = Date.now();
  const m = measure(process.execPath, args, root);
  const reportOutSeconds = (statSync(out).mtimeMs - started) / 1000;
  const report = readFileSync(out, 'utf8');
  const r = JSON.parse(report) as ReportJson;
  const byRule: Record<string, number> = {};
  for (const f of r.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const json: OnceJson = {
    files: r.summary.filesScanned, lines: r.summary.lines, wallSeconds: r.summary.durationMs / 1000, cpuSeconds: m.cpuSeconds ?? NaN, peakRssMB: m.peakRssMB ?? NaN,
    findings: r.findings.length, taintFindings: r.findings.filter((f) => f.trace && f.trace.length > 0).length, filesWithErrors: r.summary.filesWithErrors, byRule,
  };
  return { run: { wallSeconds: m.wallSeconds, inProcessSeconds: json.wallSeconds, cpuSeconds: m.cpuSeconds, peakRssMB: m.peakRssMB, reportOutSeconds }, json, report: reportIdentity(report) };
}

interface BanditJson {
  errors: { filename: string; reason: string }[];
  metrics: { _totals: { loc: number; nosec: number } };
  results: { test_id: string; test_name: string; issue_severity: string; issue_confidence: string }[];
}

function banditOnce(root: string, files: string[]): { run: ToolRun; json: BanditJson } {
  const out = join(work, 'bandit.json');
  rmSync(out, { force: true });
  // Exit 1 means "issues found". The same explicit file list as secreview's.
  const m = measure('bandit', ['-f', 'json', '-o', out, '-q', ...files], root, [0, 1]);
  const json = JSON.parse(readFileSync(out, 'utf8')) as BanditJson;
  return { run: { wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, peakRssMB: m.peakRssMB }, json };
}

// ---- formatting ----------------------------------------------------------------------------

const fmtS = (s: number | undefined): string => (s === undefined ? 'n/a' : s.toFixed(2));
const fmtMB = (mb: number | undefined): string => (mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`);
const fmtX = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`);
const int = (n: number): string => n.toLocaleString('en-US');
const counts = (m: Record<string, number>): [string, number][] => Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

// ---- corpora -------------------------------------------------------------------------------

const packages = [
  { name: 'neutron', root: debianCorpus('python3-neutron', 'neutron') },
  { name: 'nova', root: debianCorpus('python3-nova', 'nova') },
];

/** One tree holding both packages side by side (neutron/, nova/), so module names stay right. */
function pairTree(): string {
  const both = join(tmpdir(), 'secreview-bench-neutron+nova');
  if (!existsSync(join(both, '.complete'))) {
    rmSync(both, { recursive: true, force: true });
    const tmp = `${both}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const { name, root } of packages) cpSync(root, join(tmp, name), { recursive: true });
    writeFileSync(join(tmp, '.complete'), '');
    renameSync(tmp, both);
  }
  return both;
}
const both = pairTree();
// neutron alone, then neutron + nova together (the issue's two sizes); nova alone with BENCH_NOVA=1.
const corpora = [packages[0]!, ...(process.env.BENCH_NOVA === '1' ? [packages[1]!] : []), { name: 'neutron+nova', root: both }];

console.log(`secreview vs Bandit vs parse floor — ${runs} run(s) per measurement, median quoted; each run a fresh process`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${banditVersion}, peak RSS and CPU ${gnuTime ? 'from /usr/bin/time -v' : 'from the process itself (Bandit: n/a)'}`);
console.log('wall = spawn to exit (interpreter start-up included, the same for every tool); secreview: full default scan, taint on, all severities and confidences');

const corpusResults: unknown[] = [];
for (const { name, root } of corpora) {
  const { files } = await discoverFiles({ root, paths: ['.'], extensions: supportedExtensions });
  const paths = files.map((f) => f.path);
  const list = join(work, `${name}.txt`);
  writeFileSync(list, paths.join('\n'));
  const parse: ToolRun[] = [];
  const sec: ToolRun[] = [];
  const ban: ToolRun[] = [];
  let secJson: OnceJson | undefined;
  let parseJson: OnceJson | undefined;
  let banJson: BanditJson | undefined;
  const reports = new Map<string, string>();
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that drift of the machine touches all three alike.
    const p = nodeOnce(parseOnce, root, list);
    parse.push(p.run);
    parseJson = p.json;
    const s = secreviewOnce(root, undefined, ['--no-cache']);
    sec.push(s.run);
    secJson = s.json;
    reports.set('default --jobs, no cache', s.report);
    const b = banditOnce(root, paths);
    ban.push(b.run);
    banJson = b.json;
    process.stderr.write(`  ${name} run ${i + 1}/${runs}: parse ${fmtS(p.run.wallSeconds)} s, secreview ${fmtS(s.run.wallSeconds)} s, bandit ${fmtS(b.run.wallSeconds)} s\n`);
  }
  // The parse floor with every core parsing: what parsing alone costs a scan on this machine.
  const parseAllCores = summarise(Array.from({ length: runs }, () => nodeOnce(parseOnce, root, list, ['--threads', String(cpus().length)]).run));
  // --jobs 1, and the incremental cache: cold (empty folder), then warm (unchanged tree).
  const one = secreviewOnce(root, undefined, ['--no-cache', '--jobs', '1']);
  reports.set('--jobs 1, no cache', one.report);
  const cacheDir = join(work, `cache-${name}`);
  const coldRuns: ToolRun[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(cacheDir, { recursive: true, force: true });
    const c = secreviewOnce(root, undefined, ['--cache-dir', cacheDir]);
    coldRuns.push(c.run);
    reports.set('default --jobs, cold cache', c.report);
  }
  const replayDir = join(cacheDir, CACHE_FORMAT, 'replay');
  const coldWroteRecords = existsSync(replayDir) && readdirSync(replayDir).length > 0;
  const warm: ToolRun[] = [];
  for (let i = 0; i < runs; i++) {
    const w = secreviewOnce(root, undefined, ['--cache-dir', cacheDir]);
    warm.push(w.run);
    reports.set('default --jobs, warm cache', w.report);
  }
  const warm1 = secreviewOnce(root, undefined, ['--cache-dir', cacheDir, '--jobs', '1']);
  reports.set('--jobs 1, warm cache', warm1.report);
  // The run after an edit: no run entry answers, every file entry is read and IRs are built from
  // them, and (the cache holding no replay records yet) the taint pass records. Simulated without
  // editing the read-only corpus by dropping the run entries.
  rmSync(join(cacheDir, CACHE_FORMAT, 'program'), { recursive: true, force: true });
  const entries = secreviewOnce(root, undefined, ['--cache-dir', cacheDir]);
  reports.set('default --jobs, file entries, recording', entries.report);
  // And the run after that one: file entries and replay records.
  rmSync(join(cacheDir, CACHE_FORMAT, 'program'), { recursive: true, force: true });
  const replaying = secreviewOnce(root, undefined, ['--cache-dir', cacheDir]);
  reports.set('default --jobs, file entries and replay records', replaying.report);
  rmSync(cacheDir, { recursive: true, force: true });
  const W = summarise(warm);
  const cold = summarise(coldRuns);
  const reference = reports.get('default --jobs, no cache')!;
  const differing = [...reports].filter(([, text]) => text !== reference).map(([label]) => label);
  const P = summarise(parse);
  const S = summarise(sec);
  const B = summarise(ban);
  const lines = secJson!.lines;
  const banditByTest: Record<string, number> = {};
  for (const r of banJson!.results) {
    const key = `${r.test_id} ${r.test_name}`;
    banditByTest[key] = (banditByTest[key] ?? 0) + 1;
  }
  const row = (label: string, t: ToolSummary): string =>
    `${label.padEnd(30)} ${fmtS(t.wallSeconds).padStart(8)} ${int(Math.round(lines / t.wallSeconds)).padStart(9)} ${fmtMB(t.peakRssMB).padStart(9)} ${fmtS(t.cpuSeconds).padStart(7)} ${fmtX(t.wallSeconds / B.wallSeconds).padStart(9)} ${fmtX(t.wallSeconds / P.wallSeconds).padStart(8)}   ${t.runs.map((r) => r.wallSeconds.toFixed(2)).join(', ')}`;
  console.log('');
  console.log(`== ${name}: ${root}`);
  console.log(`files: ${int(paths.length)} listed; secreview scanned ${int(secJson!.files)} (${secJson!.filesWithErrors ?? 0} with errors), parse floor ${int(parseJson!.files)}, Bandit ${int(paths.length - banJson!.errors.length)} (${banJson!.errors.length} errors)`);
  console.log(`lines: ${int(lines)} (secreview's count, used for every lines/s); Bandit's own loc metric: ${int(banJson!.metrics._totals.loc)}`);
  console.log(`${'tool'.padEnd(30)} ${'wall s'.padStart(8)} ${'lines/s'.padStart(9)} ${'peak RSS'.padStart(9)} ${'cpu s'.padStart(7)} ${'x Bandit'.padStart(9)} ${'x floor'.padStart(8)}   runs (wall s)`);
  console.log(row('parse only (tree-sitter floor)', P));
  console.log(row(`parse only, ${cpus().length} threads`, parseAllCores));
  console.log(row('secreview full scan', S));
  console.log(row('secreview --jobs 1', summarise([one.run])));
  console.log(row('secreview, empty cache (first)', cold));
  console.log(row('secreview, warm cache', W));
  console.log(row('secreview, entries (as if edited)', summarise([entries.run])));
  console.log(row('secreview, entries + records', summarise([replaying.run])));
  console.log(row(banditVersion, B));
  console.log(`in-process time (start-up excluded): parse floor ${fmtS(P.inProcessSeconds)} s, secreview scan ${fmtS(S.inProcessSeconds)} s (${fmtX(S.inProcessSeconds! / P.inProcessSeconds!)} the floor)`);
  console.log(`secreview is ${fmtX(B.wallSeconds / S.wallSeconds)} as fast as Bandit (wall), peak RSS ${fmtX(S.peakRssMB! / (B.peakRssMB ?? NaN))} Bandit's`);
  console.log(`15x Bandit would be ${fmtS(B.wallSeconds / 15)} s wall; parsing alone on ${cpus().length} threads takes ${fmtS(parseAllCores.wallSeconds)} s (${fmtX(B.wallSeconds / parseAllCores.wallSeconds)} Bandit)`);
  console.log(`--jobs ${cpus().length} vs --jobs 1: ${fmtX(one.run.wallSeconds / S.wallSeconds)} faster; warm cache vs cold cache: ${fmtX(cold.wallSeconds / W.wallSeconds)} faster (wall)`);
  console.log(`first scan into an empty cache: ${fmtX(cold.wallSeconds / S.wallSeconds)} the --no-cache wall, ${fmtX(cold.cpuSeconds! / S.cpuSeconds!)} its CPU; replay records written by it: ${coldWroteRecords ? 'yes' : 'no'}`);
  console.log(`report out (the report file written, from the process's start): --no-cache ${fmtS(S.reportOutSeconds)} s, first scan ${fmtS(cold.reportOutSeconds)} s (${fmtX(cold.reportOutSeconds! / S.reportOutSeconds!)}; the cache's last writes follow, until ${fmtS(cold.wallSeconds)} s), warm ${fmtS(W.reportOutSeconds)} s`);
  console.log(`--no-cache: ${fmtX(S.wallSeconds / parseAllCores.wallSeconds)} the all-core parse floor (wall); peak RSS ${fmtMB(S.peakRssMB)}`);
  console.log(`JSON reports byte for byte (durationMs aside), ${reports.size} variants: ${differing.length === 0 ? 'identical' : `DIFFERENT: ${differing.join('; ')}`}`);
  console.log(`findings — secreview: ${int(secJson!.findings ?? 0)} (${int(secJson!.taintFindings ?? 0)} data-flow); Bandit: ${int(banJson!.results.length)} (all severities/confidences)`);
  const sr = counts(secJson!.byRule ?? {});
  const br = counts(banditByTest);
  console.log(`  ${'secreview rule'.padEnd(44)} ${'n'.padStart(6)}   ${'Bandit test'.padEnd(40)} ${'n'.padStart(6)}`);
  for (let i = 0; i < Math.max(sr.length, br.length); i++) {
    const a = sr[i];
    const b = br[i];
    console.log(`  ${(a?.[0] ?? '').padEnd(44)} ${(a ? String(a[1]) : '').padStart(6)}   ${(b?.[0] ?? '').padEnd(40)} ${(b ? String(b[1]) : '').padStart(6)}`);
  }
  corpusResults.push({
    name, root, files: paths.length, lines, banditLoc: banJson!.metrics._totals.loc, banditErrors: banJson!.errors,
    parseFloor: { ...P, files: parseJson!.files },
    parseAllCores, jobs1: one.run, coldCache: cold, coldCacheWroteReplayRecords: coldWroteRecords, warmCache: W, fileEntriesRecording: entries.run, fileEntriesReplaying: replaying.run, reportsIdentical: differing.length === 0, reportsDiffering: differing,
    secreview: { ...S, files: secJson!.files, filesWithErrors: secJson!.filesWithErrors, findings: secJson!.findings, taintFindings: secJson!.taintFindings, byRule: Object.fromEntries(sr) },
    bandit: { ...B, version: banditVersion, findings: banJson!.results.length, byTest: Object.fromEntries(br) },
    ratios: {
      secreviewWallOverBandit: S.wallSeconds / B.wallSeconds,
      banditWallOverSecreview: B.wallSeconds / S.wallSeconds,
      secreviewWallOverParseFloor: S.wallSeconds / P.wallSeconds,
      secreviewInProcessOverParseFloor: S.inProcessSeconds! / P.inProcessSeconds!,
      banditWallOverParseFloor: B.wallSeconds / P.wallSeconds,
      secreviewRssOverBandit: B.peakRssMB ? S.peakRssMB! / B.peakRssMB : null,
      jobs1OverDefault: one.run.wallSeconds / S.wallSeconds,
      coldCacheOverWarmCache: cold.wallSeconds / W.wallSeconds,
      coldCacheOverNoCache: cold.wallSeconds / S.wallSeconds,
      coldCacheReportOutOverNoCache: cold.reportOutSeconds! / S.reportOutSeconds!,
      noCacheOverParseAllCores: S.wallSeconds / parseAllCores.wallSeconds,
    },
    linesPerSecond: { parseFloor: lines / P.wallSeconds, secreview: lines / S.wallSeconds, bandit: lines / B.wallSeconds },
  });
}

// ---- scaling on neutron + nova -----------------------------------------------------------

let scaling: unknown = null;
if (withScaling) {
  const { files } = await discoverFiles({ root: both, paths: ['.'], extensions: supportedExtensions });
  console.log('');
  console.log(`== scaling: neutron + nova (${int(files.length)} files), full scan in a fresh process, ${runs} run(s) per size, median`);
  console.log('size     files     lines   wall s  in-proc s   cpu s  peak RSS   lines/s  findings (taint)');
  const rows: { label: string; files: number; lines: number; wall: number; inProcess: number; cpu?: number; rss?: number; findings: number; taint: number; runs: ToolRun[] }[] = [];
  for (const [label, step] of [['quarter', 4], ['half', 2], ['all', 1]] as const) {
    // Every 4th/2nd file rather than the first N: each subset samples both packages evenly.
    const subset = files.filter((_, i) => i % step === 0).map((f) => f.path);
    const rs: ToolRun[] = [];
    let j: OnceJson | undefined;
    for (let i = 0; i < runs; i++) {
      const r = secreviewOnce(both, subset, ['--no-cache']);
      rs.push(r.run);
      j = r.json;
      process.stderr.write(`  scaling ${label} run ${i + 1}/${runs}: ${fmtS(r.run.wallSeconds)} s\n`);
    }
    const s = summarise(rs);
    rows.push({ label, files: j!.files, lines: j!.lines, wall: s.wallSeconds, inProcess: s.inProcessSeconds!, cpu: s.cpuSeconds, rss: s.peakRssMB, findings: j!.findings ?? 0, taint: j!.taintFindings ?? 0, runs: rs });
    console.log(
      `${label.padEnd(8)} ${int(j!.files).padStart(5)} ${int(j!.lines).padStart(9)} ${fmtS(s.wallSeconds).padStart(8)} ${fmtS(s.inProcessSeconds).padStart(10)} ${fmtS(s.cpuSeconds).padStart(7)} ${fmtMB(s.peakRssMB).padStart(9)} ${int(Math.round(j!.lines / s.wallSeconds)).padStart(9)} ${int(j!.findings ?? 0).padStart(9)} (${j!.taintFindings ?? 0})`,
    );
  }
  const q = rows[0]!;
  const deviations = rows.slice(1).map((row) => {
    const k = row.lines / q.lines;
    const linWall = q.wall * k;
    const linIn = q.inProcess * k;
    const linRss = q.rss !== undefined ? q.rss * k : undefined;
    const d = { size: row.label, linesFactor: k, wallSeconds: row.wall, linearWallSeconds: linWall, wallDeviation: (row.wall - linWall) / linWall, inProcessSeconds: row.inProcess, linearInProcessSeconds: linIn, inProcessDeviation: (row.inProcess - linIn) / linIn, peakRssMB: row.rss, linearPeakRssMB: linRss, rssDeviation: linRss !== undefined && row.rss !== undefined ? (row.rss - linRss) / linRss : undefined };
    const pct = (x: number | undefined): string => (x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);
    console.log(
      `${row.label}: ${k.toFixed(2)}x the quarter's lines — wall ${fmtS(row.wall)} s vs ${fmtS(linWall)} s if linear (${pct(d.wallDeviation)}); in-process ${fmtS(row.inProcess)} s vs ${fmtS(linIn)} s (${pct(d.inProcessDeviation)}); peak RSS ${fmtMB(row.rss)} vs ${fmtMB(linRss)} if linear (${pct(d.rssDeviation)})`,
    );
    return d;
  });
  scaling = { root: both, files: files.length, rows, deviationsFromLinearVsQuarter: deviations };
}

mkdirSync(outDir, { recursive: true });
const out = join(outDir, 'compare.json');
writeFileSync(
  out,
  `${JSON.stringify({ generatedAt: new Date().toISOString(), runs, statistic: 'median', machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version }, bandit: banditVersion, measuredWith: gnuTime ? '/usr/bin/time -v' : 'in-process', corpora: corpusResults, scaling }, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });
console.log('');
console.log(`written: ${out}`);
