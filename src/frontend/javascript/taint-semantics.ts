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
