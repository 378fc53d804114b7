import type { Node } from '../../parse/tree-sitter.js';
import type { PythonModule } from './module.js';
import { absoluteImport, moduleNameForPath } from './module-names.js';
import type { Access, CallSite, CalleeRef, CheckThenAct, ClassFacts, ConcurrencyFacts, EndpointSite, FunctionFacts, SpawnSite, Span } from '../../analysis/concurrency/facts.js';
import { AMBIGUOUS_MUTATORS, COMMON_METHODS, MUTATORS, NO_LOCKS, STATEMENT_TYPES, argAt, assignsClock, assignsConstant, assignsEmpty, rebinds, toleratesStale, awaitBetween, constantPrefix, exits, firstParameter, inLoop, isStatement, usesName, worthLinking } from './concurrency-syntax.js';
import { modelIndex, type ConcurrencyModel, type ModelArgEntry, type ModelIndex } from '../../analysis/concurrency/model.js';

/**
 * The walk of the concurrency facts extraction (the check-then-act part is in concurrency-facts.ts).
 * The Python front end of the concurrency analysis: per function, the reads and writes of
 * shared state (fields of `self` and `cls`, module globals that functions mutate) with the locks
 * held at each, the calls made (and the locks held around them), checks of shared state
 * followed by acts on it, and the places that hand a function to a thread, pool, timer or event
 * loop. Locals, objects created in the function, `__init__` and objects that synchronise
 * themselves (queues, events, `threading.local`) are not shared state.
 */

/** Methods run before the object is shared, or while nothing else can hold it. */
const CONSTRUCTION = new Set(['__init__', '__new__', '__del__', '__init_subclass__', '__set_name__', 'setUp', 'tearDown', 'setUpClass', 'tearDownClass', '__enter__', '__exit__', '__repr__', '__str__']);
const LOCKISH = /(^|_)(r?lock|mutex|sem|semaphore)s?$|lock$/i;
/** Per-function cap on accesses kept per resource, kind and lock set (the first is what reports show). */
const MAX_DEPTH = 200;

export interface ClassCtx {
  id: string;
  facts: ClassFacts;
  /** Method names defined in the class body. */
  methods: Set<string>;
  /** Methods that are context managers holding a lock around their `yield`: name → lock id. */
  cmLocks: Map<string, string>;
  /** Fields assigned a container (a dict, list or set literal or constructor). */
  containers: Set<string>;
}

export interface FnCtx {
  facts: FunctionFacts;
  cls?: ClassCtx;
  /** Name of `self` (the first parameter of a method), or of `cls` in a classmethod. */
  selfName?: string;
  /** Locals assigned a lock: name → lock id. */
  localLocks: Map<string, string>;
  /** Locals assigned a call result: name → what was called. */
  localValues: Map<string, CalleeRef>;
  /** `global X` declarations. */
  globalsDeclared: Set<string>;
  /** Locals holding a check of shared state (`first = not self.s`). */
  flags: Map<string, { reads: string[]; calls: CalleeRef[]; span: Span; code: string; locks: string[]; statement: Node }>;
  /** Dedup of accesses: resource|kind|locks. */
  seen: Set<string>;
  /** Whether accesses count (not in construction methods). */
  record: boolean;
  /** Functions defined in this function's body: name → id. */
  localDefs: Map<string, string>;
  /** Every write, in walk order, with its offset (checks are paired with them after the walk). */
  writes: { resource: string; at: number; end: number; span: Span; code: string; locks: string[]; constant: boolean; rebind: boolean; empty: boolean; clock: boolean; tolerant: boolean }[];
  /** Checks waiting for the writes of their scope. */
  pending: PendingCheck[];
}

export interface PendingCheck {
  /** Source offsets [start, end) where an act may be. */
  ranges: [number, number][];
  reads: string[];
  calls: CalleeRef[];
  check: CheckThenAct['check'];
  shape: 'if' | 'flag';
  from: Node;
  /** A flag check: the variable, and the statements after it (it must be used after the act). */
  flag?: { name: string; rest: readonly Node[] };
}


export abstract class ExtractorBase {
  readonly moduleName: string;
  protected readonly isPackage: boolean;
  protected readonly functions: FunctionFacts[] = [];
  protected readonly classes: ClassFacts[] = [];
  protected readonly spawns: SpawnSite[] = [];
  protected readonly endpoints: EndpointSite[] = [];
  /** Module-level names bound by def/class. */
  protected readonly moduleDefs = new Set<string>();
  /** Module-level names assigned a mutable container or mutated/rebound from functions. */
  protected readonly globalCandidates = new Set<string>();
  protected readonly moduleLocks = new Map<string, string>();
  protected readonly moduleSafe = new Set<string>();
  protected readonly usedGlobals = new Set<string>();
  protected readonly qnameCache = new Map<number, string | undefined>();
  protected greenThreads: { line: number; code: string } | undefined;

  protected readonly model: ModelIndex;

  constructor(
    protected readonly module: PythonModule,
    model: ConcurrencyModel,
  ) {
    this.model = modelIndex(model);
    this.moduleName = moduleNameForPath(module.path);
    this.isPackage = /(^|\/)__init__\.pyi?$/.test(module.path);
  }

  run(): ConcurrencyFacts {
    const root = this.module.root;
    for (const s of root.namedChildren) this.scanModuleStatement(s);
    const top: FunctionFacts = this.newFunction(`${this.moduleName}.<module>`, '<module>', root, undefined, false);
    const ctx = this.newCtx(top, undefined, undefined, false);
    for (const s of root.namedChildren) this.statement(s, ctx, [], 0);
    this.resolveChecks(ctx);
    return {
      path: this.module.path,
      module: this.moduleName,
      functions: this.functions,
      classes: this.classes,
      spawns: this.spawns,
      endpoints: this.endpoints,
      globals: [...this.usedGlobals].sort(),
      ...(this.greenThreads ? { greenThreads: this.greenThreads } : {}),
    };
  }

  // ---- module level -----------------------------------------------------------------------

  protected scanModuleStatement(s: Node): void {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def && (def.type === 'function_definition' || def.type === 'class_definition')) {
      const name = def.childForFieldName('name')?.text;
      if (name) this.moduleDefs.add(name);
      return;
    }
    if (s.type !== 'expression_statement') return;
    const a = s.namedChildren[0];
    if (a?.type !== 'assignment') return;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) return;
    const kind = this.valueKind(right);
    if (kind === 'lock') this.moduleLocks.set(left.text, `${this.moduleName}#${left.text}`);
    else if (kind === 'safe') this.moduleSafe.add(left.text);
    else if (kind === 'container') this.globalCandidates.add(left.text);
  }

  /** What a value is: a lock, a self-synchronising object, a mutable container, or something else. */
  protected valueKind(value: Node): 'lock' | 'safe' | 'container' | 'other' {
    const v = this.module.unwrap(value);
    if (v.type === 'dictionary' || v.type === 'list' || v.type === 'set' || v.type === 'dictionary_comprehension' || v.type === 'list_comprehension' || v.type === 'set_comprehension') return 'container';
    if (v.type !== 'call') return 'other';
    const call = this.module.call(v);
    const q = this.qname(call.callee);
    const receiver = call.receiver ? this.module.dottedName(call.receiver) : undefined;
    if (this.model.locks(q, call.method, receiver) !== undefined) return 'lock';
    if (this.model.namedLocks(q, call.method, receiver) !== undefined) return 'lock';
    if (this.model.safeTypes(q, call.method, receiver) !== undefined) return 'safe';
    if (q === 'dict' || q === 'list' || q === 'set' || q === 'collections.defaultdict' || q === 'collections.OrderedDict' || q === 'collections.Counter' || q === 'weakref.WeakValueDictionary' || q === 'weakref.WeakKeyDictionary') return 'container';
    return 'other';
  }

  /** Qualified name of a dotted expression: through imports, or a definition of this module. */
  protected qname(node: Node): string | undefined {
    if (this.qnameCache.has(node.id)) return this.qnameCache.get(node.id);
    let q = this.module.resolve(node);
    if (q !== undefined) {
      q = absoluteImport(q, this.moduleName, this.isPackage);
    } else {
      const dotted = this.module.dottedName(node);
      const head = dotted?.split('.')[0];
      if (dotted && head && this.moduleDefs.has(head)) q = `${this.moduleName}.${dotted}`;
    }
    this.qnameCache.set(node.id, q);
    return q;
  }

  protected span(node: Node): Span {
    const statement = this.module.statementOf(node);
    return {
      line: node.startPosition.row + 1, column: node.startPosition.column + 1, endLine: node.endPosition.row + 1, endColumn: node.endPosition.column + 1,
      statementLine: statement.startPosition.row + 1,
    };
  }

  /** The source line a node starts on, verbatim (the snippet of a finding there). */
  protected code(node: Node): string {
    return this.module.line(node.startPosition.row + 1);
  }

  // ---- classes and functions --------------------------------------------------------------

  protected newFunction(id: string, name: string, node: Node, cls: string | undefined, isAsync: boolean): FunctionFacts {
    const f: FunctionFacts = { id, name, span: this.span(node), async: isAsync, locks: [], decorators: [], accesses: [], calls: [], checks: [] };
    if (cls) f.cls = cls;
    this.functions.push(f);
    return f;
  }

  protected newCtx(facts: FunctionFacts, cls: ClassCtx | undefined, selfName: string | undefined, record: boolean): FnCtx {
    return { facts, cls, selfName, localLocks: new Map(), localValues: new Map(), globalsDeclared: new Set(), flags: new Map(), seen: new Set(), record, localDefs: new Map(), writes: [], pending: [] };
  }

  protected classDefinition(node: Node, decorators: Node[], outer: FnCtx, prefix: string): void {
    const name = node.childForFieldName('name')?.text;
    const body = node.childForFieldName('body');
    if (!name || !body) return;
    const id = `${prefix}.${name}`;
    const bases: string[] = [];
    for (const b of node.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (b.type === 'keyword_argument') continue;
      const q = this.qname(b) ?? this.module.dottedName(b);
      if (q) bases.push(q);
    }
    void decorators;
    const facts: ClassFacts = { id, name, bases, span: this.span(node), lockFields: [], safeFields: [], fieldTypes: {} };
    this.classes.push(facts);
    const cls: ClassCtx = { id, facts, methods: new Set(), cmLocks: new Map(), containers: new Set() };
    const members: { def: Node; decorators: Node[] }[] = [];
    for (const s of body.namedChildren) {
      const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
      if (def?.type === 'function_definition') {
        members.push({ def, decorators: s.type === 'decorated_definition' ? s.namedChildren.filter((c) => c.type === 'decorator') : [] });
        const n = def.childForFieldName('name')?.text;
        if (n) cls.methods.add(n);
      } else if (s.type === 'expression_statement') this.classAttribute(s, cls);
    }
    // Field kinds first (a method may use a lock assigned in a later one).
    for (const { def } of members) this.scanFieldKinds(def, cls);
    for (const { def, decorators: decs } of members) this.contextManagerLock(def, decs, cls);
    for (const { def, decorators: decs } of members) this.functionDefinition(def, decs, cls, id);
    // Nested classes and functions elsewhere in the body are rare; class-level statements are not walked.
    void outer;
  }

  protected classAttribute(s: Node, cls: ClassCtx): void {
    const a = s.namedChildren[0];
    if (a?.type !== 'assignment') return;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) return;
    const v = this.module.unwrap(right);
    if (v.type === 'call') {
      const call = this.module.call(v);
      const q = this.qname(call.callee);
      if (left.text === 'target' && this.model.endpointMarkers(q, call.method, undefined) !== undefined) {
        cls.facts.concurrentBecause = `RPC endpoint (\`target = ${v.text.split('\n')[0]!.slice(0, 60)}\`)`;
      }
    }
    const kind = this.valueKind(right);
    if (kind === 'lock') cls.facts.lockFields.push(left.text);
    else if (kind === 'safe') cls.facts.safeFields.push(left.text);
  }

  /** `self.f = threading.Lock()` anywhere in the class: `f` is a lock; `self.f = Queue()`: needs none. */
  protected scanFieldKinds(def: Node, cls: ClassCtx): void {
    const selfName = firstParameter(def);
    if (!selfName) return;
    for (const a of def.descendantsOfType('assignment')) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'attribute' || !right) continue;
      const obj = left.childForFieldName('object');
      const field = left.childForFieldName('attribute')?.text;
      if (obj?.type !== 'identifier' || obj.text !== selfName || !field) continue;
      const kind = this.valueKind(right);
      if (kind === 'container') cls.containers.add(field);
      if (kind === 'lock' && !cls.facts.lockFields.includes(field)) cls.facts.lockFields.push(field);
      else if (kind === 'safe' && !cls.facts.safeFields.includes(field)) cls.facts.safeFields.push(field);
      else {
        const v = this.module.unwrap(right);
        if (v.type === 'call' && !(field in cls.facts.fieldTypes)) {
          const q = this.qname(this.module.call(v).callee);
          if (q && /^[A-Z]/.test(q.split('.').pop()!)) cls.facts.fieldTypes[field] = { k: 'name', name: q };
        }
      }
    }
  }

  /** `@contextlib.contextmanager def _port_lock(self, name): with lockutils.lock(...): yield` */
  protected contextManagerLock(def: Node, decorators: Node[], cls: ClassCtx): void {
    if (!decorators.some((d) => /contextmanager$/.test(d.namedChildren[0]?.text ?? ''))) return;
    const name = def.childForFieldName('name')?.text;
    if (!name) return;
    const selfName = firstParameter(def);
    const probe = this.newCtx({ id: '', name: '', span: this.span(def), async: false, locks: [], decorators: [], accesses: [], calls: [], checks: [] }, cls, selfName, false);
    for (const w of def.descendantsOfType('with_statement')) {
      if (!w.descendantsOfType('yield').length) continue;
      for (const item of w.descendantsOfType('with_item')) {
        const value = item.childForFieldName('value');
        const lock = value && this.lockOf(value, probe);
        if (lock) {
          cls.cmLocks.set(name, lock);
          return;
        }
      }
    }
  }

  protected functionDefinition(def: Node, decorators: Node[], cls: ClassCtx | undefined, prefix: string, closureSelf?: string): void {
    const name = def.childForFieldName('name')?.text;
    const body = def.childForFieldName('body');
    if (!name || !body) return;
    const isAsync = def.children.some((c) => c.type === 'async');
    const facts = this.newFunction(`${prefix}.${name}`, name, def, cls?.id, isAsync);
    const decoratorNames = decorators.map((d) => d.namedChildren[0]).filter((d): d is Node => !!d);
    const isStatic = decoratorNames.some((d) => d.text === 'staticmethod');
    const selfName = closureSelf ?? (cls && !isStatic ? firstParameter(def) : undefined);
    const ctx = this.newCtx(facts, cls, selfName, !(cls && CONSTRUCTION.has(name) && !closureSelf));
    if (closureSelf) facts.closure = true;
    const params = def.childForFieldName('parameters')?.namedChildren ?? [];
    const second = params[selfName && !closureSelf ? 1 : 0];
    const secondName = second?.type === 'identifier' ? second.text : second?.namedChildren.find((c) => c.type === 'identifier')?.text;
    if (secondName) facts.firstParam = secondName;
    for (const d of decoratorNames) {
      const callee = d.type === 'call' ? d.childForFieldName('function') : d;
      if (!callee) continue;
      const q = this.qname(callee) ?? this.module.dottedName(callee);
      if (q) facts.decorators.push(q);
      const lock = this.decoratorLock(d, ctx);
      if (lock) facts.locks.push(lock);
    }
    this.block(body, ctx, facts.locks.slice(), 0);
    this.resolveChecks(ctx);
  }

  /** A lock decorator's lock: named by its argument (`@lockutils.synchronized('x')`). */
  protected decoratorLock(d: Node, ctx: FnCtx): string | undefined {
    const callee = d.type === 'call' ? d.childForFieldName('function')! : d;
    const q = this.qname(callee);
    const method = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.type === 'identifier' ? callee.text : undefined;
    const receiver = callee.type === 'attribute' ? this.module.dottedName(callee.childForFieldName('object')!) : undefined;
    const entry = this.model.lockDecorators(q, callee.type === 'attribute' ? method : undefined, receiver) ?? (callee.type === 'identifier' ? this.model.lockDecorators(undefined, method, undefined) : undefined);
    if (!entry) return undefined;
    if (!entry.args || d.type !== 'call') return `decorator:${q ?? callee.text}`;
    const arg = argAt(this.module, d, entry.args);
    return arg ? this.lockName(arg, ctx) : `decorator:${q ?? callee.text}`;
  }

  /** A lock named by an expression: a constant is one lock; a name built at run time is one lock per constant prefix. */
  protected lockName(arg: Node, _ctx: FnCtx): string {
    const constant = this.module.constantValue(arg);
    if (typeof constant === 'string') return `name:${constant}`;
    const prefix = constantPrefix(this.module, arg);
    return `name:${prefix}*`;
  }

  /** The lock a `with` item or an `acquire()` receiver denotes, if it is one. */
  protected lockOf(expr: Node, ctx: FnCtx): string | undefined {
    const v = this.module.unwrap(expr);
    if (v.type === 'identifier') {
      const local = ctx.localLocks.get(v.text);
      if (local) return local;
      const global = this.moduleLocks.get(v.text);
      if (global) return global;
      if (LOCKISH.test(v.text)) return this.moduleDefs.has(v.text) ? undefined : `${this.moduleName}#${v.text}`;
      return undefined;
    }
    if (v.type === 'attribute') {
      const obj = v.childForFieldName('object');
      const field = v.childForFieldName('attribute')?.text;
      if (!obj || !field) return undefined;
      if (obj.type === 'identifier' && ctx.cls && obj.text === ctx.selfName) {
        if (ctx.cls.facts.lockFields.includes(field) || LOCKISH.test(field)) return `${ctx.cls.id}#${field}`;
        return undefined;
      }
      const q = this.qname(v);
      if (q && LOCKISH.test(field)) return `${q.replace(/\.([^.]+)$/, '#$1')}`;
      const dotted = this.module.dottedName(v);
      if (dotted && LOCKISH.test(field)) return `${this.moduleName}:${dotted}`;
      return undefined;
    }
    if (v.type === 'call') {
      const call = this.module.call(v);
      const q = this.qname(call.callee);
      const receiver = call.receiver ? this.module.dottedName(call.receiver) : undefined;
      const named = this.model.namedLocks(q, call.method, receiver);
      if (named) {
        const arg = argAt(this.module, v, named.args);
        return arg ? this.lockName(arg, ctx) : `call:${q ?? call.method}`;
      }
      // `with self._port_lock(name):` where the method holds a lock around its `yield`.
      if (call.method && call.receiver?.type === 'identifier' && call.receiver.text === ctx.selfName && ctx.cls) {
        const cm = ctx.cls.cmLocks.get(call.method);
        if (cm) return cm;
      }
      // `with lock.acquire_lock():`-style helpers, `with self._lock_for(x):`
      if (call.method && LOCKISH.test(call.method)) return `call:${ctx.cls?.id ?? this.moduleName}.${call.method}`;
      if (this.model.locks(q, call.method, receiver) !== undefined) return undefined; // `with threading.Lock():` guards nothing
    }
    return undefined;
  }

  // ---- statements ---------------------------------------------------------------------------

  protected block(block: Node, ctx: FnCtx, locks: string[], depth: number): void {
    const held = locks.slice();
    const statements = block.namedChildren;
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i]!;
      this.statement(s, ctx, held, depth, statements, i);
    }
  }

  protected statement(s: Node, ctx: FnCtx, held: string[], depth: number, siblings?: readonly Node[], index?: number): void {
    if (depth > MAX_DEPTH) return;
    switch (s.type) {
      case 'class_definition':
        return this.classDefinition(s, [], ctx, this.prefixOf(ctx));
      case 'function_definition':
        return this.nested(s, [], ctx);
      case 'decorated_definition': {
        const def = s.childForFieldName('definition');
        const decs = s.namedChildren.filter((c) => c.type === 'decorator');
        if (def?.type === 'class_definition') return this.classDefinition(def, decs, ctx, this.prefixOf(ctx));
        if (def?.type === 'function_definition') return this.nested(def, decs, ctx);
        return;
      }
      case 'global_statement':
        for (const n of s.namedChildren) if (n.type === 'identifier') ctx.globalsDeclared.add(n.text);
        return;
      case 'with_statement': {
        const inner = held.slice();
        for (const item of s.descendantsOfType('with_item')) {
          if (item.parent?.parent !== s && item.parent !== s) continue;
          const value = item.childForFieldName('value');
          if (!value) continue;
          const lock = this.lockOf(value.type === 'as_pattern' ? value.namedChildren[0] ?? value : value, ctx);
          if (lock) inner.push(lock);
          else this.expression(value, ctx, held, depth + 1);
        }
        const body = s.childForFieldName('body');
        if (body) this.block(body, ctx, inner, depth + 1);
        return;
      }
      case 'if_statement':
        return this.ifStatement(s, ctx, held, depth, siblings, index);
      case 'expression_statement': {
        const e = s.namedChildren[0];
        if (!e) return;
        if (e.type === 'call' && this.acquireRelease(e, ctx, held)) return;
        if (e.type === 'assignment' || e.type === 'augmented_assignment') return this.assignment(e, s, ctx, held, depth, siblings, index);
        return this.expression(e, ctx, held, depth + 1);
      }
      case 'return_statement': {
        for (const c of s.namedChildren) this.expression(c, ctx, held, depth + 1);
        this.returnType(s, ctx);
        return;
      }
      case 'delete_statement':
        for (const t of s.namedChildren) this.target(t, ctx, held, depth + 1);
        return;
      case 'try_statement': {
        this.compound(s, ctx, held, depth);
        // `lock.acquire()` then `try: … finally: lock.release()`: not held after the try.
        const fin = s.namedChildren.find((c) => c.type === 'finally_clause');
        for (const call of fin?.descendantsOfType('call') ?? []) {
          const fn = call.childForFieldName('function');
          if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'release') continue;
          const lock = this.lockOf(fn.childForFieldName('object')!, ctx);
          const at = lock ? held.lastIndexOf(lock) : -1;
          if (at >= 0) held.splice(at, 1);
        }
        return;
      }
      default:
        break;
    }
    this.compound(s, ctx, held, depth);
  }

  /** Compound statements: walk their expressions and blocks. */
  protected compound(s: Node, ctx: FnCtx, held: string[], depth: number): void {
    for (const c of s.namedChildren) {
      if (c.type === 'block') this.block(c, ctx, held, depth + 1);
      else if (c.type === 'else_clause' || c.type === 'except_clause' || c.type === 'finally_clause' || c.type === 'elif_clause' || c.type === 'case_clause' || c.type === 'except_group_clause') this.statement(c, ctx, held, depth + 1);
      else if (c.type === 'comment') continue;
      else if (isStatement(c)) this.statement(c, ctx, held, depth + 1);
      else this.expression(c, ctx, held, depth + 1);
    }
  }

  /** A function defined in a function body (a closure: it keeps the method's `self`), or at module level. */
  protected nested(def: Node, decorators: Node[], ctx: FnCtx): void {
    if (ctx.facts.name === '<module>') return this.functionDefinition(def, decorators, undefined, this.moduleName);
    const name = def.childForFieldName('name')?.text;
    if (name) ctx.localDefs.set(name, `${ctx.facts.id}.${name}`);
    this.functionDefinition(def, decorators, ctx.cls, ctx.facts.id, ctx.selfName);
  }

  protected prefixOf(ctx: FnCtx): string {
    return ctx.facts.name === '<module>' ? this.moduleName : ctx.facts.id;
  }

  /** `lock.acquire()` holds the lock for the statements after it, `lock.release()` ends that. */
  protected acquireRelease(call: Node, ctx: FnCtx, held: string[]): boolean {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return false;
    const method = fn.childForFieldName('attribute')?.text;
    if (method !== 'acquire' && method !== 'release') return false;
    const lock = this.lockOf(fn.childForFieldName('object')!, ctx);
    if (!lock) return false;
    if (method === 'acquire') held.push(lock);
    else {
      const at = held.lastIndexOf(lock);
      if (at >= 0) held.splice(at, 1);
    }
    return true;
  }

  protected ifStatement(s: Node, ctx: FnCtx, held: string[], depth: number, siblings?: readonly Node[], index?: number): void {
    const condition = s.childForFieldName('condition');
    const consequence = s.childForFieldName('consequence');
    let inner = held;
    if (condition) {
      const c = this.module.unwrap(condition);
      // `if lock.acquire(blocking=False):` holds the lock in the body.
      if (c.type === 'call' && c.childForFieldName('function')?.type === 'attribute' && c.childForFieldName('function')!.childForFieldName('attribute')?.text === 'acquire') {
        const lock = this.lockOf(c.childForFieldName('function')!.childForFieldName('object')!, ctx);
        if (lock) inner = [...held, lock];
      }
      this.expression(condition, ctx, held, depth + 1);
      if (ctx.record) this.checkIf(s, condition, consequence, ctx, held, siblings, index);
    }
    if (consequence) this.block(consequence, ctx, inner, depth + 1);
    for (const alt of s.childrenForFieldName('alternative')) this.statement(alt, ctx, held, depth + 1);
  }

  protected assignment(a: Node, statement: Node, ctx: FnCtx, held: string[], depth: number, siblings?: readonly Node[], index?: number): void {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (right) {
      // `x = a = b` chains: the right side may itself be an assignment.
      if (right.type === 'assignment') this.assignment(right, statement, ctx, held, depth + 1);
      else this.expression(right, ctx, held, depth + 1);
    }
    if (left) {
      if (a.type === 'augmented_assignment') this.expression(left, ctx, held, depth + 1);
      this.target(left, ctx, held, depth + 1);
    }
    if (left?.type === 'identifier' && right) {
      const v = this.module.unwrap(right);
      const kind = this.valueKind(v);
      if (kind === 'lock') ctx.localLocks.set(left.text, this.lockOf(v, ctx) ?? `${ctx.facts.id}:${left.text}`);
      ctx.localValues.delete(left.text);
      ctx.flags.delete(left.text);
      if (v.type === 'call') {
        const ref = this.calleeRef(v, ctx);
        if (ref) ctx.localValues.set(left.text, ref);
      }
      if (ctx.record && a.type === 'assignment') this.checkFlag(left.text, v, statement, ctx, held, siblings, index);
    }
  }

  /** An assignment target: writes of `self.f`, `self.f[k]`, `X` (global), `X[k]`. */
  protected target(t: Node, ctx: FnCtx, held: string[], depth: number): void {
    const n = this.module.unwrap(t);
    if (n.type === 'pattern_list' || n.type === 'tuple_pattern' || n.type === 'list_pattern' || n.type === 'tuple' || n.type === 'list') {
      for (const c of n.namedChildren) this.target(c, ctx, held, depth + 1);
      return;
    }
    if (n.type === 'list_splat_pattern') {
      for (const c of n.namedChildren) this.target(c, ctx, held, depth + 1);
      return;
    }
    if (n.type === 'identifier') {
      if (ctx.globalsDeclared.has(n.text)) this.access(this.globalResource(n.text, true), 'write', n, ctx, held);
      return;
    }
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const res = this.resourceOf(n, ctx);
      if (res) return this.access(res, 'write', n, ctx, held);
      if (obj) this.expression(obj, ctx, held, depth + 1);
      return;
    }
    if (n.type === 'subscript') {
      const value = n.childForFieldName('value');
      const res = value && this.resourceOf(value, ctx);
      if (res) this.access(res, 'write', n, ctx, held);
      else if (value) this.expression(value, ctx, held, depth + 1);
      for (const sub of n.childrenForFieldName('subscript')) this.expression(sub, ctx, held, depth + 1);
      return;
    }
    this.expression(n, ctx, held, depth + 1);
  }

  /** The shared resource an expression names: `self.f`, `cls.f`, a module global; else undefined. */
  protected resourceOf(e: Node, ctx: FnCtx): string | undefined {
    const n = this.module.unwrap(e);
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const field = n.childForFieldName('attribute')?.text;
      if (obj?.type === 'identifier' && field && ctx.cls && obj.text === ctx.selfName) {
        if (ctx.cls.facts.lockFields.includes(field) || ctx.cls.facts.safeFields.includes(field)) return undefined;
        return `${ctx.cls.id}#${field}`;
      }
      return undefined;
    }
    if (n.type === 'identifier') return this.globalResource(n.text, ctx.globalsDeclared.has(n.text));
    return undefined;
  }

  protected globalResource(name: string, declared: boolean): string | undefined {
    if (this.moduleSafe.has(name) || this.moduleLocks.has(name)) return undefined;
    if (!declared && !this.globalCandidates.has(name)) return undefined;
    this.usedGlobals.add(name);
    return `${this.moduleName}#${name}`;
  }

  protected access(resource: string | undefined, kind: 'read' | 'write', node: Node, ctx: FnCtx, held: readonly string[]): void {
    if (!resource || !ctx.record) return;
    const locks = [...new Set(held)].sort();
    if (kind === 'write') ctx.writes.push({ resource, at: node.startIndex, end: this.module.statementOf(node).endIndex, span: this.span(node), code: this.code(node), locks, constant: assignsConstant(node), rebind: rebinds(node), empty: assignsEmpty(node), clock: assignsClock(node), tolerant: toleratesStale(this.module, node) });
    const key = `${resource}|${kind}|${locks.join(',')}`;
    if (ctx.seen.has(key)) return;
    ctx.seen.add(key);
    const access: Access = { resource, kind, span: this.span(node), code: this.code(node), locks };
    ctx.facts.accesses.push(access);
  }

  // ---- expressions ----------------------------------------------------------------------------

  protected expression(e: Node, ctx: FnCtx, held: string[], depth: number): void {
    if (depth > MAX_DEPTH) return;
    switch (e.type) {
      case 'call':
        return this.callExpression(e, ctx, held, depth);
      case 'attribute': {
        const res = this.resourceOf(e, ctx);
        if (res) return this.access(res, 'read', e, ctx, held);
        const obj = e.childForFieldName('object');
        if (obj) this.expression(obj, ctx, held, depth + 1);
        return;
      }
      case 'identifier': {
        const res = this.globalCandidates.has(e.text) || ctx.globalsDeclared.has(e.text) ? this.resourceOf(e, ctx) : undefined;
        if (res) this.access(res, 'read', e, ctx, held);
        return;
      }
      case 'lambda':
      case 'string':
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return;
      default:
        for (const c of e.namedChildren) this.expression(c, ctx, held, depth + 1);
    }
  }

  protected callExpression(e: Node, ctx: FnCtx, held: string[], depth: number): void {
    const fn = e.childForFieldName('function');
    const args = e.childForFieldName('arguments');
    if (fn?.type === 'attribute') {
      const obj = fn.childForFieldName('object')!;
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const res = this.resourceOf(obj, ctx);
      if (res) this.access(res, MUTATORS.has(method) && this.mutates(obj, method, ctx) ? 'write' : 'read', fn, ctx, held);
      else if (!(obj.type === 'identifier' && obj.text === ctx.selfName)) this.expression(obj, ctx, held, depth + 1);
      else if (ctx.cls && !ctx.cls.methods.has(method)) {
        // `self.callback()` where `callback` is a field holding a function: a read of the field.
        const r = this.resourceOf(fn, ctx);
        if (r && !/^[A-Z_]+$/.test(method)) this.access(r, 'read', fn, ctx, held);
      }
    } else if (fn) this.expression(fn, ctx, held, depth + 1);
    if (args) for (const a of args.namedChildren) this.expression(a.type === 'keyword_argument' ? a.childForFieldName('value') ?? a : a, ctx, held, depth + 1);
    const ref = this.calleeRef(e, ctx);
    if (ref && worthLinking(ref)) {
      const site: CallSite = { callee: ref, line: e.startPosition.row + 1, column: e.startPosition.column + 1, locks: held.length ? [...new Set(held)].sort() : NO_LOCKS };
      ctx.facts.calls.push(site);
    }
    this.spawnSite(e, ctx);
  }

  /**
   * Whether `x.m()` changes the container `x`: always for container-only methods (`append`,
   * `add`); for names other objects use too (`update`, `pop`, `remove`, `clear`), only when `x`
   * is a field known to hold a container, never when it holds an instance of a class.
   */
  protected mutates(obj: Node, method: string, ctx: FnCtx): boolean {
    const o = this.module.unwrap(obj);
    const field = o.type === 'attribute' ? o.childForFieldName('attribute')?.text : undefined;
    if (field && ctx.cls && field in ctx.cls.facts.fieldTypes) return false;
    if (!AMBIGUOUS_MUTATORS.has(method)) return true;
    if (field && ctx.cls) return ctx.cls.containers.has(field);
    return o.type === 'identifier' && this.globalCandidates.has(o.text);
  }

  /** What a call calls, as far as this file can tell. */
  protected calleeRef(e: Node, ctx: FnCtx): CalleeRef | undefined {
    const fn = e.childForFieldName('function');
    if (!fn) return undefined;
    return this.callableRef(fn, ctx);
  }

  /** A reference to a callable expression: `self.m`, `f`, `mod.f`, `self.f.m`, `x.m` (x a local). */
  protected callableRef(fn: Node, ctx: FnCtx): CalleeRef | undefined {
    const n = this.module.unwrap(fn);
    if (n.type === 'identifier') {
      const local = ctx.localDefs.get(n.text);
      if (local) return { k: 'name', name: local };
      const q = this.qname(n);
      return q ? { k: 'name', name: q } : undefined;
    }
    if (n.type !== 'attribute') return undefined;
    const obj = this.module.unwrap(n.childForFieldName('object')!);
    const method = n.childForFieldName('attribute')?.text;
    if (!method) return undefined;
    if (obj.type === 'identifier' && ctx.cls && obj.text === ctx.selfName) return { k: 'self', cls: ctx.cls.id, method };
    if (obj.type === 'attribute' && ctx.cls) {
      const o = obj.childForFieldName('object');
      const field = obj.childForFieldName('attribute')?.text;
      if (o?.type === 'identifier' && o.text === ctx.selfName && field) return { k: 'field', cls: ctx.cls.id, field, method };
    }
    if (obj.type === 'identifier') {
      const local = ctx.localValues.get(obj.text);
      if (local) return { k: 'result', of: local, method };
    }
    const q = this.qname(n);
    if (q) return { k: 'name', name: q };
    return { k: 'any', method };
  }

  protected returnType(s: Node, ctx: FnCtx): void {
    const v = s.namedChildren[0];
    if (!v) return;
    const n = this.module.unwrap(v);
    let ref: CalleeRef | undefined;
    if (n.type === 'call') ref = this.calleeRef(n, ctx);
    else if (n.type === 'identifier') ref = ctx.localValues.get(n.text);
    if (ref && !ctx.facts.returns) ctx.facts.returns = ref;
  }

  // ---- concurrency entry points -----------------------------------------------------------------

  protected spawnSite(e: Node, ctx: FnCtx): void {
    const call = this.module.call(e);
    const q = this.qname(call.callee);
    const receiver = call.receiver ? this.module.dottedName(call.receiver) : undefined;
    if (!this.greenThreads && this.model.greenThreads(q, undefined, undefined)) this.greenThreads = { line: e.startPosition.row + 1, code: this.code(e).trim() };
    const spawner = this.model.spawners(q, call.method, receiver);
    if (spawner) {
      for (const target of this.targetsOf(e, spawner, ctx)) {
        const many = spawner.copies === 'many' || inLoop(e);
        this.spawns.push({ target, via: spawner.name ?? `${receiver ?? '…'}.${spawner.method}`, span: this.span(e), code: this.code(e), many, in: ctx.facts.id });
      }
      return;
    }
    const list = this.model.endpointLists(q, call.method, receiver);
    if (list) {
      const arg = argAt(this.module, e, list.args);
      if (!arg) return;
      const items = arg.type === 'list' || arg.type === 'tuple' ? arg.namedChildren : [arg];
      for (const item of items) {
        const it = this.module.unwrap(item);
        let cls: CalleeRef | undefined;
        if (it.type === 'identifier' && it.text === ctx.selfName && ctx.cls) cls = { k: 'name', name: ctx.cls.id };
        else if (it.type === 'call') cls = this.calleeRef(it, ctx);
        if (cls) this.endpoints.push({ cls, via: list.name ?? `${receiver ?? '…'}.${list.method}`, span: this.span(e), code: this.code(e) });
      }
    }
  }

  /** The callables a spawner runs: `f`, `self.m`, `functools.partial(f, …)`, `lambda: self.m()`, a coroutine call. */
  protected targetsOf(e: Node, spawner: ModelArgEntry, ctx: FnCtx): CalleeRef[] {
    const out: CalleeRef[] = [];
    const seen = new Set<Node>();
    for (const ref of spawner.args) {
      const arg = argAt(this.module, e, [ref]);
      if (!arg || seen.has(arg)) continue;
      seen.add(arg);
      const t = this.callableTarget(arg, ctx);
      if (t) out.push(t);
    }
    return out;
  }

  protected callableTarget(arg: Node, ctx: FnCtx): CalleeRef | undefined {
    const a = this.module.unwrap(arg);
    if (a.type === 'lambda') {
      const body = a.childForFieldName('body');
      return body && this.module.unwrap(body).type === 'call' ? this.calleeRef(this.module.unwrap(body), ctx) : undefined;
    }
    if (a.type === 'call') {
      const call = this.module.call(a);
      const q = this.qname(call.callee);
      if (q === 'functools.partial' && call.positional[0]) return this.callableTarget(call.positional[0], ctx);
      // asyncio.create_task(self.handle(x)): the coroutine function runs.
      return this.calleeRef(a, ctx);
    }
    return this.callableRef(a, ctx);
  }

  protected abstract checkIf(s: Node, condition: Node, consequence: Node | null, ctx: FnCtx, held: string[], siblings?: readonly Node[], index?: number): void;
  protected abstract checkFlag(name: string, value: Node, statement: Node, ctx: FnCtx, held: string[], siblings?: readonly Node[], index?: number): void;
  protected abstract resolveChecks(ctx: FnCtx): void;
}
