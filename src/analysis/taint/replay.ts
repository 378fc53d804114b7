import { createHash } from 'node:crypto';
import type { Summary, TaintHit } from './engine.js';
import type { ClassIR, Constant, Expr, FunctionIR, ModuleIR, Span } from './ir.js';
import { CLEAN, type FlowStep, type Label, type Value } from './values.js';
import type { ModuleShape } from './shapes.js';

/**
 * Replaying a previous run's analyses (docs/taint-engine.md, "Incremental runs").
 *
 * An analysis is a deterministic function of its function's module, of the answers to the
 * questions it asks about the program (what a name resolves to, a class's ancestors...) and of
 * the engine cells it reads (summaries, module variables, class fields and field types). A run
 * records, for every analysis, those questions with their answers ("facts") and those cells with
 * a fingerprint of the value read, and what the analysis produced. The next run follows the same
 * worklist; where a record of the function (same module source) finds every fact still true and
 * every fingerprint unchanged, the analysis would compute exactly the recorded result, so the
 * record is applied instead. The result is the full run's, byte for byte, by construction.
 *
 * Keys name functions, classes and modules by the index of their module in the recording run's
 * module list (`MemoFile.modules`), so that they stay short; a later run maps them by path.
 */

/** What one analysis read and produced, as this run recorded it (ids into the run's interners). */
export interface RunRecord {
  cells: number[];
  /** Fingerprint of the value read from each of `cells`. */
  prints: string[];
  facts: number[];
  /** Which module variable values read were the same objects (see `sharingOf`). */
  sharing: string;
  /** The summary, hits and (for a module top level) variables it produced, as packed so far (see MemoPacker). */
  summary: number;
  hits: number;
  env: number;
}

/**
 * A module's variables after its top level ran, as data: each value a node (sharing between
 * variables kept), functions and classes by path-based keys (`path|qname|n`), -1 for CLEAN. A
 * value that is (part of) a module variable the top level read from another module is a
 * reference to that read (`ref`: which read, which of its parts), so that it is that module's
 * object again when replayed.
 */
export interface EnvRecord {
  names: string[];
  roots: number[];
  nodes: ValueNode[];
}

interface ValueNode {
  ref?: [number, number];
  labels: readonly Label[];
  const?: Constant;
  fields?: [string, number][];
  elems?: number[];
  seq?: true;
  cls?: string;
  fn?: string;
  self?: number;
  paramBase?: number;
  type?: string;
}

/** The record of a module's variables; undefined when a value refers to something without a key. */
export function encodeEnv(
  env: ReadonlyMap<string, Value>,
  keyOf: (x: FunctionIR | ClassIR) => string | undefined,
  refOf: (v: Value) => [number, number] | undefined,
): EnvRecord | undefined {
  const nodes: ValueNode[] = [];
  const ids = new Map<Value, number>();
  let ok = true;
  const encode = (v: Value): number => {
    if (v === CLEAN) return -1;
    let id = ids.get(v);
    if (id !== undefined) return id;
    id = nodes.length;
    ids.set(v, id);
    const ref = refOf(v);
    const node: ValueNode = ref ? { ref, labels: [] } : { labels: v.labels };
    nodes.push(node);
    if (ref) return id;
    if (v.const !== undefined) node.const = v.const;
    if (v.fields) node.fields = [...v.fields].map(([k, f]) => [k, encode(f)]);
    if (v.elems) node.elems = v.elems.map(encode);
    if (v.seq) node.seq = true;
    if (v.cls) {
      const key = keyOf(v.cls);
      if (key === undefined) ok = false;
      node.cls = key;
    }
    if (v.fn) {
      const key = keyOf(v.fn);
      if (key === undefined) ok = false;
      node.fn = key;
    }
    if (v.self) node.self = encode(v.self);
    if (v.paramBase !== undefined) node.paramBase = v.paramBase;
    if (v.type !== undefined) node.type = v.type;
    return id;
  };
  const names: string[] = [];
  const roots: number[] = [];
  for (const [name, v] of env) {
    names.push(name);
    roots.push(encode(v));
  }
  return ok ? { names, roots, nodes } : undefined;
}

/** Fresh values from a record (undefined when a key no longer resolves). */
export function decodeEnv(
  record: EnvRecord,
  resolve: (key: string) => FunctionIR | ClassIR | undefined,
  referred: (read: number, part: number) => Value | undefined,
): Map<string, Value> | undefined {
  const made: (Value | undefined)[] = new Array(record.nodes.length);
  let ok = true;
  const decode = (id: number): Value => {
    if (id < 0) return CLEAN;
    const known = made[id];
    if (known) return known;
    const node = record.nodes[id]!;
    if (node.ref) {
      const v = referred(node.ref[0], node.ref[1]);
      if (!v) ok = false;
      return (made[id] = v ?? CLEAN);
    }
    const v: Value = { labels: node.labels };
    made[id] = v;
    if (node.const !== undefined) v.const = node.const;
    if (node.fields) v.fields = new Map(node.fields.map(([k, f]) => [k, decode(f)]));
    if (node.elems) v.elems = node.elems.map(decode);
    if (node.seq) v.seq = true;
    if (node.cls !== undefined) {
      const cls = resolve(node.cls);
      if (!cls || !('methods' in cls)) ok = false;
      else v.cls = cls;
    }
    if (node.fn !== undefined) {
      const fn = resolve(node.fn);
      if (!fn || 'methods' in fn) ok = false;
      else v.fn = fn;
    }
    if (node.self !== undefined) v.self = decode(node.self);
    if (node.paramBase !== undefined) v.paramBase = node.paramBase;
    if (node.type !== undefined) v.type = node.type;
    return v;
  };
  const env = new Map<string, Value>();
  record.names.forEach((name, i) => env.set(name, decode(record.roots[i]!)));
  return ok ? env : undefined;
}

/** A record is this run's, or one of the memo's replayed (an offset into `MemoFile.records`). */
export type AnyRecord = RunRecord | number;

/** The records of a run, as the cache keeps them (v8-serialized). */
export interface MemoFile {
  format: typeof MEMO_FORMAT;
  /** Paths: the index space of every key below. */
  modules: string[];
  /** Each module's `moduleFingerprint`. */
  fingerprints: string[];
  /** Each module's `shapeFingerprint`. */
  shapes: string[];
  /** The names each module defines (functions, methods, classes), comma-separated. */
  names: string[];
  /** Each module's IR without bodies (see shapes.ts). */
  moduleShapes: ModuleShape[];
  functions: string[];
  cells: string[];
  facts: string[];
  /** Per fact, what a change must touch to change its answer (a name, or a class key). */
  factTopics: string[];
  prints: string[];
  summaries: Summary[];
  /** Each summary's `summaryFingerprint`, '' where it was never computed. */
  summaryPrints: string[];
  hitLists: TaintHit[][];
  envs: EnvRecord[];
  /** Per record: function, summary, hits, sharing (a print), env (-1: none), cell count, (cell, print) pairs, fact count, facts. */
  records: Int32Array;
}

export const MEMO_FORMAT = 4;

/** Where the parts of a record at `at` are in `MemoFile.records`. */
export const RECORD = { summary: 1, hits: 2, sharing: 3, env: 4, cellCount: 5, cells: 6 } as const;

export function factsAt(r: Int32Array, at: number): number {
  return at + RECORD.cells + 2 * r[at + RECORD.cellCount]!;
}

export function isMemoFile(x: unknown): x is MemoFile {
  const m = x as MemoFile | undefined;
  return (
    typeof m === 'object' && m !== null && m.format === MEMO_FORMAT && m.records instanceof Int32Array &&
    [m.modules, m.fingerprints, m.shapes, m.names, m.functions, m.cells, m.facts, m.factTopics, m.prints, m.summaries, m.summaryPrints, m.hitLists, m.envs].every(Array.isArray) &&
    m.modules.length === m.fingerprints.length && m.facts.length === m.factTopics.length && m.summaries.length === m.summaryPrints.length && m.modules.length === m.shapes.length && m.modules.length === m.names.length && Array.isArray(m.moduleShapes) && m.modules.length === m.moduleShapes.length
  );
}

/** Strings to dense ids. */
export class Interner {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

export function moduleFingerprint(m: { path: string; moduleName: string; spans: { source: string } }): string {
  return createHash('sha1').update(m.path).update('\0').update(m.moduleName).update('\0').update(m.spans.source).digest('base64');
}

/** What other modules can learn of a function by name: its name, kind and parameters. */
export function signatureText(fn: FunctionIR, isMethod: boolean): string {
  let text = `${fn.name}|${fn.isStatic ? 1 : 0}${fn.isClassMethod ? 1 : 0}${isMethod ? 'm' : 'f'}`;
  for (const p of fn.params) {
    const d = p.default;
    text += `|${str(p.name)}${p.kind}${d === undefined ? '' : d.k === 'const' ? `=${typeof d.value}:${String(d.value)}` : '=?'}`;
  }
  return text;
}

/**
 * Everything of a module that the answers to program questions depend on (its name, imports,
 * functions with their signatures, classes with their bases and methods), function bodies aside.
 */
export function shapeFingerprint(m: ModuleIR, isMethod: (fn: FunctionIR) => boolean): string {
  let text = `${str(m.moduleName)}i${m.imports.size}`;
  for (const [local, q] of m.imports) text += str(local) + str(q);
  text += `f${m.functions.length}`;
  for (const fn of m.functions) text += str(fn.qname) + str(signatureText(fn, isMethod(fn)));
  text += `c${m.classes.length}`;
  for (const cls of m.classes) {
    text += `${str(cls.qname)}b${cls.bases.length}`;
    for (const b of cls.bases) text += str(dotted(b) ?? '?');
    text += `m${cls.methods.size}`;
    for (const [name, fn] of cls.methods) text += str(name) + str(fn.qname);
  }
  return digest(text);
}

function dotted(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') {
    const base = dotted(e.object);
    return base === undefined ? undefined : `${base}.${e.attr}`;
  }
  return undefined;
}

/** The names a module defines, as lookups end (`f` of `pkg.mod.f`). */
export function definedNames(m: ModuleIR): string[] {
  return [...new Set([...m.functions.map((f) => f.name), ...m.classes.map((c) => c.name)])];
}

/** The last part of a dotted name. */
export function lastPart(q: string): string {
  return q.slice(q.lastIndexOf('.') + 1);
}

export function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Length-prefixed, so that no text can pass for a separator. */
function str(s: string): string {
  return `${s.length}:${s}`;
}

function spanText(s: Span): string {
  return `${s.line},${s.column},${s.endLine},${s.endColumn},${str(s.text)}`;
}

function stepText(s: FlowStep): string {
  return `${str(s.path)}${spanText(s.span)}${str(s.note)}`;
}

function labelText(l: Label): string {
  let out = `${l.origin}${str(l.what)}${l.threat ?? '-'}${l.param ?? '-'}${l.field === undefined ? '-' : str(l.field)}${l.lowered ? 1 : 0}[`;
  for (const k of l.sanitized) out += `${k},`;
  out += `]${l.steps.length}(`;
  for (const s of l.steps) out += stepText(s);
  return `${out})`;
}

const labelPrints = new WeakMap<Label, string>();

/** A label's fingerprint, once per label object (labels are shared by many summaries and values). */
function labelPrint(l: Label): string {
  let print = labelPrints.get(l);
  if (print === undefined) {
    print = digest(labelText(l));
    labelPrints.set(l, print);
  }
  return print;
}

function labelsText(labels: readonly Label[]): string {
  let out = `${labels.length}<`;
  for (const l of labels) out += labelPrint(l);
  return `${out}>`;
}

function hitText(h: TaintHit): string {
  const s = h.sink;
  return `${h.kind}${labelPrint(h.label)}${str(s.path)}${spanText(s.span)}${spanText(s.callSpan)}${str(s.callee)}${str(s.description)}${s.statementLine}`;
}

const summaryPrints = new WeakMap<Summary, string>();

/** The fingerprint of a summary, if it was computed (the summary was read). */
export function knownSummaryFingerprint(s: Summary): string | undefined {
  return summaryPrints.get(s);
}

/** A summary read back from records comes with its fingerprint. */
export function rememberSummaryPrint(s: Summary, print: string): void {
  summaryPrints.set(s, print);
}

/** Everything a summary says (callers apply all of it but `key`, which follows from the rest). */
export function summaryFingerprint(s: Summary): string {
  let print = summaryPrints.get(s);
  if (print === undefined) {
    let text = `R${labelsText(s.returns)}K${s.sinks.length}`;
    for (const h of s.sinks) text += hitText(h);
    text += `W${s.selfWrites.size}`;
    for (const [field, labels] of s.selfWrites) text += str(field) + labelsText(labels);
    text += `T${s.selfTypes.size}`;
    for (const [field, type] of s.selfTypes) text += str(field) + str(type);
    text += `A${s.selfAssigned.size}`;
    for (const field of s.selfAssigned) text += str(field);
    print = digest(text);
    summaryPrints.set(s, print);
  }
  return print;
}

export function fieldsFingerprint(fields: ReadonlyMap<string, readonly Label[]> | undefined): string {
  if (!fields || fields.size === 0) return '0';
  let text = `${fields.size}`;
  for (const [field, labels] of fields) text += str(field) + labelsText(labels);
  return digest(text);
}

export function typesFingerprint(types: ReadonlyMap<string, string>): string {
  let text = `${types.size}`;
  for (const [field, type] of types) text += str(field) + str(type);
  return text;
}

function constText(c: Constant | undefined): string {
  if (c === undefined) return '';
  if (c === null) return 'z';
  if (typeof c === 'string') return `s${str(c)}`;
  if (typeof c === 'number') return Object.is(c, -0) ? 'n-0' : `n${c}`;
  return c ? 'b1' : 'b0';
}

/**
 * Fingerprints of module variable values, with which of their parts are the same object: `join`
 * treats a value joined with itself differently from an equal copy. Sharing between the values
 * one analysis reads is `sharingOf`'s. Cached per value object (values are never changed).
 */
export class ValuePrints {
  private readonly prints = new WeakMap<Value, string>();
  private readonly parts = new WeakMap<Value, Value[]>();

  constructor(
    private readonly classAnswer: (cls: ClassIR) => string,
    private readonly functionAnswer: (fn: FunctionIR) => string,
  ) {}

  of(v: Value | undefined): string {
    if (v === undefined) return '-';
    let print = this.prints.get(v);
    if (print === undefined) {
      print = digest(this.text(v, new Map()));
      this.prints.set(v, print);
    }
    return print;
  }

  /** The value objects inside `v` (itself included, CLEAN not), each once, in a fixed order. */
  partsOf(v: Value): Value[] {
    let parts = this.parts.get(v);
    if (!parts) {
      const seen = new Set<Value>();
      const visit = (x: Value): void => {
        if (x === CLEAN || seen.has(x)) return;
        seen.add(x);
        if (x.fields) for (const f of x.fields.values()) visit(f);
        if (x.elems) for (const e of x.elems) visit(e);
        if (x.self) visit(x.self);
      };
      visit(v);
      parts = [...seen];
      this.parts.set(v, parts);
    }
    return parts;
  }

  private text(v: Value, seen: Map<Value, number>): string {
    if (v === CLEAN) return 'C';
    const id = seen.get(v);
    if (id !== undefined) return `@${id}`;
    seen.set(v, seen.size);
    let out = `{${labelsText(v.labels)}${constText(v.const)}`;
    if (v.fields) {
      out += `f${v.fields.size}`;
      for (const [k, f] of v.fields) out += str(k) + this.text(f, seen);
    }
    if (v.elems) {
      out += `e${v.elems.length}`;
      for (const e of v.elems) out += this.text(e, seen);
    }
    if (v.seq) out += 's';
    if (v.cls) out += `k${this.classAnswer(v.cls)}`;
    if (v.fn) out += `n${this.functionAnswer(v.fn)}`;
    if (v.self) out += `b${this.text(v.self, seen)}`;
    if (v.paramBase !== undefined) out += `p${v.paramBase}`;
    if (v.type !== undefined) out += `t${str(v.type)}`;
    return `${out}}`;
  }
}

/**
 * Which parts of the module variable values one analysis read (in order) are objects an earlier
 * read already held: `read.part=read.part;` for each, '' when none is.
 */
export function sharingOf(values: readonly (Value | undefined)[], prints: ValuePrints): string {
  if (values.length < 2) return '';
  // Most values read are single objects, all different: say so without building a table.
  let single = true;
  for (const v of values) if (v && prints.partsOf(v).length > 1) single = false;
  if (single) {
    let distinct = true;
    for (let i = 1; i < values.length && distinct; i++) for (let j = 0; j < i; j++) if (values[i] && values[i] === values[j]) distinct = false;
    if (distinct) return '';
  }
  let out = '';
  const first = new Map<Value, string>();
  values.forEach((v, i) => {
    if (!v) return;
    prints.partsOf(v).forEach((part, j) => {
      const at = first.get(part);
      if (at !== undefined) out += `${i}.${j}=${at};`;
      else first.set(part, `${i}.${j}`);
    });
  });
  return out;
}

/** Where each record of a memo starts, by function key (in the memo's index space). */
export function recordsByFunction(file: MemoFile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const r = file.records;
  for (let at = 0; at < r.length; ) {
    const key = file.functions[r[at]!]!;
    const list = out.get(key);
    if (list) list.push(at);
    else out.set(key, [at]);
    at = nextRecord(r, at);
  }
  return out;
}

function nextRecord(r: Int32Array, at: number): number {
  const facts = factsAt(r, at);
  return facts + 1 + r[facts]!;
}

/**
 * A key's module index moved from one index space to another (`S12|pkg.f|0` → `S40|pkg.f|0`);
 * undefined when the module is not in the other space. `kind` is how many characters precede it.
 */
export function reindex(key: string, kind: number, map: (index: number) => number | undefined): string | undefined {
  const bar = key.indexOf('|', kind);
  const index = map(Number(key.slice(kind, bar)));
  return index === undefined ? undefined : key.slice(0, kind) + index + key.slice(bar);
}
