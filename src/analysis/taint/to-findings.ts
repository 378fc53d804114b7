import type { Confidence, Finding, TraceStep } from '../../findings/types.js';
import { CONFIDENCES } from '../../findings/types.js';
import { fingerprint } from '../../findings/fingerprint.js';
import type { AnyRule } from '../../rules/define-rule.js';
import { ruleSummary } from '../../rules/catalogue-info.js';
import type { TaintHit, TaintResult } from './engine.js';
import type { SinkKind } from './models.js';
import type { Label } from './values.js';

export type LineOf = (path: string, line: number) => string;

const lower = (c: Confidence): Confidence => CONFIDENCES[Math.max(0, CONFIDENCES.indexOf(c) - 1)]!;

/**
 * One finding per sink and kind: the best-evidenced path wins (a real source over a
 * parameter, then the higher confidence, then the shorter path). Parameter-only flows are
 * reported at low confidence, worded as a condition on the caller.
 */
export function taintFindings(result: TaintResult, rules: ReadonlyMap<SinkKind, AnyRule>, lineOf: LineOf): Finding[] {
  const best = new Map<string, { hit: TaintHit; confidence: Confidence; fromParam: string | undefined }>();
  const consider = (hit: TaintHit, fromParam: string | undefined): void => {
    const rule = rules.get(hit.kind);
    if (!rule) return;
    const confidence = confidenceOf(rule, hit.label);
    const key = `${hit.kind}|${hit.sink.path}|${hit.sink.span.line}|${hit.sink.span.column}`;
    const current = best.get(key);
    const better =
      !current ||
      (current.fromParam !== undefined && fromParam === undefined) ||
      (Boolean(current.fromParam) === Boolean(fromParam) &&
        (CONFIDENCES.indexOf(confidence) > CONFIDENCES.indexOf(current.confidence) ||
          (confidence === current.confidence && hit.label.steps.length < current.hit.label.steps.length)));
    if (better) best.set(key, { hit, confidence, fromParam });
  };
  for (const hit of result.sourceHits) consider(hit, undefined);
  for (const { fn, hit } of result.parameterHits) {
    if (fn.name.startsWith('_') && !fn.name.startsWith('__')) continue; // private helpers: their public callers report it
    if (fn.name === '<module>') continue;
    consider(hit, hit.label.what);
  }
  const findings: Finding[] = [];
  for (const { hit, confidence, fromParam } of best.values()) {
    findings.push(toFinding(hit, rules.get(hit.kind)!, confidence, fromParam, lineOf));
  }
  return findings;
}

function confidenceOf(rule: AnyRule, label: Label): Confidence {
  if (label.origin === 'param') return 'low';
  let c: Confidence = label.threat === 'local' ? lower(rule.confidence) : rule.confidence;
  if (label.lowered) c = lower(c);
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
