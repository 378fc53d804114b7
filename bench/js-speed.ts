// secreview against ESLint with eslint-plugin-security on the same real JavaScript, fetched from
// the npm registry at run time (`npm pack`, never committed): the published packages of express,
// koa, lodash and axios whole, and next's dist/server (the server runtime; the whole next package
// is mostly vendored bundles under dist/compiled). Both tools get the same explicit list of
// .js/.cjs/.mjs files: ESLint cannot parse TypeScript without typescript-eslint, so TypeScript is
// left out for both. Minified files (`.min.js`, `.bundle.js`, or a line over 1,000 characters in
// the first 64 KiB, secreview's own rule) and node_modules are left out for both too.
//
// Every measurement is a fresh process: wall time measured here, CPU time and peak RSS from
// `/usr/bin/time -v` when present (Debian package `time`), else from the child's own
// process.resourceUsage() (a preloaded exit hook). secreview runs as users run it: the built CLI
// (`npm run build` first), `scan --no-cache`, default settings and --jobs (the cores), taint on.
// ESLint runs its CLI with a flat config written for the run: only the plugin's recommended rules,
// ecmaVersion latest, JSX on, sourceType module for .mjs and for .js files with top-level
// import/export, commonjs otherwise; inline config comments off (so a file's own
// `eslint-disable` of an unknown rule neither errors nor hides anything). ESLint runs single-threaded (its default)
// and, as a second row, with `--concurrency auto`. BENCH_RUNS=N repeats each tool N times
// (default 1) and the median is quoted (the mean of the middle two for an even N). Writes bench-results/js-speed.json. Asserts nothing.
// ESLint and the plugin are devDependencies (pinned); where they are not installed in this checkout,
// SECREVIEW_ESLINT_PREFIX names a folder whose node_modules holds them. The packages are cached in
// $SECREVIEW_BENCH_CACHE/npm-js (default: the OS temp folder's secreview-bench/npm-js). When
// `npm pack` fails (no registry), the bench says so and exits 2.
//   npm run build && npm run bench:js-speed
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What is fetched, pinned so that figures compare across runs; `root` is the part scanned. */
const PACKAGES = [
  { name: 'express', version: '5.3.0', root: '.' },
  { name: 'koa', version: '3.3.0', root: '.' },
  { name: 'lodash', version: '4.18.1', root: '.' },
  { name: 'axios', version: '1.21.1', root: '.' },
  { name: 'next', version: '16.5.0', root: 'dist/server' },
] as const;

const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const cli = fileURLToPath(new URL('../bin/secreview.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) fail('build secreview first: npm run build');
const CACHE = join(resolve(process.env.SECREVIEW_BENCH_CACHE ?? join(tmpdir(), 'secreview-bench')), 'npm-js');
const work = mkdtempSync(join(tmpdir(), 'secreview-js-speed-'));
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function fail(message: string): never {
  console.error(`bench:js-speed: ${message}`);
  process.exit(2);
}

// ---- ESLint and its plugin (devDependencies) ------------------------------------------------

/** The folder of an installed package: this checkout's node_modules, else SECREVIEW_ESLINT_PREFIX/node_modules. */
function packageDir(name: string): string {
  const bases = [fileURLToPath(import.meta.url)];
  if (process.env.SECREVIEW_ESLINT_PREFIX) bases.push(join(resolve(process.env.SECREVIEW_ESLINT_PREFIX), 'noop.js'));
  for (const base of bases) {
    try {
      return dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch {
      // try the next place
    }
  }
  fail(`${name} is not installed: it is a devDependency (npm install), or set SECREVIEW_ESLINT_PREFIX to a folder whose node_modules holds it`);
}
const eslintDir = packageDir('eslint');
const pluginDir = packageDir('eslint-plugin-security');
const versionOf = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
const eslintBin = join(eslintDir, 'bin', 'eslint.js');

// ---- the corpus ----------------------------------------------------------------------------

/** Unpacks `name@version` from the registry into the cache (once) and returns the package folder. */
function fetchPackage(name: string, version: string): string {
  const dir = join(CACHE, `${name}-${version}`);
  const pkg = join(dir, 'package');
  if (existsSync(join(pkg, 'package.json'))) return pkg;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--ignore-scripts'], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.error || r.status !== 0) {
    const lines = (r.stderr ?? '').trim().split('\n');
    const cause = lines.filter((l) => /\b(?:code|E[A-Z0-9]{3,}|request to)\b/.test(l)).slice(0, 3);
    fail(`npm pack ${name}@${version} failed (the npm registry must be reachable): ${r.error?.message ?? (cause.length ? cause : lines.slice(-3)).join(' | ')}`);
  }
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) fail(`npm pack ${name}@${version} produced no tarball in ${dir}`);
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
  rmSync(join(dir, tgz));
  if (!existsSync(join(pkg, 'package.json'))) fail(`${name}@${version}: the tarball has no package/package.json`);
  return pkg;
}

const MINIFIED_LINE = 1000;
function minified(abs: string): boolean {
  if (/[.-]min\.[cm]?js$|\.bundle\.[cm]?js$/i.test(abs)) return true;
  const fd = openSync(abs, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const text = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
    return text.split('\n').some((line) => line.length > MINIFIED_LINE);
  } finally {
    closeSync(fd);
  }
}

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') out.push(...jsFiles(p));
    } else if (/\.[cm]?js$/.test(name) && !minified(p)) out.push(p);
  }
  return out;
}

const lineCount = (text: string): number => (text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
const TOP_LEVEL_MODULE = /^(?:import\s*[\w{*'"]|export\s+(?:default|const|let|var|function|class|async|\{|\*))/m;

console.log(`fetching ${PACKAGES.map((p) => `${p.name}@${p.version}`).join(', ')} into ${CACHE} (npm pack)...`);
const corpus = PACKAGES.map((p) => {
  const pkg = fetchPackage(p.name, p.version);
  const files = jsFiles(join(pkg, p.root));
  let lines = 0;
  const modules: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    lines += lineCount(text);
    if (f.endsWith('.js') && TOP_LEVEL_MODULE.test(text)) modules.push(f);
  }
  return { ...p, files, lines, modules };
});
const files = corpus.flatMap((c) => c.files).map((f) => relative(CACHE, f));
const moduleJs = corpus.flatMap((c) => c.modules).map((f) => relative(CACHE, f));
const totalLines = corpus.reduce((n, c) => n + c.lines, 0);
for (const c of corpus) console.log(`  ${`${c.name}@${c.version}`.padEnd(16)} ${c.root.padEnd(12)} ${String(c.files.length).padStart(5)} files ${String(c.lines).padStart(7)} lines`);
console.log(`  ${'all'.padEnd(29)} ${String(files.length).padStart(5)} files ${String(totalLines).padStart(7)} lines`);

// ---- one measured process ------------------------------------------------------------------

const TIME = '/usr/bin/time';
const gnuTime = existsSync(TIME);
/** Without GNU time: the child writes its own CPU time and peak RSS at exit. */
const exitHook = join(work, 'resource-usage.mjs');
writeFileSync(
  exitHook,
  "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(process.env.SECREVIEW_BENCH_RUSAGE, JSON.stringify(u)); });\n",
);

interface Measured { wallSeconds: number; cpuSeconds?: number; peakRssMB?: number; status: number }

function measure(args: string[], cwd: string, okStatus: number[]): Measured {
  const timeOut = join(work, 'time.txt');
  const rusage = join(work, 'rusage.json');
  rmSync(rusage, { force: true });
  const node = process.execPath;
  const [file, argv] = gnuTime ? [TIME, ['-v', '-o', timeOut, node, ...args]] : [node, ['--import', pathToFileURL(exitHook).href, ...args]];
  const start = performance.now();
  const r = spawnSync(file, argv, { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, SECREVIEW_BENCH_RUSAGE: rusage } });
  const wallSeconds = (performance.now() - start) / 1000;
  if (r.error) throw r.error;
  if (!okStatus.includes(r.status ?? -1)) fail(`${args.slice(0, 2).map((a) => relative(process.cwd(), a)).join(' ')}... exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const m: Measured = { wallSeconds, status: r.status ?? -1 };
  if (gnuTime) {
    const t = readFileSync(timeOut, 'utf8');
    const num = (label: string): number => Number(new RegExp(`${label}:\\s*([\\d.]+)`).exec(t)?.[1] ?? NaN);
    m.cpuSeconds = num('User time \\(seconds\\)') + num('System time \\(seconds\\)');
    m.peakRssMB = num('Maximum resident set size \\(kbytes\\)') / 1024;
  } else if (existsSync(rusage)) {
    const u = JSON.parse(readFileSync(rusage, 'utf8')) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
    m.cpuSeconds = (u.userCPUTime + u.systemCPUTime) / 1e6;
    m.peakRssMB = u.maxRSS / 1024;
  }
  return m;
}

// ---- the tools -----------------------------------------------------------------------------

interface SecreviewReport {
  summary: { filesScanned: number; lines: number };
  findings: { ruleId: string; trace?: unknown[]; location: { path: string; startLine: number } }[];
  diagnostics: { level: string; kind: string }[];
}

function secreviewOnce(): { run: Measured; facts: Record<string, unknown> } {
  const out = join(work, 'secreview.json');
  rmSync(out, { force: true });
  const run = measure([cli, 'scan', ...files, '--no-cache', '--no-config', '--no-progress', '--format', 'json', '-o', out, '--fail-on', 'none'], CACHE, [0]);
  const r = JSON.parse(readFileSync(out, 'utf8')) as SecreviewReport;
  const byRule: Record<string, number> = {};
  for (const f of r.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  return {
    run,
    facts: {
      filesScanned: r.summary.filesScanned, lines: r.summary.lines,
      errorDiagnostics: r.diagnostics.filter((d) => d.level === 'error').length,
      diagnosticKinds: Object.fromEntries([...new Set(r.diagnostics.map((d) => d.kind))].map((k) => [k, r.diagnostics.filter((d) => d.kind === k).length])),
      findings: r.findings.length, taintFindings: r.findings.filter((f) => (f.trace?.length ?? 0) > 0).length, byRule,
      firstFindings: r.findings.slice(0, 20).map((f) => `${f.location.path}:${f.location.startLine} ${f.ruleId}`),
    },
  };
}

/** The flat config of the run: the plugin's recommended rules only, modern syntax, JSX on. */
const eslintConfig = join(CACHE, 'eslint.config.secreview-bench.mjs');
writeFileSync(
  eslintConfig,
  `// Written by secreview's bench/js-speed.ts for one run.
import security from ${JSON.stringify(pathToFileURL(join(pluginDir, 'index.js')).href)};
const languageOptions = (sourceType) => ({ ecmaVersion: 'latest', sourceType, parserOptions: { ecmaFeatures: { jsx: true } } });
export default [
  { files: ['**/*.js', '**/*.cjs'], plugins: { security }, rules: security.configs.recommended.rules, languageOptions: languageOptions('commonjs') },
  { files: ['**/*.mjs', ...${JSON.stringify(moduleJs)}], languageOptions: languageOptions('module') },
];
`,
);

interface EslintResult { filePath: string; messages: { ruleId: string | null; fatal?: boolean }[] }

function eslintOnce(concurrency: 'off' | 'auto'): { run: Measured; facts: Record<string, unknown> } {
  const out = join(work, 'eslint.json');
  rmSync(out, { force: true });
  const args = [eslintBin, '--config', eslintConfig, '--no-inline-config', '--no-warn-ignored', '--concurrency', concurrency, '--format', 'json', '--output-file', out, ...files];
  // Exit 1: problems found.
  const run = measure(args, CACHE, [0, 1]);
  const results = JSON.parse(readFileSync(out, 'utf8')) as EslintResult[];
  const byRule: Record<string, number> = {};
  let fatal = 0;
  for (const r of results) {
    for (const m of r.messages) {
      if (m.fatal) fatal++;
      else if (m.ruleId) byRule[m.ruleId] = (byRule[m.ruleId] ?? 0) + 1;
    }
  }
  return { run, facts: { filesLinted: results.length, parseErrors: fatal, problems: Object.values(byRule).reduce((a, b) => a + b, 0), byRule } };
}

// ---- the runs ------------------------------------------------------------------------------

console.log(`\nsecreview (scan --no-cache, taint on, --jobs default = ${cpus().length} cores) beside ESLint ${versionOf(eslintDir)} + eslint-plugin-security ${versionOf(pluginDir)}, ${runs} run(s) each, alternating`);
console.log(`peak memory: ${gnuTime ? '/usr/bin/time -v (max RSS)' : "the child's process.resourceUsage().maxRSS (no /usr/bin/time)"}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const tools = {
  secreview: { runs: [] as Measured[], facts: {} as Record<string, unknown> },
  eslint: { runs: [] as Measured[], facts: {} as Record<string, unknown> },
  'eslint --concurrency auto': { runs: [] as Measured[], facts: {} as Record<string, unknown> },
};
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? (['secreview', 'eslint', 'eslint --concurrency auto'] as const) : (['eslint --concurrency auto', 'eslint', 'secreview'] as const);
  for (const tool of order) {
    const r = tool === 'secreview' ? secreviewOnce() : eslintOnce(tool === 'eslint' ? 'off' : 'auto');
    tools[tool].runs.push(r.run);
    tools[tool].facts = r.facts;
  }
}

const summary = Object.fromEntries(
  Object.entries(tools).map(([name, t]) => {
    const pick = (k: 'wallSeconds' | 'cpuSeconds' | 'peakRssMB'): number | undefined => {
      const v = t.runs.map((r) => r[k]).filter((n): n is number => typeof n === 'number' && Number.isFinite(n));
      return v.length ? median(v) : undefined;
    };
    return [name, { wallSeconds: pick('wallSeconds')!, cpuSeconds: pick('cpuSeconds'), peakRssMB: pick('peakRssMB'), runs: t.runs, ...t.facts }];
  }),
) as unknown as Record<keyof typeof tools, { wallSeconds: number; cpuSeconds?: number; peakRssMB?: number }>;

const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? 'n/a' : x.toFixed(digits));
console.log(`\n${files.length} files, ${totalLines} lines (.js/.cjs/.mjs, minified left out)`);
console.log('tool                          wall s   CPU s  peak RSS MB   lines/s');
for (const [name, s] of Object.entries(summary)) {
  console.log(`${name.padEnd(28)} ${fmt(s.wallSeconds).padStart(7)} ${fmt(s.cpuSeconds).padStart(7)} ${fmt(s.peakRssMB, 0).padStart(12)} ${String(Math.round(totalLines / s.wallSeconds)).padStart(9)}`);
}
const sr = summary.secreview;
const ratios = {
  eslintWallOverSecreview: summary.eslint.wallSeconds / sr.wallSeconds,
  eslintConcurrentWallOverSecreview: summary['eslint --concurrency auto'].wallSeconds / sr.wallSeconds,
  eslintCpuOverSecreview: summary.eslint.cpuSeconds !== undefined && sr.cpuSeconds ? summary.eslint.cpuSeconds / sr.cpuSeconds : undefined,
  secreviewRssOverEslint: sr.peakRssMB && summary.eslint.peakRssMB ? sr.peakRssMB / summary.eslint.peakRssMB : undefined,
};
console.log(
  `ratio: ESLint wall / secreview wall = ${fmt(ratios.eslintWallOverSecreview)} (with --concurrency auto: ${fmt(ratios.eslintConcurrentWallOverSecreview)}); ` +
    `CPU ${fmt(ratios.eslintCpuOverSecreview)}; secreview peak RSS / ESLint's = ${fmt(ratios.secreviewRssOverEslint)}`,
);
const s = tools.secreview.facts;
const e = tools.eslint.facts;
console.log(`secreview: ${s.filesScanned} files scanned (${s.lines} lines by its count), ${s.errorDiagnostics} error diagnostics ${JSON.stringify(s.diagnosticKinds)}, ${s.findings} findings (${s.taintFindings} with a taint trace): ${JSON.stringify(s.byRule)}`);
console.log(`secreview findings (first 20): ${(s.firstFindings as string[]).join('; ') || 'none'}`);
console.log(`ESLint: ${e.filesLinted} files linted, ${e.parseErrors} parse errors, ${e.problems} problems: ${JSON.stringify(e.byRule)}`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/js-speed.json',
  `${JSON.stringify({ date: new Date().toISOString(), loadavg: loadavg(), cores: cpus().length, node: process.version, eslint: versionOf(eslintDir), eslintPluginSecurity: versionOf(pluginDir), packages: corpus.map((c) => ({ name: c.name, version: c.version, root: c.root, files: c.files.length, lines: c.lines })), files: files.length, lines: totalLines, tools: summary, ratios }, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });
console.log('written: bench-results/js-speed.json');
