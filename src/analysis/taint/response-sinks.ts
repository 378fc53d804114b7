import { blocksOf, type CallExpr, type Expr, type FunctionIR, type ModuleIR, type Span, type Stmt } from './ir.js';
import type { TaintHit } from './engine.js';
import type { RenderModel, ResponseModel, SinkModel } from './models.js';
import { allLabels, fromLabels, withSteps, type FlowStep, type Label, type Value } from './values.js';

/**
 * Two sinks that are not a call's arguments, kept out of the engine's core:
 *
 * - what a request handler returns is its response (`responses:` models): a string returned
 *   from a Flask route function is an HTML body;
 * - a call that renders a template file (`renders:` models) sends each context value to the
 *   template's outputs of that variable; those the template does not escape are XSS sinks,
 *   located at the template's line.
 *
 * The engine asks `responseSinks` at each `return` and `renderHits` at each call.
 */

/** The qualified name of a decorator's callee through imports (`app.route` has none: a method). */
function dottedQname(e: Expr, module: ModuleIR): string | undefined {
  if (e.k === 'name') return module.imports.get(e.name);
  if (e.k === 'attr') {
    const base = dottedQname(e.object, module);
    return base ? `${base}.${e.attr}` : undefined;
  }
  if (e.k === 'call') return e.qname;
  return undefined;
}

function importsOneOf(module: ModuleIR, packages: readonly string[]): boolean {
  for (const q of module.imports.values()) {
    for (const p of packages) if (q === p || q.startsWith(`${p}.`)) return true;
  }
  return false;
}

/** A sink a handler's return value reaches, and whether a returned dict or list counts as the body. */
export interface ResponseSink {
  sink: SinkModel;
  containers: boolean;
}

/**
 * The sinks a value returned from `fn` reaches, when `fn` is a request handler whose return
 * value is the response body (`responses:` models), one per sink kind, as sink models for messages.
 */
export function responseSinks(fn: FunctionIR, module: ModuleIR, responses: readonly ResponseModel[]): ResponseSink[] {
  if (responses.length === 0 || fn.decorators.length === 0) return [];
  const out: ResponseSink[] = [];
  const kinds = new Set<string>();
  for (const d of fn.decorators) {
    const callee = d.k === 'call' ? d.callee : d;
    const method = callee.k === 'attr' ? callee.attr : undefined;
    const q = dottedQname(callee, module);
    for (const r of responses) {
      if (kinds.has(r.kind)) continue;
      if (!(r.decorator.startsWith('*.') ? method === r.decorator.slice(2) : q === r.decorator) || (r.imports && !importsOneOf(module, r.imports))) continue;
      kinds.add(r.kind);
      out.push({ sink: { name: `return from ${fn.name}()`, kind: r.kind, description: r.description, file: r.file, ...(r.onlyFrom ? { onlyFrom: r.onlyFrom } : {}) }, containers: r.containers === true });
    }
  }
  return out;
}

/**
 * The part of a returned value that is the response body: the first element of a
 * `(body, status[, headers])` tuple; nothing for a dict or list (the framework serialises it
 * as JSON), an instance of a class, or a library object (a response built by a call is
 * checked at that call).
 */
export function responseBody(v: Value): Value | undefined {
  if (v.elems) return v.elems[0] ? responseBody(v.elems[0]) : undefined;
  if (v.seq || v.cls || v.type || v.fn) return undefined;
  if (v.fields && v.labels.length === 0) return undefined;
  return v.labels.length > 0 ? fromLabels(v.labels) : undefined;
}

/** The whole returned value, containers included, for a response whose dicts and lists are serialised. */
export function serialisedBody(v: Value): Value | undefined {
  const labels = allLabels(v);
  return labels.length > 0 ? fromLabels(labels) : undefined;
}

/** A template output that does not escape a context variable. */
export interface TemplateSink {
  /** The template file (a path like the modules'). */
  path: string;
  span: Span;
  variable: string;
  /** Why it is not escaped: "the `|safe` filter", "an `{% autoescape off %}` block"… */
  why: string;
}

/** Finds the templates a render call names and their unescaped outputs (see frontend/templates). */
export type TemplateLookup = (modulePath: string, moduleSource: string, engine: RenderModel['engine'], name: string) => TemplateSink[];

export interface RenderSinks {
  models: readonly RenderModel[];
  lookup: TemplateLookup;
}

/** The argument of `call` at one of these positions or keywords. */
function argumentAt(call: CallExpr, refs: readonly (number | string)[]): { expr: Expr; index: number | string } | undefined {
  for (const r of refs) {
    if (typeof r === 'number') {
      if (call.args[r]) return { expr: call.args[r]!, index: r };
    } else {
      const k = call.kwargs.find((x) => x.name === r);
      if (k) return { expr: k.value, index: r };
    }
  }
  return undefined;
}

/** The render models a call matches, each with the call that holds the template name. */
function renderModelsFor(rs: RenderSinks, call: CallExpr, q: string | undefined, fn: FunctionIR): { model: RenderModel; named: CallExpr }[] {
  // The method by its spelling: on a receiver of a known type the engine passes none.
  const method = call.callee.k === 'attr' ? call.callee.attr : undefined;
  const found: { model: RenderModel; named: CallExpr }[] = [];
  for (const m of rs.models) {
    if (m.name && q === m.name && !m['receiver-call']) return [{ model: m, named: call }];
    if (!m.method || method !== m.method || !m['receiver-call'] || call.callee.k !== 'attr') continue;
    const receiver = call.callee.object;
    // `get_template(name).render(...)`, or `t = get_template(name)` earlier in the function.
    const producers = receiver.k === 'call' ? [receiver] : receiver.k === 'name' ? assignedCalls(fn.body, receiver.name) : [];
    const want = m['receiver-call'];
    for (const inner of producers) {
      const innerMethod = inner.callee.k === 'attr' ? inner.callee.attr : undefined;
      if (want.includes('.') ? inner.qname === want : innerMethod === want && !inner.qname?.startsWith('django.')) found.push({ model: m, named: inner });
    }
  }
  return found;
}

/** Calls assigned to `name` anywhere in these statements (`t = env.get_template("x.html")`), nested blocks included. */
function assignedCalls(stmts: readonly Stmt[], name: string): CallExpr[] {
  const out: CallExpr[] = [];
  for (const s of stmts) {
    if (s.k === 'assign' && s.value.k === 'call' && s.targets.some((t) => t.k === 'name' && t.name === name)) out.push(s.value);
    for (const block of blocksOf(s)) out.push(...assignedCalls(block, name));
  }
  return out;
}

/**
 * Hits of a render call: for each unescaped output of each template it may render, the
 * value passed under that variable. `args`/`kwargs` are the call's evaluated arguments,
 * `splat` the labels of its `**context` arguments (which may hold any variable).
 */
export function renderHits(
  rs: RenderSinks,
  module: ModuleIR,
  fn: FunctionIR,
  call: CallExpr,
  q: string | undefined,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  splat: readonly Label[],
  step: (span: Span, note: string) => FlowStep,
  spanOf: (e: Expr) => Span,
  callSpan: Span,
): TaintHit[] {
  const hits: TaintHit[] = [];
  for (const { model, named } of renderModelsFor(rs, call, q, fn)) {
    const nameArg = argumentAt(named, model.template);
    if (!nameArg || nameArg.expr.k !== 'const' || typeof nameArg.expr.value !== 'string') continue;
    const template = nameArg.expr.value;
    for (const sink of rs.lookup(module.path, module.spans.source, model.engine, template)) hits.push(...sinkHits(model, named, template, sink, call, args, kwargs, splat, step, spanOf, callSpan));
  }
  return hits;
}

/** Hits of one unescaped template output: the labels of the value passed under its variable. */
function sinkHits(
  model: RenderModel,
  named: CallExpr,
  template: string,
  sink: TemplateSink,
  call: CallExpr,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  splat: readonly Label[],
  step: (span: Span, note: string) => FlowStep,
  spanOf: (e: Expr) => Span,
  callSpan: Span,
): TaintHit[] {
  const passed = contextValue(model, call, args, kwargs, splat, sink.variable, named !== call);
  if (!passed) return [];
  const at = step(passed.expr ? spanOf(passed.expr) : callSpan, `passed as \`${sink.variable}\` to template \`${template}\` (${sink.path})`);
  const hits: TaintHit[] = [];
  for (const label of allLabels(passed.value)) {
    if (label.sanitized.has('xss')) continue;
    hits.push({
      kind: 'xss',
      label: withSteps(label, [...label.steps, at]),
      sink: {
        path: sink.path,
        span: sink.span,
        callSpan: sink.span,
        callee: template,
        description: `\`${sink.variable}\` is output without HTML escaping: ${sink.why}`,
        statementLine: sink.span.line,
      },
    });
  }
  return hits;
}

/** The value a render call passes under `variable`, and the expression passing it. */
function contextValue(
  model: RenderModel,
  call: CallExpr,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
  splat: readonly Label[],
  variable: string,
  /** The template was named by another call (`get_template(name).render(...)`). */
  namedElsewhere: boolean,
): { value: Value; expr?: Expr } | undefined {
  if (model.context === 'keywords') {
    const v = kwargs.get(variable);
    if (v) return { value: v, expr: call.kwargs.find((k) => k.name === variable)!.value };
    // `template.render({'x': value})` on a jinja2 Template also takes a dict first.
    const dict = namedElsewhere ? args[0] : undefined;
    if (dict) {
      const field = fieldOf(dict, variable, call.args[0]);
      if (field) return field;
    }
    return splat.length > 0 ? { value: fromLabels(splat), expr: call.splats[0] } : undefined;
  }
  const at = argumentAt(call, model.context);
  if (!at) return splat.length > 0 ? { value: fromLabels(splat), expr: call.splats[0] } : undefined;
  const value = typeof at.index === 'number' ? args[at.index] : kwargs.get(at.index);
  return value ? fieldOf(value, variable, at.expr) : undefined;
}

/** `context['x']` of a dict value; a dict whose keys are not all known may hold it anywhere. */
function fieldOf(dict: Value, variable: string, expr: Expr | undefined): { value: Value; expr?: Expr } | undefined {
  const field = dict.fields?.get(`[${variable}]`);
  if (field) return { value: field, expr };
  return dict.labels.length > 0 ? { value: fromLabels(dict.labels), expr } : undefined;
}
