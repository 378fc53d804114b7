/**
 * The machine-readable report, schema version 1. The shape is documented in docs/json-format.md
 * and src/report/json-schema.json; every object is built key by key here so the key order is
 * fixed, and nothing from the Report that is not documented leaks into the output.
 */
import { SHOW_TESTS_HINT } from '../filters/test-code.js';
import type { Confidence, CweRef, Diagnostic, Finding, Location, Report, RuleSummary, Severity, TraceStep } from '../findings/types.js';
import { diagnosticsByLocation, findingsByLocation, pillarCounts, rulesById, severityCounts } from './common.js';
import type { ReportOptions, Reporter } from './index.js';
import { llmJson, type JsonLlm } from '../llm/report-sections.js';
import { baselineJson, changeJson, type JsonBaseline, type JsonChange } from './change.js';

export const JSON_SCHEMA_VERSION = 1 as const;

export interface JsonLocation {
  path: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface JsonTraceStep {
  kind: TraceStep['kind'];
  location: JsonLocation;
  expression: string;
  note: string;
}

export interface JsonFinding {
  ruleId: string;
  title: string;
  cwe: CweRef[];
  pillar: CweRef;
  severity: Severity;
  confidence: Confidence;
  location: JsonLocation;
  snippet: string;
  message: string;
  fix: string;
  fingerprint: string;
  origin: Finding['origin'];
  trace?: JsonTraceStep[];
  /** Other places the finding involves: the other access of a race, the calls and the entry point that reach it. */
  related?: { role: string; location: JsonLocation; expression: string; note: string }[];
  /** The LLM's explanation on a static finding it confirmed (origin `static+llm`). */
  llmNote?: string;
  /** With --baseline: whether the baseline records this finding. */
  baselineState?: 'new' | 'unchanged';
}

export interface JsonDiagnostic {
  level: Diagnostic['level'];
  kind: string;
  path: string;
  line?: number;
  message: string;
}

export interface JsonRule {
  id: string;
  title: string;
  language: string;
  cwe: CweRef[];
  pillar: CweRef;
  severity: Severity;
  confidence: Confidence;
  description: string;
  whyItMatters: string;
  fix: { guidance: string; before: string; after: string };
  references: string[];
}

export interface JsonReport {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  tool: { name: string; version: string };
  root: string;
  summary: {
    findings: number;
    bySeverity: Record<Severity, number>;
    byPillar: { id: number; name: string; findings: number }[];
    filesScanned: number;
    lines: number;
    durationMs: number;
    suppressed: number;
    suppressedUnqualified?: number;
    hiddenInTests?: number;
    showTests?: string;
  };
  findings: JsonFinding[];
  diagnostics: JsonDiagnostic[];
  rules: JsonRule[];
  /** Present when the scan ran with --llm. */
  llm?: JsonLlm;
  /** Present for `secreview diff`: the change reviewed. */
  change?: JsonChange;
  /** Present with --baseline. */
  baseline?: JsonBaseline;
}

export const jsonReporter: Reporter = {
  name: 'json',
  extension: '.json',
  render(report: Report, _options: ReportOptions): string {
    return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
  },
};

export function toJsonReport(report: Report): JsonReport {
  const findings = findingsByLocation(report);
  const counts = severityCounts(findings);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    root: report.root,
    summary: {
      findings: findings.length,
      bySeverity: { critical: counts.critical, high: counts.high, medium: counts.medium, low: counts.low },
      byPillar: pillarCounts(findings).map((p) => ({ id: p.pillar.id, name: p.pillar.name, findings: p.total })),
      filesScanned: report.stats.filesScanned,
      lines: report.stats.lines,
      durationMs: report.stats.durationMs,
      suppressed: report.stats.suppressed,
      ...(report.stats.suppressedUnqualified ? { suppressedUnqualified: report.stats.suppressedUnqualified } : {}),
      ...(report.stats.hiddenInTests ? { hiddenInTests: report.stats.hiddenInTests, showTests: SHOW_TESTS_HINT } : {}),
    },
    findings: findings.map(jsonFinding),
    diagnostics: diagnosticsByLocation(report).map(jsonDiagnostic),
    rules: rulesById(report).map(jsonRule),
    ...(report.llm ? { llm: llmJson(report.llm) } : {}),
    ...(report.change ? { change: changeJson(report.change) } : {}),
    ...(report.baseline ? { baseline: baselineJson(report.baseline) } : {}),
  };
}

function cwe(c: CweRef): CweRef {
  return { id: c.id, name: c.name };
}

function jsonLocation(l: Location): JsonLocation {
  return { path: l.path, startLine: l.startLine, startColumn: l.startColumn, endLine: l.endLine, endColumn: l.endColumn };
}

function jsonFinding(f: Finding): JsonFinding {
  const out: JsonFinding = {
    ruleId: f.ruleId,
    title: f.title,
    cwe: f.cwe.map(cwe),
    pillar: cwe(f.pillar),
    severity: f.severity,
    confidence: f.confidence,
    location: jsonLocation(f.location),
    snippet: f.snippet,
    message: f.message,
    fix: f.fix,
    fingerprint: f.fingerprint,
    origin: f.origin,
  };
  if (f.trace && f.trace.length > 0) {
    out.trace = f.trace.map((s) => ({ kind: s.kind, location: jsonLocation(s.location), expression: s.expression, note: s.note }));
  }
  if (f.related && f.related.length > 0) {
    out.related = f.related.map((r) => ({ role: r.role, location: jsonLocation(r.location), expression: r.expression, note: r.note }));
  }
  if (f.llmNote) out.llmNote = f.llmNote;
  if (f.baselineState) out.baselineState = f.baselineState;
  return out;
}

function jsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  return { level: d.level, kind: d.kind, path: d.path, ...(d.line !== undefined ? { line: d.line } : {}), message: d.message };
}

function jsonRule(r: RuleSummary): JsonRule {
  return {
    id: r.id,
    title: r.title,
    language: r.language,
    cwe: r.cwe.map(cwe),
    pillar: cwe(r.pillar),
    severity: r.severity,
    confidence: r.confidence,
    description: r.description,
    whyItMatters: r.whyItMatters,
    fix: { guidance: r.fix.guidance, before: r.fix.before, after: r.fix.after },
    references: [...r.references],
  };
}
