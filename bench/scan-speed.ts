// Single-threaded scan throughput on Debian's python3-neutron (~371K lines), with the
// parse-only floor for comparison. Prints figures; asserts nothing.
//   npm run bench            (or: npx tsx bench/scan-speed.ts [folder])
import { readFile } from 'node:fs/promises';
import { debianCorpus } from './corpus.js';
import { scan } from '../src/api/scan.js';
import { discoverFiles } from '../src/discover/discover.js';
import { SourceParser } from '../src/parse/tree-sitter.js';
import { supportedExtensions } from '../src/frontend/registry.js';

const target = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Number(process.env.BENCH_RUNS ?? 3);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function parseOnly(): Promise<{ seconds: number; lines: number; files: number }> {
  const { files } = await discoverFiles({ root: target, paths: ['.'], extensions: supportedExtensions });
  const parser = await SourceParser.create('python');
  const start = performance.now();
  let lines = 0;
  for (const f of files) {
    const text = await readFile(f.absPath, 'utf8');
    lines += text.split('\n').length;
    parser.parse(text).delete();
  }
  parser.dispose();
  return { seconds: (performance.now() - start) / 1000, lines, files: files.length };
}

console.log(`corpus: ${target}`);
const floor: number[] = [];
const full: number[] = [];
let last;
for (let i = 0; i < runs; i++) {
  const p = await parseOnly();
  floor.push(p.seconds);
  const start = performance.now();
  last = await scan({ paths: ['.'], cwd: target, config: false, severity: 'low', confidence: 'low' });
  full.push((performance.now() - start) / 1000);
}
const r = last!;
const scanSeconds = median(full);
const floorSeconds = median(floor);
console.log(`files scanned:        ${r.stats.filesScanned} (${r.stats.filesWithErrors} with errors)`);
console.log(`lines:                ${r.stats.lines}`);
console.log(`parse-only floor:     ${floorSeconds.toFixed(2)} s (median of ${runs})`);
console.log(`full scan (1 thread): ${scanSeconds.toFixed(2)} s (median of ${runs}) = ${Math.round(r.stats.lines / scanSeconds)} lines/s`);
console.log(`ratio to parse floor: ${(scanSeconds / floorSeconds).toFixed(2)}x`);
console.log(`peak RSS:             ${mb(process.resourceUsage().maxRSS * 1024)}`);
console.log(`findings (all severities/confidences): ${r.findings.length}`);
const perRule = new Map<string, number>();
for (const f of r.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
for (const [rule, n] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${rule}`);
