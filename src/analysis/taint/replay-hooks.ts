import type { ClassIR, FunctionIR, ModuleIR } from './ir.js';
import { shapeOf } from './shapes.js';
import { MemoPacker, type PackedMemo } from './memo-codec.js';
import {
  Interner, ValuePrints, decodeEnv, definedNames, digest, encodeEnv, factsAt, fieldsFingerprint, lastPart, moduleFingerprint,
  knownSummaryFingerprint, recordsByFunction, reindex, rememberSummaryPrint, shapeFingerprint, sharingOf, signatureText, summaryFingerprint, typesFingerprint, MEMO_FORMAT, RECORD,
  type AnyRecord, type EnvRecord, type MemoFile,
} from './replay.js';
import type { TaintEngine } from './engine.js';
import type { AnalysisLog, Cell, FunctionState, GlobalVar, MemoCell } from './engine-state.js';
import { EMPTY_SUMMARY, type Summary, type TaintHit } from './summary.js';
import type { Value } from './values.js';

/**
 * The engine's hooks for incremental runs (see replay.ts for the records and docs/taint-engine.md
 * for the design): while recording, the facts each analysis relied on and the cells it read with
 * their fingerprints, and its result; while replaying, whether a previous run's record of a
 * function still holds, applied in place of the analysis when it does; at the end, this run's
 * records packed for the cache.
 */
export class ReplayHooks {
  constructor(private readonly engine: TaintEngine) {}

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
  private readonly superFacts = new Map<ClassIR, Map<string, number>>();

  // ---- facts and reads, noted as analyses ask and read (when recording) ----------------------

  /** Bumps the stamp facts are logged once per; returns a fresh log for the analysis starting. */
  startLog(): AnalysisLog {
    this.logStamp++;
    return { cells: [], prints: [], facts: [], globals: [] };
  }

  noteImport(q: string, v: { module: ModuleIR; name: string } | null): void {
    let id = this.importFacts.get(q);
    if (id === undefined) {
      id = this.facts.id(`I|${q}\u0001${v ? `${v.module.path}\0${v.name}` : ''}`);
      this.factTopics[id] ??= '';
      this.importFacts.set(q, id);
    }
    this.noteFact(id);
  }

  noteLevel(module: ModuleIR, name: string, found: FunctionIR | ClassIR | null | undefined): void {
    this.noteFact(this.cachedFact(this.levelFacts, module, name) ?? this.factOf(this.levelFacts, module, name, lastPart(module.imports.get(name) ?? name), () => `V${this.moduleIndex.get(module)}|${name}\u0001${this.answerOf(found ?? undefined)}`));
  }

  noteSources(cls: ClassIR): void {
    this.noteFact(this.cachedFact(this.sourceFacts, cls, '') ?? this.factOf(this.sourceFacts, cls, '', this.classKey(cls), () => `P${this.classKey(cls)}\u0001${this.engine.parameterSources.withinAnswer(cls)}`));
  }

  noteLookup(module: ModuleIR, qname: string, found: FunctionIR | ClassIR | undefined): void {
    this.noteFact(this.cachedFact(this.lookupFacts, module, qname) ?? this.factOf(this.lookupFacts, module, qname, lastPart(qname), () => `L${this.moduleIndex.get(module)}|${qname}\u0001${this.answerOf(found)}`));
  }

  noteMethod(cls: ClassIR, name: string, found: FunctionIR | undefined): void {
    this.noteFact(this.cachedFact(this.methodFacts, cls, name) ?? this.factOf(this.methodFacts, cls, name, this.classKey(cls), () => `m${this.classKey(cls)}|${name}\u0001${this.answerOf(found)}`));
  }

  noteSuper(cls: ClassIR, name: string, found: FunctionIR | undefined): void {
    this.noteFact(this.cachedFact(this.superFacts, cls, name) ?? this.factOf(this.superFacts, cls, name, this.classKey(cls), () => `s${this.classKey(cls)}|${name}\u0001${this.answerOf(found)}`));
  }

  noteAncestors(cls: ClassIR, list: readonly ClassIR[]): void {
    this.noteFact(this.cachedFact(this.ancestorFacts, cls, '') ?? this.factOf(this.ancestorFacts, cls, '', this.classKey(cls), () => `a${this.classKey(cls)}\u0001${this.ancestorsAnswer(list)}`));
  }

  /** A module variable read (first time in the analysis). */
  noteGlobalRead(v: GlobalVar, module: ModuleIR, name: string, value: Value | undefined): void {
    const log = this.engine.log!;
    if (v.id < 0) v.id = this.cellKeys.id(`G${this.moduleIndex.get(module)}|${name}`);
    log.cells.push(v.id);
    log.prints.push(this.values.of(value));
    log.globals.push(value);
  }

  /** A summary applied (first time in the analysis). */
  noteSummaryRead(state: FunctionState, summary: Summary): void {
    const log = this.engine.log!;
    const cell = state.summaryCell;
    if (cell.id < 0) cell.id = this.cellKeys.id(`S${this.functionKey(state.fn)}`);
    const print = summaryFingerprint(summary);
    log.cells.push(cell.id);
    log.prints.push(print);
    // Records keep the fingerprints of the summaries that were read (replaying reads those).
    this.packer?.notePrint(summary, print);
  }

  /** The record of an analysis just made (`vars`: a top level's variables, recorded too). */
  record(fn: FunctionIR, log: AnalysisLog, summary: Summary, hits: TaintHit[], vars: EnvRecord | undefined): void {
    // Packed now: superseded summaries need not stay in memory until the records are written.
    const packer = (this.packer ??= new MemoPacker());
    this.remember(fn, {
      cells: log.cells,
      prints: log.prints,
      facts: log.facts,
      sharing: sharingOf(log.globals, this.values),
      summary: packer.summary(summary),
      hits: packer.hitsIndex(hits),
      env: vars ? packer.env(vars) : -1,
    });
  }

  /**
   * Keys that name the same function or class in a later run: module, qualified name and, for
   * names defined more than once in a module, which definition.
   */
  indexKeys(): void {
    this.engine.program.modules.forEach((m, index) => {
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
  envRecord(env: ReadonlyMap<string, Value>, read: readonly (Value | undefined)[]): EnvRecord | undefined {
    const refs = new Map<Value, [number, number]>();
    read.forEach((v, k) => {
      if (v) this.values.partsOf(v).forEach((part, j) => refs.has(part) || refs.set(part, [k, j]));
    });
    return encodeEnv(env, (x) => {
      const key = 'methods' in x ? this.keyOfClass.get(x) : this.keyOfFunction.get(x);
      if (key === undefined) return undefined;
      const m = this.engine.program.modules[Number(key.slice(0, key.indexOf('|')))]!;
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
      answer = digest(`${fn.path}|${key ? key.slice(key.indexOf('|') + 1) : `lambda ${fn.qname}`}#${signatureText(fn, this.engine.classOfMethod.has(fn))}`);
      this.functionAnswers.set(fn, answer);
    }
    return answer;
  }

  private classAnswer(cls: ClassIR): string {
    let answer = this.classAnswers.get(cls);
    if (answer === undefined) {
      const key = this.keyOfClass.get(cls);
      const path = this.engine.program.moduleOfClass(cls)?.path ?? '';
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

  logRead(cell: Cell, kind: 'F' | 'T', cls: ClassIR, print: string): void {
    if (cell.id < 0) cell.id = this.cellKeys.id(`${kind}${this.classKey(cls)}`);
    this.engine.log!.cells.push(cell.id);
    this.engine.log!.prints.push(print);
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
    this.engine.log!.facts.push(id);
  }

  moduleFingerprintOf(m: ModuleIR): string {
    let print = this.moduleFingerprints.get(m);
    if (print === undefined) {
      print = this.engine.options.deferred?.get(m)?.fingerprint ?? moduleFingerprint(m);
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
    const byPath = new Map(this.engine.program.modules.map((m) => [m.path, m]));
    this.memoModules = memo.modules.map((path) => byPath.get(path));
    this.memoModuleSame = memo.modules.map((_, i) => {
      const m = this.memoModules[i];
      return m !== undefined && this.moduleFingerprintOf(m) === memo.fingerprints[i];
    });
    this.sameModules = memo.modules.length === this.engine.program.modules.length && this.memoModules.every((m, i) => m === this.engine.program.modules[i]);
    if (this.sameModules) {
      this.memoModules.forEach((m, i) => {
        // The same source has the same shape.
        if (this.memoModuleSame[i] || shapeFingerprint(m!, (f) => this.engine.classOfMethod.has(f)) === memo.shapes[i]) return;
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
  replay(state: FunctionState): boolean | undefined {
    const memo = this.engine.options.memo!;
    if (!this.memoRecords) this.openMemo(memo);
    const offsets = this.memoRecords!.get(this.functionKey(state.fn));
    if (!offsets) return undefined;
    const first = Math.min(state.count, offsets.length) - 1;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[(first + i) % offsets.length]!;
      const read = this.stillRead(memo, at);
      if (!read) continue;
      this.engine.analyses++;
      this.engine.replayed++;
      state.started = ++this.engine.tick;
      // What the analysis would have registered as it read: the summaries it applied, the variables it read.
      for (const callee of read.callees) callee.callers.add(state);
      for (const v of read.variables) v.readers.add(state);
      const top = state.fn === state.module.top;
      if (top) this.engine.setModuleVariables(state.module, read.env!);
      if (this.engine.options.record) this.remember(state.fn, at);
      return this.engine.finish(state, memo.summaries[memo.records[at + RECORD.summary]!]!, memo.hitLists[memo.records[at + RECORD.hits]!]!, top ? undefined : read.cells);
    }
    return undefined;
  }

  /** The cells a memo record read when all its facts hold and every value it read is unchanged. */
  stillRead(memo: MemoFile, at: number): { cells: Cell[]; callees: FunctionState[]; variables: GlobalVar[]; env?: Map<string, Value> } | undefined {
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
          const value = this.engine.globalValue(cell.module, cell.name);
          print = this.values.of(value);
          (globals ??= []).push(value);
          cells.push(cell.variable, this.engine.topCell(cell.module));
          variables.push(cell.variable);
          break;
        }
        case 'F':
          print = this.cellPrint(cell.cell, () => fieldsFingerprint(this.engine.classFields.get(cell.cls)));
          cells.push(cell.cell);
          break;
        case 'T':
          print = this.cellPrint(cell.cell, () => typesFingerprint(this.engine.typesOfClass(cell.cls)));
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
        return fn ? { kind: 'S', state: this.engine.functionState(fn) } : null;
      }
      case 'G': {
        const bar = rest.indexOf('|');
        const module = this.engine.program.modules[Number(rest.slice(0, bar))]!;
        const name = rest.slice(bar + 1);
        return { kind: 'G', module, name, variable: this.engine.globalVar(module, name) };
      }
      case 'F':
      case 'T': {
        const cls = this.classByKey.get(rest);
        if (!cls) return null;
        const cells = this.engine.classCell(cls);
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
      answer = this.engine.program.ancestors(cls).every(
        (c) => !this.changedShapes.has(this.engine.program.moduleOfClass(c)!) && this.engine.program.baseNames(c).every((b) => !this.changedNames.has(lastPart(b))),
      );
      this.chainsUnchanged.set(cls, answer);
    }
    return answer;
  }

  /** The answer this run's program gives to a memo question (undefined: it cannot be asked here). */
  private answerNow(question: string): string | undefined {
    if (question.startsWith('I|')) {
      const v = this.engine.importedVar(question.slice(2));
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
        const module = this.engine.program.modules[Number(rest.slice(0, bar))]!;
        const name = rest.slice(bar + 1);
        return this.answerOf(run[0] === 'L' ? this.engine.program.lookup(name, module) : this.engine.moduleLevel(module, name));
      }
      case 'm':
      case 's': {
        // A class key has three parts (module|qname|n); the method name follows.
        const bar = rest.indexOf('|', rest.indexOf('|', rest.indexOf('|') + 1) + 1);
        const cls = this.classByKey.get(rest.slice(0, bar));
        const name = rest.slice(bar + 1);
        if (!cls) return undefined;
        return this.answerOf(run[0] === 'm' ? this.engine.program.method(cls, name) : this.engine.superMethodOf(cls, name));
      }
      case 'a': {
        const cls = this.classByKey.get(rest);
        return cls ? this.ancestorsAnswer(this.engine.program.ancestors(cls)) : undefined;
      }
      case 'P': {
        const cls = this.classByKey.get(rest);
        return cls ? this.engine.parameterSources.withinAnswer(cls) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** What packs this run's records as they are made. */
  private packer: MemoPacker | undefined;

  /** This run's records (its own and those it replayed), as the cache keeps them. */
  memoFile(): PackedMemo {
    const memo = this.engine.options.memo;
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
      modules: this.engine.program.modules.map((m) => m.path),
      fingerprints: this.engine.program.modules.map((m) => this.moduleFingerprintOf(m)),
      shapes: this.engine.program.modules.map((m) => shapeFingerprint(m, (f) => this.engine.classOfMethod.has(f))),
      names: this.engine.program.modules.map((m) => definedNames(m).join(',')),
      moduleShapes: this.engine.program.modules.map((m) => shapeOf(m, (f) => this.engine.nestedOwner.get(f))),
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
