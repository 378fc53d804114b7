import type { Confidence, Finding, TraceStep } from '../../findings/types.js';
import { CONFIDENCES } from '../../findings/types.js';
import { fingerprint } from '../../findings/fingerprint.js';
import type { AnyRule } from '../../rules/define-rule.js';
import { ruleSummary } from '../../rules/catalogue-info.js';
import type { TaintHit, TaintResult } from './engine.js';
import type { SinkKind } from './models.js';
import type { Label } from './values.js';
import type { Span } from './ir.js';

export type LineOf = (path: string, line: number) => string;

const lower = (c: Confidence): Confidence => CONFIDENCES[Math.max(0, CONFIDENCES.indexOf(c) - 1)]!;

/**
 * One finding per sink call and kind: the best-evidenced path wins (a real source over a
 * parameter, then the higher confidence, then the shorter path, then the earlier argument).
 * A sink call inside the argument of another sink of the same kind (`exec(compile(src))`,
 * `execute(text(sql))`) is one defect, reported at the inner call. Parameter-only flows are
 * reported at low confidence, worded as a condition on the caller.
 */
export function taintFindings(result: TaintResult, rules: ReadonlyMap<SinkKind, AnyRule>, lineOf: LineOf): Finding[] {
  const best = new Map<string, { hit: TaintHit; confidence: Confidence; fromParam: string | undefined }>();
  const consider = (hit: TaintHit, fromParam: string | undefined): void => {
    const rule = rules.get(hit.kind);
    if (!rule) return;
    const confidence = confidenceOf(rule, hit.label);
    const call = hit.sink.callSpan;
    const key = `${hit.kind}|${hit.sink.path}|${call.line}:${call.column}-${call.endLine}:${call.endColumn}`;
    const current = best.get(key);
    const rank = CONFIDENCES.indexOf(confidence);
    const currentRank = current ? CONFIDENCES.indexOf(current.confidence) : -1;
    const better =
      !current ||
      (current.fromParam !== undefined && fromParam === undefined) ||
      (Boolean(current.fromParam) === Boolean(fromParam) &&
        (rank > currentRank ||
          (rank === currentRank &&
            (hit.label.steps.length < current.hit.label.steps.length ||
              (hit.label.steps.length === current.hit.label.steps.length && comparePositions(hit.sink.span, current.hit.sink.span) < 0)))));
    if (better) best.set(key, { hit, confidence, fromParam });
  };
  for (const hit of result.sourceHits) consider(hit, undefined);
  for (const { fn, hit } of result.parameterHits) {
    if (fn.name.startsWith('_') && !fn.name.startsWith('__')) continue; // private helpers: their public callers report it
    if (fn.name === '<module>') continue;
    if (rules.get(hit.kind)?.taint?.sourcesOnly) continue;
    consider(hit, hit.label.what);
  }
  const chosen = [...best.values()];
  const findings: Finding[] = [];
  for (const entry of chosen) {
    const { hit } = entry;
    const nested = chosen.some(
      (other) =>
        other !== entry &&
        other.hit.kind === hit.kind &&
        other.hit.sink.path === hit.sink.path &&
        contains(hit.sink.span, other.hit.sink.callSpan),
    );
    if (nested) continue;
    findings.push(toFinding(hit, rules.get(hit.kind)!, entry.confidence, entry.fromParam, lineOf));
  }
  return findings;
}

function comparePositions(a: Span, b: Span): number {
  return a.line - b.line || a.column - b.column;
}

/** Whether span `outer` contains span `inner` (inclusive). */
function contains(outer: Span, inner: Span): boolean {
  const startsAfter = inner.line > outer.line || (inner.line === outer.line && inner.column >= outer.column);
  const endsBefore = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endColumn <= outer.endColumn);
  return startsAfter && endsBefore;
}

/**
 * Kinds where a local source (command line, environment) is usually configuration: the file
 * a tool is told to read, the server it is told to reach. Such flows are reported, but two
 * levels down rather than one.
 */
const LOCAL_IS_CONFIGURATION: ReadonlySet<SinkKind> = new Set<SinkKind>(['path-injection', 'ssrf']);

/**
 * Sinks where data that went through a call secreview cannot see into is weak evidence: an HTML
 * response built from a command's output, a file's content or a parser's result holds attacker
 * text only if that call echoes its input, which such calls seldom do. Two levels down.
 */
const OPAQUE_IS_WEAK: ReadonlySet<SinkKind> = new Set<SinkKind>(['xss']);

function confidenceOf(rule: AnyRule, label: Label): Confidence {
  if (label.origin === 'param') return 'low';
  let c: Confidence = rule.confidence;
  if (label.threat === 'local') {
    c = lower(c);
    if (rule.taint && LOCAL_IS_CONFIGURATION.has(rule.taint.kind)) c = lower(c);
  }
  if (label.lowered) {
    c = lower(c);
    if (rule.taint && OPAQUE_IS_WEAK.has(rule.taint.kind)) c = lower(c);
  }
  return c;
}

function toFinding(hit: TaintHit, rule: AnyRule, confidence: Confidence, fromParam: string | undefined, lineOf: LineOf): Finding {
  const { sink } = hit;
  const summary = ruleSummary(rule);
  const source = hit.label.steps[0];
  const trace: TraceStep[] = hit.label.steps.map((s, i) => ({
    kind: i === 0 ? 'source' : s.note.startsWith('passed as') ? 'call' : s.note.startsWith('returned') ? 'return' : 'step',
    location: { path: s.path, startLine: s.span.line, startColumn: s.span.column, endLine: s.span.endLine, endColumn: s.span.endColumn },
    expression: s.span.text,
    note: s.note,
  }));
  trace.push({
    kind: 'sink',
    location: { path: sink.path, startLine: sink.span.line, startColumn: sink.span.column, endLine: sink.span.endLine, endColumn: sink.span.endColumn },
    expression: sink.span.text,
    note: `reaches \`${sink.callee}\` (${sink.description})`,
  });
  const origin = source
    ? `\`${source.span.text}\` (${hit.label.what}, ${source.path === sink.path ? 'line ' : `${source.path}:`}${source.span.line})`
    : hit.label.what;
  const via = trace.length > 2 ? ` through ${trace.length - 2} step${trace.length === 3 ? '' : 's'}` : '';
  const message = fromParam
    ? `If \`${fromParam}\` can come from an untrusted caller, it reaches \`${sink.callee}\` here (${sink.description})${via}.`
    : `${origin} flows into \`${sink.callee}\` (${sink.description})${via}.${hit.label.lowered ? ' The path passes through a call secreview could not see into.' : ''}`;
  const snippet: string[] = [];
  for (let l = sink.span.line; l <= Math.min(sink.span.endLine, sink.span.line + 2); l++) snippet.push(lineOf(sink.path, l));
  return {
    ruleId: rule.id,
    title: rule.title,
    cwe: summary.cwe,
    pillar: summary.pillar,
    severity: rule.severity,
    confidence,
    location: { path: sink.path, startLine: sink.span.line, startColumn: sink.span.column, endLine: sink.span.endLine, endColumn: sink.span.endColumn },
    snippet: snippet.join('\n'),
    message,
    fix: rule.fix.guidance,
    fingerprint: fingerprint(rule.id, sink.path, sink.callSpan.text),
    statementLine: sink.statementLine,
    origin: 'static',
    trace,
  };
}
