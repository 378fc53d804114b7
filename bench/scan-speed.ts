// Single-threaded scan throughput on Debian's python3-neutron (~371K lines): the parse-only
// floor, the pattern rules alone, and the full default scan (pattern rules + taint engine).
// Prints figures; asserts nothing. Runs in one process (a warm JIT); BENCH_RUNS=N runs each
// N times (default 3) and prints the median.
//   npm run bench            (or: npx tsx bench/scan-speed.ts [folder])
import { readFile } from 'node:fs/promises';
import { debianCorpus } from './corpus.js';
import { scan, type ScanResult } from '../src/api/scan.js';
import { allRules } from '../src/rules/index.js';
import { discoverFiles } from '../src/discover/discover.js';
import { SourceParser } from '../src/parse/tree-sitter.js';
import { supportedExtensions } from '../src/frontend/registry.js';

const target = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function parseOnly(): Promise<number> {
  const { files } = await discoverFiles({ root: target, paths: ['.'], extensions: supportedExtensions });
  const parser = await SourceParser.create('python');
  const start = performance.now();
  for (const f of files) parser.parse(await readFile(f.absPath, 'utf8')).delete();
  parser.dispose();
  return (performance.now() - start) / 1000;
}

async function timed(rules: typeof allRules): Promise<{ seconds: number; report: ScanResult }> {
  const start = performance.now();
  const report = await scan({ paths: ['.'], cwd: target, config: false, rules, severity: 'low', confidence: 'low' });
  return { seconds: (performance.now() - start) / 1000, report };
}

console.log(`corpus: ${target}`);
const floor: number[] = [];
const pattern: number[] = [];
const full: number[] = [];
let last: ScanResult | undefined;
const patternRules = allRules.filter((r) => !r.taint);
for (let i = 0; i < runs; i++) {
  floor.push(await parseOnly());
  pattern.push((await timed(patternRules)).seconds);
  const f = await timed(allRules);
  full.push(f.seconds);
  last = f.report;
}
const r = last!;
const lines = r.stats.lines;
const show = (label: string, xs: number[]): void => {
  const s = median(xs);
  console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(6)} s  ${String(Math.round(lines / s)).padStart(7)} lines/s  ${(s / median(floor)).toFixed(2)}x parse floor  (runs: ${xs.map((x) => x.toFixed(2)).join(', ')})`);
};
console.log(`files: ${r.stats.filesScanned} (${r.stats.filesWithErrors} with errors), lines: ${lines}, runs: ${runs} (median)`);
show('parse only (floor)', floor);
show(`pattern rules (${patternRules.length})`, pattern);
show(`full scan, taint on (${allRules.length} rules)`, full);
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(`findings (all severities and confidences): ${r.findings.length}`);
const perRule = new Map<string, number>();
for (const f of r.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
for (const [rule, n] of [...perRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`  ${String(n).padStart(5)}  ${rule}`);
