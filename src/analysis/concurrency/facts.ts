/**
 * What a front end extracts from one file for the concurrency analysis: plain data (it crosses
 * threads and is cached with the file's outcome), no syntax nodes, no language specifics.
 *
 * Names are program-wide ids: a function is `module.func` or `module.Class.method`, a class is
 * `module.Class`, a shared resource is `<owner>#<field>` where the owner is a class id (fields
 * of `self`, class attributes) or a module name (module globals). Locks are ids too:
 * `<class>#<field>` for a lock object kept in a field, `name:<text>` for a lock identified by
 * name (`lockutils.lock('x')`), `name:<prefix>*` for a lock whose name is built at run time
 * (treated as one lock per prefix: see README "Concurrency review").
 */

/** 1-based lines, 1-based columns (UTF-16 code units), as in findings. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** First line of the statement holding it (suppressions may sit there). */
  statementLine: number;
}

export type AccessKind = 'read' | 'write';

/** One read or write of shared state, with the locks held at that point in its function. */
export interface Access {
  resource: string;
  kind: AccessKind;
  span: Span;
  /** The code, for reports (`self._subscribers.add(net_id)`). */
  code: string;
  locks: string[];
}

/** How a call's target is named; the engine resolves it against the whole program. */
export type CalleeRef =
  /** A function or class by qualified name (`pkg.mod.func`, `pkg.mod.Class`). */
  | { k: 'name'; name: string }
  /** `self.m()` / `cls.m()`: method `m` looked up from class `cls` upwards. */
  | { k: 'self'; cls: string; method: string }
  /** `self.f.m()`: method `m` of whatever class field `f` of `cls` holds. */
  | { k: 'field'; cls: string; field: string; method: string }
  /** `x.m()` where `x` holds the result of calling `of` (a class: an instance; a function: its result). */
  | { k: 'result'; of: CalleeRef; method: string }
  /** `x.m()` on a receiver of unknown type. */
  | { k: 'any'; method: string };

/** A call (kept small: a program has many; only the ones on a reported path are shown). */
export interface CallSite {
  callee: CalleeRef;
  line: number;
  column: number;
  locks: string[];
  /** The call cannot block (a builtin, a container or string method, logging): it cannot switch green threads. */
  pure?: true;
}

/** A call that may block and that the program cannot resolve (`ip_lib.add_veth(...)`, `open(...)`), with the locks held there. */
export interface BlockingSite {
  line: number;
  locks: string[];
}

/** A function run concurrently: handed to a thread, pool, executor, timer or event loop. */
export interface SpawnSite {
  /** What runs. */
  target: CalleeRef;
  /** The API that runs it (`eventlet.GreenPool.spawn_n`), for reports. */
  via: string;
  span: Span;
  code: string;
  /** Several copies may run at once: a pool or executor, or a one-thread spawner called in a loop. */
  many: boolean;
  /** The function making the call (a one-thread spawner called from code that runs many times at once runs many copies). */
  in: string;
}

/**
 * A check of shared state and a later act on it, in one function: `if k not in self.d:
 * self.d[k] = v`, `if not self.x: self.x = make()`, `first = not self.s; self.s.add(v)`.
 */
export interface CheckThenAct {
  /** Resources the check reads directly. */
  reads: string[];
  /** Methods the check calls on `self` (their reads count too: `not self.has_subscribers()`). */
  calls: CalleeRef[];
  check: { span: Span; code: string; locks: string[] };
  act: { resource: string; span: Span; code: string; locks: string[] };
  /** `if`: the act is guarded by the check; `flag`: the check's result is kept in a variable used after the act. */
  shape: 'if' | 'flag';
  /** In a coroutine: whether an `await` lies between the check and the act (else the event loop cannot interleave). */
  awaitBetween?: boolean;
  /**
   * No call that can block (and so switch green threads: I/O, RPC, a subprocess, a sleep, a lock)
   * lies between the check and the act: only builtins, container and string methods, logging.
   */
  noYield?: boolean;
  /**
   * When the only calls between the check and the act that may block are calls the program may
   * resolve (`self.has_subscribers()`): those calls. Whether they block is decided over the whole
   * program (a method that only computes does not).
   */
  yieldCalls?: CalleeRef[];
  /** The act rebinds the field wholesale (`self.x = make()`), rather than changing the container it holds. */
  rebind?: boolean;
  /** The act empties the field (`self.pending = []`): the reset of a drain that took the old contents. */
  reset?: boolean;
  /** The act stores the time (`self.last_sync[k] = time.time()`): a refresh marker. */
  clock?: boolean;
  /** The act does the same whether or not the check still holds (`d.pop(k, None)`, `s.discard(x)`, `d.setdefault(k, v)`). */
  tolerant?: boolean;
}

export interface FunctionFacts {
  id: string;
  name: string;
  /** Class id of a method. */
  cls?: string;
  span: Span;
  async: boolean;
  /** Locks held for the whole body (lock decorators). */
  locks: string[];
  /** Decorators as qualified names (or dotted spelling when unresolved). */
  decorators: string[];
  accesses: Access[];
  calls: CallSite[];
  checks: CheckThenAct[];
  /** Calls in the body that may block and that no function of the program can be (I/O, RPC, a subprocess, a sleep). */
  blocks?: BlockingSite[];
  /** The first parameter after `self`/`cls` (RPC endpoint methods take the request context there). */
  firstParam?: string;
  /** A function defined inside a method: it shares the method's `self`. */
  closure?: boolean;
  /** `return Class(...)` (directly or through a local): the class this function returns an instance of. */
  returns?: CalleeRef;
}

export interface ClassFacts {
  id: string;
  name: string;
  /** Base classes as qualified names (or dotted spelling). */
  bases: string[];
  span: Span;
  /** Fields (of `self` or the class) holding a lock: evidence the author expects concurrent use. */
  lockFields: string[];
  /** Fields holding objects that need no lock: queues, events, `threading.local`, locks. */
  safeFields: string[];
  /** Fields assigned an instance of a class: field → the class (for `self.f.m()`). */
  fieldTypes: Record<string, CalleeRef>;
  /** Why the class's public methods run concurrently, if the class itself says so (RPC endpoint, thread subclass). */
  concurrentBecause?: string;
  /** Methods that run concurrently because of the class (`run` of a Thread subclass); empty: every public method. */
  concurrentMethods?: string[];
}

/** A class listed as an RPC endpoint (`endpoints=[Foo()]`): every public method is called concurrently. */
export interface EndpointSite {
  cls: CalleeRef;
  via: string;
  span: Span;
  code: string;
}

export interface ConcurrencyFacts {
  path: string;
  module: string;
  functions: FunctionFacts[];
  classes: ClassFacts[];
  spawns: SpawnSite[];
  endpoints: EndpointSite[];
  /** Module-level names that are shared mutable state (mutated or rebound from functions). */
  globals: string[];
  /** Where the file turns the program's threads into green threads (`eventlet.monkey_patch()`). */
  greenThreads?: { line: number; code: string };
}
