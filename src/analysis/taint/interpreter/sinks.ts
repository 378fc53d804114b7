import type { CallExpr, Expr, Span, SpanId } from '../ir.js';
import type { SinkModel } from '../models.js';
import { resolveSpan, spanLine } from '../spans.js';
import { dottedOf, qnameOf } from '../expr-names.js';
import { reachesSink } from '../dedicated-sinks.js';
import { renderHits } from '../response-sinks.js';
import { allLabels, fromLabels, type Label, type Value } from '../values.js';
import { AnalysisBase } from './base.js';
import type { Env } from './env.js';

/**
 * Sink checks: a call (or a subscript store, `x[k] = v` as `x.__setitem__(k, v)`) matched by a
 * sink model has the labels of its checked arguments recorded as hits, unless sanitised for the
 * sink's kind; a model's `when` and `unless` conditions decide which models apply.
 */
export abstract class SinkChecks extends AnalysisBase {
  protected checkSinks(
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
    const models = given ?? this.engine.models.sinksFor(q, method);
    if (models.length === 0) return;
    const candidates = models.filter(
      (m) =>
        (!m.unless || !this.exceptionHolds(call, m)) &&
        (!m.receiver || (call.callee.k === 'attr' && dottedOf(call.callee.object) === m.receiver)) &&
        (!m.within || this.engine.sinkWithin(this.fn, m)),
    );
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

  protected conditionHolds(call: CallExpr, model: SinkModel, kwargs: ReadonlyMap<string, Value>): boolean {
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
  protected exceptionHolds(call: CallExpr, model: SinkModel): boolean {
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
  protected checkSubscriptStore(target: { object: Expr; index: Expr; span: SpanId }, value: Value, source: Expr, env: Env): void {
    const q = qnameOf(target.object, this.module);
    const store = this.lang.subscriptStoreMethod;
    const setter = q ? `${q}.${store}` : undefined;
    if (this.engine.models.sinksFor(setter, setter ? undefined : store).length === 0) return;
    const call: CallExpr = {
      k: 'call',
      callee: { k: 'attr', object: target.object, attr: store, span: target.span },
      args: [target.index, source],
      kwargs: [],
      splats: [],
      qname: setter,
      span: target.span,
    };
    // The store as a whole, from the target to the end of the value.
    const [t, v] = [resolveSpan(this.module.spans, target.span), resolveSpan(this.module.spans, source.span)];
    const site: Span = { line: t.line, column: t.column, endLine: v.endLine, endColumn: v.endColumn, text: `${t.text} = ${v.text}` };
    this.checkSinks(call, setter, setter ? undefined : store, [this.eval(target.index, env), value], new Map(), [], this.eval(target.object, env), site);
  }
}
