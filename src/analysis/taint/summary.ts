import type { Span } from './ir.js';
import type { SinkKind } from './models.js';
import type { Label } from './values.js';

/**
 * What the analysis of a function yields (a summary, and the hits it found) and how two
 * summaries are compared exactly (the fixpoint re-queues callers only when what a call applies changes).
 */

export interface TaintHit {
  kind: SinkKind;
  label: Label;
  sink: { path: string; span: Span; callSpan: Span; callee: string; description: string; statementLine: number };
}

export interface Summary {
  returns: Label[];
  /** Parameter-derived data reaching sinks inside (or below) the function. */
  sinks: TaintHit[];
  /** Labels written to `self.<field>`. */
  selfWrites: Map<string, Label[]>;
  /** Every `self.<field>` the function assigns, tainted or not. */
  selfAssigned: ReadonlySet<string>;
  /** Library types stored in `self.<field>` (`self.log = logging.getLogger(...)`). */
  selfTypes: ReadonlyMap<string, string>;
  key: string;
}

export const EMPTY_SUMMARY: Summary = { returns: [], sinks: [], selfWrites: new Map(), selfAssigned: new Set(), selfTypes: new Map(), key: '' };

/**
 * Whether two summaries say exactly the same (labels, paths and all, in the same order) in what
 * a call applies: returns, sinks and `self` writes. (Field types have their own cell; `selfAssigned`
 * and `key` are only read once the fixpoint is reached.)
 */
export function sameApplied(a: Summary, b: Summary): boolean {
  if (!sameLabelList(a.returns, b.returns) || a.sinks.length !== b.sinks.length) return false;
  for (let i = 0; i < a.sinks.length; i++) if (!sameHit(a.sinks[i]!, b.sinks[i]!)) return false;
  if (a.selfWrites.size !== b.selfWrites.size) return false;
  const bWrites = [...b.selfWrites];
  let i = 0;
  for (const [field, labels] of a.selfWrites) {
    const [otherField, otherLabels] = bWrites[i++]!;
    if (field !== otherField || !sameLabelList(labels, otherLabels)) return false;
  }
  return true;
}

function sameHit(a: TaintHit, b: TaintHit): boolean {
  const s = a.sink;
  const t = b.sink;
  return (
    a.kind === b.kind &&
    sameLabel(a.label, b.label) &&
    s.path === t.path &&
    sameSpan(s.span, t.span) &&
    sameSpan(s.callSpan, t.callSpan) &&
    s.callee === t.callee &&
    s.description === t.description &&
    s.statementLine === t.statementLine
  );
}

function sameLabelList(a: readonly Label[], b: readonly Label[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameLabel(a[i]!, b[i]!)) return false;
  return true;
}

function sameLabel(a: Label, b: Label): boolean {
  if (a === b) return true;
  if (
    a.origin !== b.origin ||
    a.what !== b.what ||
    a.threat !== b.threat ||
    a.param !== b.param ||
    a.field !== b.field ||
    a.lowered !== b.lowered ||
    a.steps.length !== b.steps.length ||
    a.sanitized.size !== b.sanitized.size
  ) {
    return false;
  }
  for (let i = 0; i < a.steps.length; i++) {
    const s = a.steps[i]!;
    const t = b.steps[i]!;
    if (s !== t && (s.path !== t.path || s.note !== t.note || !sameSpan(s.span, t.span))) return false;
  }
  const bKinds = [...b.sanitized];
  let i = 0;
  for (const kind of a.sanitized) if (kind !== bKinds[i++]) return false;
  return true;
}

function sameSpan(a: Span, b: Span): boolean {
  return a === b || (a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn && a.text === b.text);
}


export function sameEntries(a: ReadonlyMap<string, string> | undefined, b: ReadonlyMap<string, string>): boolean {
  if ((a?.size ?? 0) !== b.size) return false;
  for (const [k, v] of b) if (a!.get(k) !== v) return false;
  return true;
}
