import type { CalleeRef, ClassFacts, ConcurrencyFacts, FunctionFacts, Span } from './facts.js';

/**
 * The whole program's concurrency facts, linked: functions and classes by id, calls resolved
 * to functions, and the functions that run concurrently (entry points) with the functions they
 * reach. Names written as a file's imports spell them (`neutron.agent.l3.dvr_fip_ns.X`) are
 * matched against ids made from paths relative to the scan root (`agent.l3.dvr_fip_ns.X`) by
 * their longest known suffix.
 */

export interface Fn extends FunctionFacts {
  path: string;
}
export interface Cls extends ClassFacts {
  path: string;
}

/** Why a function runs concurrently. */
export interface EntryPoint {
  fn: string;
  /** `explicit`: handed to a thread/pool/timer/event loop, an RPC endpoint, a request handler or a thread's run; `lock-owner`: a public method of a class that owns a lock. */
  kind: 'explicit' | 'lock-owner';
  /** For reports: `spawned by GreenPool.spawn_n`, `RPC endpoint method`, `public method of a class that owns a lock`. */
  why: string;
  /** Where the evidence is (the spawn call, the endpoint list), when it is not the function itself. */
  site?: { path: string; span: Span; code: string };
  /** Several copies may run at once (a pool, RPC dispatch, request handling, a lock owner's callers); else one thread runs it. */
  many: boolean;
  /** For a one-copy spawn: the function making the call (it runs many copies if that function does). */
  spawnedIn?: string;
}

/** How a function is reached from an entry point. */
export interface Reach {
  entry: EntryPoint;
  /** The caller this function was first reached from, and the call's line and column. */
  from?: { fn: string; path: string; line: number; column: number };
  /** Reached only through calls resolved by method name alone. */
  weak: boolean;
  depth: number;
}

export interface Edge {
  to: string;
  locks: string[];
  line: number;
  column: number;
  weak: boolean;
}

export interface ProgramOptions {
  /** Decorators that make a function a request handler (`*.route`, `flask.Flask.route`). */
  handlerDecorators?: readonly string[];
  /** Base classes whose listed methods run in their own thread (`threading.Thread` → `run`). */
  threadClasses?: readonly { name: string; methods: readonly string[] }[];
}

/** The method or function name a call names: `m` of `x.m()`, `f` of `pkg.mod.f()`. */
function calledName(ref: CalleeRef): string {
  if (ref.k === 'name') return ref.name.slice(ref.name.lastIndexOf('.') + 1);
  return ref.method;
}

/** A module body that touches no shared state, calls nothing, checks nothing and blocks nowhere. */
function isInertModuleBody(f: FunctionFacts): boolean {
  return f.name === '<module>' && !f.cls && f.locks.length === 0 && f.decorators.length === 0 && f.accesses.length === 0 && f.calls.length === 0 && f.checks.length === 0 && !f.blocks?.length;
}

function isInert(file: ConcurrencyFacts): boolean {
  return file.classes.length === 0 && file.spawns.length === 0 && file.endpoints.length === 0 && file.globals.length === 0 && !file.greenThreads && file.functions.every(isInertModuleBody);
}

const MAX_RESULT_DEPTH = 3;
/** Method names too common to resolve by name alone. */
const COMMON_METHODS = new Set(['get', 'set', 'run', 'start', 'stop', 'update', 'delete', 'create', 'add', 'remove', 'close', 'open', 'read', 'write', 'send', 'process', 'execute', 'call', 'handle', 'wait', 'clear', 'reset', 'init', 'setup', 'load', 'save', 'append', 'pop', 'items', 'keys', 'values', 'copy', 'format', 'join', 'split', 'strip', 'lower', 'upper', 'encode', 'decode', 'info', 'debug', 'warning', 'error', 'exception']);

export class ConcurrencyProgram {
  readonly functions = new Map<string, Fn>();
  readonly classes = new Map<string, Cls>();
  private readonly methodsOf = new Map<string, Map<string, string>>();
  private readonly subclasses = new Map<string, string[]>();
  private readonly methodsByName = new Map<string, string[]>();
  private readonly suffixIndex = new Map<string, string | null>();
  private readonly baseIds = new Map<string, string[]>();
  readonly edges = new Map<string, Edge[]>();
  readonly callers = new Map<string, { from: string; edge: Edge }[]>();
  readonly entries: EntryPoint[] = [];
  readonly reach = new Map<string, Reach>();
  /** Functions reached from an entry point that runs many copies at once. */
  readonly manyReach = new Set<string>();
  /** Up to two distinct entry points reaching each function (two means two threads may run it). */
  readonly entriesOf = new Map<string, EntryPoint[]>();

  /** The files with something to say (a scan of many files that only assign constants keeps none of them). */
  readonly files: readonly ConcurrencyFacts[];

  constructor(
    files: readonly ConcurrencyFacts[],
    private readonly options: ProgramOptions = {},
  ) {
    // The program outlives the scan (its report carries it for the LLM second opinion), so inert
    // module bodies are dropped: they take part in no race, lock set or call.
    this.files = files.filter((file) => !isInert(file));
    for (const file of this.files) {
      // The facts are this run's own copies (decoded from a worker or the cache): tagged in place.
      for (const f of file.functions) if (!isInertModuleBody(f)) this.functions.set(f.id, Object.assign(f, { path: file.path }));
      for (const c of file.classes) this.classes.set(c.id, Object.assign(c, { path: file.path }));
    }
    for (const id of [...this.functions.keys(), ...this.classes.keys()]) {
      // Every suffix of two parts or more, but the whole id (slices of it: no strings joined anew).
      for (let dot = id.indexOf('.'), next = id.indexOf('.', dot + 1); dot >= 0 && next >= 0; dot = next, next = id.indexOf('.', dot + 1)) {
        const suffix = id.slice(dot + 1);
        const known = this.suffixIndex.get(suffix);
        // Ambiguous suffixes resolve to nothing.
        this.suffixIndex.set(suffix, known === undefined ? id : known === id ? id : null);
      }
    }
    for (const f of this.functions.values()) {
      if (!f.cls) continue;
      if (f.closure) continue;
      let m = this.methodsOf.get(f.cls);
      if (!m) this.methodsOf.set(f.cls, (m = new Map()));
      m.set(f.name, f.id);
      const list = this.methodsByName.get(f.name);
      if (list) list.push(f.id);
      else this.methodsByName.set(f.name, [f.id]);
    }
    for (const c of this.classes.values()) {
      const bases = c.bases.map((b) => this.lookup(b, c.id)).filter((b): b is string => !!b && this.classes.has(b));
      this.baseIds.set(c.id, bases);
      for (const b of bases) {
        const list = this.subclasses.get(b);
        if (list) list.push(c.id);
        else this.subclasses.set(b, [c.id]);
      }
    }
    this.link();
    this.findEntries();
    this.propagateReach();
    this.propagateMultiplicity();
  }

  /** A qualified name to a known function or class id. */
  lookup(name: string, near?: string): string | undefined {
    if (this.functions.has(name) || this.classes.has(name)) return name;
    // A base class named by a bare name in the same module.
    if (near && !name.includes('.')) {
      const local = `${near.slice(0, near.lastIndexOf('.'))}.${name}`;
      if (this.classes.has(local)) return local;
    }
    if (this.lookups.has(name)) return this.lookups.get(name);
    const found = this.lookupUncached(name);
    this.lookups.set(name, found);
    return found;
  }

  private readonly lookups = new Map<string, string | undefined>();
  private readonly ancestorLists = new Map<string, string[]>();

  private lookupUncached(name: string, near?: string): string | undefined {
    // A base class named by a bare name in the same module.
    if (near) {
      const module = near.split('.').slice(0, -1).join('.');
      const local = `${module}.${name}`;
      if (this.classes.has(local)) return local;
    }
    const parts = name.split('.');
    for (let i = 1; i < parts.length - 1; i++) {
      const hit = this.suffixIndex.get(parts.slice(i).join('.'));
      if (hit) return hit;
      if (hit === null) return undefined;
    }
    return undefined;
  }

  /** Class `cls` and its known ancestors, nearest first. */
  ancestors(cls: string): string[] {
    const known = this.ancestorLists.get(cls);
    if (known) return known;
    const out = walk([cls], (c) => this.baseIds.get(c));
    this.ancestorLists.set(cls, out);
    return out;
  }

  /** Every base class name (resolved or not) of `cls` and its ancestors. */
  allBaseNames(cls: string): string[] {
    const out: string[] = [];
    for (const c of this.ancestors(cls)) out.push(...(this.classes.get(c)?.bases ?? []));
    return out;
  }

  descendants(cls: string): string[] {
    return walk(this.subclasses.get(cls) ?? [], (c) => this.subclasses.get(c));
  }

  /** Method `name` as seen from class `cls`: its own or an ancestor's; else the overrides in subclasses. */
  method(cls: string, name: string): string[] {
    for (const c of this.ancestors(cls)) {
      const m = this.methodsOf.get(c)?.get(name);
      if (m) return [m];
    }
    const below: string[] = [];
    for (const c of this.descendants(cls)) {
      const m = this.methodsOf.get(c)?.get(name);
      if (m) below.push(m);
    }
    return below;
  }

  /** The class a reference denotes, or whose instance it returns. */
  private classOf(ref: CalleeRef, near: string, depth: number): string | undefined {
    if (depth > MAX_RESULT_DEPTH) return undefined;
    if (ref.k === 'name') {
      const id = this.lookup(ref.name, near);
      if (!id) return undefined;
      if (this.classes.has(id)) return id;
      const fn = this.functions.get(id);
      return fn?.returns ? this.classOf(fn.returns, fn.id, depth + 1) : undefined;
    }
    const targets = this.resolve(ref, near, depth + 1).targets;
    for (const t of targets) {
      const fn = this.functions.get(t);
      if (fn?.returns) {
        const c = this.classOf(fn.returns, fn.id, depth + 1);
        if (c) return c;
      }
    }
    return undefined;
  }

  /** The functions a call may run; `weak` when resolved by method name alone. */
  resolve(ref: CalleeRef, near: string, depth = 0): { targets: string[]; weak: boolean } {
    switch (ref.k) {
      case 'name': {
        const id = this.lookup(ref.name, near);
        if (!id) return { targets: [], weak: false };
        if (this.functions.has(id)) return { targets: [id], weak: false };
        // Calling a class runs its constructor, which is not shared-state code.
        return { targets: [], weak: false };
      }
      case 'self':
        return { targets: this.method(ref.cls, ref.method), weak: false };
      case 'field': {
        for (const c of this.ancestors(ref.cls)) {
          const type = this.classes.get(c)?.fieldTypes[ref.field];
          if (!type) continue;
          const cls = this.classOf(type, c, depth + 1);
          if (cls) return { targets: this.method(cls, ref.method), weak: false };
        }
        return this.byName(ref.method);
      }
      case 'result': {
        const cls = this.classOf(ref.of, near, depth + 1);
        if (cls) return { targets: this.method(cls, ref.method), weak: false };
        return this.byName(ref.method);
      }
      case 'any':
        return this.byName(ref.method);
    }
  }

  private byName(method: string): { targets: string[]; weak: boolean } {
    if (method.startsWith('__') || COMMON_METHODS.has(method)) return { targets: [], weak: true };
    const list = this.methodsByName.get(method);
    return { targets: list && list.length === 1 ? list : [], weak: true };
  }

  private link(): void {
    for (const f of this.functions.values()) {
      const out: Edge[] = [];
      for (const call of f.calls) {
        const { targets, weak } = this.resolve(call.callee, f.id);
        for (const to of targets) {
          if (to === f.id) continue;
          const edge: Edge = { to, locks: call.locks, line: call.line, column: call.column, weak };
          out.push(edge);
          const list = this.callers.get(to);
          if (list) list.push({ from: f.id, edge });
          else this.callers.set(to, [{ from: f.id, edge }]);
        }
      }
      if (out.length > 0) this.edges.set(f.id, out);
    }
  }

  private findEntries(): void {
    const seen = new Set<string>();
    const add = (e: EntryPoint): void => {
      if (seen.has(e.fn)) return;
      seen.add(e.fn);
      this.entries.push(e);
    };
    for (const file of this.files) {
      for (const s of file.spawns) {
        const near = `${file.module}.x`;
        for (const t of this.resolve(s.target, near).targets) {
          add({ fn: t, kind: 'explicit', why: `handed to \`${s.via}\``, site: { path: file.path, span: s.span, code: s.code }, many: s.many, spawnedIn: s.in });
        }
      }
      for (const ep of file.endpoints) {
        const cls = this.classOf(ep.cls, `${file.module}.x`, 0);
        if (!cls) continue;
        for (const m of this.rpcMethods(cls)) add({ fn: m, kind: 'explicit', why: `an RPC endpoint method (listed in \`${ep.via}\`)`, site: { path: file.path, span: ep.span, code: ep.code }, many: true });
      }
    }
    const handlerPatterns = this.options.handlerDecorators ?? [];
    for (const f of this.functions.values()) {
      if (f.decorators.some((d) => !MOCK_DECORATOR.test(d) && handlerPatterns.some((p) => decoratorMatches(p, d)))) add({ fn: f.id, kind: 'explicit', why: 'a request handler (requests are served concurrently)', many: true });
    }
    const threadClasses = this.options.threadClasses ?? [];
    for (const c of this.classes.values()) {
      if (c.concurrentBecause) for (const m of this.rpcMethods(c.id)) add({ fn: m, kind: 'explicit', why: `a method of an ${c.concurrentBecause}`, many: true });
      const bases = this.allBaseNames(c.id);
      for (const tc of threadClasses) {
        if (!bases.includes(tc.name)) continue;
        for (const name of tc.methods) for (const m of this.method(c.id, name)) add({ fn: m, kind: 'explicit', why: `\`${name}\` of a \`${tc.name}\` subclass (it runs in its own thread)`, many: false });
      }
    }
    for (const c of this.classes.values()) {
      if (!this.ownsLock(c.id)) continue;
      for (const m of this.publicMethods(c.id)) add({ fn: m, kind: 'lock-owner', why: `a public method of \`${c.name}\`, which owns a lock (so its callers are expected to call it concurrently)`, many: true });
    }
  }

  /**
   * A lock owner's public method that no call in the program names (by qualified name or by method
   * name, on any receiver), of a class whose bases are all in the program (no framework base that
   * could call it): that it runs concurrently rests on the lock alone, and only code outside the
   * scan (tests, other packages) calls it, if anything does.
   */
  uncalledLockOwnerMethod(e: EntryPoint): boolean {
    if (e.kind !== 'lock-owner') return false;
    const fn = this.functions.get(e.fn);
    if (!fn?.cls) return false;
    if (!this.calledNames) {
      this.calledNames = new Set();
      for (const f of this.functions.values()) for (const c of f.calls) this.calledNames.add(calledName(c.callee));
    }
    if (this.calledNames.has(fn.name)) return false;
    return this.ancestors(fn.cls).every((c) => (this.classes.get(c)?.bases ?? []).every((b) => b === 'object' || b === 'builtins.object' || this.lookup(b, c) !== undefined));
  }

  private calledNames: Set<string> | undefined;

  /** Whether a class keeps a lock in a field or holds one in a method: evidence of concurrent use. */
  ownsLock(cls: string): boolean {
    for (const c of this.ancestors(cls)) {
      const facts = this.classes.get(c);
      if (facts && facts.lockFields.length > 0) return true;
      for (const m of this.methodsOf.get(c)?.values() ?? []) if ((this.functions.get(m)?.locks.length ?? 0) > 0) return true;
    }
    return false;
  }

  /** Public methods that take the request context first, as oslo.messaging calls endpoint methods. */
  rpcMethods(cls: string): string[] {
    return this.publicMethods(cls).filter((m) => CONTEXT_PARAMS.has(this.functions.get(m)?.firstParam ?? ''));
  }

  /** Whether two functions (the same one twice) can run at the same time: many copies of either, or two different entry points. */
  concurrent(a: string, b: string): boolean {
    if (this.manyReach.has(a) || this.manyReach.has(b)) return true;
    const entries = new Set([...(this.entriesOf.get(a) ?? []), ...(this.entriesOf.get(b) ?? [])]);
    return entries.size >= 2;
  }

  /** Many copies per entry point, reached functions per entry point (at most two kept). */
  private propagateMultiplicity(): void {
    // A one-thread spawn made by code that itself runs many copies at once runs many copies.
    for (let round = 0; round < 3; round++) {
      this.manyReach.clear();
      const queue = this.entries.filter((e) => e.many).map((e) => e.fn);
      for (const q of queue) this.manyReach.add(q);
      for (let i = 0; i < queue.length; i++) {
        for (const edge of this.edges.get(queue[i]!) ?? []) {
          if (this.manyReach.has(edge.to)) continue;
          this.manyReach.add(edge.to);
          queue.push(edge.to);
        }
      }
      let changed = false;
      for (const e of this.entries) {
        if (!e.many && e.spawnedIn && this.manyReach.has(e.spawnedIn)) {
          e.many = true;
          changed = true;
        }
      }
      if (!changed) break;
    }
    const queue: string[] = [];
    for (const e of this.entries) {
      const list = this.entriesOf.get(e.fn) ?? [];
      if (list.length < 2 && !list.includes(e)) list.push(e);
      this.entriesOf.set(e.fn, list);
      queue.push(e.fn);
    }
    for (let i = 0; i < queue.length; i++) {
      const from = this.entriesOf.get(queue[i]!)!;
      for (const edge of this.edges.get(queue[i]!) ?? []) {
        let list = this.entriesOf.get(edge.to);
        if (!list) this.entriesOf.set(edge.to, (list = []));
        let grew = false;
        for (const e of from) {
          if (list.length >= 2 || list.includes(e)) continue;
          list.push(e);
          grew = true;
        }
        if (grew) queue.push(edge.to);
      }
    }
  }

  publicMethods(cls: string): string[] {
    const out: string[] = [];
    const names = new Set<string>();
    for (const c of this.ancestors(cls)) {
      for (const [name, id] of this.methodsOf.get(c) ?? []) {
        if (names.has(name)) continue;
        names.add(name);
        if (!name.startsWith('_')) out.push(id);
      }
    }
    return out;
  }

  /** Breadth first from every entry point: strong calls first, then calls resolved by name alone. */
  private propagateReach(): void {
    const queue: string[] = [];
    const seed = (kind: EntryPoint['kind']): void => {
      for (const e of this.entries) {
        if (e.kind !== kind || this.reach.has(e.fn)) continue;
        this.reach.set(e.fn, { entry: e, weak: false, depth: 0 });
        queue.push(e.fn);
      }
    };
    const run = (allowWeak: boolean): void => {
      for (let i = 0; i < queue.length; i++) {
        const id = queue[i]!;
        const here = this.reach.get(id)!;
        const fn = this.functions.get(id)!;
        for (const edge of this.edges.get(id) ?? []) {
          if (edge.weak && !allowWeak) continue;
          if (this.reach.has(edge.to)) continue;
          this.reach.set(edge.to, { entry: here.entry, from: { fn: id, path: fn.path, line: edge.line, column: edge.column }, weak: here.weak || edge.weak, depth: here.depth + 1 });
          queue.push(edge.to);
        }
      }
      queue.length = 0;
    };
    // Explicit entry points first, so a function they reach is reported with them.
    seed('explicit');
    run(false);
    seed('lock-owner');
    run(false);
    queue.push(...this.reach.keys());
    run(true);
  }
}

/** `mock.patch` and friends decorate tests, not request handlers (`*.patch` is Flask's PATCH route). */
const MOCK_DECORATOR = /^(unittest\.)?mock\.|^mock$|(^|\.)patch\.object$/;
/** The first parameter of an oslo.messaging endpoint method: the request context. */
const CONTEXT_PARAMS = new Set(['context', 'ctxt', 'ctx', '_context', 'rpc_context']);

/** `*.route` matches any decorator ending in `.route`; otherwise names are compared whole. */
function decoratorMatches(pattern: string, decorator: string): boolean {
  if (pattern.startsWith('*.')) return decorator.endsWith(pattern.slice(1));
  return pattern === decorator;
}

/** Classes reached from `start` through `next`, breadth first, each once (hierarchies may loop). */
function walk(start: readonly string[], next: (cls: string) => readonly string[] | undefined): string[] {
  const out: string[] = [];
  const queue = [...start];
  const seen = new Set<string>();
  for (let i = 0; i < queue.length; i++) {
    const c = queue[i]!;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(c);
    queue.push(...(next(c) ?? []));
  }
  return out;
}
