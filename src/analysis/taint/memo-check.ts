/**
 * The checks replay records read back from the cache pass before the engine uses them
 * (memo-codec.ts decodes them; this says whether what it decoded holds together). The engine
 * follows the records' offsets and ids without bounds checks, walks record lists by their
 * counts and module shapes by their indices: a damaged count could send it backwards through
 * the record table forever, a damaged index to a function that is not there. Records that
 * pass are a well-formed table: every count fits, every id names an entry of its table, every
 * nested function has an owner that is not itself nested in it, every class base is a finite
 * expression.
 */
import { SINK_KINDS } from './models.js';
import { factsAt, RECORD, type MemoFile } from './replay.js';
import type { ModuleShape } from './shapes.js';
import type { Label } from './values.js';

/** The decoded records, or what is wrong with them. */
export function checkMemo(m: MemoFile): MemoFile | string {
  for (const [name, list] of Object.entries({
    modules: m.modules, fingerprints: m.fingerprints, shapes: m.shapes, names: m.names, functions: m.functions,
    cells: m.cells, facts: m.facts, factTopics: m.factTopics, prints: m.prints, summaryPrints: m.summaryPrints,
  })) {
    if (!list.every((s) => typeof s === 'string')) return `${name}: not all text`;
  }
  return recordsProblem(m) ?? shapesProblem(m.moduleShapes) ?? summariesProblem(m) ?? envsProblem(m) ?? m;
}

function recordsProblem(m: MemoFile): string | undefined {
  const r = m.records;
  const inRange = (v: number | undefined, n: number, from = 0): boolean => v !== undefined && v >= from && v < n;
  for (let at = 0; at < r.length; ) {
    const bad = (what: string): string => `record at ${at}: ${what}`;
    if (at + RECORD.cells > r.length) return bad('cut short');
    if (!inRange(r[at], m.functions.length)) return bad('unknown function');
    if (!inRange(r[at + RECORD.summary], m.summaries.length)) return bad('unknown summary');
    if (!inRange(r[at + RECORD.hits], m.hitLists.length)) return bad('unknown hit list');
    if (!inRange(r[at + RECORD.sharing], m.prints.length)) return bad('unknown sharing print');
    if (!inRange(r[at + RECORD.env], m.envs.length, -1)) return bad('unknown variables record');
    const cells = r[at + RECORD.cellCount]!;
    if (cells < 0 || at + RECORD.cells + 2 * cells >= r.length) return bad('cell count out of range');
    for (let k = 0; k < cells; k++) {
      if (!inRange(r[at + RECORD.cells + 2 * k], m.cells.length)) return bad('unknown cell');
      if (!inRange(r[at + RECORD.cells + 2 * k + 1], m.prints.length)) return bad('unknown print');
    }
    const facts = factsAt(r, at);
    const count = r[facts]!;
    if (count < 0 || facts + 1 + count > r.length) return bad('fact count out of range');
    for (let k = 1; k <= count; k++) if (!inRange(r[facts + k], m.facts.length)) return bad('unknown fact');
    at = facts + 1 + count; // strictly after `at`: the walk ends
  }
  return undefined;
}

function shapesProblem(shapes: readonly ModuleShape[]): string | undefined {
  for (const [i, shape] of shapes.entries()) {
    const n = shape.functions.length;
    const owners = shape.functions.map((f) => f.nestedIn);
    for (const [j, owner] of owners.entries()) {
      if (!Number.isInteger(owner) || owner < -1 || owner >= n || owner === j) return `module shape ${i}: function ${j} nested in an unknown function`;
      // Owners form chains that end: a function nested (at some depth) in itself cannot be.
      let steps = 0;
      for (let o = owner; o >= 0; o = owners[o]!) if (++steps > n) return `module shape ${i}: function ${j} nested in itself`;
    }
    for (const [j, c] of shape.classes.entries()) {
      if (!c.methods.every(([name, index]) => typeof name === 'string' && Number.isInteger(index) && index >= 0 && index < n)) return `module shape ${i}: class ${j} has an unknown method`;
      if (!Array.isArray(c.bases) || !c.bases.every((b) => isFiniteExpr(b))) return `module shape ${i}: class ${j} has a malformed base`;
    }
  }
  return undefined;
}

/**
 * Whether `x` is an IR expression as v8 hands back an object graph: plain objects with a kind,
 * arrays and scalars, without cycles, of a reasonable size.
 */
function isFiniteExpr(x: unknown, budget = { nodes: 10_000 }, open = new Set<object>()): boolean {
  if (typeof x !== 'object' || x === null) return false;
  if (open.has(x) || --budget.nodes < 0) return false;
  if (typeof (x as { k?: unknown }).k !== 'string') return false;
  open.add(x);
  for (const v of Object.values(x)) {
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (typeof item === 'object' && item !== null && !isFiniteExpr(item, budget, open)) return false;
    }
  }
  open.delete(x);
  return true;
}

const KINDS = new Set<string>(SINK_KINDS);

function labelProblem(l: Label): string | undefined {
  if (l.param !== undefined && !(Number.isInteger(l.param) && l.param >= 0)) return 'a label of an unknown parameter';
  for (const kind of l.sanitized) if (!KINDS.has(kind)) return 'a label sanitized for an unknown sink kind';
  return undefined;
}

function summariesProblem(m: MemoFile): string | undefined {
  for (const [i, s] of m.summaries.entries()) {
    for (const l of s.returns) {
      const problem = labelProblem(l);
      if (problem) return `summary ${i}: ${problem}`;
    }
  }
  for (const [i, hits] of m.hitLists.entries()) {
    for (const h of hits) {
      if (!KINDS.has(h.kind)) return `hit list ${i}: unknown sink kind`;
      const problem = labelProblem(h.label);
      if (problem) return `hit list ${i}: ${problem}`;
    }
  }
  return undefined;
}

function envsProblem(m: MemoFile): string | undefined {
  for (const [i, e] of m.envs.entries()) {
    if (!Array.isArray(e.names) || !Array.isArray(e.roots) || !Array.isArray(e.nodes) || e.names.length !== e.roots.length) return `variables record ${i}: names and values do not match`;
    const n = e.nodes.length;
    const id = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= -1 && (v as number) < n;
    if (!e.names.every((name) => typeof name === 'string') || !e.roots.every(id)) return `variables record ${i}: unknown value`;
    for (const [j, node] of e.nodes.entries()) {
      const bad = `variables record ${i}: value ${j} is malformed`;
      if (typeof node !== 'object' || node === null || !Array.isArray(node.labels)) return bad;
      if (node.ref !== undefined && !(Array.isArray(node.ref) && node.ref.length === 2 && node.ref.every((x) => Number.isInteger(x) && x >= 0))) return bad;
      if (node.fields !== undefined && !(Array.isArray(node.fields) && node.fields.every((f) => Array.isArray(f) && typeof f[0] === 'string' && id(f[1])))) return bad;
      if (node.elems !== undefined && !(Array.isArray(node.elems) && node.elems.every(id))) return bad;
      if (node.self !== undefined && !id(node.self)) return bad;
      if (node.cls !== undefined && typeof node.cls !== 'string') return bad;
      if (node.fn !== undefined && typeof node.fn !== 'string') return bad;
      if (node.type !== undefined && typeof node.type !== 'string') return bad;
      if (node.paramBase !== undefined && !Number.isInteger(node.paramBase)) return bad;
      const c = node.const;
      if (c !== undefined && c !== null && typeof c !== 'string' && typeof c !== 'number' && typeof c !== 'boolean') return bad;
    }
  }
  return undefined;
}
