// Per-file CPU cost by stage, single thread, in one process (warm JIT): read+decode, tree-sitter
// parse, front-end model, pattern rules (with the 10 slowest rules), suppression parsing and
// data-flow IR building, over every file of a corpus (default: Debian's python3-neutron).
// Each stage is timed per file with process.cpuUsage() (CPU time of the whole process, so
// V8's background GC threads count too) and with wall time; the figures are medians of
// BENCH_RUNS runs (default 5), with min-max to show the noise. The per-rule table comes from
// one extra run that times every handler call, so its sum exceeds the untimed rules stage.
//   npm run bench:per-file            (or: npx tsx bench/per-file.ts [folder])
import { readFileSync } from 'node:fs';
import { debianCorpus } from './corpus.js';
import { discoverFiles } from '../src/discover/discover.js';
import { supportedExtensions } from '../src/frontend/registry.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../src/parse/decode.js';
import { SourceParser } from '../src/parse/tree-sitter.js';
import { pythonFrontEnd, type PythonModule } from '../src/frontend/python/index.js';
import { prepareRuleRun } from '../src/analysis/run-rules.js';
import { syntaxErrorDiagnostic } from '../src/analysis/syntax-errors.js';
import { parseSuppressions } from '../src/filters/suppressions.js';
import { pythonToIR } from '../src/frontend/python/to-ir.js';
import { allRules, findRule } from '../src/rules/index.js';
import { Budget } from '../src/scheduling/budget.js';
import { treeCopies } from '../src/parse/syntax-tree.js';

const target = process.argv[2] ?? debianCorpus('python3-neutron', 'neutron');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const STAGES = ['read+decode', 'parse', 'front end', 'pattern rules', 'suppressions', 'IR'] as const;
type Stage = (typeof STAGES)[number];
type Times = Record<Stage, { cpu: number; wall: number }>;

const rules = allRules.filter((r) => !r.taint);
const known = (id: string): boolean => !!findRule(id);
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { files } = await discoverFiles({ root: target, paths: ['.'], extensions: supportedExtensions });
const parser = await SourceParser.create('python');

/** One pass over the corpus; with `byRule`, every rule handler is timed as well. */
function pass(byRule?: Map<string, number>): { times: Times; lines: number; findings: number; nodes: number } {
  const times = Object.fromEntries(STAGES.map((s) => [s, { cpu: 0, wall: 0 }])) as Times;
  let cpu = cpuNow();
  let wall = performance.now();
  const lap = (stage: Stage): void => {
    const c = cpuNow();
    const w = performance.now();
    times[stage].cpu += c - cpu;
    times[stage].wall += w - wall;
    cpu = c;
    wall = w;
  };
  let lines = 0;
  let findings = 0;
  let nodes = 0;
  for (const file of files) {
    lap('read+decode'); // anything between files is charged to reading the next one
    const decoded = decodeSource(readFileSync(file.absPath));
    if (!decoded.ok) continue;
    const text = normaliseLoneCarriageReturns(decoded.text);
    lap('read+decode');
    const tree = parser.parse(text);
    lap('parse');
    try {
      // The same steps as analysePythonSource, split by stage.
      const module = pythonFrontEnd.createModule(file.path, text, tree);
      lap('front end');
      const run = prepareRuleRun(module, rules);
      lap('pattern rules');
      const collected = pythonFrontEnd.collect(module, run.wanted);
      lap('front end');
      const result = run.dispatch(collected, Budget.none, byRule, byRule ? () => performance.now() : undefined);
      lap('pattern rules');
      syntaxErrorDiagnostic(module);
      lines += module.lineCount;
      lap('front end');
      parseSuppressions(module, known);
      lap('suppressions');
      pythonToIR(module as PythonModule);
      lap('IR');
      findings += result.findings.length;
      nodes += collected.length;
    } finally {
      tree.delete();
    }
  }
  lap('read+decode');
  return { times, lines, findings, nodes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

console.log(`corpus: ${target} (${files.length} files), ${runs} runs, single thread`);
pass(); // warm-up (JIT, grammar, caches)
const results = [];
for (let i = 0; i < runs; i++) results.push(pass());
const { lines, findings, nodes } = results[0]!;

console.log(`${lines} lines, ${findings} pattern findings, ${nodes} nodes handed to rules\n`);
console.log('stage              CPU median (min-max)          wall median');
let cpuTotal = 0;
let perFileTotal = 0;
for (const stage of STAGES) {
  const cpus = results.map((r) => r.times[stage].cpu);
  const walls = results.map((r) => r.times[stage].wall);
  cpuTotal += median(cpus);
  if (stage !== 'read+decode' && stage !== 'parse') perFileTotal += median(cpus);
  console.log(
    `${stage.padEnd(18)} ${s(median(cpus)).padStart(8)} (${s(Math.min(...cpus))}-${s(Math.max(...cpus))})`.padEnd(48) +
      s(median(walls)).padStart(8),
  );
}
const parseCpu = median(results.map((r) => r.times.parse.cpu));
console.log(`(trees copied from WebAssembly memory: ${treeCopies.fromMemory}, by cursor: ${treeCopies.byCursor})`);
console.log(`\nfront end + rules + suppressions + IR: ${s(perFileTotal)} = ${(perFileTotal / parseCpu).toFixed(2)}x parse`);
console.log(`all stages: ${s(cpuTotal)} CPU, ${Math.round(lines / (cpuTotal / 1000)).toLocaleString('en')} lines/s`);

const byRule = new Map<string, number>();
pass(byRule);
const top = [...byRule].sort((a, b) => b[1] - a[1]).slice(0, 10);
console.log('\nslowest rules (one run, every handler call timed, wall):');
for (const [id, ms] of top) console.log(`  ${s(ms).padStart(8)}  ${id}`);
parser.dispose();
