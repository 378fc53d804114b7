import type { Constant, Span } from './ir.js';
import type { ClassIR, FunctionIR } from './ir.js';
import type { SinkKind } from './models.js';

/** One step of a path, as the engine records it (file-local span plus its file). */
export interface FlowStep {
  path: string;
  span: Span;
  note: string;
}

/**
 * Where tainted data came from: a modelled source, or — inside a function summary — a
 * parameter (optionally one field of it, e.g. `self.cmd`) whose caller decides.
 */
export interface Label {
  origin: 'source' | 'param';
  /** source: the model's description; param: the parameter's name. */
  what: string;
  threat?: 'remote' | 'local';
  param?: number;
  field?: string;
  /** The first step is the source (or the parameter); later ones follow the data. */
  steps: readonly FlowStep[];
  /** Sink kinds this data was made safe for on the way. */
  sanitized: ReadonlySet<SinkKind>;
  /** True once the data passed through a call we could not see into. */
  lowered: boolean;
}

/** The abstract value of an expression: its taint, and what we know of its shape. */
export interface Value {
  labels: readonly Label[];
  /** Known constant value (enables folding conditions and dead-branch pruning). */
  const?: Constant;
  /** Field-sensitive parts: `.attr` and `[key]` → value. */
  fields?: ReadonlyMap<string, Value>;
  /** Elements of a list/tuple whose positions are known. */
  elems?: readonly Value[];
  /** A list or tuple even where its elements' positions were lost (branches of different lengths). */
  seq?: boolean;
  /** An instance of a class we analysed. */
  cls?: ClassIR;
  /** A function value (lambda, nested def, bound method). */
  fn?: FunctionIR;
  /** For a bound method: the receiver. */
  self?: Value;
  /** The value stands for parameter N of the function being summarised (fields read lazily). */
  paramBase?: number;
  /**
   * An instance of a library class, by qualified name (`requests.Session`, `logging.Logger`):
   * its method calls are looked up in the models as `<type>.<method>`.
   */
  type?: string;
}

/** Sanitised for nothing (shared: label sets are never changed in place). */
export const NO_KINDS: ReadonlySet<SinkKind> = new Set();

/**
 * A label. Every label is built here, with every field present in the same order, so that all
 * labels share one object shape and the code handling them stays monomorphic.
 */
export function makeLabel(
  origin: Label['origin'],
  what: string,
  threat: Label['threat'],
  param: number | undefined,
  field: string | undefined,
  steps: readonly FlowStep[],
  sanitized: ReadonlySet<SinkKind>,
  lowered: boolean,
): Label {
  return { origin, what, threat, param, field, steps, sanitized, lowered };
}

export function withSteps(l: Label, steps: readonly FlowStep[]): Label {
  return makeLabel(l.origin, l.what, l.threat, l.param, l.field, steps, l.sanitized, l.lowered);
}

export const MAX_LABELS = 6;
export const MAX_STEPS = 14;

export const CLEAN: Value = Object.freeze({ labels: [] }) as Value;

export function constant(value: Constant): Value {
  return { labels: [], const: value };
}

/** Identity of a label for de-duplication: origin and first step, not the path between. */
export function labelKey(l: Label): string {
  const s = l.steps[0];
  return `${l.origin}|${l.what}|${l.param ?? ''}|${l.field ?? ''}|${s ? `${s.path}:${s.span.line}:${s.span.column}` : ''}|${[...l.sanitized].sort().join(',')}`;
}

export function mergeLabels(a: readonly Label[], b: readonly Label[]): Label[] {
  if (b.length === 0 || a === b) return a as Label[];
  if (a.length === 0) return b as Label[];
  let out: Label[] | undefined;
  for (const l of b) {
    const current = out ?? a;
    if (current.length >= MAX_LABELS) break;
    if (current.some((x) => sameKey(x, l))) continue;
    out ??= [...a];
    out.push(l);
  }
  // Nothing new: `a` itself (callers never mutate label lists).
  return out ?? (a as Label[]);
}

/**
 * `labelKey(a) === labelKey(b)`, without building the strings. Field by field it is the same
 * test as long as no `|` (the key's separator) can shift text between fields; a name, source
 * description or file path with one falls back to comparing the keys.
 */
export function sameKey(a: Label, b: Label): boolean {
  if (a === b) return true;
  const s = a.steps[0];
  const t = b.steps[0];
  if (
    a.origin === b.origin &&
    a.what === b.what &&
    a.param === b.param &&
    (a.field ?? '') === (b.field ?? '') &&
    (s === t || (s !== undefined && t !== undefined && s.path === t.path && s.span.line === t.span.line && s.span.column === t.span.column)) &&
    sameKinds(a.sanitized, b.sanitized)
  ) {
    return true;
  }
  return (mayShift(a) || mayShift(b)) && labelKey(a) === labelKey(b);
}

function sameKinds(a: ReadonlySet<SinkKind>, b: ReadonlySet<SinkKind>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

function mayShift(l: Label): boolean {
  return l.what.includes('|') || (l.field?.includes('|') ?? false) || (l.steps[0]?.path.includes('|') ?? false);
}

/** Every label in a value, including its fields and elements. */
export function allLabels(v: Value, depth = 0): Label[] {
  let out = v.labels as Label[];
  if (depth > 4) return out;
  if (v.fields) for (const f of v.fields.values()) out = mergeLabels(out, allLabels(f, depth + 1));
  if (v.elems) for (const e of v.elems) out = mergeLabels(out, allLabels(e, depth + 1));
  if (v.self) out = mergeLabels(out, allLabels(v.self, depth + 1));
  return out;
}

export function isTainted(v: Value): boolean {
  return allLabels(v).length > 0;
}

/** Join two values at a control-flow merge. */
export function join(a: Value | undefined, b: Value | undefined): Value {
  if (!a) return b ?? CLEAN;
  if (!b || a === b) return a;
  const out: Value = { labels: mergeLabels(a.labels, b.labels) };
  if (a.const !== undefined && b.const !== undefined && a.const === b.const) out.const = a.const;
  if (a.fields || b.fields) {
    const fields = new Map<string, Value>();
    for (const [k, v] of a.fields ?? []) fields.set(k, join(v, b.fields?.get(k)));
    for (const [k, v] of b.fields ?? []) if (!fields.has(k)) fields.set(k, v);
    out.fields = fields;
  }
  if ((a.elems || a.seq) && (b.elems || b.seq)) out.seq = true;
  if (a.elems && b.elems && a.elems.length === b.elems.length) out.elems = a.elems.map((e, i) => join(e, b.elems![i]));
  else if (a.elems || b.elems) out.labels = mergeLabels(out.labels, mergeLabels(a.elems ? allLabels({ labels: [], elems: a.elems }) : [], b.elems ? allLabels({ labels: [], elems: b.elems }) : []));
  if (a.cls === b.cls) out.cls = a.cls;
  if (a.fn === b.fn) out.fn = a.fn;
  if (a.paramBase !== undefined && a.paramBase === b.paramBase) out.paramBase = a.paramBase;
  if (a.type !== undefined && a.type === b.type) out.type = a.type;
  return out;
}

/** The same taint, one step further along. */
export function withStep(v: Value, step: FlowStep): Value {
  if (v.labels.length === 0 && !v.fields && !v.elems) return v;
  const extend = (l: Label): Label => (l.steps.length >= MAX_STEPS ? l : withSteps(l, [...l.steps, step]));
  return with_(v, {
    labels: v.labels.map(extend),
    fields: v.fields ? new Map([...v.fields].map(([k, f]) => [k, withStep(f, step)])) : undefined,
    elems: v.elems?.map((e) => withStep(e, step)),
  });
}

/**
 * `{ ...v, ...changes }`. V8 copies a spread fast but takes a slow path (around a microsecond)
 * when the literal then adds a property the source lacks; Object.assign gives the same object.
 */
export function with_<T extends object>(v: T, changes: Partial<T>): T {
  return Object.assign({}, v, changes);
}

/** Flatten to a plain tainted value (shape forgotten). */
export function flatten(v: Value): Value {
  const labels = allLabels(v);
  return labels === v.labels && !v.fields && !v.elems ? v : { labels };
}

export function fromLabels(labels: readonly Label[]): Value {
  return labels.length === 0 ? CLEAN : { labels };
}
