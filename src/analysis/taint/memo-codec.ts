import type { SinkKind } from './models.js';
import { NO_SPAN, type Constant, type Expr, type Param, type Span } from './ir.js';
import { OPAQUE_DEFAULT, type ModuleShape } from './shapes.js';
import type { Summary, TaintHit } from './engine.js';
import { Interner, factsAt, isMemoFile, RECORD, type EnvRecord, type MemoFile } from './replay.js';
import { makeLabel, NO_KINDS, type FlowStep, type Label } from './values.js';
import { checkMemo } from './memo-check.js';

/**
 * The replay records as the cache stores them. Summaries, hits and recorded variables hold tens
 * of thousands of labels, steps and spans; written as objects, every one of them repeats its
 * property names and costs an object to read back. Here they are tables of integers and one
 * table of strings, each span, step and label once (equal ones merged: the engine never tells
 * equal labels, steps or spans apart), and are rebuilt as objects when the records are read.
 */
export interface PackedMemo extends Omit<MemoFile, 'summaries' | 'hitLists' | 'envs' | 'moduleShapes' | 'factTopics'> {
  packed: {
    /** Per fact, its topic (a string id). */
    factTopics: Int32Array;
    /** Module shapes (see packShapes): integers, where each module starts, and the class bases. */
    shapeInts: Int32Array;
    shapeAt: Int32Array;
    bases: Expr[][];
    strings: string[];
    /** line, column, end line, end column, text (string id) per span. */
    spans: Int32Array;
    /** path (string id), span, note (string id) per step. */
    steps: Int32Array;
    /** Lists of step ids: length, then the ids; a list is its offset. */
    stepLists: Int32Array;
    /** flags (param origin 1, remote 2, local 4, lowered 8), what, param + 1, field + 1, sanitized kinds, step list. */
    labels: Int32Array;
    labelLists: Int32Array;
    /** kind, label, path, span, call span, callee, description, statement line. */
    hits: Int32Array;
    hitLists: Int32Array;
    /** Offsets into `summaryInts` (one per summary). */
    summaries: Int32Array;
    /** returns (label list), sinks (hit list), writes count, (field, label list)..., assigned count, fields..., types count, (field, type)..., key. */
    summaryInts: Int32Array;
    /** Hit list offset per `MemoFile.hitLists` entry. */
    hitListIds: Int32Array;
    /** The recorded variables, with label lists in place of labels. */
    envs: PackedEnv[];
  };
}

type PackedEnv = Omit<EnvRecord, 'nodes'> & { nodes: (Omit<EnvRecord['nodes'][number], 'labels'> & { labels: number })[] };

const LABEL = 6;
const STEP = 3;
const SPAN = 5;
const HIT = 8;

/**
 * Packs summaries, hit lists and recorded variables as they come (a recording run hands each one
 * over when its analysis ends, so that superseded summaries need not stay in memory), then the
 * rest of the records (`finish`). Spans, steps, labels and their lists are found by identity
 * (weakly held: the engine shares them widely); hits and hit lists, rarer, by content too.
 */
export class MemoPacker {
  readonly strings = new Interner();
  private readonly spans: number[] = [];
  private readonly steps: number[] = [];
  private readonly stepLists: number[] = [];
  private readonly labels: number[] = [];
  private readonly labelLists: number[] = [];
  private readonly hits: number[] = [];
  private readonly hitIds = new Map<string, number>();
  private readonly hitLists: number[] = [];
  private readonly hitListIds = new Map<string, number>();
  private readonly summaryInts: number[] = [];
  private readonly summaryAt: number[] = [];
  private readonly summaryPrints: string[] = [];
  private readonly hitListAt: number[] = [];
  private readonly envs: PackedEnv[] = [];
  private readonly spanOf = new WeakMap<Span, number>();
  private readonly stepOf = new WeakMap<FlowStep, number>();
  private readonly stepListOf = new WeakMap<readonly FlowStep[], number>();
  private readonly labelOf = new WeakMap<Label, number>();
  private readonly labelListOf = new WeakMap<readonly Label[], number>();
  private readonly hitListOf = new WeakMap<readonly TaintHit[], number>();
  private readonly summaryOf = new WeakMap<Summary, number>();
  private readonly hitListIndex = new WeakMap<readonly TaintHit[], number>();
  private readonly envOf = new WeakMap<EnvRecord, number>();

  /** A summary's index (with its fingerprint, `summaryFingerprint`, when known; see `notePrint`). */
  summary(s: Summary, print = ''): number {
    let id = this.summaryOf.get(s);
    if (id === undefined) {
      id = this.summaryAt.push(this.summaryInts.length) - 1;
      this.summaryPrints.push(print);
      const out = this.summaryInts;
      out.push(this.labelList(s.returns), this.hitList(s.sinks), s.selfWrites.size);
      for (const [field, ls] of s.selfWrites) out.push(this.strings.id(field), this.labelList(ls));
      out.push(s.selfAssigned.size);
      for (const field of s.selfAssigned) out.push(this.strings.id(field));
      out.push(s.selfTypes.size);
      for (const [field, type] of s.selfTypes) out.push(this.strings.id(field), this.strings.id(type));
      out.push(this.strings.id(s.key));
      this.summaryOf.set(s, id);
    }
    return id;
  }

  /** The fingerprint of a packed summary, computed after it was packed (when it was read). */
  notePrint(s: Summary, print: string): void {
    const id = this.summaryOf.get(s);
    if (id !== undefined) this.summaryPrints[id] = print;
  }

  /** A hit list's index. */
  hitsIndex(hs: readonly TaintHit[]): number {
    return this.once(this.hitListIndex, hs, () => this.hitListAt.push(this.hitList(hs)) - 1);
  }

  /** Recorded variables' index. */
  env(e: EnvRecord): number {
    return this.once(this.envOf, e, () => this.envs.push({ ...e, nodes: e.nodes.map((n) => ({ ...n, labels: this.labelList(n.labels) })) }) - 1);
  }

  finish(memo: Omit<MemoFile, 'summaries' | 'summaryPrints' | 'hitLists' | 'envs'>): PackedMemo {
    const { moduleShapes, factTopics, ...rest } = memo;
    const shapes = packShapes(moduleShapes, this.strings);
    return {
      ...rest,
      summaryPrints: this.summaryPrints,
      packed: {
        ...shapes,
        factTopics: Int32Array.from(factTopics, (topic) => this.strings.id(topic)),
        strings: this.strings.list,
        spans: Int32Array.from(this.spans),
        steps: Int32Array.from(this.steps),
        stepLists: Int32Array.from(this.stepLists),
        labels: Int32Array.from(this.labels),
        labelLists: Int32Array.from(this.labelLists),
        hits: Int32Array.from(this.hits),
        hitLists: Int32Array.from(this.hitLists),
        summaries: Int32Array.from(this.summaryAt),
        summaryInts: Int32Array.from(this.summaryInts),
        hitListIds: Int32Array.from(this.hitListAt),
        envs: this.envs,
      },
    };
  }

  /** The id of a new entry of `table` (width `width`). */
  private append(table: number[], width: number, values: number[]): number {
    const id = table.length / width;
    for (const v of values) table.push(v);
    return id;
  }

  /** The offset of a new list (length, then items) in `table`. */
  private appendList(table: number[], items: number[]): number {
    const at = table.length;
    table.push(items.length);
    for (const v of items) table.push(v);
    return at;
  }

  /** The id of an entry of `table` (width `width`), equal entries merged. */
  private entry(table: number[], ids: Map<string, number>, width: number, values: number[]): number {
    const key = values.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = table.length / width;
      table.push(...values);
      ids.set(key, id);
    }
    return id;
  }

  /** The offset of a list (length, then items) in `table`, equal lists merged. */
  private list(table: number[], ids: Map<string, number>, items: number[]): number {
    const key = items.join(',');
    let at = ids.get(key);
    if (at === undefined) {
      at = table.length;
      table.push(items.length, ...items);
      ids.set(key, at);
    }
    return at;
  }

  /** What `make` gives for `key`, made once per object. */
  private once<K extends object>(seen: WeakMap<K, number>, key: K, make: () => number): number {
    let id = seen.get(key);
    if (id === undefined) {
      id = make();
      seen.set(key, id);
    }
    return id;
  }

  private span(s: Span): number {
    return this.once(this.spanOf, s, () => this.append(this.spans, SPAN, [s.line, s.column, s.endLine, s.endColumn, this.strings.id(s.text)]));
  }

  private step(s: FlowStep): number {
    return this.once(this.stepOf, s, () => this.append(this.steps, STEP, [this.strings.id(s.path), this.span(s.span), this.strings.id(s.note)]));
  }

  private stepList(steps: readonly FlowStep[]): number {
    return this.once(this.stepListOf, steps, () => this.appendList(this.stepLists, steps.map((s) => this.step(s))));
  }

  private label(l: Label): number {
    return this.once(this.labelOf, l, () => {
      const flags = (l.origin === 'param' ? 1 : 0) | (l.threat === 'remote' ? 2 : l.threat === 'local' ? 4 : 0) | (l.lowered ? 8 : 0);
      const what = this.strings.id(l.what);
      const field = l.field === undefined ? 0 : this.strings.id(l.field) + 1;
      const kinds = this.strings.id([...l.sanitized].join(','));
      return this.append(this.labels, LABEL, [flags, what, l.param === undefined ? 0 : l.param + 1, field, kinds, this.stepList(l.steps)]);
    });
  }

  private labelList(ls: readonly Label[]): number {
    return this.once(this.labelListOf, ls, () => this.appendList(this.labelLists, ls.map((l) => this.label(l))));
  }

  private hit(h: TaintHit): number {
    return this.entry(this.hits, this.hitIds, HIT, [
      this.strings.id(h.kind),
      this.label(h.label),
      this.strings.id(h.sink.path),
      this.span(h.sink.span),
      this.span(h.sink.callSpan),
      this.strings.id(h.sink.callee),
      this.strings.id(h.sink.description),
      h.sink.statementLine,
    ]);
  }

  private hitList(hs: readonly TaintHit[]): number {
    return this.once(this.hitListOf, hs, () => this.list(this.hitLists, this.hitListIds, hs.map((h) => this.hit(h))));
  }
}

/** Records as an engine keeps them in memory, packed (tests and tools; a recording run packs as it goes). */
export function packMemo(memo: MemoFile): PackedMemo {
  const packer = new MemoPacker();
  const summaries = memo.summaries.map((s, i) => packer.summary(s, memo.summaryPrints[i]));
  const hits = memo.hitLists.map((h) => packer.hitsIndex(h));
  const envs = memo.envs.map((e) => packer.env(e));
  // Packing keeps first-seen order, so the indices are the memo's own unless objects repeat.
  const records = Int32Array.from(memo.records);
  for (let at = 0; at < records.length; at = factsAt(records, at) + 1 + records[factsAt(records, at)]!) {
    records[at + RECORD.summary] = summaries[records[at + RECORD.summary]!]!;
    records[at + RECORD.hits] = hits[records[at + RECORD.hits]!]!;
    const env = records[at + RECORD.env]!;
    if (env >= 0) records[at + RECORD.env] = envs[env]!;
  }
  const { summaries: _s, summaryPrints: _p, hitLists: _h, envs: _e, ...rest } = memo;
  return packer.finish({ ...rest, records });
}

/** The records from what the cache gave back; undefined when it is not a packed memo that holds together. */
export function unpackMemo(x: unknown): MemoFile | undefined {
  const memo = readMemo(x);
  return typeof memo === 'string' ? undefined : memo;
}

/** The records from what the cache gave back, or what is wrong with them (see memo-check.ts). */
export function readMemo(x: unknown): MemoFile | string {
  const p = x as PackedMemo | undefined;
  if (typeof p !== 'object' || p === null || typeof p.packed !== 'object' || p.packed === null) return 'not packed replay records';
  let memo: MemoFile;
  try {
    memo = unpack(p);
  } catch (error) {
    // a table out of range, or not a table: damaged records
    return `they do not unpack (${(error as Error).message})`;
  }
  if (!isMemoFile(memo)) return 'their tables do not match';
  return checkMemo(memo);
}

function unpack(p: PackedMemo): MemoFile {
  const t = p.packed;
  const at = (table: Int32Array, i: number): number => {
    const v = table[i];
    if (v === undefined) throw new RangeError('packed records out of range');
    return v;
  };
  const str = (i: number): string => {
    const s = t.strings[i];
    if (s === undefined) throw new RangeError('packed records out of range');
    return s;
  };
  const spans: Span[] = [];
  const span = (i: number): Span =>
    (spans[i] ??= { line: at(t.spans, i * SPAN), column: at(t.spans, i * SPAN + 1), endLine: at(t.spans, i * SPAN + 2), endColumn: at(t.spans, i * SPAN + 3), text: str(at(t.spans, i * SPAN + 4)) });
  const steps: FlowStep[] = [];
  const step = (i: number): FlowStep => (steps[i] ??= { path: str(at(t.steps, i * STEP)), span: span(at(t.steps, i * STEP + 1)), note: str(at(t.steps, i * STEP + 2)) });
  /** The list at an offset of a list table (length, then item ids), one array per offset. */
  const lists = <T>(table: Int32Array, item: (id: number) => T): ((offset: number) => T[]) => {
    const made = new Map<number, T[]>();
    return (o) => {
      let out = made.get(o);
      if (!out) {
        out = [];
        for (let k = 1; k <= at(table, o); k++) out.push(item(at(table, o + k)));
        made.set(o, out);
      }
      return out;
    };
  };
  const stepList = lists(t.stepLists, step);
  const kinds = new Map<string, ReadonlySet<SinkKind>>();
  const sanitized = (text: string): ReadonlySet<SinkKind> => {
    if (text === '') return NO_KINDS;
    let set = kinds.get(text);
    if (!set) {
      set = new Set(text.split(',') as SinkKind[]);
      kinds.set(text, set);
    }
    return set;
  };
  const labels: Label[] = [];
  const label = (i: number): Label => {
    const known = labels[i];
    if (known) return known;
    const b = i * LABEL;
    const flags = at(t.labels, b);
    const param = at(t.labels, b + 2);
    const field = at(t.labels, b + 3);
    return (labels[i] = makeLabel(
      flags & 1 ? 'param' : 'source',
      str(at(t.labels, b + 1)),
      flags & 2 ? 'remote' : flags & 4 ? 'local' : undefined,
      param === 0 ? undefined : param - 1,
      field === 0 ? undefined : str(field - 1),
      stepList(at(t.labels, b + 5)),
      sanitized(str(at(t.labels, b + 4))),
      (flags & 8) !== 0,
    ));
  };
  const labelList = lists(t.labelLists, label);
  const hits: TaintHit[] = [];
  const hit = (i: number): TaintHit => {
    const known = hits[i];
    if (known) return known;
    const b = i * HIT;
    return (hits[i] = {
      kind: str(at(t.hits, b)) as SinkKind,
      label: label(at(t.hits, b + 1)),
      sink: {
        path: str(at(t.hits, b + 2)),
        span: span(at(t.hits, b + 3)),
        callSpan: span(at(t.hits, b + 4)),
        callee: str(at(t.hits, b + 5)),
        description: str(at(t.hits, b + 6)),
        statementLine: at(t.hits, b + 7),
      },
    });
  };
  const hitList = lists(t.hitLists, hit);
  const summaries = Array.from(t.summaries, (o): Summary => {
    const s = t.summaryInts;
    let k = o;
    const returns = labelList(at(s, k++));
    const sinks = hitList(at(s, k++));
    const selfWrites = new Map<string, Label[]>();
    for (let n = at(s, k++); n > 0; n--) {
      const field = str(at(s, k++));
      selfWrites.set(field, labelList(at(s, k++)));
    }
    const selfAssigned = new Set<string>();
    for (let n = at(s, k++); n > 0; n--) selfAssigned.add(str(at(s, k++)));
    const selfTypes = new Map<string, string>();
    for (let n = at(s, k++); n > 0; n--) {
      const field = str(at(s, k++));
      selfTypes.set(field, str(at(s, k++)));
    }
    return { returns, sinks, selfWrites, selfAssigned, selfTypes, key: str(at(s, k)) };
  });
  const envs: EnvRecord[] = t.envs.map((e) => ({ ...e, nodes: e.nodes.map((n) => ({ ...n, labels: labelList(n.labels) })) }));
  const { packed: _p, ...rest } = p;
  return {
    ...rest,
    summaries,
    hitLists: Array.from(t.hitListIds, hitList),
    envs,
    moduleShapes: unpackShapes(t, str, at),
    factTopics: Array.from(t.factTopics, str),
  };
}

/**
 * Per module: name, import count, (local name, qualified name)..., the top level, function
 * count, functions..., class count, classes... A function: name, qualified name, flags (static 1,
 * class method 2), class name + 1, span, nested in, parameter count, then per parameter: name,
 * kind, default (see DEFAULT), its value (a string id) and span + 1. A class: name, qualified
 * name, span, method count, (method name, function index)...; its bases are in `bases`.
 */
function packShapes(shapes: readonly ModuleShape[], strings: Interner): { shapeInts: Int32Array; shapeAt: Int32Array; bases: Expr[][] } {
  const ints: number[] = [];
  const bases: Expr[][] = [];
  const fn = (f: FunctionShape): void => {
    ints.push(strings.id(f.name), strings.id(f.qname), (f.isStatic ? 1 : 0) | (f.isClassMethod ? 2 : 0), f.className === undefined ? 0 : strings.id(f.className) + 1, f.span, f.nestedIn, f.params.length);
    for (const p of f.params) {
      const d = p.default;
      const kind = d === undefined ? DEFAULT.none : d.k !== 'const' ? DEFAULT.other : constKind(d.value);
      const value = d?.k === 'const' && (typeof d.value === 'string' || typeof d.value === 'number') ? strings.id(typeof d.value === 'number' && Object.is(d.value, -0) ? '-0' : String(d.value)) : 0;
      ints.push(strings.id(p.name), PARAM_KINDS.indexOf(p.kind), kind, value, p.span === undefined ? 0 : p.span + 1);
    }
  };
  const shapeAt = shapes.map((m) => {
    const start = ints.length;
    ints.push(strings.id(m.moduleName), m.imports.length);
    for (const [local, q] of m.imports) ints.push(strings.id(local), strings.id(q));
    ints.push(m.importedModules.length);
    for (const q of m.importedModules) ints.push(strings.id(q));
    fn(m.top);
    ints.push(m.functions.length);
    m.functions.forEach(fn);
    ints.push(m.classes.length);
    for (const c of m.classes) {
      ints.push(strings.id(c.name), strings.id(c.qname), c.span, c.methods.length);
      for (const [name, index] of c.methods) ints.push(strings.id(name), index);
      bases.push(c.bases);
    }
    return start;
  });
  return { shapeInts: Int32Array.from(ints), shapeAt: Int32Array.from(shapeAt), bases };
}

function unpackShapes(t: PackedMemo['packed'], str: (i: number) => string, at: (table: Int32Array, i: number) => number): ModuleShape[] {
  const ints = t.shapeInts;
  let basesAt = 0;
  return Array.from(t.shapeAt, (start) => {
    let k = start;
    const next = (): number => at(ints, k++);
    const fn = (): FunctionShape => {
      const name = str(next());
      const qname = str(next());
      const flags = next();
      const className = next();
      const span = next();
      const nestedIn = next();
      const params: Param[] = [];
      for (let n = next(); n > 0; n--) {
        const pname = str(next());
        const kind = PARAM_KINDS[next()];
        const dkind = next();
        const value = next();
        const pspan = next();
        if (kind === undefined) throw new RangeError('packed records out of range');
        params.push({ name: pname, kind, default: defaultOf(dkind, () => str(value)), span: pspan === 0 ? undefined : pspan - 1 });
      }
      return { name, qname, params, className: className === 0 ? undefined : str(className - 1), isStatic: (flags & 1) !== 0, isClassMethod: (flags & 2) !== 0, span, nestedIn };
    };
    const moduleName = str(next());
    const imports: [string, string][] = [];
    for (let n = next(); n > 0; n--) imports.push([str(next()), str(next())]);
    const importedModules: string[] = [];
    for (let n = next(); n > 0; n--) importedModules.push(str(next()));
    const top = fn();
    const functions: FunctionShape[] = [];
    for (let n = next(); n > 0; n--) functions.push(fn());
    const classes: ModuleShape['classes'] = [];
    for (let n = next(); n > 0; n--) {
      const name = str(next());
      const qname = str(next());
      const span = next();
      const methods: [string, number][] = [];
      for (let m = next(); m > 0; m--) methods.push([str(next()), next()]);
      const bases = t.bases[basesAt++];
      if (!bases) throw new RangeError('packed records out of range');
      classes.push({ name, qname, bases, methods, span });
    }
    return { moduleName, imports, importedModules, top, functions, classes };
  });
}

type FunctionShape = ModuleShape['top'];

const PARAM_KINDS: readonly Param['kind'][] = ['normal', 'varargs', 'kwargs'];

/** What a parameter's default is, as the shape keeps it. */
const DEFAULT = { none: 0, other: 1, string: 2, number: 3, true: 4, false: 5, null: 6 } as const;

function constKind(value: Constant): number {
  if (value === null) return DEFAULT.null;
  if (typeof value === 'string') return DEFAULT.string;
  if (typeof value === 'number') return DEFAULT.number;
  return value ? DEFAULT.true : DEFAULT.false;
}

function defaultOf(kind: number, text: () => string): Expr | undefined {
  switch (kind) {
    case DEFAULT.none:
      return undefined;
    case DEFAULT.string:
      return { k: 'const', value: text(), span: NO_SPAN };
    case DEFAULT.number:
      return { k: 'const', value: Number(text()), span: NO_SPAN };
    case DEFAULT.true:
      return { k: 'const', value: true, span: NO_SPAN };
    case DEFAULT.false:
      return { k: 'const', value: false, span: NO_SPAN };
    case DEFAULT.null:
      return { k: 'const', value: null, span: NO_SPAN };
    case DEFAULT.other:
      return OPAQUE_DEFAULT;
    default:
      throw new RangeError('packed records out of range');
  }
}
