import type { Expr, FunctionIR, Stmt, Target } from '../ir.js';
import { CLEAN, allLabels, constant, flatten, join, mergeLabels, with_, withStep, type Value } from '../values.js';
import { MAX_INLINE_DEPTH } from './base.js';
import { envKey, joinEnv, replaceEnv, type Env, type Flow } from './env.js';
import { ExpressionAnalysis } from './expressions.js';
import { isExitCall, mayRefine, refinements, sanitizeValue } from './refinements.js';
import { NO_KWARGS, NO_LABELS } from './calls.js';
import { responseBody, responseSinks, serialisedBody } from '../response-sinks.js';

/**
 * Statements: assignment and binding (unpacking, attribute and subscript stores), branches
 * pruned or refined by their test, loops run twice and joined, `try` and `with`, returns and
 * exits; nested functions never called in place analysed on their own. This is the concrete
 * interpreter the engine runs over each function.
 */
export class FunctionAnalysis extends ExpressionAnalysis {
  protected override nested(fn: FunctionIR, closure: Env): FunctionAnalysis {
    return new FunctionAnalysis(this.engine, fn, this.module, this.inlineDepth + 1, closure);
  }

  override execBlock(stmts: readonly Stmt[], env: Env): Flow {
    for (const s of stmts) {
      if (this.exec(s, env) === 'exit') return 'exit';
    }
    return 'normal';
  }

  protected exec(s: Stmt, env: Env): Flow {
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
        return isExitCall(s.expr, this.lang) ? 'exit' : 'normal';
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

  protected execAugassign(s: Extract<Stmt, { k: 'augassign' }>, env: Env): Flow {
    const current = this.evalTarget(s.target, env);
    const added = this.eval(s.value, env);
    let value: Value;
    if (current.elems && s.op === '+' && added.elems) value = { labels: [], elems: [...current.elems, ...added.elems] };
    else {
      const folded = current.const !== undefined && added.const !== undefined ? this.lang.foldBinary(s.op, current.const, added.const) : undefined;
      value = { labels: mergeLabels(allLabels(current), allLabels(added)) };
      if (folded !== undefined) value.const = folded;
    }
    this.bind(s.target, value, env, s.value);
    return 'normal';
  }

  protected execIf(s: Extract<Stmt, { k: 'if' }>, env: Env): Flow {
    const test = this.eval(s.test, env);
    if (test.const !== undefined) {
      // A constant condition: only the branch that can run is analysed.
      return this.execBlock(this.lang.truthy(test.const) ? s.body : s.orelse, env);
    }
    const thenEnv = new Map(env);
    this.refine(s.test, true, thenEnv);
    // Without `else`, and when the test refines nothing where it fails, that branch is `env` as it is.
    const elseEnv = s.orelse.length === 0 && !mayRefine(s.test, false, this.lang) ? env : new Map(env);
    if (elseEnv !== env) this.refine(s.test, false, elseEnv);
    const thenFlow = this.execBlock(s.body, thenEnv);
    const elseFlow = this.execBlock(s.orelse, elseEnv);
    if (thenFlow === 'exit' && elseFlow === 'exit') return 'exit';
    replaceEnv(env, thenFlow === 'exit' ? elseEnv : elseFlow === 'exit' ? thenEnv : joinEnv(thenEnv, elseEnv));
    return 'normal';
  }

  protected execWhile(s: Extract<Stmt, { k: 'while' }>, env: Env): Flow {
    const test = this.eval(s.test, env);
    if (test.const !== undefined && !this.lang.truthy(test.const)) return this.execBlock(s.orelse, env);
    this.loop(env, (e) => this.execBlock(s.body, e));
    this.execBlock(s.orelse, env);
    return 'normal';
  }

  protected execFor(s: Extract<Stmt, { k: 'for' }>, env: Env): Flow {
    const iter = this.eval(s.iter, env);
    const element = this.elementOf(iter);
    this.loop(env, (e) => {
      this.bind(s.target, element, e, s.iter);
      this.execBlock(s.body, e);
    });
    this.execBlock(s.orelse, env);
    return 'normal';
  }

  protected execReturn(s: Extract<Stmt, { k: 'return' }>, env: Env): Flow {
    const v = s.value ? this.eval(s.value, env) : constant(null);
    if (s.value) {
      for (const { sink, containers } of responseSinks(this.fn, this.module, this.engine.responses)) {
        const body = (containers ? serialisedBody(v) : responseBody(v)) ?? CLEAN;
        this.checkSinks({ k: 'call', callee: s.value, args: [s.value], kwargs: [], splats: [], span: s.span }, undefined, undefined, [body], NO_KWARGS, NO_LABELS, undefined, undefined, [sink]);
      }
    }
    this.noteExit(env);
    this.returnValue = join(this.returnValue, v.labels.length || v.fields || v.elems ? withStep(v, this.step(s.span, `returned from \`${this.fn.name}()\``)) : v);
    return 'exit';
  }

  protected execTry(s: Extract<Stmt, { k: 'try' }>, env: Env): Flow {
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
  protected loop(env: Env, body: (e: Env) => void): void {
    let current = new Map(env);
    for (let i = 0; i < 2; i++) {
      const iteration = new Map(current);
      body(iteration);
      current = joinEnv(current, iteration);
    }
    replaceEnv(env, joinEnv(env, current));
  }

  /** Narrow taint on the branch where a validating condition holds. */
  protected refine(test: Expr, holds: boolean, env: Env): void {
    refinements(test, holds, this.lang, (target, kinds) => {
      const key = envKey(target);
      if (!key) return;
      const current = this.eval(target, env);
      if (allLabels(current).length === 0) return;
      env.set(key, sanitizeValue(current, kinds));
    });
  }

  protected override bind(target: Target, value: Value, env: Env, source: Expr): void {
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
  override analyseUncalledNested(): void {
    if (this.inlineDepth >= MAX_INLINE_DEPTH) return;
    for (const [fn, closure] of this.closures) {
      // Top-level functions are analysed on their own; nested ones and lambdas only here.
      if (this.inlined.has(fn) || (fn.name !== '<lambda>' && !this.engine.nestedOwner.has(fn))) continue;
      this.inlined.add(fn);
      const inner = this.nested(fn, closure);
      const handler = this.engine.isRequestHandler(fn, this.module);
      const numeric = handler ? this.lang.inertRouteParams(fn) : undefined;
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

  protected evalTarget(t: Target, env: Env): Value {
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
}
