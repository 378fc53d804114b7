import { blocksOf, type CallExpr, type ClassIR, type Constant, type Expr, type FunctionIR, type ModuleIR, type Span, type SpanId, type Stmt, type Target } from './ir.js';
import { resolveSpan, spanLine, spanText } from './spans.js';
import type { HandlerModel, ModelSet, ResponseModel, SinkKind, SinkModel, SourceModel } from './models.js';
import { reachesSink } from './dedicated-sinks.js';
import { renderHits, responseBody, responseSink, type RenderSinks } from './response-sinks.js';
import { Program } from './program.js';
import { adopt, shapeOf, type Deferred } from './shapes.js';
import { MemoPacker, type PackedMemo } from './memo-codec.js';
import {
  Interner, ValuePrints, decodeEnv, definedNames, digest, encodeEnv, factsAt, fieldsFingerprint, lastPart, moduleFingerprint,
  knownSummaryFingerprint, recordsByFunction, reindex, rememberSummaryPrint, shapeFingerprint, sharingOf, signatureText, summaryFingerprint, typesFingerprint, MEMO_FORMAT, RECORD,
  type AnyRecord, type EnvRecord, type MemoFile, type RunRecord,
} from './replay.js';
import {
  CLEAN, NO_KINDS, allLabels, constant, flatten, fromLabels, join, labelKey, makeLabel, mergeLabels, with_, withStep, withSteps,
  type FlowStep, type Label, type Value,
} from './values.js';

/**
 * Abstract interpretation of each function over a taint lattice (sets of labels, joined by
 * union), flow-sensitive within a function, with constant folding that prunes dead
 * branches. Functions are summarised (parameters → return, sinks, `self` fields) and the
 * summaries iterate to a fixpoint over the call graph, so flows cross functions and files.
 * See docs/taint-engine.md for the design and its trade-offs.
 */

export interface TaintHit {
  kind: SinkKind;
  label: Label;
  sink: { path: string; span: Span; callSpan: Span; callee: string; description: string; statementLine: number };
}

export interface Summary {
  returns: Label[];
  /** Parameter-derived data reaching sinks inside (or below) the function. */
  sinks: TaintHit[];
  /** Labels written to `self.<field>`. */
  selfWrites: Map<string, Label[]>;
  /** Every `self.<field>` the function assigns, tainted or not. */
  selfAssigned: ReadonlySet<string>;
  /** Library types stored in `self.<field>` (`self.log = logging.getLogger(...)`). */
  selfTypes: ReadonlyMap<string, string>;
  key: string;
}

type Env = Map<string, Value>;

/**
 * Something analyses read that can change during the fixpoint (a summary, a module's top-level
 * variables, a class's fields...): `version` is the engine's tick at its last change.
 */
interface Cell {
  version: number;
  /** Its key's id when recording (-1: none yet). */
  id: number;
}

/** A module variable (identified by module path and name); its cell changes with its `global` writes. */
interface GlobalVar extends Cell {
  readers: Set<FunctionState>;
}

/** What the engine knows of one function (one map lookup for all of it). */
interface FunctionState {
  fn: FunctionIR;
  module: ModuleIR;
  summary: Summary | undefined;
  /** Changes when `summary` does. */
  summaryCell: Cell;
  /** Source hits of the last analysis. */
  hits: TaintHit[];
  /** Analyses so far, reused results included (at most MAX_ANALYSES_PER_FUNCTION). */
  count: number;
  queued: boolean;
  /** Functions whose analysis applied this summary. */
  callers: Set<FunctionState>;
  /** Tick at the start of the last analysis. */
  started: number;
  /** What that analysis read; undefined when its result may not be reused (see `reusable`). */
  reads: readonly Cell[] | undefined;
}

const NO_LABELS_LIST: Label[] = [];
const NO_HITS: TaintHit[] = [];
const NO_WRITES: Map<string, Label[]> = new Map();
const NO_FIELDS: ReadonlySet<string> = new Set();
const NO_TYPES: ReadonlyMap<string, string> = new Map();
const EMPTY_SUMMARY: Summary = { returns: [], sinks: [], selfWrites: new Map(), selfAssigned: new Set(), selfTypes: new Map(), key: '' };
const MAX_ANALYSES_PER_FUNCTION = 8;
const MAX_INLINE_DEPTH = 3;
const EXITING_CALLS = new Set(['sys.exit', 'exit', 'quit', 'flask.abort', 'os._exit', 'os.abort']);
const VALIDATING_METHODS = new Set(['isdigit', 'isdecimal', 'isnumeric', 'isalnum', 'isalpha', 'isidentifier']);

export interface TaintResult {
  /** Data from a modelled source reaching a sink. */
  sourceHits: TaintHit[];
  /** Data from a function's parameter (unknown provenance) reaching a sink. */
  parameterHits: { fn: FunctionIR; hit: TaintHit }[];
  /** `analyses` counts replayed ones too (a run without a memo analyses as many times). */
  stats: { functions: number; analyses: number; replayed: number };
  /** With `record`: this run's analyses, packed for the cache (see memo-codec.ts), for a later run to replay. */
  memo?: () => PackedMemo;
}

export interface EngineOptions {
  /** Record every analysis so that a later run can replay what did not change. */
  record?: boolean;
  /** A previous run's records: analyses whose inputs are all unchanged are replayed from them. */
  memo?: MemoFile;
  /** Modules given as shapes (see shapes.ts), built whole when one of their analyses has to run. */
  deferred?: ReadonlyMap<ModuleIR, Deferred>;
  /** Template files rendered with a context (response-sinks.ts); none: render calls are not sinks. */
  renderSinks?: RenderSinks;
}

export function analyseProgram(modules: ModuleIR[], models: ModelSet, options: EngineOptions = {}): TaintResult {
  return new TaintEngine(new Program(modules), models, options).run();
}

/** What the analysis running has read and asked, for its record. */
interface AnalysisLog {
  cells: number[];
  prints: string[];
  facts: number[];
  /** The module variable values read, in order (for `sharingOf`). */
  globals: (Value | undefined)[];
}

export class TaintEngine {
  /** Each module's variables after its top level ran. */
  readonly globals = new Map<ModuleIR, Env>();
  /** Values functions store into module variables (`global x; x = ...`), joined. */
  readonly globalWrites = new Map<ModuleIR, Env>();
  /** Module variables by module path and name: who read them, re-analysed when they change. */
  private readonly globalVars = new Map<string, Map<string, GlobalVar>>();
  /** Module variables whose value changed since their readers last ran. */
  private readonly dirtyGlobals = new Set<GlobalVar>();
  readonly classFields = new Map<ClassIR, Map<string, Label[]>>();
  readonly classOfMethod = new Map<FunctionIR, ClassIR>();
  /** `typesOfClass`, dropped when a method's summary stores different types. */
  private readonly classTypes = new Map<ClassIR, Map<string, string>>();
  readonly nestedOwner = new Map<FunctionIR, FunctionIR>();
  private readonly sinksByName = new Map<string, SinkModel[]>();
  private readonly sinksByMethod = new Map<string, SinkModel[]>();
  private readonly callSources = new Map<string, SourceModel>();
  private readonly methodCallSources = new Map<string, SourceModel>();
  private readonly accessSources: SourceModel[] = [];
  private readonly parameterSources: SourceModel[] = [];
  /** The parameter names parameter sources are rooted at. */
  private readonly parameterSourceNames = new Set<string>();
  private readonly sanitizersByName = new Map<string, ReadonlySet<SinkKind> | 'all'>();
  private readonly sanitizersByMethod = new Map<string, ReadonlySet<SinkKind> | 'all'>();
  private readonly summariesByName = new Map<string, (number | string)[]>();
  private readonly summariesByMethod = new Map<string, (number | string)[]>();
  private readonly handlers: HandlerModel[];
  /** Library classes some model names a member of (`requests.Session` for `requests.Session.get`). */
  private readonly typeNames = new Set<string>();
  /** Calls returning an instance of a library class. */
  private readonly factories = new Map<string, string>();
  analyses = 0;
  /** Dequeued functions whose inputs had not changed since their last analysis (its result stands). */
  reused = 0;
  private tick = 0;
  private readonly functionStates = new Map<FunctionIR, FunctionState>();
  /** The function being analysed (nested and inlined functions count as part of it). */
  private current: FunctionState | undefined;
  private readonly topCells = new Map<ModuleIR, Cell>();
  private readonly classCells = new Map<ClassIR, { fields: Cell; types: Cell }>();
  /** Cells read by the analysis running (nested and inlined functions included). */
  private reads: Set<Cell> | undefined;
  private wroteGlobal = false;

  /** Request handlers whose return value is the response (response-sinks.ts). */
  readonly responses: readonly ResponseModel[];
  /** Sinks restricted to methods of some classes (`within`), asked with the parameter sources' `within`. */
  private readonly withinSinks: SinkModel[];

  constructor(
    readonly program: Program,
    models: ModelSet,
    readonly options: EngineOptions = {},
  ) {
    this.responses = models.responses;
    this.withinSinks = models.sinks.filter((s) => s.within);
    const push = <T>(map: Map<string, T[]>, key: string, v: T): void => {
      const list = map.get(key);
      if (list) list.push(v);
      else map.set(key, [v]);
    };
    for (const s of models.sinks) {
      if (s.name) push(this.sinksByName, s.name, s);
      if (s.method) push(this.sinksByMethod, s.method, s);
    }
    for (const s of models.sources) {
      if (s.parameter) {
        this.parameterSources.push(s);
        this.parameterSourceNames.add(s.parameter);
      } else if (s.on === 'call') {
        if (s.name) this.callSources.set(s.name, s);
        if (s.method) this.methodCallSources.set(s.method, s);
      } else if (s.name) this.accessSources.push(s);
    }
    for (const s of models.sanitizers) {
      const kinds = s.kinds === 'all' ? 'all' : new Set(s.kinds);
      if (s.name) this.sanitizersByName.set(s.name, kinds);
      if (s.method) this.sanitizersByMethod.set(s.method, kinds);
    }
    for (const s of models.summaries) {
      if (s.name) this.summariesByName.set(s.name, s.from);
      if (s.method) this.summariesByMethod.set(s.method, s.from);
    }
    this.handlers = models.handlers;
    for (const list of [models.sinks, models.sources, models.sanitizers, models.summaries]) {
      for (const entry of list) {
        const parts = entry.name?.split('.') ?? [];
        // `pkg.Class.method`: a member of a class (capitalised, by Python convention).
        if (parts.length >= 3 && /^[A-Z]/.test(parts[parts.length - 2]!)) this.typeNames.add(parts.slice(0, -1).join('.'));
      }
    }
    for (const t of models.types) {
      this.factories.set(t.name, t.returns);
      this.typeNames.add(t.returns);
    }
    for (const m of program.modules) {
      for (const cls of m.classes) for (const fn of cls.methods.values()) this.classOfMethod.set(fn, cls);
      const deferred = options.deferred?.get(m);
      if (deferred) for (const [fn, owner] of deferred.nestedOwners) this.nestedOwner.set(fn, owner);
      else for (const fn of m.functions) this.recordNested(fn);
    }
    if (options.record || options.memo) this.indexKeys();
  }

  private recordNested(fn: FunctionIR): void {
    const visit = (stmts: Stmt[]): void => {
      for (const s of stmts) {
        if (s.k === 'def') this.nestedOwner.set(s.fn, fn);
        else for (const block of blocksOf(s)) visit(block);
      }
    };
    visit(fn.body);
  }

  run(): TaintResult {
    // Module top levels first (they define globals), then every function, in a stable order.
    const order: FunctionIR[] = [];
    for (const m of this.program.modules) order.push(m.top);
    for (const m of this.program.modules) for (const fn of m.functions) if (!this.nestedOwner.has(fn)) order.push(fn);
    const queue = order.map((fn) => this.functionState(fn));
    for (const state of queue) state.queued = true;
    // An index, not shift(): shifting a 20,000-entry array is quadratic.
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      state.queued = false;
      if (state.count >= MAX_ANALYSES_PER_FUNCTION) continue;
      state.count++;
      if (this.reusable(state)) {
        // Analysing again would compute the same summary, hits and class fields: nothing changes.
        this.reused++;
        continue;
      }
      let changed = this.options.memo ? this.replay(state) : undefined;
      if (changed === undefined) {
        this.ensureBodies(state.module);
        changed = this.analyse(state);
      }
      if (!changed && this.dirtyGlobals.size === 0) continue;
      // Callers, the other methods of its class, readers of changed variables: queued in that
      // order, each once (the queued flag does what a set of dependants would).
      const enqueue = (d: FunctionState): void => {
        if (!d.queued && d !== state) {
          d.queued = true;
          queue.push(d);
        }
      };
      for (const d of state.callers) enqueue(d);
      const cls = this.classOfMethod.get(state.fn);
      if (cls) for (const m of this.methodStates(cls)) enqueue(m);
      for (const v of this.dirtyGlobals) for (const r of v.readers) enqueue(r);
      this.dirtyGlobals.clear();
    }
    const sourceHits: TaintHit[] = [];
    for (const fn of order) sourceHits.push(...this.functionState(fn).hits);
    const parameterHits: { fn: FunctionIR; hit: TaintHit }[] = [];
    for (const fn of order) {
      const state = this.functionState(fn);
      // Unknown provenance means no scanned code calls the function: where callers exist, their
      // arguments decided (a source became a finding, a parameter moved the question up to them).
      if ([...state.callers].some((caller) => caller !== state)) continue;
      for (const hit of state.summary?.sinks ?? []) if (!this.ownedCleanField(fn, hit.label)) parameterHits.push({ fn, hit });
    }
    const memo = this.options.record ? () => this.memoFile() : undefined;
    return { sourceHits, parameterHits, stats: { functions: order.length, analyses: this.analyses, replayed: this.replayed }, memo };
  }

  /** Builds a module entered as a shape, before one of its analyses runs. */
  private ensureBodies(module: ModuleIR): void {
    const deferred = this.options.deferred?.get(module);
    if (!deferred || this.built.has(module)) return;
    this.built.add(module);
    const full = deferred.build();
    if (full) adopt(module, full);
  }

  private readonly built = new Set<ModuleIR>();

  /**
   * Whether nothing the function's last analysis read has changed since it started, so that
   * analysing it again would give the same result. An analysis is a function of what it reads:
   * summaries, module variables, class fields and field types (all tracked as cells), and the
   * program and models, which never change. Two kinds are always analysed again: module top
   * levels and functions writing `global`s, because the values they store are objects other
   * analyses join, and `join` treats an object joined with itself differently from an equal copy.
   */
  private reusable(state: FunctionState): boolean {
    if (!state.reads) return false;
    for (const cell of state.reads) if (cell.version > state.started) return false;
    return true;
  }

  private functionState(fn: FunctionIR): FunctionState {
    let state = this.functionStates.get(fn);
    if (!state) {
      state = { fn, module: this.program.moduleOf.get(fn)!, summary: undefined, summaryCell: { version: 0, id: -1 }, hits: [], count: 0, queued: false, callers: new Set(), started: 0, reads: undefined };
      this.functionStates.set(fn, state);
    }
    return state;
  }

  /** The states of a class's methods, in its order. */
  private methodStates(cls: ClassIR): readonly FunctionState[] {
    let states = this.methodStatesOf.get(cls);
    if (!states) {
      states = [...cls.methods.values()].map((m) => this.functionState(m));
      this.methodStatesOf.set(cls, states);
    }
    return states;
  }

  private readonly methodStatesOf = new Map<ClassIR, FunctionState[]>();

  private classCell(cls: ClassIR): { fields: Cell; types: Cell } {
    let cells = this.classCells.get(cls);
    if (!cells) {
      cells = { fields: { version: 0, id: -1 }, types: { version: 0, id: -1 } };
      this.classCells.set(cls, cells);
    }
    return cells;
  }

  private topCell(module: ModuleIR): Cell {
    let cell = this.topCells.get(module);
    if (!cell) {
      cell = { version: 0, id: -1 };
      this.topCells.set(module, cell);
    }
    return cell;
  }

  private changed(cell: Cell): void {
    cell.version = ++this.tick;
  }

  /** Class fields (labels from sources stored in `self.<field>` by any method), as an analysis reads them. */
  classFieldsOf(cls: ClassIR): Map<string, Label[]> | undefined {
    const cell = this.classCell(cls).fields;
    const fields = this.classFields.get(cls);
    if (this.reads && !this.reads.has(cell)) {
      this.reads.add(cell);
      if (this.log) this.logRead(cell, 'F', cls, fieldsFingerprint(fields));
    }
    return fields;
  }

  /** Analyse one function with parameter labels; returns whether its summary changed. */
  private analyse(state: FunctionState): boolean {
    this.analyses++;
    const fn = state.fn;
    this.current = state;
    state.started = ++this.tick;
    const reads = new Set<Cell>();
    this.reads = reads;
    this.wroteGlobal = false;
    const module = state.module;
    const log: AnalysisLog | undefined = this.options.record ? { cells: [], prints: [], facts: [], globals: [] } : undefined;
    this.log = log;
    this.logStamp++;
    const a = new FunctionAnalysis(this, fn, module, 0);
    const env: Env = new Map();
    const handler = this.isRequestHandler(fn, module);
    const numeric = handler ? numericRouteParams(fn) : undefined;
    fn.params.forEach((p, i) => {
      if (numeric?.has(p.name)) env.set(p.name, CLEAN);
      else if (handler && !(i === 0 && this.classOfMethod.has(fn) && !fn.isStatic)) {
        env.set(p.name, a.sourceValue(`request parameter \`${p.name}\``, 'remote', p.span ?? fn.span, `route parameter \`${p.name}\` of \`${fn.name}()\``));
      } else {
        env.set(p.name, a.paramValue(i, p.name));
      }
    });
    if (a.execBlock(fn.body, env) === 'normal') a.noteExit(env);
    a.analyseUncalledNested();
    this.reads = undefined;
    this.current = undefined;
    this.log = undefined;
    this.fieldLabels.clear();
    // Kept for the whole run: an array is a third of the size of the set.
    const readList = fn === module.top || this.wroteGlobal ? undefined : [...reads];
    if (fn === module.top) this.setModuleVariables(module, env);
    const summary = a.summary();
    if (log && (readList || fn === module.top)) {
      // A top level's variables are recorded too (see envRecord); a top level writing `global`s is not.
      const vars = fn === module.top && !this.wroteGlobal ? this.envRecord(env, log.globals) : undefined;
      if (fn !== module.top || vars) {
        // Packed now: superseded summaries need not stay in memory until the records are written.
        const packer = (this.packer ??= new MemoPacker());
        this.remember(fn, {
          cells: log.cells,
          prints: log.prints,
          facts: log.facts,
          sharing: sharingOf(log.globals, this.values),
          summary: packer.summary(summary),
          hits: packer.hitsIndex(a.sourceHits),
          env: vars ? packer.env(vars) : -1,
        });
      }
    }
    return this.finish(state, summary, a.sourceHits, readList);
  }

  /** An analysis's result (computed or replayed) becomes the function's; returns whether its summary changed. */
  private finish(state: FunctionState, summary: Summary, hits: TaintHit[], reads: readonly Cell[] | undefined): boolean {
    const fn = state.fn;
    state.reads = reads;
    state.hits = hits;
    const cls = this.classOfMethod.get(fn);
    const fieldsChanged = cls ? this.mergeClassFields(cls, summary) : false;
    const previous = state.summary;
    state.summary = summary;
    if (cls && !sameEntries(previous?.selfTypes, summary.selfTypes)) {
      this.classTypes.delete(cls);
      this.changed(this.classCell(cls).types);
    }
    // Before its first analysis, callers applied the empty summary.
    if (!sameApplied(previous ?? EMPTY_SUMMARY, summary)) this.changed(state.summaryCell);
    return fieldsChanged || !previous || previous.key !== summary.key;
  }

  /** A module's variables after its top level ran; those whose value changed are dirty. */
  private setModuleVariables(module: ModuleIR, env: Env): void {
    this.changed(this.topCell(module));
    const before = this.globals.get(module);
    this.globals.set(module, env);
    for (const name of new Set([...env.keys(), ...(before?.keys() ?? [])])) {
      const old = before?.get(name);
      const now = env.get(name);
      if (!old || !now || valueKey(old) !== valueKey(now)) this.dirtyGlobals.add(this.globalVar(module, name));
    }
  }

  /** Sources a method stores in `self` fields become the class's; returns whether any field gained one. */
  private mergeClassFields(cls: ClassIR, summary: Summary): boolean {
    let fields = this.classFields.get(cls);
    if (!fields) {
      fields = new Map();
      this.classFields.set(cls, fields);
    }
    let changed = false;
    for (const [field, labels] of summary.selfWrites) {
      const sources = labels.filter((l) => l.origin === 'source');
      if (sources.length === 0) continue;
      const before = fields.get(field) ?? [];
      const merged = mergeLabels(before, sources);
      if (merged.length !== before.length) {
        fields.set(field, merged);
        if (!changed) this.changed(this.classCell(cls).fields);
        changed = true;
      }
    }
    return changed;
  }

  /** A module variable as functions see it: its top-level value joined with `global` writes. */
  readGlobal(module: ModuleIR, name: string): Value | undefined {
    const v = this.globalVar(module, name);
    const value = this.globalValue(module, name);
    // Once per analysis: the reads set is small, the readers of a popular variable are many.
    if (!this.reads!.has(v)) {
      v.readers.add(this.current!);
      this.reads!.add(v);
      this.reads!.add(this.topCell(module));
      if (this.log) {
        if (v.id < 0) v.id = this.cellKeys.id(`G${this.moduleIndex.get(module)}|${name}`);
        this.log.cells.push(v.id);
        this.log.prints.push(this.values.of(value));
        this.log.globals.push(value);
      }
    }
    return value;
  }

  private globalValue(module: ModuleIR, name: string): Value | undefined {
    const top = this.globals.get(module)?.get(name);
    const written = this.globalWrites.get(module)?.get(name);
    return top && written ? join(top, written) : top ?? written;
  }

  writeGlobal(module: ModuleIR, name: string, value: Value): void {
    this.wroteGlobal = true;
    let writes = this.globalWrites.get(module);
    if (!writes) {
      writes = new Map();
      this.globalWrites.set(module, writes);
    }
    const before = writes.get(name);
    const after = before ? join(before, value) : value;
    if (!before || valueKey(before) !== valueKey(after)) {
      writes.set(name, after);
      const v = this.globalVar(module, name);
      this.changed(v);
      this.dirtyGlobals.add(v);
    }
  }

  private globalVar(module: ModuleIR, name: string): GlobalVar {
    let vars = this.globalVars.get(module.path);
    if (!vars) {
      vars = new Map();
      this.globalVars.set(module.path, vars);
    }
    let v = vars.get(name);
    if (!v) {
      v = { readers: new Set(), version: 0, id: -1 };
      vars.set(name, v);
    }
    return v;
  }

  /** `pkg.config.CMD` → the variable CMD of the scanned module pkg.config (by name suffix). */
  importedGlobal(q: string): Value | undefined {
    const v = this.importedVar(q);
    if (this.log) {
      let id = this.importFacts.get(q);
      if (id === undefined) {
        id = this.facts.id(`I|${q}\u0001${v ? `${v.module.path}\0${v.name}` : ''}`);
        this.factTopics[id] ??= '';
        this.importFacts.set(q, id);
      }
      this.noteFact(id);
    }
    return v ? this.readGlobal(v.module, v.name) : undefined;
  }

  private importedVar(q: string): { module: ModuleIR; name: string } | null {
    let v = this.importedVars.get(q);
    if (v === undefined) {
      const dot = q.lastIndexOf('.');
      const module = dot > 0 ? this.program.moduleNamed(q.slice(0, dot)) : undefined;
      v = module ? { module, name: q.slice(dot + 1) } : null;
      this.importedVars.set(q, v);
    }
    return v;
  }

  /** What a name not bound in a function denotes in its module: an imported or a module-level function or class. */
  moduleLevel(module: ModuleIR, name: string): FunctionIR | ClassIR | undefined {
    let names = this.moduleLevelNames.get(module);
    if (!names) {
      names = new Map();
      this.moduleLevelNames.set(module, names);
    }
    let found = names.get(name);
    if (found === undefined) {
      found = this.program.lookup(module.imports.get(name) ?? `${module.moduleName}.${name}`, module) ?? null;
      names.set(name, found);
    }
    if (this.log) this.noteFact(this.cachedFact(this.levelFacts, module, name) ?? this.factOf(this.levelFacts, module, name, lastPart(module.imports.get(name) ?? name), () => `V${this.moduleIndex.get(module)}|${name}\u0001${this.answerOf(found ?? undefined)}`));
    return found ?? undefined;
  }

  private readonly moduleLevelNames = new Map<ModuleIR, Map<string, FunctionIR | ClassIR | null>>();

  /** `importedGlobal`'s name resolution, which never changes. */
  private readonly importedVars = new Map<string, { module: ModuleIR; name: string } | null>();

  /**
   * A method's `self.<field>` whose value the class itself decides: assigned by its methods
   * (or its bases'), never with data from a parameter or a source. Such a field does not
   * come from a caller, so a parameter-based hit on it is no finding (`self.cmd = "ls"` in
   * `__init__`, `os.system(self.cmd)` in another method).
   */
  private ownedCleanField(fn: FunctionIR, label: Label): boolean {
    if (label.origin !== 'param' || label.param !== 0 || !label.field || fn.isStatic) return false;
    const cls = this.classOfMethod.get(fn);
    if (!cls) return false;
    const field = label.field.split('.')[0]!;
    let assigned = false;
    for (const c of this.program.ancestors(cls)) {
      for (const m of c.methods.values()) {
        const s = this.functionStates.get(m)?.summary;
        if (!s) continue;
        if (s.selfWrites.has(field)) return false;
        if (s.selfAssigned.has(field)) assigned = true;
      }
    }
    return assigned;
  }

  /** The library class a call's result is an instance of: a modelled class, or a factory's. */
  resultType(q: string | undefined): string | undefined {
    if (!q) return undefined;
    return this.modelsNamed(q).type;
  }

  /** The library type a class's methods store in `self.<field>`, when they agree. */
  fieldType(cls: ClassIR, field: string): string | undefined {
    for (const c of this.ancestors(cls)) {
      const cell = this.classCell(c).types;
      const types = this.typesOfClass(c);
      if (this.reads && !this.reads.has(cell)) {
        this.reads.add(cell);
        if (this.log) this.logRead(cell, 'T', c, typesFingerprint(types));
      }
      const t = types.get(field);
      if (t) return t;
    }
    return undefined;
  }

  /** Per field, the type the first of the class's own methods (in order) stores in it. */
  private typesOfClass(cls: ClassIR): Map<string, string> {
    let types = this.classTypes.get(cls);
    if (!types) {
      types = new Map();
      for (const m of cls.methods.values()) {
        for (const [field, t] of this.functionStates.get(m)?.summary?.selfTypes ?? []) if (t && !types.has(field)) types.set(field, t);
      }
      this.classTypes.set(cls, types);
    }
    return types;
  }

  isRequestHandler(fn: FunctionIR, module: ModuleIR): boolean {
    if (fn.decorators.length === 0) return false;
    for (const d of fn.decorators) {
      const callee = d.k === 'call' ? d.callee : d;
      const method = callee.k === 'attr' ? callee.attr : undefined;
      const q = qnameOf(callee, module);
      for (const h of this.handlers) {
        if (h.decorator.startsWith('*.') ? method === h.decorator.slice(2) : q === h.decorator) return true;
      }
    }
    return false;
  }

  /** The summary of `fn` as the analysis running applies it (which makes that function a caller). */
  summaryOf(fn: FunctionIR): Summary {
    const state = this.functionState(fn);
    const summary = state.summary ?? EMPTY_SUMMARY;
    if (!this.reads!.has(state.summaryCell)) {
      state.callers.add(this.current!);
      this.reads!.add(state.summaryCell);
      if (this.log) {
        const cell = state.summaryCell;
        if (cell.id < 0) cell.id = this.cellKeys.id(`S${this.functionKey(fn)}`);
        const print = summaryFingerprint(summary);
        this.log.cells.push(cell.id);
        this.log.prints.push(print);
        // Records keep the fingerprints of the summaries that were read (replaying reads those).
        this.packer?.notePrint(summary, print);
      }
    }
    return summary;
  }

  /**
   * The label of field `attr` of a parameter label (`self` → `self.cmd`), one object per pair
   * within an analysis (the table is emptied after each, or it would keep every analysis's labels).
   */
  fieldLabel(base: Label, attr: string): Label {
    let byAttr = this.fieldLabels.get(base);
    if (!byAttr) {
      byAttr = new Map();
      this.fieldLabels.set(base, byAttr);
    }
    let label = byAttr.get(attr);
    if (!label) {
      label = makeLabel(base.origin, `${base.what}.${attr}`, base.threat, base.param, attr, base.steps, base.sanitized, base.lowered);
      byAttr.set(attr, label);
    }
    return label;
  }

  private readonly fieldLabels = new Map<Label, Map<string, Label>>();

  /** Analyses per function so far (the bench's histogram). */
  analysisCounts(): number[] {
    return [...this.functionStates.values()].filter((s) => s.count > 0).map((s) => s.count);
  }

  accessSource(q: string): SourceModel | undefined {
    let found = this.accessSourceCache.get(q);
    if (found === undefined) {
      found = null;
      for (const s of this.accessSources) {
        const n = s.name!;
        if (q === n || q.startsWith(`${n}.`)) {
          found = s;
          break;
        }
      }
      this.accessSourceCache.set(q, found);
    }
    return found ?? undefined;
  }

  private readonly accessSourceCache = new Map<string, SourceModel | null>();

  /**
   * A source rooted at a parameter of `fn` (`request.GET` in a view taking `request`): for
   * `on: access`, `dotted` is read at or below the source; for `on: call`, it is called.
   */
  parameterSource(dotted: string, fn: FunctionIR, on: 'access' | 'call'): SourceModel | undefined {
    for (const s of this.parameterSourcesOf(fn, on)) {
      const n = s.name ?? s.parameter!;
      if (dotted === n || (on === 'access' && dotted.startsWith(`${n}.`))) return s;
    }
    return undefined;
  }

  /** The parameter sources that can apply in `fn` (it has the parameter, its class qualifies), in model order. */
  parameterSourcesOf(fn: FunctionIR, on: 'access' | 'call'): readonly SourceModel[] {
    const list = this.parameterSourcesFor(fn, on);
    // Besides the function's own code, the answer depends on which `within` classes its class
    // derives from (for a method with a parameter of a source's name).
    const cls = this.log && this.mayHaveParameterSources(fn) ? this.classOfMethod.get(fn) : undefined;
    if (cls) this.noteFact(this.cachedFact(this.sourceFacts, cls, '') ?? this.factOf(this.sourceFacts, cls, '', this.classKey(cls), () => `P${this.classKey(cls)}\u0001${this.withinAnswer(cls)}`));
    return list;
  }

  /** Whether the class derives from each `within` source's classes, in model order. */
  private withinAnswer(cls: ClassIR): string {
    let answer = '';
    for (const s of this.parameterSources) if (s.within) answer += this.within(cls, s) ? '1' : '0';
    for (const s of this.withinSinks) answer += this.within(cls, s) ? '1' : '0';
    return answer;
  }

  /** Whether a sink's `within` holds in `fn`: a method of a class deriving from one of its classes. */
  sinkWithin(fn: FunctionIR, sink: SinkModel): boolean {
    const cls = this.classOfMethod.get(fn);
    if (!cls || fn.isStatic) return false;
    // Recorded as the parameter sources' answer is (withinAnswer covers both).
    if (this.log) this.noteFact(this.cachedFact(this.sourceFacts, cls, '') ?? this.factOf(this.sourceFacts, cls, '', this.classKey(cls), () => `P${this.classKey(cls)}\u0001${this.withinAnswer(cls)}`));
    return this.within(cls, sink);
  }

  private mayHaveParameterSources(fn: FunctionIR): boolean {
    return fn.params.some((p) => this.parameterSourceNames.has(p.name));
  }

  private parameterSourcesFor(fn: FunctionIR, on: 'access' | 'call'): readonly SourceModel[] {
    const cache = on === 'access' ? this.accessParameterSources : this.callParameterSources;
    let list = cache.get(fn);
    if (!list && !this.mayHaveParameterSources(fn)) {
      list = NONE;
      cache.set(fn, list);
    }
    if (!list) {
      const found: SourceModel[] = [];
      for (const s of this.parameterSources) {
        if (s.on !== on) continue;
        const param = s.parameter!;
        if (!hasParam(fn, param)) continue;
        if (s.within) {
          const cls = this.classOfMethod.get(fn);
          if (!cls || fn.isStatic || fn.params[0]?.name !== param || !this.within(cls, s)) continue;
        }
        found.push(s);
      }
      list = found.length > 0 ? found : NONE;
      cache.set(fn, list);
    }
    return list;
  }

  /** Whether the class derives from one of the classes a source is `within` (asked for each method, answered per class). */
  private within(cls: ClassIR, s: SourceModel | SinkModel): boolean {
    let answers = this.withinAnswers.get(cls);
    if (!answers) {
      answers = new Map();
      this.withinAnswers.set(cls, answers);
    }
    let answer = answers.get(s);
    if (answer === undefined) {
      const bases = typeof s.within === 'string' ? [s.within] : s.within!;
      answer = bases.some((b) => this.program.derivesFrom(cls, b));
      answers.set(s, answer);
    }
    return answer;
  }

  private readonly withinAnswers = new Map<ClassIR, Map<SourceModel | SinkModel, boolean>>();
  private readonly accessParameterSources = new Map<FunctionIR, readonly SourceModel[]>();
  private readonly callParameterSources = new Map<FunctionIR, readonly SourceModel[]>();

  // Lookups by qualified name first; `method` (a model for a method on any receiver) is
  // passed only when the call may be such a method call (see FunctionAnalysis.methodOf).
  callSource(q: string | undefined, method: string | undefined): SourceModel | undefined {
    return (q ? this.modelsNamed(q).source : undefined) ?? (method ? this.modelsOfMethod(method).source : undefined);
  }

  sinksFor(q: string | undefined, method: string | undefined): readonly SinkModel[] {
    if (q) {
      const byName = this.modelsNamed(q).sinks;
      if (byName) return byName;
    }
    return method ? this.modelsOfMethod(method).sinks ?? NO_SINKS : NO_SINKS;
  }

  sanitizerFor(q: string | undefined, method: string | undefined): ReadonlySet<SinkKind> | 'all' | undefined {
    if (q) {
      const s = this.modelsNamed(q).sanitizer;
      if (s) return s;
    }
    return method ? this.modelsOfMethod(method).sanitizer : undefined;
  }

  passThroughFor(q: string | undefined, method: string | undefined): (number | string)[] | undefined {
    if (q) {
      const s = this.modelsNamed(q).passThrough;
      if (s) return s;
    }
    return method ? this.modelsOfMethod(method).passThrough : undefined;
  }

  /** Every model for a qualified name, looked up once per name (a call asks for each kind). */
  private modelsNamed(q: string): NameModels {
    // A call asks for several kinds in a row: the last answer is kept at hand.
    if (q === this.lastName) return this.lastNameModels!;
    let found = this.nameModels.get(q);
    if (!found) {
      found = {
        sinks: this.sinksByName.get(q),
        sanitizer: this.sanitizersByName.get(q),
        source: this.callSources.get(q),
        passThrough: this.summariesByName.get(q),
        type: this.factories.get(q) ?? (this.typeNames.has(q) ? q : undefined),
      };
      this.nameModels.set(q, found);
    }
    this.lastName = q;
    this.lastNameModels = found;
    return found;
  }

  private lastName: string | undefined;
  private lastNameModels: NameModels | undefined;
  private lastMethod: string | undefined;
  private lastMethodModels: NameModels | undefined;

  private modelsOfMethod(method: string): NameModels {
    if (method === this.lastMethod) return this.lastMethodModels!;
    let found = this.methodModels.get(method);
    if (!found) {
      found = {
        sinks: this.sinksByMethod.get(method),
        sanitizer: this.sanitizersByMethod.get(method),
        source: this.methodCallSources.get(method),
        passThrough: this.summariesByMethod.get(method),
        type: undefined,
      };
      this.methodModels.set(method, found);
    }
    this.lastMethod = method;
    this.lastMethodModels = found;
    return found;
  }

  private readonly nameModels = new Map<string, NameModels>();
  private readonly methodModels = new Map<string, NameModels>();

  // ---- recording and replaying (see replay.ts) ------------------------------------------------

  /** Analyses applied from the memo's records rather than computed. */
  replayed = 0;
  /** The analysis running's log, when recording. */
  private log: AnalysisLog | undefined;
  /** Bumped per analysis: a fact is logged once per analysis. */
  private logStamp = 0;
  private readonly factStamps: number[] = [];
  /** This run's records, by function key. */
  private readonly records = new Map<string, AnyRecord[]>();
  private readonly cellKeys = new Interner();
  private readonly facts = new Interner();
  /** Per fact: the name ending what a lookup looked up, or the class whose chain an answer depends on. */
  private readonly factTopics: string[] = [];
  private readonly values = new ValuePrints(
    (c) => this.classAnswer(c),
    (f) => this.functionAnswer(f),
  );
  private readonly moduleIndex = new Map<ModuleIR, number>();
  private readonly keyOfFunction = new Map<FunctionIR, string>();
  private readonly functionByKey = new Map<string, FunctionIR>();
  private readonly keyOfClass = new Map<ClassIR, string>();
  private readonly classByKey = new Map<string, ClassIR>();
  /** Functions and classes by `path|qname|n`, the keys of recorded module variables. */
  private readonly byPathKey = new Map<string, FunctionIR | ClassIR>();
  private readonly moduleFingerprints = new Map<ModuleIR, string>();
  private readonly functionAnswers = new Map<FunctionIR, string>();
  private readonly classAnswers = new Map<ClassIR, string>();
  private readonly lookupFacts = new Map<ModuleIR, Map<string, number>>();
  private readonly levelFacts = new Map<ModuleIR, Map<string, number>>();
  private readonly methodFacts = new Map<ClassIR, Map<string, number>>();
  private readonly ancestorFacts = new Map<ClassIR, Map<string, number>>();
  private readonly sourceFacts = new Map<ClassIR, Map<string, number>>();
  private readonly importFacts = new Map<string, number>();

  /**
   * Keys that name the same function or class in a later run: module, qualified name and, for
   * names defined more than once in a module, which definition.
   */
  private indexKeys(): void {
    this.program.modules.forEach((m, index) => {
      this.moduleIndex.set(m, index);
      const seen = new Map<string, number>();
      const key = (qname: string): string => {
        const n = seen.get(qname) ?? 0;
        seen.set(qname, n + 1);
        return `${index}|${qname}|${n}`;
      };
      for (const fn of [m.top, ...m.functions]) {
        const k = fn === m.top ? `${index}|` : key(fn.qname);
        this.keyOfFunction.set(fn, k);
        this.functionByKey.set(k, fn);
        if (fn !== m.top) this.byPathKey.set(m.path + k.slice(k.indexOf('|')), fn);
      }
      seen.clear();
      for (const cls of m.classes) {
        const k = key(cls.qname);
        this.keyOfClass.set(cls, k);
        this.classByKey.set(k, cls);
        this.byPathKey.set(m.path + k.slice(k.indexOf('|')), cls);
      }
    });
  }

  /**
   * The record of a top level's variables: a value read from another module, or a part of one, by
   * reference to that read. Undefined when a value refers to a function without a key (a lambda).
   */
  private envRecord(env: ReadonlyMap<string, Value>, read: readonly (Value | undefined)[]): EnvRecord | undefined {
    const refs = new Map<Value, [number, number]>();
    read.forEach((v, k) => {
      if (v) this.values.partsOf(v).forEach((part, j) => refs.has(part) || refs.set(part, [k, j]));
    });
    return encodeEnv(env, (x) => {
      const key = 'methods' in x ? this.keyOfClass.get(x) : this.keyOfFunction.get(x);
      if (key === undefined) return undefined;
      const m = this.program.modules[Number(key.slice(0, key.indexOf('|')))]!;
      return m.path + key.slice(key.indexOf('|'));
    }, (v) => refs.get(v));
  }

  private functionKey(fn: FunctionIR): string {
    // Lambdas are not listed in their module: a key no lookup finds (what reads them runs again).
    return this.keyOfFunction.get(fn) ?? `-|${fn.path}|${fn.qname}`;
  }

  private classKey(cls: ClassIR): string {
    return this.keyOfClass.get(cls) ?? `-|${cls.qname}`;
  }

  /** A function as a caller sees it, the same in any run: which one, its name, parameters and kind. */
  private functionAnswer(fn: FunctionIR): string {
    let answer = this.functionAnswers.get(fn);
    if (answer === undefined) {
      const key = this.keyOfFunction.get(fn);
      answer = digest(`${fn.path}|${key ? key.slice(key.indexOf('|') + 1) : `lambda ${fn.qname}`}#${signatureText(fn, this.classOfMethod.has(fn))}`);
      this.functionAnswers.set(fn, answer);
    }
    return answer;
  }

  private classAnswer(cls: ClassIR): string {
    let answer = this.classAnswers.get(cls);
    if (answer === undefined) {
      const key = this.keyOfClass.get(cls);
      const path = this.program.moduleOfClass(cls)?.path ?? '';
      answer = digest(`${path}|${key ? key.slice(key.indexOf('|') + 1) : `unlisted ${cls.qname}`}`);
      this.classAnswers.set(cls, answer);
    }
    return answer;
  }

  private answerOf(found: FunctionIR | ClassIR | undefined): string {
    if (!found) return '';
    return 'methods' in found ? `c${this.classAnswer(found)}` : `f${this.functionAnswer(found)}`;
  }

  private ancestorsAnswer(list: readonly ClassIR[]): string {
    let answer = '';
    for (const c of list) answer += `${this.classAnswer(c)},`;
    return answer;
  }

  private logRead(cell: Cell, kind: 'F' | 'T', cls: ClassIR, print: string): void {
    if (cell.id < 0) cell.id = this.cellKeys.id(`${kind}${this.classKey(cls)}`);
    this.log!.cells.push(cell.id);
    this.log!.prints.push(print);
  }

  /** The id of a fact (question and answer), made once per question of this run. */
  /** The id of a fact already made for this question (callers try it first: making one allocates). */
  private cachedFact<K>(cache: Map<K, Map<string, number>>, owner: K, question: string): number | undefined {
    return cache.get(owner)?.get(question);
  }

  /** `topic`: what a change must touch for the answer to change (see `unaffected`). */
  private factOf<K>(cache: Map<K, Map<string, number>>, owner: K, question: string, topic: string, fact: () => string): number {
    let byQuestion = cache.get(owner);
    if (!byQuestion) {
      byQuestion = new Map();
      cache.set(owner, byQuestion);
    }
    let id = byQuestion.get(question);
    if (id === undefined) {
      id = this.facts.id(fact());
      this.factTopics[id] ??= topic;
      byQuestion.set(question, id);
    }
    return id;
  }

  private noteFact(id: number): void {
    if (this.factStamps[id] === this.logStamp) return;
    this.factStamps[id] = this.logStamp;
    this.log!.facts.push(id);
  }

  /** `Program.lookup`, `method` and `ancestors` as analyses ask them (noted as facts when recording). */
  lookup(qname: string, module: ModuleIR): FunctionIR | ClassIR | undefined {
    const found = this.program.lookup(qname, module);
    if (this.log) this.noteFact(this.cachedFact(this.lookupFacts, module, qname) ?? this.factOf(this.lookupFacts, module, qname, lastPart(qname), () => `L${this.moduleIndex.get(module)}|${qname}\u0001${this.answerOf(found)}`));
    return found;
  }

  method(cls: ClassIR, name: string): FunctionIR | undefined {
    const found = this.program.method(cls, name);
    if (this.log) this.noteFact(this.cachedFact(this.methodFacts, cls, name) ?? this.factOf(this.methodFacts, cls, name, this.classKey(cls), () => `m${this.classKey(cls)}|${name}\u0001${this.answerOf(found)}`));
    return found;
  }

  /** `super().name` in a method of `cls`: the first definition of `name` in the classes above it. */
  superMethod(cls: ClassIR, name: string): FunctionIR | undefined {
    const found = this.superMethodOf(cls, name);
    if (this.log) this.noteFact(this.cachedFact(this.superFacts, cls, name) ?? this.factOf(this.superFacts, cls, name, this.classKey(cls), () => `s${this.classKey(cls)}|${name}\u0001${this.answerOf(found)}`));
    return found;
  }

  private superMethodOf(cls: ClassIR, name: string): FunctionIR | undefined {
    const above = this.program.ancestors(cls);
    for (let i = 1; i < above.length; i++) {
      const m = above[i]!.methods.get(name);
      if (m) return m;
    }
    return undefined;
  }

  private readonly superFacts = new Map<ClassIR, Map<string, number>>();

  ancestors(cls: ClassIR): ClassIR[] {
    const list = this.program.ancestors(cls);
    if (this.log) this.noteFact(this.cachedFact(this.ancestorFacts, cls, '') ?? this.factOf(this.ancestorFacts, cls, '', this.classKey(cls), () => `a${this.classKey(cls)}\u0001${this.ancestorsAnswer(list)}`));
    return list;
  }

  private moduleFingerprintOf(m: ModuleIR): string {
    let print = this.moduleFingerprints.get(m);
    if (print === undefined) {
      print = this.options.deferred?.get(m)?.fingerprint ?? moduleFingerprint(m);
      this.moduleFingerprints.set(m, print);
    }
    return print;
  }

  private remember(fn: FunctionIR, record: AnyRecord): void {
    const key = this.functionKey(fn);
    const list = this.records.get(key);
    if (list) list.push(record);
    else this.records.set(key, [record]);
  }

  // The memo, as this run resolves it (memo ids → this run's modules, cells and facts).
  private memoRecords: Map<string, number[]> | undefined;
  /** Memo module index → this run's, by path. */
  private memoModules: (ModuleIR | undefined)[] = [];
  /** Memo module index → whether this run's module of that path has the same source. */
  private memoModuleSame: boolean[] = [];
  private memoCells: (MemoCell | null | undefined)[] = [];
  /** Per memo fact: 0 not checked yet, 1 still true, 2 no longer. */
  private memoFacts = new Uint8Array(0);
  /** Whether the memo's modules are this run's, in the same order (keys mean the same). */
  private sameModules = false;
  /** With the same modules: those whose shape changed (see `shapeFingerprint`), and the names they define or defined. */
  private readonly changedShapes = new Set<ModuleIR>();
  private readonly changedNames = new Set<string>();
  private readonly chainsUnchanged = new Map<ClassIR, boolean>();

  private openMemo(memo: MemoFile): void {
    const byPath = new Map(this.program.modules.map((m) => [m.path, m]));
    this.memoModules = memo.modules.map((path) => byPath.get(path));
    this.memoModuleSame = memo.modules.map((_, i) => {
      const m = this.memoModules[i];
      return m !== undefined && this.moduleFingerprintOf(m) === memo.fingerprints[i];
    });
    this.sameModules = memo.modules.length === this.program.modules.length && this.memoModules.every((m, i) => m === this.program.modules[i]);
    if (this.sameModules) {
      this.memoModules.forEach((m, i) => {
        // The same source has the same shape.
        if (this.memoModuleSame[i] || shapeFingerprint(m!, (f) => this.classOfMethod.has(f)) === memo.shapes[i]) return;
        this.changedShapes.add(m!);
        for (const name of memo.names[i]!.split(',')) this.changedNames.add(name);
        for (const name of definedNames(m!)) this.changedNames.add(name);
      });
    }
    memo.summaries.forEach((s, i) => memo.summaryPrints[i] && rememberSummaryPrint(s, memo.summaryPrints[i]));
    this.memoCells = new Array(memo.cells.length);
    this.memoFacts = new Uint8Array(memo.facts.length);
    this.memoRecords = new Map();
    // Function keys in this run's index space; only functions of modules whose source is unchanged.
    for (const [key, offsets] of recordsByFunction(memo)) {
      const runKey = reindex(key, 0, (i) => (this.memoModuleSame[i] ? this.moduleIndex.get(this.memoModules[i]!) : undefined));
      if (runKey !== undefined) this.memoRecords.set(runKey, offsets);
    }
  }

  /** A memo key in this run's index space (undefined: its module is gone). */
  private runKey(key: string, kind: number): string | undefined {
    if (this.sameModules) return key;
    return reindex(key, kind, (i) => {
      const m = this.memoModules[i];
      return m ? this.moduleIndex.get(m) : undefined;
    });
  }

  /**
   * Applies a memo record of the function whose every fact still holds and whose every read
   * value is unchanged, as if the analysis had run; undefined when there is none.
   */
  private replay(state: FunctionState): boolean | undefined {
    const memo = this.options.memo!;
    if (!this.memoRecords) this.openMemo(memo);
    const offsets = this.memoRecords!.get(this.functionKey(state.fn));
    if (!offsets) return undefined;
    const first = Math.min(state.count, offsets.length) - 1;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[(first + i) % offsets.length]!;
      const read = this.stillRead(memo, at);
      if (!read) continue;
      this.analyses++;
      this.replayed++;
      state.started = ++this.tick;
      // What the analysis would have registered as it read: the summaries it applied, the variables it read.
      for (const callee of read.callees) callee.callers.add(state);
      for (const v of read.variables) v.readers.add(state);
      const top = state.fn === state.module.top;
      if (top) this.setModuleVariables(state.module, read.env!);
      if (this.options.record) this.remember(state.fn, at);
      return this.finish(state, memo.summaries[memo.records[at + RECORD.summary]!]!, memo.hitLists[memo.records[at + RECORD.hits]!]!, top ? undefined : read.cells);
    }
    return undefined;
  }

  /** The cells a memo record read when all its facts hold and every value it read is unchanged. */
  private stillRead(memo: MemoFile, at: number): { cells: Cell[]; callees: FunctionState[]; variables: GlobalVar[]; env?: Map<string, Value> } | undefined {
    const r = memo.records;
    const count = r[at + RECORD.cellCount]!;
    const facts = factsAt(r, at);
    for (let k = r[facts]!; k > 0; k--) if (!this.memoFactHolds(memo, r[facts + k]!)) return undefined;
    const cells: Cell[] = [];
    const callees: FunctionState[] = [];
    const variables: GlobalVar[] = [];
    let globals: (Value | undefined)[] | undefined;
    for (let k = 0; k < count; k++) {
      const id = r[at + RECORD.cells + 2 * k]!;
      let cell = this.memoCells[id];
      if (cell === undefined) cell = this.memoCells[id] = this.resolveMemoCell(memo.cells[id]!);
      if (cell === null) return undefined;
      let print: string;
      switch (cell.kind) {
        case 'S':
          print = summaryFingerprint(cell.state.summary ?? EMPTY_SUMMARY);
          cells.push(cell.state.summaryCell);
          callees.push(cell.state);
          break;
        case 'G': {
          const value = this.globalValue(cell.module, cell.name);
          print = this.values.of(value);
          (globals ??= []).push(value);
          cells.push(cell.variable, this.topCell(cell.module));
          variables.push(cell.variable);
          break;
        }
        case 'F':
          print = this.cellPrint(cell.cell, () => fieldsFingerprint(this.classFields.get(cell.cls)));
          cells.push(cell.cell);
          break;
        case 'T':
          print = this.cellPrint(cell.cell, () => typesFingerprint(this.typesOfClass(cell.cls)));
          cells.push(cell.cell);
          break;
      }
      if (print !== memo.prints[r[at + RECORD.cells + 2 * k + 1]!]) return undefined;
    }
    if (sharingOf(globals ?? [], this.values) !== memo.prints[r[at + RECORD.sharing]!]) return undefined;
    const envId = r[at + RECORD.env]!;
    if (envId < 0) return { cells, callees, variables };
    const read = globals ?? [];
    const env = decodeEnv(
      memo.envs[envId]!,
      (key) => this.byPathKey.get(key),
      (k, j) => {
        const v = read[k];
        return v ? this.values.partsOf(v)[j] : undefined;
      },
    );
    return env ? { cells, callees, variables, env } : undefined;
  }

  /** A class cell's fingerprint, computed once per version of the cell. */
  private cellPrint(cell: Cell, compute: () => string): string {
    const known = this.cellPrints.get(cell);
    if (known && known.version === cell.version) return known.print;
    const print = compute();
    this.cellPrints.set(cell, { version: cell.version, print });
    return print;
  }

  private readonly cellPrints = new Map<Cell, { version: number; print: string }>();

  private resolveMemoCell(key: string): MemoCell | null {
    const run = this.runKey(key, 1);
    if (run === undefined) return null;
    const rest = run.slice(1);
    switch (run[0]) {
      case 'S': {
        const fn = this.functionByKey.get(rest);
        return fn ? { kind: 'S', state: this.functionState(fn) } : null;
      }
      case 'G': {
        const bar = rest.indexOf('|');
        const module = this.program.modules[Number(rest.slice(0, bar))]!;
        const name = rest.slice(bar + 1);
        return { kind: 'G', module, name, variable: this.globalVar(module, name) };
      }
      case 'F':
      case 'T': {
        const cls = this.classByKey.get(rest);
        if (!cls) return null;
        const cells = this.classCell(cls);
        return { kind: run[0], cls, cell: run[0] === 'F' ? cells.fields : cells.types };
      }
      default:
        return null;
    }
  }

  private memoFactHolds(memo: MemoFile, id: number): boolean {
    let state = this.memoFacts[id]!;
    if (state === 0) {
      const fact = memo.facts[id]!;
      if (this.sameModules && this.unaffected(fact, memo.factTopics[id]!)) state = 1;
      else {
        const sep = fact.lastIndexOf('\u0001');
        state = this.answerNow(fact.slice(0, sep)) === fact.slice(sep + 1) ? 1 : 2;
      }
      this.memoFacts[id] = state;
    }
    return state === 1;
  }

  /**
   * Whether a fact (same modules in both runs) cannot have changed: answers depend only on module
   * shapes, and a lookup's answer only on definitions whose name ends the name looked up.
   */
  private unaffected(fact: string, topic: string): boolean {
    if (this.changedShapes.size === 0) return true;
    switch (fact[0]) {
      case 'I':
        // Which module a dotted name denotes depends on the list of modules only.
        return true;
      case 'L':
      case 'V':
        // The module asking is unchanged (its records are checked only then), so is what it looks up.
        return !this.changedNames.has(topic);
      case 'P':
      case 'm':
      case 's':
      case 'a': {
        const cls = this.classByKey.get(topic);
        return cls !== undefined && this.chainUnchanged(cls);
      }
      default:
        return false;
    }
  }

  /**
   * Whether a class's ancestors and their methods are what they were: no class on the chain is in a
   * module whose shape changed, and no base name on it ends with a changed name.
   */
  private chainUnchanged(cls: ClassIR): boolean {
    let answer = this.chainsUnchanged.get(cls);
    if (answer === undefined) {
      answer = this.program.ancestors(cls).every(
        (c) => !this.changedShapes.has(this.program.moduleOfClass(c)!) && this.program.baseNames(c).every((b) => !this.changedNames.has(lastPart(b))),
      );
      this.chainsUnchanged.set(cls, answer);
    }
    return answer;
  }

  /** The answer this run's program gives to a memo question (undefined: it cannot be asked here). */
  private answerNow(question: string): string | undefined {
    if (question.startsWith('I|')) {
      const v = this.importedVar(question.slice(2));
      return v ? `${v.module.path}\0${v.name}` : '';
    }
    const kind = 1;
    const run = this.runKey(question, kind);
    if (run === undefined) return undefined;
    const rest = run.slice(kind);
    switch (run[0]) {
      case 'L':
      case 'V': {
        const bar = rest.indexOf('|');
        const module = this.program.modules[Number(rest.slice(0, bar))]!;
        const name = rest.slice(bar + 1);
        return this.answerOf(run[0] === 'L' ? this.program.lookup(name, module) : this.moduleLevel(module, name));
      }
      case 'm':
      case 's': {
        // A class key has three parts (module|qname|n); the method name follows.
        const bar = rest.indexOf('|', rest.indexOf('|', rest.indexOf('|') + 1) + 1);
        const cls = this.classByKey.get(rest.slice(0, bar));
        const name = rest.slice(bar + 1);
        if (!cls) return undefined;
        return this.answerOf(run[0] === 'm' ? this.program.method(cls, name) : this.superMethodOf(cls, name));
      }
      case 'a': {
        const cls = this.classByKey.get(rest);
        return cls ? this.ancestorsAnswer(this.program.ancestors(cls)) : undefined;
      }
      case 'P': {
        const cls = this.classByKey.get(rest);
        return cls ? this.withinAnswer(cls) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** What packs this run's records as they are made. */
  private packer: MemoPacker | undefined;

  /** This run's records (its own and those it replayed), as the cache keeps them. */
  private memoFile(): PackedMemo {
    const memo = this.options.memo;
    const packer = (this.packer ??= new MemoPacker());
    const functions = new Interner();
    const cells = new Interner();
    const facts = new Interner();
    const factTopics: string[] = [];
    const factId = (fact: string, topic: string): number => {
      const id = facts.id(fact);
      if (id === factTopics.length) factTopics.push(topic);
      return id;
    };
    const prints = new Interner();
    const out: number[] = [];
    // Ids of this run's and of the memo's cells and facts in the new tables, found once each.
    const runCells: number[] = [];
    const runFacts: number[] = [];
    const memoCellKeys: (string | undefined)[] = [];
    const memoFactKeys: (string | undefined)[] = [];
    for (const [key, list] of this.records) {
      const fn = functions.id(key);
      for (const record of list) {
        const start = out.length;
        if (typeof record !== 'number') {
          out.push(fn, record.summary, record.hits, prints.id(record.sharing), record.env, record.cells.length);
          record.cells.forEach((c, i) => out.push((runCells[c] ??= cells.id(this.cellKeys.list[c]!)), prints.id(record.prints[i]!)));
          out.push(record.facts.length);
          for (const f of record.facts) out.push((runFacts[f] ??= factId(this.facts.list[f]!, this.factTopics[f]!)));
          continue;
        }
        // A record replayed from the memo: packed again, its keys moved to this run's index space.
        const r = memo!.records;
        const at = record;
        const summary = memo!.summaries[r[at + RECORD.summary]!]!;
        const env = r[at + RECORD.env]!;
        out.push(
          fn,
          packer.summary(summary, memo!.summaryPrints[r[at + RECORD.summary]!] || knownSummaryFingerprint(summary)),
          packer.hitsIndex(memo!.hitLists[r[at + RECORD.hits]!]!),
          prints.id(memo!.prints[r[at + RECORD.sharing]!]!),
          env < 0 ? -1 : packer.env(memo!.envs[env]!),
          r[at + RECORD.cellCount]!,
        );
        let lost = false;
        for (let k = 0; k < r[at + RECORD.cellCount]!; k++) {
          const id = r[at + RECORD.cells + 2 * k]!;
          const cell = (memoCellKeys[id] ??= this.runKey(memo!.cells[id]!, 1));
          if (cell === undefined) lost = true;
          out.push(cell === undefined ? -1 : cells.id(cell), prints.id(memo!.prints[r[at + RECORD.cells + 2 * k + 1]!]!));
        }
        const facts0 = factsAt(r, at);
        out.push(r[facts0]!);
        for (let k = 1; k <= r[facts0]!; k++) {
          const id = r[facts0 + k]!;
          const fact = (memoFactKeys[id] ??= this.runFact(memo!.facts[id]!));
          if (fact === undefined) lost = true;
          const topic = memo!.factTopics[id]!;
          out.push(fact === undefined ? -1 : factId(fact, 'msaP'.includes(fact[0]!) && topic !== '' ? this.runKey(topic, 0) ?? '\u0000' : topic));
        }
        // A record replayed here read only what this run has; kept out if that ever fails.
        if (lost) out.length = start;
      }
    }
    return packer.finish({
      format: MEMO_FORMAT,
      modules: this.program.modules.map((m) => m.path),
      fingerprints: this.program.modules.map((m) => this.moduleFingerprintOf(m)),
      shapes: this.program.modules.map((m) => shapeFingerprint(m, (f) => this.classOfMethod.has(f))),
      names: this.program.modules.map((m) => definedNames(m).join(',')),
      moduleShapes: this.program.modules.map((m) => shapeOf(m, (f) => this.nestedOwner.get(f))),
      functions: functions.list,
      cells: cells.list,
      facts: facts.list,
      factTopics,
      prints: prints.list,
      records: Int32Array.from(out),
    });
  }

  /** A memo fact with its question in this run's index space. */
  private runFact(fact: string): string | undefined {
    if (fact.startsWith('I|')) return fact;
    return this.runKey(fact, 1);
  }
}

/** A memo's cell key, resolved in this run. */
type MemoCell =
  | { kind: 'S'; state: FunctionState }
  | { kind: 'G'; module: ModuleIR; name: string; variable: GlobalVar }
  | { kind: 'F' | 'T'; cls: ClassIR; cell: Cell };

/** The models for one qualified name or one method name. */
interface NameModels {
  sinks: SinkModel[] | undefined;
  sanitizer: ReadonlySet<SinkKind> | 'all' | undefined;
  source: SourceModel | undefined;
  passThrough: (number | string)[] | undefined;
  /** For a qualified name: the library class of the call's result. */
  type: string | undefined;
}

const NO_SINKS: readonly SinkModel[] = [];

/** Qualified name of a dotted expression through the module's imports. */
function qnameOf(e: Expr, module: ModuleIR): string | undefined {
  if (e.k === 'name') return module.imports.get(e.name);
  if (e.k === 'attr') {
    const base = qnameOf(e.object, module);
    return base ? `${base}.${e.attr}` : undefined;
  }
  if (e.k === 'call' && e.qname) return e.qname;
  return undefined;
}

/** The name a dotted expression starts from (`a` of `a.b.c`), when it is one; cheaper than `dottedOf`. */
function rootName(e: Expr): string | undefined {
  while (e.k === 'attr') e = e.object;
  return e.k === 'name' ? e.name : undefined;
}

function dottedOf(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') {
    const base = dottedOf(e.object);
    return base ? `${base}.${e.attr}` : undefined;
  }
  return undefined;
}

/** Conversions of `%` formatting whose output is a number whatever the argument was. */
const NUMERIC_CONVERSIONS = new Set(['d', 'i', 'o', 'u', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G']);
const PERCENT_SPEC = /%(?:\(([^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/**
 * Taint of the arguments of `"fmt" % args` that reach the result: an argument formatted by
 * `%d`, `%x`, `%f`... becomes digits (or raises), so it cannot inject text.
 */
function percentFormatTaint(format: string, args: Value): Label[] {
  const conversions: string[] = [];
  for (const m of format.matchAll(PERCENT_SPEC)) {
    if (m[2] === '%') continue;
    if (m[1] !== undefined) return allLabels(args); // `%(name)s` with a mapping: keep it simple
    conversions.push(m[2]!);
  }
  const parts = args.elems ?? [args];
  if (conversions.length !== parts.length) return allLabels(args);
  let labels: Label[] = [];
  parts.forEach((part, i) => {
    if (!NUMERIC_CONVERSIONS.has(conversions[i]!)) labels = mergeLabels(labels, allLabels(part));
  });
  return labels;
}

/** The expressions a test validates where it `holds` (or fails), and the kinds it makes them safe for. */
function refinements(test: Expr, holds: boolean, sanitize: (target: Expr, kinds: ReadonlySet<SinkKind> | 'all') => void): void {
  if (test.k === 'not') {
    refinements(test.operand, !holds, sanitize);
    return;
  }
  if (test.k === 'bool') {
    // `a and b` holding means both hold; `a or b` failing means both fail.
    if ((test.op === 'and' && holds) || (test.op === 'or' && !holds)) {
      refinements(test.left, holds, sanitize);
      refinements(test.right, holds, sanitize);
    }
    return;
  }
  if (test.k === 'compare' && test.ops.length === 1 && test.operands.length === 2) {
    const [left, right] = test.operands as [Expr, Expr];
    const op = test.ops[0];
    // Allow-list membership: `x in ALLOWED` / `x not in ALLOWED`.
    if ((op === 'in' && holds) || (op === 'not in' && !holds)) {
      if (isConstantCollection(right)) sanitize(left, 'all');
    }
    return;
  }
  if (test.k === 'call' && holds) {
    const callee = test.callee;
    // Regex and `startswith` checks are guards the front end lowers (src/frontend/python/ir-guards.ts).
    if (callee.k === 'attr' && VALIDATING_METHODS.has(callee.attr)) sanitize(callee.object, 'all');
    else if (test.qname?.endsWith('url_has_allowed_host_and_scheme') && test.args[0]) {
      sanitize(test.args[0], new Set<SinkKind>(['open-redirect']));
    }
  }
}

/** The caller's steps, the call, then the callee's steps after its parameter: at most 24. */
function spliceSteps(caller: readonly FlowStep[], enter: FlowStep, callee: readonly FlowStep[]): FlowStep[] {
  const steps = caller.slice(0, 24);
  if (steps.length < 24) steps.push(enter);
  for (let i = 1; i < callee.length && steps.length < 24; i++) steps.push(callee[i]!);
  return steps;
}

/** Whether `refinements` finds anything to narrow. */
function mayRefine(test: Expr, holds: boolean): boolean {
  let found = false;
  refinements(test, holds, () => {
    found = true;
  });
  return found;
}

function truthy(c: Constant): boolean {
  return !(c === null || c === false || c === 0 || c === '');
}

function foldBinary(op: string, a: Constant, b: Constant): Constant | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return b === 0 ? undefined : a / b;
      case '//': return b === 0 ? undefined : Math.floor(a / b);
      case '%': return b === 0 ? undefined : ((a % b) + b) % b;
      case '**': return a ** b;
      default: return undefined;
    }
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  if (typeof a === 'string' && typeof b === 'number' && op === '*') return a.repeat(Math.max(0, Math.min(b, 1000)));
  return undefined;
}

function foldCompare(op: string, a: Constant, b: Constant): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case 'is': return a === b && (a === null || typeof a === 'boolean') ? true : a === null || b === null ? a === b : undefined;
    case 'is not': return a === null || b === null ? a !== b : undefined;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      case 'in': return b.includes(a);
      case 'not in': return !b.includes(a);
    }
  }
  return undefined;
}

function sanitizeValue(v: Value, kinds: ReadonlySet<SinkKind> | 'all'): Value {
  if (kinds === 'all') return CLEAN;
  const labels = allLabels(v).map((l) => makeLabel(l.origin, l.what, l.threat, l.param, l.field, l.steps, new Set([...l.sanitized, ...kinds]), l.lowered));
  return fromLabels(labels);
}

type Flow = 'normal' | 'exit';

/** One run of the abstract interpreter over one function body. */
class FunctionAnalysis {
  returnValue: Value | undefined;
  readonly sourceHits: TaintHit[] = [];
  readonly paramHits: TaintHit[] = [];
  readonly selfWrites = new Map<string, Value>();
  private readonly closures = new Map<FunctionIR, Env>();
  /** Nested functions and lambdas analysed in place at a call. */
  private readonly inlined = new Set<FunctionIR>();
  private readonly hitKeys = new Set<string>();
  /** The statement being interpreted (its first line is where suppressions may sit). */
  private statement: Stmt | undefined;

  constructor(
    readonly engine: TaintEngine,
    readonly fn: FunctionIR,
    readonly module: ModuleIR,
    readonly inlineDepth: number,
    readonly closureEnv?: Env,
  ) {}

  private accessSources: boolean | undefined;
  private callSources: boolean | undefined;

  /** Whether some parameter source can apply in this function (most have none, so `dotted` need not be built). */
  private hasParameterSources(on: 'access' | 'call'): boolean {
    if (on === 'access') return (this.accessSources ??= this.engine.parameterSourcesOf(this.fn, on).length > 0);
    return (this.callSources ??= this.engine.parameterSourcesOf(this.fn, on).length > 0);
  }

  step(span: SpanId, note: string): FlowStep {
    return { path: this.module.path, span: resolveSpan(this.module.spans, span), note };
  }

  /** Source text of a node of this module. */
  text(span: SpanId): string {
    return spanText(this.module.spans, span);
  }

  sourceValue(what: string, threat: 'remote' | 'local', span: SpanId, note: string): Value {
    return { labels: [makeLabel('source', what, threat, undefined, undefined, [this.step(span, note)], NO_KINDS, false)] };
  }

  paramValue(index: number, name: string): Value {
    const step = this.step(this.fn.params[index]?.span ?? this.fn.span, `parameter \`${name}\` of \`${this.fn.name}()\``);
    const label = makeLabel('param', name, undefined, index, undefined, [step], NO_KINDS, false);
    return { labels: [label], paramBase: index };
  }

  summary(): Summary {
    const returns = this.returnValue ? allLabels(this.returnValue) : [];
    const selfWrites = new Map<string, Label[]>();
    for (const [field, v] of this.selfWrites) {
      const labels = allLabels(v);
      if (labels.length > 0) selfWrites.set(field, labels);
    }
    const selfTypes = new Map<string, string>();
    for (const [field, v] of this.selfWrites) if (v.type) selfTypes.set(field, v.type);
    const types: string[] = [];
    for (const [f, t] of selfTypes) types.push(`${f}:${t}`);
    const returned: string[] = [];
    for (const l of returns) returned.push(labelKey(l));
    const hits: string[] = [];
    for (const h of this.paramHits) hits.push(`${h.kind}@${h.sink.path}:${h.sink.span.line}:${labelKey(h.label)}`);
    const writes: string[] = [];
    for (const [f, ls] of selfWrites) {
      const keys: string[] = [];
      for (const l of ls) keys.push(labelKey(l));
      writes.push(`${f}=${sortedJoin(keys, ',')}`);
    }
    const key = `${sortedJoin(types, ',')}|${sortedJoin(returned, ';')}|${sortedJoin(hits, ';')}|${sortedJoin(writes, ';')}`;
    // Summaries stay for the whole run: shared empties (summaries are never changed) save a few MB.
    return {
      returns: returns.length > 0 ? returns : NO_LABELS_LIST,
      sinks: this.paramHits.length > 0 ? this.paramHits : NO_HITS,
      selfWrites: selfWrites.size > 0 ? selfWrites : NO_WRITES,
      selfAssigned: this.selfWrites.size > 0 ? new Set(this.selfWrites.keys()) : NO_FIELDS,
      selfTypes: selfTypes.size > 0 ? selfTypes : NO_TYPES,
      key,
    };
  }

  // ---- statements -----------------------------------------------------------------------

  execBlock(stmts: readonly Stmt[], env: Env): Flow {
    for (const s of stmts) {
      if (this.exec(s, env) === 'exit') return 'exit';
    }
    return 'normal';
  }

  private exec(s: Stmt, env: Env): Flow {
    this.statement = s;
    switch (s.k) {
      case 'assign': {
        const value = this.eval(s.value, env);
        for (const t of s.targets) this.bind(t, value, env, s.value);
        return 'normal';
      }
      case 'augassign':
        return this.execAugassign(s, env);
      case 'expr':
        this.eval(s.expr, env);
        return isExitCall(s.expr) ? 'exit' : 'normal';
      case 'if':
        return this.execIf(s, env);
      case 'while':
        return this.execWhile(s, env);
      case 'for':
        return this.execFor(s, env);
      case 'return':
        return this.execReturn(s, env);
      case 'raise':
        if (s.value) this.eval(s.value, env);
        this.noteExit(env);
        return 'exit';
      case 'break':
      case 'continue':
        return 'exit';
      case 'try':
        return this.execTry(s, env);
      case 'with':
        for (const item of s.items) {
          const v = this.eval(item.value, env);
          if (item.target) this.bind(item.target, v, env, item.value);
        }
        return this.execBlock(s.body, env);
      case 'def':
        this.closures.set(s.fn, env);
        env.set(s.fn.name, { labels: [], fn: s.fn });
        return 'normal';
      case 'class':
      case 'global':
        return 'normal';
      case 'delete':
        for (const t of s.targets) if (t.k === 'name') env.delete(t.name);
        return 'normal';
    }
  }

  private execAugassign(s: Extract<Stmt, { k: 'augassign' }>, env: Env): Flow {
    const current = this.evalTarget(s.target, env);
    const added = this.eval(s.value, env);
    let value: Value;
    if (current.elems && s.op === '+' && added.elems) value = { labels: [], elems: [...current.elems, ...added.elems] };
    else {
      const folded = current.const !== undefined && added.const !== undefined ? foldBinary(s.op, current.const, added.const) : undefined;
      value = { labels: mergeLabels(allLabels(current), allLabels(added)) };
      if (folded !== undefined) value.const = folded;
    }
    this.bind(s.target, value, env, s.value);
    return 'normal';
  }

  private execIf(s: Extract<Stmt, { k: 'if' }>, env: Env): Flow {
    const test = this.eval(s.test, env);
    if (test.const !== undefined) {
      // A constant condition: only the branch that can run is analysed.
      return this.execBlock(truthy(test.const) ? s.body : s.orelse, env);
    }
    const thenEnv = new Map(env);
    this.refine(s.test, true, thenEnv);
    // Without `else`, and when the test refines nothing where it fails, that branch is `env` as it is.
    const elseEnv = s.orelse.length === 0 && !mayRefine(s.test, false) ? env : new Map(env);
    if (elseEnv !== env) this.refine(s.test, false, elseEnv);
    const thenFlow = this.execBlock(s.body, thenEnv);
    const elseFlow = this.execBlock(s.orelse, elseEnv);
    if (thenFlow === 'exit' && elseFlow === 'exit') return 'exit';
    replaceEnv(env, thenFlow === 'exit' ? elseEnv : elseFlow === 'exit' ? thenEnv : joinEnv(thenEnv, elseEnv));
    return 'normal';
  }

  private execWhile(s: Extract<Stmt, { k: 'while' }>, env: Env): Flow {
    const test = this.eval(s.test, env);
    if (test.const !== undefined && !truthy(test.const)) return this.execBlock(s.orelse, env);
    this.loop(env, (e) => this.execBlock(s.body, e));
    this.execBlock(s.orelse, env);
    return 'normal';
  }

  private execFor(s: Extract<Stmt, { k: 'for' }>, env: Env): Flow {
    const iter = this.eval(s.iter, env);
    const element = this.elementOf(iter);
    this.loop(env, (e) => {
      this.bind(s.target, element, e, s.iter);
      this.execBlock(s.body, e);
    });
    this.execBlock(s.orelse, env);
    return 'normal';
  }

  private execReturn(s: Extract<Stmt, { k: 'return' }>, env: Env): Flow {
    const v = s.value ? this.eval(s.value, env) : constant(null);
    const response = s.value && responseSink(this.fn, this.module, this.engine.responses);
    if (response) this.checkSinks({ k: 'call', callee: s.value!, args: [s.value!], kwargs: [], splats: [], span: s.span }, undefined, undefined, [responseBody(v) ?? CLEAN], NO_KWARGS, NO_LABELS, undefined, undefined, [response]);
    this.noteExit(env);
    this.returnValue = join(this.returnValue, v.labels.length || v.fields || v.elems ? withStep(v, this.step(s.span, `returned from \`${this.fn.name}()\``)) : v);
    return 'exit';
  }

  private execTry(s: Extract<Stmt, { k: 'try' }>, env: Env): Flow {
    const before = new Map(env);
    this.execBlock(s.body, env);
    const afterBody = new Map(env);
    let merged = joinEnv(before, afterBody);
    for (const h of s.handlers) {
      const handlerEnv = new Map(merged);
      if (h.name) handlerEnv.set(h.name, CLEAN);
      this.execBlock(h.body, handlerEnv);
      merged = joinEnv(merged, handlerEnv);
    }
    const elseEnv = new Map(afterBody);
    this.execBlock(s.orelse, elseEnv);
    replaceEnv(env, joinEnv(merged, elseEnv));
    this.execBlock(s.finally, env);
    return 'normal';
  }
  /** Run a loop body twice over a copy and join, approximating the fixpoint of the loop. */
  private loop(env: Env, body: (e: Env) => void): void {
    let current = new Map(env);
    for (let i = 0; i < 2; i++) {
      const iteration = new Map(current);
      body(iteration);
      current = joinEnv(current, iteration);
    }
    replaceEnv(env, joinEnv(env, current));
  }

  /** Narrow taint on the branch where a validating condition holds. */
  private refine(test: Expr, holds: boolean, env: Env): void {
    refinements(test, holds, (target, kinds) => {
      const key = envKey(target);
      if (!key) return;
      const current = this.eval(target, env);
      if (allLabels(current).length === 0) return;
      env.set(key, sanitizeValue(current, kinds));
    });
  }

  private elementOf(iter: Value): Value {
    if (iter.elems) {
      let v: Value = CLEAN;
      for (const e of iter.elems) v = join(v, e);
      return v;
    }
    return flatten(iter);
  }

  private bind(target: Target, value: Value, env: Env, source: Expr): void {
    switch (target.k) {
      case 'name': {
        const v = allLabels(value).length > 0 ? withStep(value, this.step(target.span, `assigned to \`${target.name}\``)) : value;
        env.set(target.name, v);
        if (this.fn.globals.size > 0 && this.fn.globals.has(target.name)) this.engine.writeGlobal(this.module, target.name, v);
        return;
      }
      case 'attr': {
        const key = envKey(target.object);
        if (!key) return;
        const v = allLabels(value).length > 0 ? withStep(value, this.step(target.span, `stored in \`${key}.${target.attr}\``)) : value;
        const owner = env.get(key) ?? this.lookupName(key, env, target.span) ?? CLEAN;
        const fields = new Map(owner.fields ?? []);
        fields.set(`.${target.attr}`, v);
        env.set(key, with_(owner, { fields }));
        return;
      }
      case 'subscript': {
        this.checkSubscriptStore(target, value, source, env);
        const key = envKey(target.object);
        if (!key) return;
        const owner = env.get(key) ?? this.lookupName(key, env, target.span) ?? CLEAN;
        const index = this.eval(target.index, env);
        const v = allLabels(value).length > 0 ? withStep(value, this.step(target.span, `stored in \`${this.text(target.span)}\``)) : value;
        if (index.const !== undefined && index.const !== null) {
          if (owner.elems && typeof index.const === 'number') {
            const elems = [...owner.elems];
            const i = index.const < 0 ? elems.length + index.const : index.const;
            if (i >= 0 && i < elems.length) {
              elems[i] = v;
              env.set(key, { ...owner, elems });
              return;
            }
          }
          const fields = new Map(owner.fields ?? []);
          fields.set(`[${String(index.const)}]`, v);
          env.set(key, with_(owner, { fields }));
        } else {
          env.set(key, { ...owner, labels: mergeLabels(owner.labels, allLabels(v)) });
        }
        return;
      }
      case 'unpack': {
        const starAt = target.targets.findIndex((t) => t.k === 'starred');
        target.targets.forEach((t, i) => {
          let part: Value;
          if (value.elems && value.elems.length === target.targets.length && starAt < 0) part = value.elems[i]!;
          else if (value.elems && starAt < 0 && value.elems.length !== target.targets.length) part = flatten(value);
          else part = flatten(value);
          this.bind(t.k === 'starred' ? t.target : t, part, env, source);
        });
        return;
      }
      case 'starred':
        this.bind(target.target, flatten(value), env, source);
        return;
      case 'opaque':
        return;
    }
  }

  /**
   * Nested functions never called here still run: as route handlers of an app factory
   * (`def create_app(): @app.route(...) def view(): ...`), callbacks, threads. Each is
   * analysed once with the variables it closes over; its parameters are unknown (clean),
   * unless it is a request handler.
   */
  analyseUncalledNested(): void {
    if (this.inlineDepth >= MAX_INLINE_DEPTH) return;
    for (const [fn, closure] of this.closures) {
      // Top-level functions are analysed on their own; nested ones and lambdas only here.
      if (this.inlined.has(fn) || (fn.name !== '<lambda>' && !this.engine.nestedOwner.has(fn))) continue;
      this.inlined.add(fn);
      const inner = new FunctionAnalysis(this.engine, fn, this.module, this.inlineDepth + 1, closure);
      const handler = this.engine.isRequestHandler(fn, this.module);
      const numeric = handler ? numericRouteParams(fn) : undefined;
      const env: Env = new Map();
      fn.params.forEach((p) => {
        env.set(p.name, handler && !numeric!.has(p.name) ? inner.sourceValue(`request parameter \`${p.name}\``, 'remote', p.span ?? fn.span, `route parameter \`${p.name}\` of \`${fn.name}()\``) : CLEAN);
      });
      inner.execBlock(fn.body, env);
      inner.analyseUncalledNested();
      for (const h of inner.sourceHits) this.recordHit(h);
      for (const h of inner.paramHits) this.recordHit(h);
    }
  }

  /**
   * At each way out of a method, what its `self` fields hold: the summary's field writes are
   * the join over the exits, so a field overwritten with a constant before returning is clean
   * and one tainted on any path is tainted.
   */
  noteExit(env: Env): void {
    const name = this.selfName();
    const self = name ? env.get(name) : undefined;
    if (!self?.fields) return;
    for (const [key, v] of self.fields) {
      if (!key.startsWith('.')) continue;
      const field = key.slice(1);
      this.selfWrites.set(field, join(this.selfWrites.get(field), v));
    }
  }

  private selfName(): string | undefined {
    if (!this.engine.classOfMethod.has(this.fn) || this.fn.isStatic) return undefined;
    return this.fn.params[0]?.name;
  }

  private evalTarget(t: Target, env: Env): Value {
    switch (t.k) {
      case 'name':
        return this.lookupName(t.name, env, t.span) ?? CLEAN;
      case 'attr':
        return this.eval({ k: 'attr', object: t.object, attr: t.attr, span: t.span }, env);
      case 'subscript':
        return this.eval({ k: 'subscript', object: t.object, index: t.index, span: t.span }, env);
      default:
        return CLEAN;
    }
  }

  // ---- expressions ----------------------------------------------------------------------

  lookupName(name: string, env: Env, span: SpanId): Value | undefined {
    const local = env.get(name);
    if (local) return local;
    const closure = this.closureEnv?.get(name);
    if (closure) return closure;
    if (this.fn !== this.module.top) {
      const g = this.engine.readGlobal(this.module, name);
      if (g) return g;
    }
    const imported = this.module.imports.get(name);
    if (imported) {
      // `from config import CMD`: a variable of another scanned module.
      const g = this.engine.importedGlobal(imported);
      if (g) return g;
    }
    // A module-level function or class of this module, used as a value.
    const found = this.engine.moduleLevel(this.module, name);
    if (found && 'params' in found) return { labels: [], fn: found };
    void span;
    return undefined;
  }

  eval(e: Expr, env: Env): Value {
    // The larger cases are methods of their own: smaller units for the JIT to compile and re-compile.
    switch (e.k) {
      case 'const':
        return constant(e.value);
      case 'name':
        return this.evalName(e, env);
      case 'attr':
        return this.evalAttr(e, env);
      case 'subscript':
        return this.evalSubscript(e, env);
      case 'call':
        return this.evalCall(e, env);
      case 'binop':
        return this.evalBinop(e, env);
      case 'compare':
        return this.evalCompare(e, env);
      case 'bool': {
        const l = this.eval(e.left, env);
        if (l.const !== undefined) {
          const t = truthy(l.const);
          if (e.op === 'and') return t ? this.eval(e.right, env) : l;
          return t ? l : this.eval(e.right, env);
        }
        return join(l, this.eval(e.right, env));
      }
      case 'not': {
        const v = this.eval(e.operand, env);
        return v.const !== undefined ? constant(!truthy(v.const)) : CLEAN;
      }
      case 'unary': {
        const v = this.eval(e.operand, env);
        if (typeof v.const === 'number') return constant(e.op === '-' ? -v.const : e.op === '~' ? ~v.const : v.const);
        // -x, +x, ~x are numbers (or a TypeError).
        return CLEAN;
      }
      case 'format': {
        let labels: Label[] = [];
        for (const p of e.parts) labels = mergeLabels(labels, allLabels(this.eval(p, env)));
        return fromLabels(labels);
      }
      case 'container':
        return this.evalContainer(e, env);
      case 'cond': {
        const test = this.eval(e.test, env);
        if (test.const !== undefined) return this.eval(truthy(test.const) ? e.body : e.orelse, env);
        return join(this.eval(e.body, env), this.eval(e.orelse, env));
      }
      case 'lambda':
        this.closures.set(e.fn, env);
        return { labels: [], fn: e.fn };
      case 'walrus': {
        const v = this.eval(e.value, env);
        this.bind(e.target, v, env, e.value);
        return v;
      }
      case 'comprehension':
        return this.evalComprehension(e, env);
      case 'opaque': {
        let labels: Label[] = [];
        for (const p of e.parts) labels = mergeLabels(labels, allLabels(this.eval(p, env)));
        return fromLabels(labels);
      }
    }
  }

  private evalName(e: Extract<Expr, { k: 'name' }>, env: Env): Value {
    const v = this.lookupName(e.name, env, e.span);
    if (v) return v;
    const q = this.module.imports.get(e.name);
    if (q) {
      const source = this.engine.accessSource(q);
      if (source) return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
    }
    return CLEAN;
  }

  private evalAttr(e: Extract<Expr, { k: 'attr' }>, env: Env): Value {
    const q = qnameOf(e, this.module);
    if (q) {
      const source = this.engine.accessSource(q);
      if (source) return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
      if (e.object.k === 'name' && !env.has(e.object.name)) {
        // `import config; config.CMD`: a variable of another scanned module.
        const g = this.engine.importedGlobal(q);
        if (g) return g;
      }
    }
    const dotted = this.hasParameterSources('access') ? dottedOf(e) : undefined;
    if (dotted) {
      const source = this.engine.parameterSource(dotted, this.fn, 'access');
      if (source && !env.has(dotted)) {
        return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
      }
    }
    const object = this.eval(e.object, env);
    return this.attrOf(object, e.attr);
  }

  private evalSubscript(e: Extract<Expr, { k: 'subscript' }>, env: Env): Value {
    const object = this.eval(e.object, env);
    const index = this.eval(e.index, env);
    if (index.const !== undefined && index.const !== null) {
      if (object.elems && typeof index.const === 'number') {
        const i = index.const < 0 ? object.elems.length + index.const : index.const;
        return object.elems[i] ?? CLEAN;
      }
      const field = object.fields?.get(`[${String(index.const)}]`);
      if (field) return field;
      if (object.fields && object.labels.length === 0 && object.paramBase === undefined) return CLEAN;
    }
    return flatten(object);
  }

  private evalBinop(e: Extract<Expr, { k: 'binop' }>, env: Env): Value {
    const l = this.eval(e.left, env);
    const r = this.eval(e.right, env);
    if (l.const !== undefined && r.const !== undefined) {
      const folded = foldBinary(e.op, l.const, r.const);
      if (folded !== undefined) return constant(folded);
    }
    if (e.op === '+' && l.elems && r.elems) return { labels: [], elems: [...l.elems, ...r.elems] };
    // Arithmetic with a number gives a number (a string operand would raise TypeError);
    // `*` repeats and `%` formats strings, so they keep the taint.
    if (NUMERIC_OPS.has(e.op) && (isNumber(l.const) || isNumber(r.const))) return CLEAN;
    if (e.op === '%' && typeof l.const === 'string') return fromLabels(mergeLabels(allLabels(l), percentFormatTaint(l.const, r)));
    return fromLabels(mergeLabels(allLabels(l), allLabels(r)));
  }

  private evalCompare(e: Extract<Expr, { k: 'compare' }>, env: Env): Value {
    const values = e.operands.map((o) => this.eval(o, env));
    if (values.every((v) => v.const !== undefined) && e.ops.length === values.length - 1) {
      let result = true;
      for (let i = 0; i < e.ops.length; i++) {
        const r = foldCompare(e.ops[i]!, values[i]!.const!, values[i + 1]!.const!);
        if (r === undefined) return CLEAN;
        result &&= r;
      }
      return constant(result);
    }
    return CLEAN; // a comparison yields a boolean: it carries no injectable data
  }

  private evalContainer(e: Extract<Expr, { k: 'container' }>, env: Env): Value {
    const values = e.elements.map((x) => this.eval(x, env));
    if (e.kind === 'dict') {
      const fields = new Map<string, Value>();
      let labels: Label[] = [];
      values.forEach((v, i) => {
        const keyExpr = e.keys?.[i];
        const key = keyExpr ? this.eval(keyExpr, env) : undefined;
        if (key && key.const !== undefined && key.const !== null) fields.set(`[${String(key.const)}]`, v);
        else labels = mergeLabels(labels, allLabels(v));
      });
      return { labels, fields };
    }
    if (e.kind === 'set') return fromLabels(values.reduce<Label[]>((acc, v) => mergeLabels(acc, allLabels(v)), []));
    return { labels: [], elems: values };
  }

  private evalComprehension(e: Extract<Expr, { k: 'comprehension' }>, env: Env): Value {
    const inner = new Map(env);
    for (const b of e.bindings) this.bind(b.target, this.elementOf(this.eval(b.iter, inner)), inner, b.iter);
    for (const c of e.conditions) this.eval(c, inner);
    return fromLabels(allLabels(this.eval(e.element, inner)));
  }
  private attrOf(object: Value, attr: string): Value {
    const field = object.fields?.get(`.${attr}`);
    if (field) return field;
    if (object.cls) {
      const method = this.engine.method(object.cls, attr);
      if (method) return { labels: [], fn: method, self: object };
      const classTaint = this.engine.classFieldsOf(object.cls)?.get(attr) ?? [];
      return withType(fromLabels(mergeLabels(object.labels, classTaint)), this.engine.fieldType(object.cls, attr));
    }
    if (object.paramBase !== undefined) {
      const base = object.labels.find((l) => l.origin === 'param' && l.param === object.paramBase && !l.field);
      const labels: Label[] = base ? [this.engine.fieldLabel(base, attr)] : [];
      const cls = object.paramBase === 0 ? this.engine.classOfMethod.get(this.fn) : undefined;
      if (cls) {
        const method = this.engine.method(cls, attr);
        if (method) return { labels: [], fn: method, self: object };
        return withType(fromLabels(mergeLabels(labels, this.engine.classFieldsOf(cls)?.get(attr) ?? [])), this.engine.fieldType(cls, attr));
      }
      return fromLabels(labels);
    }
    return flatten(object);
  }

  private evalCall(call: CallExpr, env: Env): Value {
    const callee = call.callee;
    const method = callee.k === 'attr' ? callee.attr : undefined;
    const receiver = callee.k === 'attr' ? this.eval(callee.object, env) : undefined;
    // A method of a library object whose class we know: `requests.Session.get`.
    const q = call.qname ?? (method && receiver?.type ? `${receiver.type}.${method}` : undefined);
    const args = call.args.map((a) => this.eval(a, env));
    // Most calls have no keywords or splats: shared empties (never changed) rather than new ones.
    const kwargs: ReadonlyMap<string, Value> = call.kwargs.length === 0 ? NO_KWARGS : new Map(call.kwargs.map((k) => [k.name, this.eval(k.value, env)] as const));
    let splat: readonly Label[] = NO_LABELS;
    for (const s of call.splats) splat = mergeLabels(splat, allLabels(this.eval(s, env)));
    const value = this.callValue(call, env, q, method, receiver, args, kwargs, splat);
    const type = this.engine.resultType(q);
    return type && !value.cls && !value.fn ? with_(value, { type }) : value;
  }

  private callValue(
    call: CallExpr,
    env: Env,
    q: string | undefined,
    method: string | undefined,
    receiver: Value | undefined,
    args: Value[],
    kwargs: ReadonlyMap<string, Value>,
    splat: readonly Label[],
  ): Value {
    const callee = call.callee;
    // The receiver's library class is known: only models of that class apply to its methods.
    const anyReceiver = receiver?.type && !call.qname ? undefined : this.methodOf(call);
    this.checkSinks(call, q, anyReceiver, args, kwargs, splat, receiver);

    const sanitizer = this.engine.sanitizerFor(q, anyReceiver);
    if (sanitizer) return this.sanitizingCall(sanitizer, args, kwargs, anyReceiver && receiver ? receiver : undefined, splat);
    const calleeDotted = callee.k === 'attr' && this.hasParameterSources('call') ? dottedOf(callee) : undefined;
    const source = this.engine.callSource(q, anyReceiver) ?? (calleeDotted ? this.engine.parameterSource(calleeDotted, this.fn, 'call') : undefined);
    if (source) return this.sourceValue(source.description, source.threat, call.span, `\`${this.text(call.span)}\` (${source.description})`);

    // Containers mutated in place through a local name.
    if (method && callee.k === 'attr' && receiver && !q) {
      const mutated = this.mutateContainer(callee.object, method, receiver, args, env);
      if (mutated) return mutated;
    }

    // Calls into the scanned program.
    const target = this.resolveTarget(call, receiver, args, kwargs, splat, env);
    if (target) return target;

    const passThrough = this.engine.passThroughFor(q, method);
    if (passThrough) return this.passThrough(passThrough, args, kwargs, receiver, splat);

    return this.unresolvedCall(args, kwargs, receiver, splat);
  }

  private sanitizingCall(sanitizer: ReadonlySet<SinkKind> | 'all', args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
    let labels = splat as Label[];
    for (const v of args) labels = mergeLabels(labels, allLabels(v));
    for (const v of kwargs.values()) labels = mergeLabels(labels, allLabels(v));
    if (receiver) labels = mergeLabels(labels, allLabels(receiver));
    return sanitizeValue(fromLabels(labels), sanitizer);
  }

  /**
   * A call we cannot see into: arguments flow to the result, at lowered confidence; a method's
   * receiver flows too (data derived from tainted data), at full confidence.
   */
  private unresolvedCall(args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
    let labels: Label[] = receiver ? allLabels(receiver) : [];
    for (const v of args) labels = mergeLabels(labels, lowered(allLabels(v)));
    for (const v of kwargs.values()) labels = mergeLabels(labels, lowered(allLabels(v)));
    labels = mergeLabels(labels, lowered(splat));
    return fromLabels(labels);
  }

  /**
   * The method name under which models for "a method on any receiver" apply to this call:
   * when the receiver's qualified name is unknown (`cursor.execute`, `Path(p).read_text`), or
   * when it is an object reached through an imported name (`Article.objects.raw`), but not for
   * a function of an imported module (`re.search` is not an LDAP search).
   */
  private methodOf(call: CallExpr): string | undefined {
    const callee = call.callee;
    if (callee.k !== 'attr') return undefined;
    if (!call.qname) return callee.attr;
    return callee.object.k === 'name' ? undefined : callee.attr;
  }

  private passThrough(from: (number | string)[], args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
    let labels: Label[] = [];
    for (const f of from) {
      if (f === '*') {
        for (const v of [...args, ...kwargs.values()]) labels = mergeLabels(labels, allLabels(v));
        labels = mergeLabels(labels, splat);
      } else if (f === 'receiver') {
        if (receiver) labels = mergeLabels(labels, allLabels(receiver));
      } else if (typeof f === 'number') {
        const v = args[f];
        if (v) labels = mergeLabels(labels, allLabels(v));
      } else {
        const v = kwargs.get(f);
        if (v) labels = mergeLabels(labels, allLabels(v));
      }
    }
    return fromLabels(labels);
  }

  private mutateContainer(object: Expr, method: string, receiver: Value, args: Value[], env: Env): Value | undefined {
    const key = envKey(object);
    if (!key) return undefined;
    switch (method) {
      case 'append':
      case 'add': {
        const v = args[0] ?? CLEAN;
        if (receiver.elems) env.set(key, { ...receiver, elems: [...receiver.elems, v] });
        else env.set(key, { ...receiver, labels: mergeLabels(receiver.labels, allLabels(v)) });
        return constant(null);
      }
      case 'extend':
      case 'update': {
        const v = args[0] ?? CLEAN;
        if (receiver.elems && v.elems) env.set(key, { ...receiver, elems: [...receiver.elems, ...v.elems] });
        else env.set(key, { ...flatten(receiver), labels: mergeLabels(allLabels(receiver), allLabels(v)) });
        return constant(null);
      }
      case 'insert': {
        const v = args[1] ?? CLEAN;
        env.set(key, { ...flatten(receiver), labels: mergeLabels(allLabels(receiver), allLabels(v)) });
        return constant(null);
      }
      case 'pop': {
        if (!receiver.elems) return undefined;
        const elems = [...receiver.elems];
        let i = elems.length - 1;
        if (args[0]) {
          const indexValue = args[0].const;
          if (typeof indexValue !== 'number') return undefined;
          i = indexValue < 0 ? elems.length + indexValue : indexValue;
        }
        if (i < 0 || i >= elems.length) return undefined;
        const [removed] = elems.splice(i, 1);
        env.set(key, { ...receiver, elems });
        return removed ?? CLEAN;
      }
      case 'remove': {
        if (!receiver.elems || args[0]?.const === undefined) return undefined;
        const i = receiver.elems.findIndex((e) => e.const === args[0]!.const);
        if (i < 0) return undefined;
        const elems = [...receiver.elems];
        elems.splice(i, 1);
        env.set(key, { ...receiver, elems });
        return constant(null);
      }
      case 'clear':
        env.set(key, { labels: [], elems: receiver.elems ? [] : undefined });
        return constant(null);
      default:
        return undefined;
    }
  }

  /** A call into scanned code: inline closures, apply summaries of functions and constructors. */
  private resolveTarget(call: CallExpr, receiver: Value | undefined, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[], env: Env): Value | undefined {
    const callee = call.callee;
    let fn: FunctionIR | undefined;
    let cls: ClassIR | undefined;
    let self: Value | undefined;
    /** The expression holding the receiver, whose fields the callee may write. */
    let selfExpr: Expr | undefined;
    /** Reached through the class (`Base.__init__(self, x)`): `self` is the first argument. */
    let unbound = false;
    const calleeValue = callee.k === 'name' ? this.lookupName(callee.name, env, callee.span) : callee.k === 'attr' && receiver ? this.attrOf(receiver, callee.attr) : undefined;
    /** What the callee's qualified name denotes, when that decides. */
    let byName: FunctionIR | ClassIR | undefined;
    if (calleeValue?.fn) {
      fn = calleeValue.fn;
      self = calleeValue.self;
      if (self && callee.k === 'attr') selfExpr = callee.object;
    } else if (call.qname) {
      byName = this.engine.lookup(call.qname, this.module);
    } else if (callee.k === 'attr' && isSuperCall(callee.object)) {
      // super().m(...): the next definition of m above the current method's class.
      const own = this.engine.classOfMethod.get(this.fn);
      const selfName = this.selfName();
      const m = own && selfName ? this.engine.superMethod(own, callee.attr) : undefined;
      if (m) {
        fn = m;
        self = env.get(selfName!) ?? this.lookupName(selfName!, env, callee.span);
        selfExpr = { k: 'name', name: selfName!, span: callee.span };
      }
    } else {
      // A function, class or class member of this module (`helper(x)`, `Config.load(x)`).
      const root = rootName(callee);
      const head = root?.split('.')[0];
      if (head && !env.has(head) && !this.closureEnv?.has(head)) byName = this.engine.lookup(`${this.module.moduleName}.${dottedOf(callee)!}`, this.module);
    }
    if (byName && 'methods' in byName) cls = byName;
    else if (byName) {
      fn = byName;
      unbound = callee.k === 'attr' && this.isMethodCall(byName) && !byName.isClassMethod;
    }
    if (cls) return this.construct(cls, call, args, kwargs, splat);
    if (!fn) return undefined;
    const target: FunctionIR = fn;
    let bound: Value[];
    if (unbound) {
      self = args[0] ?? CLEAN;
      selfExpr = call.args[0];
      bound = this.bindArguments(target, self, args.slice(1), kwargs, splat);
    } else {
      bound = this.bindArguments(target, self ?? (this.isMethodCall(target) ? receiver : undefined), args, kwargs, splat);
    }
    const closure = this.closures.get(target);
    if (closure && this.inlineDepth < MAX_INLINE_DEPTH) return this.inline(target, closure, bound);
    return this.applySummary(target, bound, call, self, selfExpr, env);
  }

  /** `Cls(...)`: an instance with the fields `__init__` stores. */
  private construct(cls: ClassIR, call: CallExpr, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[]): Value {
    const instance: Value = { labels: [], cls, fields: new Map() };
    const init = this.engine.method(cls, '__init__');
    if (!init) return instance;
    const bound = this.bindArguments(init, instance, args, kwargs, splat);
    const summary = this.engine.summaryOf(init);
    this.applySinks(summary, bound, call, init);
    const fields = new Map<string, Value>();
    for (const [field, labels] of summary.selfWrites) {
      fields.set(`.${field}`, fromLabels(this.instantiate(labels, bound, call, init)));
    }
    return { labels: [], cls, fields };
  }

  /** Nested functions and lambdas are analysed in place, seeing the enclosing variables. */
  private inline(target: FunctionIR, closure: Env, bound: Value[]): Value {
    this.inlined.add(target);
    const inner = new FunctionAnalysis(this.engine, target, this.module, this.inlineDepth + 1, closure);
    const innerEnv: Env = new Map();
    target.params.forEach((p, i) => innerEnv.set(p.name, bound[i] ?? CLEAN));
    inner.execBlock(target.body, innerEnv);
    inner.analyseUncalledNested();
    for (const h of inner.sourceHits) this.recordHit(h);
    for (const h of inner.paramHits) this.recordHit(h);
    return inner.returnValue ?? CLEAN;
  }

  /** A call of a summarised function: its sinks, its writes to the receiver's fields, its result. */
  private applySummary(target: FunctionIR, bound: Value[], call: CallExpr, self: Value | undefined, selfExpr: Expr | undefined, env: Env): Value {
    const summary = this.engine.summaryOf(target);
    this.applySinks(summary, bound, call, target);
    if (self && summary.selfWrites.size > 0 && selfExpr) {
      const key = envKey(selfExpr);
      const owner = key ? env.get(key) ?? this.lookupName(key, env, selfExpr.span) : undefined;
      if (key && owner) {
        const fields = new Map(owner.fields ?? []);
        for (const [field, labels] of summary.selfWrites) fields.set(`.${field}`, fromLabels(this.instantiate(labels, bound, call, target)));
        env.set(key, with_(owner, { fields }));
      }
    }
    return fromLabels(this.instantiate(summary.returns, bound, call, target));
  }

  private isMethodCall(fn: FunctionIR): boolean {
    return this.engine.classOfMethod.has(fn) && !fn.isStatic;
  }

  /** Values for each parameter position of `fn` at this call. */
  private bindArguments(fn: FunctionIR, self: Value | undefined, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[]): Value[] {
    const bound: Value[] = [];
    let next = 0;
    const isMethod = this.engine.classOfMethod.has(fn) && !fn.isStatic;
    if (isMethod) {
      bound[0] = self ?? CLEAN;
      next = 1;
    }
    fn.params.forEach((p, i) => {
      if (i < next) return;
      if (p.kind === 'varargs') {
        let extra: Label[] = [];
        for (const a of args.slice(i - next)) extra = mergeLabels(extra, allLabels(a));
        bound[i] = fromLabels(extra);
        return;
      }
      if (p.kind === 'kwargs') {
        let labels: Label[] = [];
        for (const [name, v] of kwargs) if (!fn.params.some((q) => q.name === name)) labels = mergeLabels(labels, allLabels(v));
        bound[i] = fromLabels(labels);
        return;
      }
      const positional = args[i - next];
      bound[i] = kwargs.get(p.name) ?? positional ?? (p.default ? this.defaultValue(fn, p.default) : CLEAN);
    });
    if (splat.length > 0) {
      for (let i = next; i < fn.params.length; i++) bound[i] = fromLabels(mergeLabels(allLabels(bound[i] ?? CLEAN), splat));
    }
    return bound;
  }

  /**
   * A parameter's default, where the call leaves it out. A default of another module is only taken
   * for its constant: its names belong to that module's scope, not to this one's.
   */
  private defaultValue(fn: FunctionIR, value: Expr): Value {
    if (fn.path === this.module.path) return this.eval(value, new Map());
    return value.k === 'const' ? constant(value.value) : CLEAN;
  }

  /** Turn a callee's labels into the caller's: parameters become the arguments' taint. */
  private instantiate(labels: readonly Label[], bound: Value[], call: CallExpr, target: FunctionIR): Label[] {
    let out: Label[] = [];
    for (const l of labels) {
      if (l.origin === 'source') {
        out = mergeLabels(out, [withSteps(l, [...l.steps, this.step(call.span, `returned by \`${target.name}()\``)])]);
        continue;
      }
      const arg = bound[l.param!];
      if (!arg) continue;
      let base: Value = arg;
      if (l.field) {
        const field = arg.fields?.get(`.${l.field}`);
        if (field) base = field;
        else if (arg.paramBase !== undefined) {
          const p = arg.labels.find((x) => x.origin === 'param' && x.param === arg.paramBase && !x.field);
          base = p ? fromLabels([this.engine.fieldLabel(p, l.field)]) : CLEAN;
        } else if (arg.cls) base = fromLabels(mergeLabels(arg.labels, this.engine.classFieldsOf(arg.cls)?.get(l.field) ?? []));
        else base = fromLabels(arg.labels);
      }
      const arriving = allLabels(base);
      if (arriving.length === 0) continue;
      const paramName = target.params[l.param!]?.name ?? `#${l.param}`;
      const enter = this.step(call.span, `passed as \`${l.field ? `${paramName}.${l.field}` : paramName}\` to \`${target.name}()\``);
      for (const c of arriving) {
        const sanitized = l.sanitized.size ? new Set([...c.sanitized, ...l.sanitized]) : c.sanitized;
        const steps = spliceSteps(c.steps, enter, l.steps);
        out = mergeLabels(out, [makeLabel(c.origin, c.what, c.threat, c.param, c.field, steps, sanitized, c.lowered || l.lowered)]);
      }
    }
    return out;
  }

  private applySinks(summary: Summary, bound: Value[], call: CallExpr, target: FunctionIR): void {
    for (const hit of summary.sinks) {
      for (const label of this.instantiate([hit.label], bound, call, target)) {
        if (label.sanitized.has(hit.kind)) continue;
        this.recordHit({ kind: hit.kind, label, sink: hit.sink });
      }
    }
  }

  private recordHit(hit: TaintHit): void {
    const key = `${hit.kind}|${hit.sink.path}:${hit.sink.span.line}:${hit.sink.span.column}|${labelKey(hit.label)}`;
    if (this.hitKeys.has(key)) return;
    this.hitKeys.add(key);
    if (hit.label.origin === 'source') this.sourceHits.push(hit);
    else this.paramHits.push(hit);
  }

  private checkSinks(
    call: CallExpr,
    q: string | undefined,
    method: string | undefined,
    args: Value[],
    kwargs: ReadonlyMap<string, Value>,
    splat: readonly Label[],
    receiver: Value | undefined,
    /** Where the sink is, when not the call's own span (a subscript store). */
    site?: Span,
    /** The sink models, when not those of the callee (a returned value). */
    given?: readonly SinkModel[],
  ): void {
    const render = this.engine.options.renderSinks;
    if (render && !given) {
      const spanOf = (e: Expr): Span => resolveSpan(this.module.spans, e.span);
      for (const hit of renderHits(render, this.module, this.fn, call, q, args, kwargs, splat, (span, note) => ({ path: this.module.path, span, note }), spanOf, spanOf(call))) this.recordHit(hit);
    }
    const models = given ?? this.engine.sinksFor(q, method);
    if (models.length === 0) return;
    const candidates = models.filter((m) => (!m.unless || !this.exceptionHolds(call, m)) && (!m.receiver || (call.callee.k === 'attr' && dottedOf(call.callee.object) === m.receiver)) && (!m.within || this.engine.sinkWithin(this.fn, m)));
    const conditional = candidates.filter((m) => m.when && this.conditionHolds(call, m, kwargs));
    const applicable = conditional.length > 0 ? conditional : candidates.filter((m) => !m.when);
    for (const model of applicable) {
      const positions = model.args ?? ['*'];
      const checked: { expr: Expr | undefined; value: Value }[] = [];
      for (const p of positions) {
        if (p === '*') {
          call.args.forEach((a, i) => checked.push({ expr: a, value: args[i]! }));
          call.kwargs.forEach((k) => checked.push({ expr: k.value, value: kwargs.get(k.name)! }));
        } else if (typeof p === 'number') {
          const a = call.args[p];
          if (a) checked.push({ expr: a, value: args[p]! });
        } else if (p === 'receiver') {
          if (receiver && call.callee.k === 'attr') checked.push({ expr: call.callee.object, value: receiver });
        } else {
          const k = call.kwargs.find((x) => x.name === p);
          if (k) checked.push({ expr: k.value, value: kwargs.get(p)! });
        }
      }
      if (splat.length > 0) checked.push({ expr: call.splats[0], value: fromLabels(splat) });
      const callSpan = site ?? resolveSpan(this.module.spans, call.span);
      for (const { expr, value } of checked) {
        // A query is a string: an `execute` given a list is a command runner (OpenStack's
        // `ip_wrapper.netns.execute(cmd)`), not DB-API, whatever the method is called.
        if (model.kind === 'sql-injection' && (value.elems || value.seq)) continue;
        for (const label of allLabels(value)) {
          if (label.sanitized.has(model.kind) || !reachesSink(model, label)) continue;
          this.recordHit({
            kind: model.kind,
            label,
            sink: {
              path: this.module.path,
              span: expr ? resolveSpan(this.module.spans, expr.span) : callSpan,
              callSpan,
              callee: model.name ?? (model.method ? `.${model.method}()` : q ?? this.text(call.callee.span)),
              description: model.description,
              statementLine: this.statement ? spanLine(this.module.spans, this.statement.span) : 0,
            },
          });
        }
      }
    }
  }

  private conditionHolds(call: CallExpr, model: SinkModel, kwargs: ReadonlyMap<string, Value>): boolean {
    const when = model.when!;
    const value = kwargs.get(when.keyword);
    if (!value) return false;
    const expected = when.equals === undefined ? true : when.equals;
    return value.const === expected;
  }

  /**
   * The model's `unless`: the argument at one of its positions or keywords is a name whose
   * qualified name is listed (`Loader=yaml.SafeLoader`, or `SafeLoader` imported from `yaml`).
   */
  private exceptionHolds(call: CallExpr, model: SinkModel): boolean {
    const unless = model.unless!;
    for (const p of unless.arg) {
      const e = typeof p === 'number' ? call.args[p] : call.kwargs.find((k) => k.name === p)?.value;
      if (unless.constant && e?.k === 'const' && typeof e.value === 'string' && new RegExp(unless.constant).test(e.value)) return true;
      if (!e || (e.k !== 'name' && e.k !== 'attr') || !unless.is) continue;
      const q = qnameOf(e, this.module);
      if (q && unless.is.includes(q)) return true;
    }
    return false;
  }

  /**
   * `x[key] = value` is `x.__setitem__(key, value)`: a store into a modelled object (Flask's
   * `session`) is checked against the `__setitem__` sinks like a call would be.
   */
  private checkSubscriptStore(target: { object: Expr; index: Expr; span: SpanId }, value: Value, source: Expr, env: Env): void {
    const q = qnameOf(target.object, this.module);
    const setter = q ? `${q}.__setitem__` : undefined;
    if (this.engine.sinksFor(setter, setter ? undefined : '__setitem__').length === 0) return;
    const call: CallExpr = {
      k: 'call',
      callee: { k: 'attr', object: target.object, attr: '__setitem__', span: target.span },
      args: [target.index, source],
      kwargs: [],
      splats: [],
      qname: setter,
      span: target.span,
    };
    // The store as a whole, from the target to the end of the value.
    const [t, v] = [resolveSpan(this.module.spans, target.span), resolveSpan(this.module.spans, source.span)];
    const site: Span = { line: t.line, column: t.column, endLine: v.endLine, endColumn: v.endColumn, text: `${t.text} = ${v.text}` };
    this.checkSinks(call, setter, setter ? undefined : '__setitem__', [this.eval(target.index, env), value], new Map(), [], this.eval(target.object, env), site);
  }
}

/**
 * Path parameters of a route whose converter only matches numbers or UUIDs (`<int:id>`,
 * `<float:x>`, `<uuid:u>` in Flask, Werkzeug and Quart; `<id:int>` in Sanic): the framework
 * rejects any other text, so they cannot carry an injection.
 */
function numericRouteParams(fn: FunctionIR): ReadonlySet<string> {
  let found = numericParamsOf.get(fn);
  if (!found) {
    const names = new Set<string>();
    for (const d of fn.decorators) {
      const path = d.k === 'call' ? d.args[0] : undefined;
      if (path?.k !== 'const' || typeof path.value !== 'string') continue;
      for (const [, first, second] of path.value.matchAll(ROUTE_VARIABLE)) {
        if (NUMERIC_CONVERTERS.has(first!)) names.add(second!);
        else if (NUMERIC_CONVERTERS.has(second!)) names.add(first!);
      }
    }
    found = names;
    numericParamsOf.set(fn, found);
  }
  return found;
}

const NUMERIC_CONVERTERS = new Set(['int', 'float', 'uuid', 'number']);
/** `<converter:name>` or `<converter(args):name>` (Flask), `<name:type>` (Sanic). */
const ROUTE_VARIABLE = /<(\w+)(?:\([^)>]*\))?:(\w+)>/g;
const numericParamsOf = new WeakMap<FunctionIR, ReadonlySet<string>>();

/** The env key an expression is stored under (`x`, `self.x` is stored on `self`). */
function envKey(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  return undefined;
}

const NUMERIC_OPS = new Set(['+', '-', '/', '//', '**', '<<', '>>', '&', '|', '^', '@']);

function isNumber(c: Constant | undefined): boolean {
  return typeof c === 'number';
}

function withType(v: Value, type: string | undefined): Value {
  return type ? with_(v, { type }) : v;
}

/** What a value says, for change detection: its taint and constant. */
function valueKey(v: Value): string {
  return `${allLabels(v).map(labelKey).sort().join(',')}=${String(v.const)}`;
}


/**
 * Whether two summaries say exactly the same (labels, paths and all, in the same order) in what
 * a call applies: returns, sinks and `self` writes. (Field types have their own cell; `selfAssigned`
 * and `key` are only read once the fixpoint is reached.)
 */
function sameApplied(a: Summary, b: Summary): boolean {
  if (!sameLabelList(a.returns, b.returns) || a.sinks.length !== b.sinks.length) return false;
  for (let i = 0; i < a.sinks.length; i++) if (!sameHit(a.sinks[i]!, b.sinks[i]!)) return false;
  if (a.selfWrites.size !== b.selfWrites.size) return false;
  const bWrites = [...b.selfWrites];
  let i = 0;
  for (const [field, labels] of a.selfWrites) {
    const [otherField, otherLabels] = bWrites[i++]!;
    if (field !== otherField || !sameLabelList(labels, otherLabels)) return false;
  }
  return true;
}

function sameHit(a: TaintHit, b: TaintHit): boolean {
  const s = a.sink;
  const t = b.sink;
  return (
    a.kind === b.kind &&
    sameLabel(a.label, b.label) &&
    s.path === t.path &&
    sameSpan(s.span, t.span) &&
    sameSpan(s.callSpan, t.callSpan) &&
    s.callee === t.callee &&
    s.description === t.description &&
    s.statementLine === t.statementLine
  );
}

function sameLabelList(a: readonly Label[], b: readonly Label[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameLabel(a[i]!, b[i]!)) return false;
  return true;
}

function sameLabel(a: Label, b: Label): boolean {
  if (a === b) return true;
  if (
    a.origin !== b.origin ||
    a.what !== b.what ||
    a.threat !== b.threat ||
    a.param !== b.param ||
    a.field !== b.field ||
    a.lowered !== b.lowered ||
    a.steps.length !== b.steps.length ||
    a.sanitized.size !== b.sanitized.size
  ) {
    return false;
  }
  for (let i = 0; i < a.steps.length; i++) {
    const s = a.steps[i]!;
    const t = b.steps[i]!;
    if (s !== t && (s.path !== t.path || s.note !== t.note || !sameSpan(s.span, t.span))) return false;
  }
  const bKinds = [...b.sanitized];
  let i = 0;
  for (const kind of a.sanitized) if (kind !== bKinds[i++]) return false;
  return true;
}

function sameSpan(a: Span, b: Span): boolean {
  return a === b || (a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn && a.text === b.text);
}

const NONE: readonly never[] = [];

/** The labels, marked as having passed through a call we could not see into. */
function lowered(labels: readonly Label[]): readonly Label[] {
  if (labels.length === 0) return labels;
  return labels.map((l) => (l.lowered ? l : makeLabel(l.origin, l.what, l.threat, l.param, l.field, l.steps, l.sanitized, true)));
}

/** `items.sort().join(separator)` (in place). */
function sortedJoin(items: string[], separator: string): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  return items.sort().join(separator);
}
const NO_LABELS: readonly Label[] = [];
const NO_KWARGS: ReadonlyMap<string, Value> = new Map();

function hasParam(fn: FunctionIR, name: string): boolean {
  for (const p of fn.params) if (p.name === name) return true;
  return false;
}

function sameEntries(a: ReadonlyMap<string, string> | undefined, b: ReadonlyMap<string, string>): boolean {
  if ((a?.size ?? 0) !== b.size) return false;
  for (const [k, v] of b) if (a!.get(k) !== v) return false;
  return true;
}

function isSuperCall(e: Expr): boolean {
  return e.k === 'call' && e.callee.k === 'name' && e.callee.name === 'super';
}

function isConstantCollection(e: Expr): boolean {
  if (e.k === 'container') return e.elements.every((x) => x.k === 'const');
  if (e.k === 'name') return /^_*[A-Z][A-Z0-9_]*$/.test(e.name);
  if (e.k === 'attr') return /^_*[A-Z][A-Z0-9_]*$/.test(e.attr);
  return false;
}

function isExitCall(e: Expr): boolean {
  if (e.k !== 'call') return false;
  return !!e.qname && EXITING_CALLS.has(e.qname);
}

/** The join of two environments; `a` itself when `b` holds nothing else (callers copy before changing it). */
function joinEnv(a: Env, b: Env): Env {
  let out: Env | undefined;
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === v) continue;
    out ??= new Map(a);
    out.set(k, join(old, v));
  }
  return out ?? a;
}

function replaceEnv(target: Env, source: Env): void {
  if (target === source) return;
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}
