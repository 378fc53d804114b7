import type { Expr, FunctionIR, ModuleIR, SpanId, Stmt, Target } from '../ir.js';
import { resolveSpan, spanText } from '../spans.js';
import type { TaintEngine } from '../engine.js';
import type { TaintSemantics } from '../language.js';
import type { Summary, TaintHit } from '../summary.js';
import { NO_KINDS, allLabels, labelKey, makeLabel, type FlowStep, type Label, type Value } from '../values.js';
import type { Env, Flow } from './env.js';

/**
 * The state of one run of the abstract interpreter over one function body (its hits, its
 * return value, what it stores on `self`) and what every layer of it shares: trace steps,
 * source and parameter values, the summary it ends with. The interpreter is one class in
 * layers, one file each: sinks.ts, calls.ts, expressions.ts, statements.ts (the concrete one).
 */

const NO_LABELS_LIST: Label[] = [];
const NO_HITS: TaintHit[] = [];
const NO_WRITES: Map<string, Label[]> = new Map();
const NO_FIELDS: ReadonlySet<string> = new Set();
const NO_TYPES: ReadonlyMap<string, string> = new Map();
/** How deep nested functions and lambdas are analysed in place. */
export const MAX_INLINE_DEPTH = 3;

export abstract class AnalysisBase {
  returnValue: Value | undefined;
  readonly sourceHits: TaintHit[] = [];
  readonly paramHits: TaintHit[] = [];
  readonly selfWrites = new Map<string, Value>();
  protected readonly closures = new Map<FunctionIR, Env>();
  /** Nested functions and lambdas analysed in place at a call. */
  protected readonly inlined = new Set<FunctionIR>();
  protected readonly hitKeys = new Set<string>();
  /** The statement being interpreted (its first line is where suppressions may sit). */
  protected statement: Stmt | undefined;

  constructor(
    readonly engine: TaintEngine,
    readonly fn: FunctionIR,
    readonly module: ModuleIR,
    readonly inlineDepth: number,
    readonly closureEnv?: Env,
  ) {
    this.lang = engine.semanticsOf(module);
  }

  /** The semantics of the module's language (language.ts): everything the IR does not say of it. */
  readonly lang: TaintSemantics;

  protected accessSources: boolean | undefined;
  protected callSources: boolean | undefined;

  /** Whether some parameter source can apply in this function (most have none, so `dotted` need not be built). */
  protected hasParameterSources(on: 'access' | 'call'): boolean {
    if (on === 'access') return (this.accessSources ??= this.engine.parameterSourcesOf(this.fn, on).length > 0);
    return (this.callSources ??= this.engine.parameterSourcesOf(this.fn, on).length > 0);
  }

  step(span: SpanId, note: string): FlowStep {
    return { path: this.module.path, span: resolveSpan(this.module.spans, span), note };
  }

  /** Source text of a node of this module. */
  text(span: SpanId): string {
    return spanText(this.module.spans, span);
  }

  sourceValue(what: string, threat: 'remote' | 'local', span: SpanId, note: string): Value {
    return { labels: [makeLabel('source', what, threat, undefined, undefined, [this.step(span, note)], NO_KINDS, false)] };
  }

  paramValue(index: number, name: string): Value {
    const step = this.step(this.fn.params[index]?.span ?? this.fn.span, `parameter \`${name}\` of \`${this.fn.name}()\``);
    const label = makeLabel('param', name, undefined, index, undefined, [step], NO_KINDS, false);
    return { labels: [label], paramBase: index };
  }

  summary(): Summary {
    const returns = this.returnValue ? allLabels(this.returnValue) : [];
    const selfWrites = new Map<string, Label[]>();
    for (const [field, v] of this.selfWrites) {
      const labels = allLabels(v);
      if (labels.length > 0) selfWrites.set(field, labels);
    }
    const selfTypes = new Map<string, string>();
    for (const [field, v] of this.selfWrites) if (v.type) selfTypes.set(field, v.type);
    const types: string[] = [];
    for (const [f, t] of selfTypes) types.push(`${f}:${t}`);
    const returned: string[] = [];
    for (const l of returns) returned.push(labelKey(l));
    const hits: string[] = [];
    for (const h of this.paramHits) hits.push(`${h.kind}@${h.sink.path}:${h.sink.span.line}:${labelKey(h.label)}`);
    const writes: string[] = [];
    for (const [f, ls] of selfWrites) {
      const keys: string[] = [];
      for (const l of ls) keys.push(labelKey(l));
      writes.push(`${f}=${sortedJoin(keys, ',')}`);
    }
    const key = `${sortedJoin(types, ',')}|${sortedJoin(returned, ';')}|${sortedJoin(hits, ';')}|${sortedJoin(writes, ';')}`;
    // Summaries stay for the whole run: shared empties (summaries are never changed) save a few MB.
    return {
      returns: returns.length > 0 ? returns : NO_LABELS_LIST,
      sinks: this.paramHits.length > 0 ? this.paramHits : NO_HITS,
      selfWrites: selfWrites.size > 0 ? selfWrites : NO_WRITES,
      selfAssigned: this.selfWrites.size > 0 ? new Set(this.selfWrites.keys()) : NO_FIELDS,
      selfTypes: selfTypes.size > 0 ? selfTypes : NO_TYPES,
      key,
    };
  }

  /** The name of a method's receiver parameter (`self`), when the function is a method. */
  protected selfName(): string | undefined {
    if (!this.engine.hasReceiver(this.fn)) return undefined;
    return this.fn.params[0]?.name;
  }

  protected recordHit(hit: TaintHit): void {
    const key = `${hit.kind}|${hit.sink.path}:${hit.sink.span.line}:${hit.sink.span.column}|${labelKey(hit.label)}`;
    if (this.hitKeys.has(key)) return;
    this.hitKeys.add(key);
    if (hit.label.origin === 'source') this.sourceHits.push(hit);
    else this.paramHits.push(hit);
  }

  // Implemented by the layers above (expressions.ts, statements.ts).
  abstract eval(e: Expr, env: Env): Value;
  protected abstract bind(target: Target, value: Value, env: Env, source: Expr): void;
  abstract lookupName(name: string, env: Env, span: SpanId): Value | undefined;
  protected abstract attrOf(object: Value, attr: string): Value;
  abstract execBlock(stmts: readonly Stmt[], env: Env): Flow;
  abstract analyseUncalledNested(): void;
  /** A run of the interpreter over a function nested in this one (or a lambda), one level deeper. */
  protected abstract nested(fn: FunctionIR, closure: Env): AnalysisBase;
}

/** `items.sort().join(separator)` (in place). */
function sortedJoin(items: string[], separator: string): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  return items.sort().join(separator);
}
