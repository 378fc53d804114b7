import type { CallExpr, ClassIR, Expr, FunctionIR } from '../ir.js';
import type { SinkKind } from '../models.js';
import { dottedOf, rootName } from '../expr-names.js';
import type { Summary } from '../summary.js';
import { CLEAN, allLabels, constant, flatten, fromLabels, makeLabel, mergeLabels, with_, withSteps, type FlowStep, type Label, type Value } from '../values.js';
import { MAX_INLINE_DEPTH } from './base.js';
import { envKey, type Env } from './env.js';
import { sanitizeValue } from './refinements.js';
import { SinkChecks } from './sinks.js';

/**
 * Calls: models first (sinks, sanitisers, sources, pass-through summaries), then containers
 * mutated in place, then calls into the scanned program (closures inlined, summaries applied,
 * constructors), and anything else as an unresolved call whose arguments reach its result.
 */
export abstract class CallAnalysis extends SinkChecks {
  protected evalCall(call: CallExpr, env: Env): Value {
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
    const type = this.engine.models.resultType(q);
    return type && !value.cls && !value.fn ? with_(value, { type }) : value;
  }

  protected callValue(
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

    const sanitizer = this.engine.models.sanitizerFor(q, anyReceiver);
    if (sanitizer) return this.sanitizingCall(sanitizer, args, kwargs, anyReceiver && receiver ? receiver : undefined, splat);
    const calleeDotted = callee.k === 'attr' && this.hasParameterSources('call') ? dottedOf(callee) : undefined;
    const source = this.engine.models.callSource(q, anyReceiver) ?? (calleeDotted ? this.engine.parameterSource(calleeDotted, this.fn, 'call') : undefined);
    if (source) return this.sourceValue(source.description, source.threat, call.span, `\`${this.text(call.span)}\` (${source.description})`);

    // Containers mutated in place through a local name.
    if (method && callee.k === 'attr' && receiver && !q) {
      const mutated = this.mutateContainer(callee.object, method, receiver, args, env);
      if (mutated) return mutated;
    }

    // Calls into the scanned program.
    const target = this.resolveTarget(call, receiver, args, kwargs, splat, env);
    if (target) return target;

    const passThrough = this.engine.models.passThroughFor(q, method);
    if (passThrough) return this.passThrough(passThrough, args, kwargs, receiver, splat);

    return this.unresolvedCall(args, kwargs, receiver, splat);
  }

  protected sanitizingCall(sanitizer: ReadonlySet<SinkKind> | 'all', args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
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
  protected unresolvedCall(args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
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
  protected methodOf(call: CallExpr): string | undefined {
    const callee = call.callee;
    if (callee.k !== 'attr') return undefined;
    if (!call.qname) return callee.attr;
    return callee.object.k === 'name' ? undefined : callee.attr;
  }

  protected passThrough(from: (number | string)[], args: Value[], kwargs: ReadonlyMap<string, Value>, receiver: Value | undefined, splat: readonly Label[]): Value {
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

  protected mutateContainer(object: Expr, method: string, receiver: Value, args: Value[], env: Env): Value | undefined {
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
  protected resolveTarget(call: CallExpr, receiver: Value | undefined, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[], env: Env): Value | undefined {
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
    } else if (callee.k === 'attr' && this.lang.isSuperReceiver(callee.object)) {
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
  protected construct(cls: ClassIR, call: CallExpr, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[]): Value {
    const instance: Value = { labels: [], cls, fields: new Map() };
    const init = this.engine.method(cls, this.engine.classSemantics(cls).constructorMethod);
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
  protected inline(target: FunctionIR, closure: Env, bound: Value[]): Value {
    this.inlined.add(target);
    const inner = this.nested(target, closure);
    const innerEnv: Env = new Map();
    target.params.forEach((p, i) => innerEnv.set(p.name, bound[i] ?? CLEAN));
    inner.execBlock(target.body, innerEnv);
    inner.analyseUncalledNested();
    for (const h of inner.sourceHits) this.recordHit(h);
    for (const h of inner.paramHits) this.recordHit(h);
    return inner.returnValue ?? CLEAN;
  }

  /** A call of a summarised function: its sinks, its writes to the receiver's fields, its result. */
  protected applySummary(target: FunctionIR, bound: Value[], call: CallExpr, self: Value | undefined, selfExpr: Expr | undefined, env: Env): Value {
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

  protected isMethodCall(fn: FunctionIR): boolean {
    return this.engine.hasReceiver(fn);
  }

  /** Values for each parameter position of `fn` at this call. */
  protected bindArguments(fn: FunctionIR, self: Value | undefined, args: Value[], kwargs: ReadonlyMap<string, Value>, splat: readonly Label[]): Value[] {
    const bound: Value[] = [];
    let next = 0;
    const isMethod = this.engine.hasReceiver(fn);
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
  protected defaultValue(fn: FunctionIR, value: Expr): Value {
    if (fn.path === this.module.path) return this.eval(value, new Map());
    return value.k === 'const' ? constant(value.value) : CLEAN;
  }

  /** Turn a callee's labels into the caller's: parameters become the arguments' taint. */
  protected instantiate(labels: readonly Label[], bound: Value[], call: CallExpr, target: FunctionIR): Label[] {
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

  protected applySinks(summary: Summary, bound: Value[], call: CallExpr, target: FunctionIR): void {
    for (const hit of summary.sinks) {
      for (const label of this.instantiate([hit.label], bound, call, target)) {
        if (label.sanitized.has(hit.kind)) continue;
        this.recordHit({ kind: hit.kind, label, sink: hit.sink });
      }
    }
  }
}

/** The labels, marked as having passed through a call we could not see into. */
function lowered(labels: readonly Label[]): readonly Label[] {
  if (labels.length === 0) return labels;
  return labels.map((l) => (l.lowered ? l : makeLabel(l.origin, l.what, l.threat, l.param, l.field, l.steps, l.sanitized, true)));
}


/** The caller's steps, the call, then the callee's steps after its parameter: at most 24. */
function spliceSteps(caller: readonly FlowStep[], enter: FlowStep, callee: readonly FlowStep[]): FlowStep[] {
  const steps = caller.slice(0, 24);
  if (steps.length < 24) steps.push(enter);
  for (let i = 1; i < callee.length && steps.length < 24; i++) steps.push(callee[i]!);
  return steps;
}

export const NO_LABELS: readonly Label[] = [];
export const NO_KWARGS: ReadonlyMap<string, Value> = new Map();
