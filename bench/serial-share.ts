// What share of a `--no-cache` scan runs on one thread: the scan through `scan()` in process
// with the default --jobs (the cores), timed from its start to the last file analysed (parallel:
// parsing, pattern rules and per-file IR building, in the workers and the main thread), from there to the start of
// the cross-file taint pass, and the taint pass with the report to the end (serial: the
// program-wide worklist runs in the main thread). Prints figures; asserts nothing.
//   npx tsx bench/serial-share.ts [folder]   (default: Debian's python3-neutron; BENCH_RUNS=N, default 3)
import { cpus } from 'node:os';
import { debianCorpus } from './corpus.js';
import { scan } from '../src/api/scan.js';

const target = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Split { total: number; files: number; gap: number; taint: number; cpu: number }
const splits: Split[] = [];
for (let i = 0; i < runs; i++) {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let lastFile = start;
  let crossFile: number | undefined;
  await scan({
    paths: ['.'], cwd: target, config: false, severity: 'low', confidence: 'low', jobs: cpus().length,
    onProgress: () => {
      lastFile = performance.now();
    },
    onStage: (stage) => {
      if (stage === 'cross-file') crossFile = performance.now();
    },
  });
  const end = performance.now();
  const c = process.cpuUsage(cpu0);
  const cf = crossFile ?? end;
  splits.push({ total: (end - start) / 1000, files: (lastFile - start) / 1000, gap: (cf - lastFile) / 1000, taint: (end - cf) / 1000, cpu: (c.user + c.system) / 1e6 });
  process.stderr.write(`  run ${i + 1}/${runs}: ${splits.at(-1)!.total.toFixed(2)} s\n`);
}
const m = (k: keyof Split): number => median(splits.map((s) => s[k]));
const pct = (x: number): string => `${((x / m('total')) * 100).toFixed(0)}%`;
console.log(`corpus: ${target}; ${cpus().length} cores, --jobs ${cpus().length}, no cache, in process; ${runs} run(s), median`);
console.log(`whole scan                                  ${m('total').toFixed(2)} s wall, ${m('cpu').toFixed(2)} s CPU of this process and its workers`);
console.log(`files on every thread (parse, rules, IRs)  ${m('files').toFixed(2)} s (${pct(m('files'))})`);
console.log(`after the last file, before the taint pass  ${m('gap').toFixed(2)} s (${pct(m('gap'))}, main thread)`);
console.log(`cross-file taint pass and the report        ${m('taint').toFixed(2)} s (${pct(m('taint'))}, main thread)`);
console.log(`runs: ${splits.map((s) => `${s.total.toFixed(2)} = ${s.files.toFixed(2)} + ${s.gap.toFixed(2)} + ${s.taint.toFixed(2)}`).join('; ')}`);
