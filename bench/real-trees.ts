// Findings per rule on real trees (Debian python3-neutron and python3-nova, fetched by
// bench/corpus.ts), at default settings, through the built CLI (`npm run build` first):
//   node bin/secreview.js scan <tree> --no-cache --format json
// Prints per-rule counts outside test code, how many findings in test code were not shown
// (summary.hiddenInTests) and, from a second run with --include-tests, which rules those were.
// Writes bench-results/real-trees.json. Asserts nothing: judging the findings is a human's job
// (docs/precision-neutron-nova.md).
//   SECREVIEW_BENCH_CACHE=/work/bench-cache npm run bench:real [neutron|nova ...]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { debianCorpus } from './corpus.js';
import { testPathMatcher } from '../src/filters/test-code.js';

const CLI = resolve('bin/secreview.js');
if (!existsSync(resolve('dist/index.js'))) throw new Error('run `npm run build` first: this bench runs the built CLI');
const TREES: Record<string, () => string> = {
  neutron: () => debianCorpus('python3-neutron', 'neutron'),
  nova: () => debianCorpus('python3-nova', 'nova'),
};
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(TREES);

interface JsonOut {
  summary: { findings: number; suppressed: number; suppressedUnqualified?: number; hiddenInTests?: number; filesScanned: number };
  findings: { ruleId: string; confidence: string; location: { path: string; startLine: number } }[];
  diagnostics: { kind: string }[];
}

/**
 * Scans the package folder from its parent (`nova/...` paths), so that module names, and with
 * them the imports between the package's files, resolve as they do when the package is installed.
 */
function run(tree: string, extra: string[]): { report: JsonOut; seconds: number } {
  const started = performance.now();
  // Exit code 1 means "findings at or above fail-on": the report is still on stdout.
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, 'scan', basename(tree), '--no-cache', '--format', 'json', ...extra], { cwd: dirname(tree), maxBuffer: 256 << 20, encoding: 'utf8' });
  } catch (error) {
    const e = error as { status?: number; stdout?: string };
    if (e.status !== 1 || !e.stdout) throw error;
    out = e.stdout;
  }
  return { report: JSON.parse(out) as JsonOut, seconds: (performance.now() - started) / 1000 };
}

const count = (items: readonly { ruleId: string }[]): Record<string, number> => {
  const m: Record<string, number> = {};
  for (const f of items) m[f.ruleId] = (m[f.ruleId] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
};

const isTest = testPathMatcher();
const results: Record<string, unknown> = {};
for (const name of names) {
  const make = TREES[name];
  if (!make) throw new Error(`unknown tree ${name} (known: ${Object.keys(TREES).join(', ')})`);
  const tree = make();
  const shown = run(tree, []);
  const all = run(tree, ['--include-tests']);
  const inTests = all.report.findings.filter((f) => isTest(f.location.path));
  const shownInTests = shown.report.findings.filter((f) => isTest(f.location.path));
  const outside = shown.report.findings.filter((f) => !isTest(f.location.path));
  const s = shown.report.summary;
  console.log(`\n${name}: ${s.filesScanned} files, ${s.findings} findings shown in ${shown.seconds.toFixed(1)} s (default settings)`);
  console.log(`  outside test code: ${outside.length}`);
  for (const [rule, n] of Object.entries(count(outside))) console.log(`    ${String(n).padStart(4)}  ${rule}`);
  console.log(`  in test code, shown (rules meaningful in tests): ${shownInTests.length}`);
  for (const [rule, n] of Object.entries(count(shownInTests))) console.log(`    ${String(n).padStart(4)}  ${rule}`);
  // By rule: what --include-tests finds in test code, less what the default run shows there.
  const hiddenByRule = count(inTests);
  for (const [rule, n] of Object.entries(count(shownInTests))) {
    hiddenByRule[rule] = (hiddenByRule[rule] ?? 0) - n;
    if (hiddenByRule[rule]! <= 0) delete hiddenByRule[rule];
  }
  console.log(`  in test code, not shown (summary.hiddenInTests): ${s.hiddenInTests ?? 0}; by rule (--include-tests less the shown ones):`);
  for (const [rule, n] of Object.entries(hiddenByRule)) console.log(`    ${String(n).padStart(4)}  ${rule}`);
  console.log(`  suppressed by comments: ${s.suppressed} (unqualified # nosec / # nosemgrep: ${s.suppressedUnqualified ?? 0})`);
  results[name] = {
    files: s.filesScanned,
    shown: s.findings,
    outsideTests: count(outside),
    shownInTests: count(shownInTests),
    hiddenInTests: s.hiddenInTests ?? 0,
    inTestsByRule: count(inTests),
    hiddenInTestsByRule: hiddenByRule,
    suppressed: s.suppressed,
    suppressedUnqualified: s.suppressedUnqualified ?? 0,
    seconds: Number(shown.seconds.toFixed(1)),
    findings: outside.map((f) => `${f.location.path}:${f.location.startLine} ${f.ruleId} ${f.confidence}`),
  };
}
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', 'real-trees.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench-results/real-trees.json');
