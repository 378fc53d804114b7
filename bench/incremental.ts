// Incremental taint runs: a run replaying the previous run's records (src/analysis/taint/replay.ts)
// must give exactly what a full run gives. This builds a corpus's IRs, runs the engine once with
// recording, then edits one module at a time in several ways, and for each edit runs (a) the
// engine from scratch and (b) the engine replaying the first run's records (after a round trip
// through v8.serialize, as the disk cache holds them). It prints both times, how many analyses
// ran and how many were replayed, and compares a digest of every hit and finding; a difference
// is an error (exit 1).
//   npm run bench:incremental -- [neutron|nova|<folder>]... [--edits N] [--ir-cache FILE]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { debianCorpus } from './corpus.js';
import { hashHits } from './taint-digest.js';
import { discoverFiles } from '../src/discover/discover.js';
import { supportedExtensions } from '../src/frontend/registry.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../src/parse/decode.js';
import { analysePythonSource, pythonParserReady } from '../src/analysis/analyse-file.js';
import { pythonToIR } from '../src/frontend/python/to-ir.js';
import type { PythonModule } from '../src/frontend/python/index.js';
import type { ModuleIR } from '../src/analysis/taint/ir.js';
import { loadModels, type SinkKind } from '../src/analysis/taint/models.js';
import { analyseProgram, type TaintResult } from '../src/analysis/taint/engine.js';
import { moduleFingerprint, type MemoFile } from '../src/analysis/taint/replay.js';
import { unpackMemo } from '../src/analysis/taint/memo-codec.js';
import { moduleFromShape, type Deferred } from '../src/analysis/taint/shapes.js';
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
const editCount = Number(option('--edits') ?? 8);
const irCache = option('--ir-cache');
const corpora = args.length > 0 ? args : ['neutron'];
const fmt = (n: number, d = 0): string => n.toFixed(d);

function rootOf(name: string): string {
  if (name === 'neutron') return debianCorpus('python3-neutron', 'neutron');
  if (name === 'nova') return debianCorpus('python3-nova', 'nova');
  return name;
}

async function irOf(path: string, text: string): Promise<ModuleIR | undefined> {
  const analysis = await analysePythonSource(path, text, []);
  try {
    return pythonToIR(analysis.module as PythonModule);
  } catch {
    return undefined;
  } finally {
    analysis.release();
  }
}

async function buildIRs(): Promise<ModuleIR[]> {
  const irs: ModuleIR[] = [];
  const { files } = await discoverFiles({ root: process.cwd(), paths: corpora.map(rootOf), extensions: supportedExtensions });
  for (const file of files) {
    const decoded = decodeSource(await readFile(file.absPath));
    if (!decoded.ok) continue;
    const ir = await irOf(file.path, normaliseLoneCarriageReturns(decoded.text));
    if (ir) irs.push(ir);
  }
  return irs;
}

const models = loadModels([], process.cwd());
const taintRules = new Map<SinkKind, AnyRule>();
for (const r of allRules) if (r.taint) taintRules.set(r.taint.kind, r);

/** Every hit with its whole path, and every finding: equal digests, equal output. */
function digest(result: TaintResult): string {
  const hash = createHash('sha256');
  hashHits(hash, result);
  hash.update('--');
  hash.update(JSON.stringify(taintFindings(result, taintRules, () => '')));
  return hash.digest('hex').slice(0, 16);
}

await pythonParserReady();
const buildStart = performance.now();
let irs: ModuleIR[];
if (irCache !== undefined && existsSync(irCache)) irs = deserialize(readFileSync(irCache)) as ModuleIR[];
else {
  irs = await buildIRs();
  if (irCache) writeFileSync(irCache, serialize(irs));
}
console.log(`corpus: ${corpora.join(' + ')}: ${irs.length} modules, IRs ready in ${fmt((performance.now() - buildStart) / 1000, 1)} s`);

/**
 * The program as a replaying scan gives it to the engine: modules whose source the records know
 * enter as shapes, built (here: copied) only when one of their analyses has to run.
 */
function withShapes(program: ModuleIR[], memo: MemoFile): { modules: ModuleIR[]; deferred: Map<ModuleIR, Deferred>; built: () => number } {
  const index = new Map(memo.modules.map((p, i) => [p, i]));
  const deferred = new Map<ModuleIR, Deferred>();
  let built = 0;
  const modules = program.map((m) => {
    const at = index.get(m.path);
    const fingerprint = moduleFingerprint(m);
    if (at === undefined || memo.fingerprints[at] !== fingerprint) return m;
    const shaped = moduleFromShape(memo.moduleShapes[at]!, m.path, m.spans.source, fingerprint, () => {
      built++;
      return deserialize(serialize(m)) as ModuleIR;
    }, m.language);
    deferred.set(shaped.module, shaped.deferred);
    return shaped.module;
  });
  return { modules, deferred, built: () => built };
}

const timed = <T>(f: () => T): [T, number] => {
  const start = performance.now();
  const value = f();
  return [value, performance.now() - start];
};

const [plain, plainMs] = timed(() => analyseProgram(irs, models));
const [recorded, recordMs] = timed(() => analyseProgram(irs, models, { record: true }));
if (digest(recorded) !== digest(plain)) throw new Error('recording changed the result');
const [file, buildMs] = timed(() => recorded.memo!());
const [bytes, serializeMs] = timed(() => serialize(file));
const [memo, deserializeMs] = timed(() => unpackMemo(deserialize(bytes))!);
console.log(`full run ${fmt(plainMs)} ms; recording ${fmt(recordMs)} ms; ${plain.stats.analyses} analyses`);
console.log(`records: ${file.records.length} ints, ${file.summaryPrints.length} summaries; built and packed in ${fmt(buildMs)} ms, ${fmt(bytes.length / 2 ** 20, 1)} MB serialized in ${fmt(serializeMs)} ms, read back in ${fmt(deserializeMs)} ms`);
const shapedSame = withShapes(irs, memo);
const [same, sameMs] = timed(() => analyseProgram(shapedSame.modules, models, { memo, record: true, deferred: shapedSame.deferred }));
const unchanged = digest(same) === digest(plain);
console.log(
  `unchanged program: ${fmt(sameMs)} ms, ${same.stats.analyses - same.stats.replayed} analyses run, ${same.stats.replayed} replayed, ` +
    `${shapedSame.built()} of ${irs.length} modules built; same result: ${unchanged ? 'yes' : 'NO'}`,
);

// Edits of one module each, on modules spread over the corpus (not tests, not empty packages).
const candidates = irs.filter((m) => !m.path.includes('/tests/') && !m.path.endsWith('__init__.py') && m.functions.length > 2).sort((a, b) => (a.path < b.path ? -1 : 1));
const edits: { name: string; apply: (text: string) => string }[] = [
  { name: 'append a helper', apply: (t) => `${t}\n\ndef _bench_helper(value):\n    return str(value).strip()\n` },
  { name: 'append a defect', apply: (t) => `${t}\n\ndef _bench_cleanup(folder):\n    import os\n    os.system("rm -rf " + folder)\n` },
  { name: 'insert a line at the top', apply: (t) => `# edited\n${t}` },
  {
    name: 'return a parameter from every function',
    apply: (t) => t.replace(/^(\s*)def (\w+)\(([A-Za-z_]\w*)([^)]*)\):\s*$/m, (_m, indent: string, name: string, first: string, rest: string) => `${indent}def ${name}(${first}${rest}):\n${indent}    return ${first}`),
  },
  { name: 'remove the last function', apply: (t) => t.replace(/\ndef \w+\([^]*$/, '\n') },
];
let failures = unchanged ? 0 : 1;
for (let i = 0; i < editCount; i++) {
  const target = candidates[Math.floor(((i + 0.5) * candidates.length) / editCount)]!;
  const edit = edits[i % edits.length]!;
  const text = edit.apply(target.spans.source);
  const edited = await irOf(target.path, text);
  if (!edited || text === target.spans.source) {
    console.log(`edit ${i + 1}: ${edit.name} in ${target.path}: not applicable, skipped`);
    continue;
  }
  const program = irs.map((m) => (m === target ? edited : m));
  const [fresh, freshMs] = timed(() => analyseProgram(program, models));
  const shaped = withShapes(program, memo);
  const [replayed, replayMs] = timed(() => analyseProgram(shaped.modules, models, { memo, deferred: shaped.deferred }));
  const ok = digest(fresh) === digest(replayed);
  if (!ok) failures++;
  console.log(
    `edit ${i + 1}: ${edit.name} in ${target.path}: full ${fmt(freshMs)} ms, replaying ${fmt(replayMs)} ms ` +
      `(${replayed.stats.analyses - replayed.stats.replayed} run, ${replayed.stats.replayed} replayed, ${shaped.built()} modules built); same result: ${ok ? 'yes' : 'NO'}`,
  );
}
console.log(failures === 0 ? 'every replaying run gave the full run\'s result' : `${failures} replaying run(s) differ from the full run`);
process.exitCode = failures === 0 ? 0 : 1;
