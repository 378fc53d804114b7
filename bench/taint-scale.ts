// The full scan (pattern rules + taint) of Debian's python3-neutron on a quarter, half and all
// of its files, each in a fresh process: wall time, peak memory, and how cost grows.
//   npm run bench:scale        (BENCH_RUNS=N for more runs per size; the median is printed)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianCorpus } from './corpus.js';
import { discoverFiles } from '../src/discover/discover.js';
import { supportedExtensions } from '../src/frontend/registry.js';

const root = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const once = fileURLToPath(new URL('./scan-once.ts', import.meta.url));
const { files } = await discoverFiles({ root, paths: ['.'], extensions: supportedExtensions });
const work = mkdtempSync(join(tmpdir(), 'secreview-scale-'));

interface Run { files: number; lines: number; wallSeconds: number; cpuSeconds: number; peakRssMB: number; findings: number; taintFindings: number }
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`corpus: ${root} (${files.length} files), ${runs} run(s) per size, median shown`);
console.log('size     files    lines   wall s   cpu s  peak RSS  lines/s  findings (taint)  s per 100K lines');
const rows: { label: string; lines: number; wall: number }[] = [];
for (const [label, fraction] of [['quarter', 0.25], ['half', 0.5], ['all', 1]] as const) {
  // Every 4th/2nd file rather than the first N: each subset samples the whole package.
  const step = Math.round(1 / fraction);
  const subset = files.filter((_, i) => i % step === 0).map((f) => f.path);
  const list = join(work, `${label}.txt`);
  writeFileSync(list, subset.join('\n'));
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', once, root, list, 'full'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    results.push(JSON.parse(out.trim().split('\n').pop()!) as Run);
  }
  const r = results[0]!;
  const wall = median(results.map((x) => x.wallSeconds));
  const cpu = median(results.map((x) => x.cpuSeconds));
  const rss = median(results.map((x) => x.peakRssMB));
  rows.push({ label, lines: r.lines, wall });
  console.log(
    `${label.padEnd(8)} ${String(r.files).padStart(5)} ${String(r.lines).padStart(8)} ${wall.toFixed(2).padStart(8)} ${cpu.toFixed(2).padStart(7)} ${`${rss.toFixed(0)} MB`.padStart(9)} ${String(Math.round(r.lines / wall)).padStart(8)} ${String(r.findings).padStart(9)} (${r.taintFindings})  ${((wall / r.lines) * 1e5).toFixed(2).padStart(8)}`,
  );
}
const quarter = rows[0]!;
for (const row of rows.slice(1)) {
  const linear = quarter.wall * (row.lines / quarter.lines);
  console.log(`${row.label}: ${row.wall.toFixed(2)} s vs ${linear.toFixed(2)} s if linear from the quarter (${(((row.wall - linear) / linear) * 100).toFixed(0)}%)`);
}
