/**
 * What the taint engine needs to know about JavaScript that the IR alone does not say. The
 * front end applies what it can while lowering (see to-ir.ts); the rest is for the engine's
 * language-semantics interface (issue #15 item 1), to be connected when the engine is split:
 *
 * - `receiverParameter`: a method's receiver is `this`. The lowering adds `this` as the first
 *   parameter of every non-static method, which is what the engine reads as the receiver today
 *   (`params[0]` of a method), so `this.cmd` is a field of the instance.
 * - `constructorName`: the method that initialises instances (`constructor`, stored in the
 *   class's methods as `__init__` until the engine asks the front end for it).
 * - `requestHandler`: Express/Koa/Fastify/Hapi route registration passes the handler as a
 *   callback: `app.get('/p', (req, res) => …)`, `router.post('/p', auth, handler)`,
 *   `fastify.get('/p', async (request, reply) => …)`. Today the models root the sources at
 *   parameters by name (`parameter: req` + `req.query`), and the lowering names a destructured
 *   first parameter of a callback passed to a route registration `req`
 *   (`app.post('/p', ({ body }, res) => …)` reads `req.body`); the hook would make every
 *   parameter of a callback registered through `isRouteRegistration` a request value whatever
 *   it is called, and stop a function with a parameter called `req` that is no handler from
 *   being one.
 * - `callbackArguments`: a callback passed to a model-known API receives known arguments
 *   (`p.then(v => …)` receives what `p` resolves to, `arr.map(x => …)` the elements). The
 *   lowering applies the receiver-forwarding methods below by calling the callback with the
 *   receiver; callbacks of other library calls are analysed on their own with clean
 *   parameters (and the parameter-rooted sources).
 */
import type { ClassIR, Constant, Expr, FunctionIR } from '../../analysis/taint/ir.js';
import { capitalisedMemberClass, firstDefinitionAbove, registerTaintSemantics, type TaintSemantics } from '../../analysis/taint/language.js';

/** Methods whose callback argument receives the receiver's data (promises and arrays). */
export const RECEIVER_CALLBACK_METHODS: ReadonlySet<string> = new Set([
  'then', 'finally', 'map', 'forEach', 'filter', 'flatMap', 'find', 'findLast', 'some', 'every', 'reduce', 'reduceRight', 'sort',
]);

/**
 * Properties whose assignment is a sink (`el.innerHTML = v`, `location.href = v`): the
 * lowering adds a call of the setter `innerHTML=` with the assigned value, which the models
 * name as a sink (`method: innerHTML=`, `name: location.href=`).
 */
export const SINK_PROPERTIES: ReadonlySet<string> = new Set(['innerHTML', 'outerHTML', 'href', 'location', 'src', 'srcdoc', 'action', 'formAction']);

/** Globals whose assignment is a sink (`location = v`). */
export const SINK_GLOBALS: ReadonlySet<string> = new Set(['location']);

/** Route registration methods of Express-style routers (for the `requestHandler` hook). */
export const ROUTE_METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'options', 'head', 'route']);

export interface JavaScriptTaintSemantics {
  /** The receiver's name inside a method (`this`). */
  readonly receiverParameter: string;
  /** The method that initialises instances. */
  readonly constructorName: string;
  /**
   * Whether a call registers its function arguments as request handlers (`app.get('/p', h)`):
   * `method` is the callee's property, `firstArgument` the constant first argument if any.
   */
  isRouteRegistration(method: string | undefined, firstArgument: string | number | boolean | null | undefined): boolean;
}

export const javascriptTaintSemantics: JavaScriptTaintSemantics = {
  receiverParameter: 'this',
  constructorName: 'constructor',
  isRouteRegistration(method, firstArgument) {
    return method !== undefined && ROUTE_METHODS.has(method) && (typeof firstArgument === 'string' ? firstArgument.startsWith('/') || firstArgument === '*' : method === 'use');
  },
};

/**
 * JavaScript's semantics for the taint engine (src/analysis/taint/language.ts). Request values
 * are rooted at handler parameters by name in the models, so no function is a request handler
 * by decoration; `this` is parameter 0 of a non-static method (the lowering adds it); single
 * inheritance along `extends`; `super.m()` reaches the first definition above the class; the
 * constructor is stored as `__init__` and a subscript store is modelled as `__setitem__`, the
 * IR's names for both; JavaScript's truthiness and operators.
 */
export const javascriptEngineSemantics: TaintSemantics = {
  language: 'javascript',
  isRequestHandler: () => false,
  inertRouteParams: () => NO_NAMES,
  hasReceiver: (fn: FunctionIR, inClass: boolean): boolean => inClass && !fn.isStatic,
  resolutionOrder(cls: ClassIR, basesOf: (c: ClassIR) => readonly ClassIR[]): ClassIR[] {
    const out: ClassIR[] = [];
    for (let c: ClassIR | undefined = cls; c && !out.includes(c); c = basesOf(c)[0]) out.push(c);
    return out;
  },
  isSuperReceiver: (e: Expr): boolean => e.k === 'name' && e.name === 'super',
  superMethod: firstDefinitionAbove,
  constructorMethod: '__init__',
  subscriptStoreMethod: '__setitem__',
  // `pkg.Class.method`: a member of a class (capitalised by convention).
  modelMemberClass: capitalisedMemberClass,
  exitingCalls: new Set(['process.exit', 'process.abort']),
  validatingMethods: new Set<string>(),
  isRedirectCheck: () => false,
  isConstantName: (name: string): boolean => /^_*[A-Z][A-Z0-9_]*$/.test(name),
  truthy: (c: Constant): boolean => !(c === null || c === false || c === 0 || c === '' || (typeof c === 'number' && Number.isNaN(c))),
  foldBinary(op: string, a: Constant, b: Constant): Constant | undefined {
    if (op === '+' && (typeof a === 'string' || typeof b === 'string') && a !== null && b !== null) return `${a}${b}`;
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return a / b;
      case '%': return a % b;
      case '**': return a ** b;
      default: return undefined;
    }
  },
  foldCompare(op: string, a: Constant, b: Constant): boolean | undefined {
    switch (op) {
      case '===': case '==': return a === b;
      case '!==': case '!=': return a !== b;
    }
    if (typeof a === 'number' && typeof b === 'number') {
      switch (op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
      }
    }
    return undefined;
  },
  // `+` concatenates as soon as one side is text: not numeric.
  numericOperators: new Set(['-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^']),
  formatTaint: () => undefined,
};

const NO_NAMES: ReadonlySet<string> = new Set();

registerTaintSemantics(javascriptEngineSemantics);
