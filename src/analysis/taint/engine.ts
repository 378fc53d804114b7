import { blocksOf, type ClassIR, type FunctionIR, type ModuleIR, type Stmt } from './ir.js';
import type { ModelSet, ResponseModel, SinkModel, SourceModel } from './models.js';
import type { RenderSinks } from './response-sinks.js';
import { Program } from './program.js';
import { adopt, type Deferred } from './shapes.js';
import type { PackedMemo } from './memo-codec.js';
import { fieldsFingerprint, typesFingerprint, type MemoFile } from './replay.js';
import { CLEAN, allLabels, join, labelKey, makeLabel, mergeLabels, type Label, type Value } from './values.js';
import { EMPTY_SUMMARY, sameApplied, sameEntries, type Summary, type TaintHit } from './summary.js';
import type { AnalysisLog, Cell, FunctionState, GlobalVar } from './engine-state.js';
import { ModelIndex } from './model-index.js';
import { ParameterSources } from './parameter-sources.js';
import { ReplayHooks } from './replay-hooks.js';
import { FunctionAnalysis } from './interpreter/statements.js';
import { taintSemanticsFor, type TaintSemantics } from './language.js';
import type { Env } from './interpreter/env.js';

/**
 * Abstract interpretation of each function over a taint lattice (sets of labels, joined by
 * union), flow-sensitive within a function, with constant folding that prunes dead
 * branches. Functions are summarised (parameters → return, sinks, `self` fields) and the
 * summaries iterate to a fixpoint over the call graph, so flows cross functions and files.
 * See docs/taint-engine.md for the design and its trade-offs.
 *
 * This file is the fixpoint: the worklist over functions, the cells analyses read (summaries,
 * module variables, class fields and field types) and the program queries they ask. The
 * interpreter is interpreter/, the models' index model-index.ts and parameter-sources.ts,
 * recording and replaying replay-hooks.ts.
 */

export type { Summary, TaintHit } from './summary.js';

const MAX_ANALYSES_PER_FUNCTION = 8;

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
  readonly models: ModelIndex;
  /** @internal (replay-hooks.ts) */
  readonly parameterSources: ParameterSources;
  /** Recording and replaying (see replay-hooks.ts). */
  private readonly memo = new ReplayHooks(this);
  analyses = 0;
  /** Dequeued functions whose inputs had not changed since their last analysis (its result stands). */
  reused = 0;
  /** @internal (replay-hooks.ts) */
  tick = 0;
  private readonly functionStates = new Map<FunctionIR, FunctionState>();
  /** The function being analysed (nested and inlined functions count as part of it). */
  private current: FunctionState | undefined;
  private readonly topCells = new Map<ModuleIR, Cell>();
  private readonly classCells = new Map<ClassIR, { fields: Cell; types: Cell }>();
  /** Cells read by the analysis running (nested and inlined functions included). */
  private reads: Set<Cell> | undefined;
  private wroteGlobal = false;
  /** Analyses applied from the memo's records rather than computed. */
  replayed = 0;
  /** The analysis running's log, when recording. */
  log: AnalysisLog | undefined;
  /** Request handlers whose return value is the response (response-sinks.ts). */
  readonly responses: readonly ResponseModel[];

  constructor(
    readonly program: Program,
    models: ModelSet,
    /** @internal (replay-hooks.ts) */
    readonly options: EngineOptions = {},
  ) {
    this.models = new ModelIndex(models, taintSemanticsFor(models.language));
    this.parameterSources = new ParameterSources(models.sources, models.sinks, program, this.classOfMethod, (fn) => this.hasReceiver(fn));
    this.responses = models.responses;
    for (const m of program.modules) {
      for (const cls of m.classes) for (const fn of cls.methods.values()) this.classOfMethod.set(fn, cls);
      const deferred = options.deferred?.get(m);
      if (deferred) for (const [fn, owner] of deferred.nestedOwners) this.nestedOwner.set(fn, owner);
      else for (const fn of m.functions) this.recordNested(fn);
    }
    if (options.record || options.memo) this.memo.indexKeys();
  }

  /** Whether a sink's `within` holds in `fn`: a method of a class deriving from one of its classes. */
  sinkWithin(fn: FunctionIR, sink: SinkModel): boolean {
    const cls = this.classOfMethod.get(fn);
    if (!cls || fn.isStatic) return false;
    // Recorded as the parameter sources' answer is (withinAnswer covers both).
    if (this.log) this.memo.noteSources(cls);
    return this.parameterSources.within(cls, sink);
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
      let changed = this.options.memo ? this.memo.replay(state) : undefined;
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
    const memo = this.options.record ? () => this.memo.memoFile() : undefined;
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

  /** @internal (replay-hooks.ts) */
  functionState(fn: FunctionIR): FunctionState {
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

  /** @internal (replay-hooks.ts) */
  classCell(cls: ClassIR): { fields: Cell; types: Cell } {
    let cells = this.classCells.get(cls);
    if (!cells) {
      cells = { fields: { version: 0, id: -1 }, types: { version: 0, id: -1 } };
      this.classCells.set(cls, cells);
    }
    return cells;
  }

  /** @internal (replay-hooks.ts) */
  topCell(module: ModuleIR): Cell {
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
      if (this.log) this.memo.logRead(cell, 'F', cls, fieldsFingerprint(fields));
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
    const log: AnalysisLog | undefined = this.options.record ? this.memo.startLog() : undefined;
    this.log = log;
    const a = new FunctionAnalysis(this, fn, module, 0);
    const env: Env = new Map();
    const handler = this.isRequestHandler(fn, module);
    const numeric = handler ? a.lang.inertRouteParams(fn) : undefined;
    fn.params.forEach((p, i) => {
      if (numeric?.has(p.name)) env.set(p.name, CLEAN);
      else if (handler && !(i === 0 && this.hasReceiver(fn))) {
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
      const vars = fn === module.top && !this.wroteGlobal ? this.memo.envRecord(env, log.globals) : undefined;
      if (fn !== module.top || vars) this.memo.record(fn, log, summary, a.sourceHits, vars);
    }
    return this.finish(state, summary, a.sourceHits, readList);
  }

  /** An analysis's result (computed or replayed) becomes the function's; returns whether its summary changed. @internal (replay-hooks.ts) */
  finish(state: FunctionState, summary: Summary, hits: TaintHit[], reads: readonly Cell[] | undefined): boolean {
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

  /** A module's variables after its top level ran; those whose value changed are dirty. @internal (replay-hooks.ts) */
  setModuleVariables(module: ModuleIR, env: Env): void {
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
      if (this.log) this.memo.noteGlobalRead(v, module, name, value);
    }
    return value;
  }

  /** @internal (replay-hooks.ts) */
  globalValue(module: ModuleIR, name: string): Value | undefined {
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

  /** @internal (replay-hooks.ts) */
  globalVar(module: ModuleIR, name: string): GlobalVar {
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
    if (this.log) this.memo.noteImport(q, v);
    return v ? this.readGlobal(v.module, v.name) : undefined;
  }

  /** @internal (replay-hooks.ts) */
  importedVar(q: string): { module: ModuleIR; name: string } | null {
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
    if (this.log) this.memo.noteLevel(module, name, found);
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
    if (label.origin !== 'param' || label.param !== 0 || !label.field || !this.hasReceiver(fn)) return false;
    const cls = this.classOfMethod.get(fn)!;
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

  /** The library type a class's methods store in `self.<field>`, when they agree. */
  fieldType(cls: ClassIR, field: string): string | undefined {
    for (const c of this.ancestors(cls)) {
      const cell = this.classCell(c).types;
      const types = this.typesOfClass(c);
      if (this.reads && !this.reads.has(cell)) {
        this.reads.add(cell);
        if (this.log) this.memo.logRead(cell, 'T', c, typesFingerprint(types));
      }
      const t = types.get(field);
      if (t) return t;
    }
    return undefined;
  }

  /** Per field, the type the first of the class's own methods (in order) stores in it. @internal (replay-hooks.ts) */
  typesOfClass(cls: ClassIR): Map<string, string> {
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

  /** The summary of `fn` as the analysis running applies it (which makes that function a caller). */
  summaryOf(fn: FunctionIR): Summary {
    const state = this.functionState(fn);
    const summary = state.summary ?? EMPTY_SUMMARY;
    if (!this.reads!.has(state.summaryCell)) {
      state.callers.add(this.current!);
      this.reads!.add(state.summaryCell);
      if (this.log) this.memo.noteSummaryRead(state, summary);
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
    const list = this.parameterSources.parameterSourcesFor(fn, on);
    // Besides the function's own code, the answer depends on which `within` classes its class
    // derives from (for a method with a parameter of a source's name).
    const cls = this.log && this.parameterSources.mayHaveParameterSources(fn) ? this.classOfMethod.get(fn) : undefined;
    if (cls) this.memo.noteSources(cls);
    return list;
  }

  /** `Program.lookup`, `method` and `ancestors` as analyses ask them (noted as facts when recording). */
  lookup(qname: string, module: ModuleIR): FunctionIR | ClassIR | undefined {
    const found = this.program.lookup(qname, module);
    if (this.log) this.memo.noteLookup(module, qname, found);
    return found;
  }

  method(cls: ClassIR, name: string): FunctionIR | undefined {
    const found = this.program.method(cls, name);
    if (this.log) this.memo.noteMethod(cls, name, found);
    return found;
  }

  /** `super().name` in a method of `cls`: the first definition of `name` in the classes above it. */
  superMethod(cls: ClassIR, name: string): FunctionIR | undefined {
    const found = this.superMethodOf(cls, name);
    if (this.log) this.memo.noteSuper(cls, name, found);
    return found;
  }

  /** @internal (replay-hooks.ts) */
  superMethodOf(cls: ClassIR, name: string): FunctionIR | undefined {
    return this.classSemantics(cls).superMethod(this.program.ancestors(cls), name);
  }

  // ---- the languages' semantics (language.ts) ------------------------------------------------

  /** The semantics a module's code is interpreted with: its language's. */
  semanticsOf(module: ModuleIR): TaintSemantics {
    return taintSemanticsFor(module.language);
  }

  /** The semantics of the language a class is written in. */
  classSemantics(cls: ClassIR): TaintSemantics {
    return this.semanticsOf(this.program.moduleOfClass(cls)!);
  }

  /** Whether `fn` is a method with a receiver parameter (parameter 0, `self`), by its language's rules. */
  hasReceiver(fn: FunctionIR): boolean {
    let answer = this.receivers.get(fn);
    if (answer === undefined) {
      const cls = this.classOfMethod.get(fn);
      answer = cls !== undefined && this.classSemantics(cls).hasReceiver(fn, true);
      this.receivers.set(fn, answer);
    }
    return answer;
  }

  private readonly receivers = new Map<FunctionIR, boolean>();

  /** Whether `fn` (of `module`) handles requests, by the handler models and its language's rules. */
  isRequestHandler(fn: FunctionIR, module: ModuleIR): boolean {
    return this.semanticsOf(module).isRequestHandler(fn, module, this.models.handlers);
  }

  ancestors(cls: ClassIR): ClassIR[] {
    const list = this.program.ancestors(cls);
    if (this.log) this.memo.noteAncestors(cls, list);
    return list;
  }
}

/** What a value says, for change detection: its taint and constant. */
function valueKey(v: Value): string {
  return `${allLabels(v).map(labelKey).sort().join(',')}=${String(v.const)}`;
}
