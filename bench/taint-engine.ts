// The taint engine alone: builds every file's IR once (as `scan` does), then times
// `analyseProgram` several times and prints the median CPU and wall time, the analyses, the heap
// held by the IRs and by the engine, and a digest of the result (to check a change kept every hit).
//   npm run bench:engine -- [neutron|nova|examples|<folder>]... [--runs N] [--ir-cache FILE] [--serialize]
// Run under `node --expose-gc` for heap figures (the npm script does). Several corpora are
// analysed as one program (`neutron nova` = the 932K-line case). --ir-cache FILE saves the IRs
// with v8.serialize and reuses them (much faster start); --serialize round-trips freshly built IRs
// through v8.serialize, as IRs from worker threads or a disk cache would arrive.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { debianCorpus } from './corpus.js';
import { hitsDigest as digest } from './taint-digest.js';
import { discoverFiles } from '../src/discover/discover.js';
import { supportedExtensions } from '../src/frontend/registry.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../src/parse/decode.js';
import { analysePythonSource, pythonParserReady } from '../src/analysis/analyse-file.js';
import { pythonToIR } from '../src/frontend/python/to-ir.js';
import type { PythonModule } from '../src/frontend/python/index.js';
import type { ModuleIR } from '../src/analysis/taint/ir.js';
import { loadModels, type SinkKind } from '../src/analysis/taint/models.js';
import { analyseProgram, TaintEngine, type TaintResult } from '../src/analysis/taint/engine.js';
import { Program } from '../src/analysis/taint/program.js';
import { taintFindings } from '../src/analysis/taint/to-findings.js';
import { allRules } from '../src/rules/index.js';
import type { AnyRule } from '../src/rules/define-rule.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const flag = (name: string): boolean => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const runs = Number(option('--runs') ?? 5);
const irCache = option('--ir-cache');
const roundTrip = flag('--serialize');
const corpora = args.length > 0 ? args : ['neutron'];

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = (): number => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 0): string => n.toFixed(d);

function rootOf(name: string): string {
  if (name === 'neutron') return debianCorpus('python3-neutron', 'neutron');
  if (name === 'nova') return debianCorpus('python3-nova', 'nova');
  return name;
}

/** Each file's IR, built the way `scan` builds it (paths relative to the current folder). */
async function buildIRs(): Promise<ModuleIR[]> {
  await pythonParserReady();
  const irs: ModuleIR[] = [];
  const { files } = await discoverFiles({ root: process.cwd(), paths: corpora.map(rootOf), extensions: supportedExtensions });
  for (const file of files) {
    const decoded = decodeSource(await readFile(file.absPath));
    if (!decoded.ok) continue;
    const analysis = await analysePythonSource(file.path, normaliseLoneCarriageReturns(decoded.text), []);
    try {
      irs.push(pythonToIR(analysis.module as PythonModule));
    } catch {
      // scan reports these as diagnostics; the engine never sees them
    } finally {
      analysis.release();
    }
  }
  return irs;
}

const heapBefore = heapMB();
const buildStart = performance.now();
let irs: ModuleIR[];
const cached = irCache !== undefined && existsSync(irCache);
if (cached) irs = deserialize(readFileSync(irCache)) as ModuleIR[];
else {
  irs = await buildIRs();
  if (irCache) writeFileSync(irCache, serialize(irs));
  else if (roundTrip) irs = deserialize(serialize(irs)) as ModuleIR[];
}
const buildSeconds = (performance.now() - buildStart) / 1000;
const irHeap = heapMB() - heapBefore;
const models = loadModels([], process.cwd());
const taintRules = new Map<SinkKind, AnyRule>();
for (const r of allRules) if (r.taint) taintRules.set(r.taint.kind, r);

console.log(`corpus: ${corpora.join(' + ')}: ${irs.length} modules, IRs ${cached ? 'loaded' : 'built'} in ${fmt(buildSeconds, 1)} s`);
console.log(`heap: ${fmt(heapBefore)} MB before the IRs, IRs ${fmt(irHeap)} MB${gc ? '' : ' (no --expose-gc: figures include garbage)'}`);

const cpuMs: number[] = [];
const wallMs: number[] = [];
let result: TaintResult | undefined;
for (let i = 0; i < runs; i++) {
  result = undefined;
  heapMB();
  const cpu = process.cpuUsage();
  const start = performance.now();
  result = analyseProgram(irs, models);
  wallMs.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
  console.log(`  run ${i + 1}: cpu ${fmt(cpuMs[i]!)} ms, wall ${fmt(wallMs[i]!)} ms`);
}
const r = result!;
const findings = taintFindings(r, taintRules, () => '');
const findingDigest = createHash('sha256').update(JSON.stringify(findings)).digest('hex').slice(0, 16); // findings are plain data with a fixed shape
console.log(
  `engine: cpu ${fmt(median(cpuMs))} ms median (min ${fmt(Math.min(...cpuMs))}, max ${fmt(Math.max(...cpuMs))}), wall ${fmt(median(wallMs))} ms median, ${runs} runs`,
);
console.log(`functions ${r.stats.functions}, analyses ${r.stats.analyses}; hits ${r.sourceHits.length} source, ${r.parameterHits.length} parameter; findings ${findings.length}`);
console.log(`digest: hits ${digest(r)}, findings ${findingDigest}`);

// Retention: what the result keeps, and what the engine's tables hold at the end of a run.
const withResult = heapMB();
result = undefined;
const engine = new TaintEngine(new Program(irs), models);
const kept = engine.run();
const withEngine = heapMB();
const counts = engine.analysisCounts();
const histogram = new Map<number, number>();
for (const c of counts) histogram.set(c, (histogram.get(c) ?? 0) + 1);
console.log(
  `heap: with the result ${fmt(withResult)} MB, with the engine's tables ${fmt(withEngine)} MB (engine ${fmt(withEngine - withResult)} MB); peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`,
);
console.log(`dequeued and reused unchanged (not analysed again): ${engine.reused}`);
console.log(`analyses per function: ${[...histogram].sort((a, b) => a[0] - b[0]).map(([n, f]) => `${n}×${f}`).join(' ')}`);
void kept;
