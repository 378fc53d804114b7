/** Helpers shared by the reporters: ordering, counting, rule lookup and safe display of untrusted text. */
import { SEVERITIES, severityRank } from '../findings/types.js';
import type { CweRef, Diagnostic, DiagnosticKind, Finding, Report, RuleSummary, Severity } from '../findings/types.js';

/** Severities from most to least severe. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

/** Code-unit string order: unlike localeCompare it is the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Location order with enough tie-breakers to be total for distinct findings. */
export function compareByLocation(a: Finding, b: Finding): number {
  const la = a.location;
  const lb = b.location;
  return (
    compareStrings(la.path, lb.path) ||
    la.startLine - lb.startLine ||
    la.startColumn - lb.startColumn ||
    la.endLine - lb.endLine ||
    la.endColumn - lb.endColumn ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.fingerprint, b.fingerprint) ||
    compareStrings(a.message, b.message)
  );
}

/** Most severe first, then by location (what a reader wants to see first). */
export function compareBySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || compareByLocation(a, b);
}

export function findingsBySeverity(report: Report): Finding[] {
  return [...report.findings].sort(compareBySeverity);
}

export function findingsByLocation(report: Report): Finding[] {
  return [...report.findings].sort(compareByLocation);
}

/** Errors before warnings, then by path and line. */
export function sortedDiagnostics(report: Report): Diagnostic[] {
  const levelRank = (d: Diagnostic): number => (d.level === 'error' ? 0 : 1);
  return [...report.diagnostics].sort(
    (a, b) =>
      levelRank(a) - levelRank(b) ||
      compareStrings(a.path, b.path) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.message, b.message),
  );
}

/** Diagnostics that mean a file was not (fully) analysed, as opposed to notes about settings or suppressions. */
const INCOMPLETE_ANALYSIS_KINDS: ReadonlySet<DiagnosticKind> = new Set<DiagnosticKind>([
  'read-error',
  'decode-error',
  'binary-file',
  'parse-error',
  'skipped',
  'internal-error',
]);

/** Paths of files that could not be fully analysed, sorted and unique. */
export function incompletelyAnalysedFiles(report: Report): string[] {
  const paths = new Set<string>();
  for (const d of report.diagnostics) {
    if (INCOMPLETE_ANALYSIS_KINDS.has(d.kind) || (d.level === 'error' && d.kind !== 'config-error' && d.kind !== 'suppression-error')) {
      paths.add(d.path);
    }
  }
  return [...paths].sort(compareStrings);
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export interface PillarCount {
  pillar: CweRef;
  total: number;
  bySeverity: Record<Severity, number>;
}

/** Finding counts per CWE-1000 pillar, ordered by pillar id. */
export function pillarCounts(findings: readonly Finding[]): PillarCount[] {
  const byId = new Map<number, PillarCount>();
  for (const f of findings) {
    let entry = byId.get(f.pillar.id);
    if (!entry) {
      entry = { pillar: { id: f.pillar.id, name: f.pillar.name }, total: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0 } };
      byId.set(f.pillar.id, entry);
    }
    entry.total++;
    entry.bySeverity[f.severity]++;
  }
  return [...byId.values()].sort((a, b) => a.pillar.id - b.pillar.id);
}

export function ruleIndex(report: Report): Map<string, RuleSummary> {
  return new Map(report.rules.map((r) => [r.id, r]));
}

export function cweUrl(id: number): string {
  return `https://cwe.mitre.org/data/definitions/${id}.html`;
}

/** "1 finding", "2 findings". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** 12345 → "12,345", independent of the machine's locale. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Joins message parts into one sentence run, adding a full stop where a part lacks one. */
export function sentences(...parts: (string | undefined)[]): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .map((p) => (/[.!?:)`'"]$/.test(p) ? p : `${p}.`))
    .join(' ');
}

/**
 * Characters that must not reach a terminal or a rendered page as-is: C0/C1 controls (ANSI escape
 * sequences could rewrite or hide the report), DEL, and the invisible/bidirectional format
 * characters used in "Trojan Source" attacks (CVE-2021-42574). Tab and newline are handled by callers.
 */
const UNSAFE_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/;
const UNSAFE_CHAR_GLOBAL = new RegExp(UNSAFE_CHAR.source, 'g');

/** Python-style escape for one unsafe character, e.g. `\x1b`, `\u202e`. */
export function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function isUnsafeChar(ch: string): boolean {
  return UNSAFE_CHAR.test(ch);
}

/**
 * Makes untrusted text (source code, messages quoting it, paths) safe to print: unsafe characters
 * become visible escapes, tabs stay, and newlines are kept or (with `singleLine`) turned into spaces.
 */
export function neutralise(text: string, singleLine = false): string {
  let out = text.replace(/\r\n?/g, '\n');
  if (singleLine) out = out.replace(/\n+/g, ' ');
  return out.replace(UNSAFE_CHAR_GLOBAL, escapeChar);
}

/** By path, line, kind and message (the order machine formats use). */
export function diagnosticsByLocation(report: Report): Diagnostic[] {
  return [...report.diagnostics].sort(
    (a, b) =>
      compareStrings(a.path, b.path) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      compareStrings(a.level, b.level) ||
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.message, b.message),
  );
}

export function rulesById(report: Report): RuleSummary[] {
  return [...report.rules].sort((a, b) => compareStrings(a.id, b.id));
}

/** "CWE-707 Improper Neutralization", or "unknown pillar" when the catalogue gave none (id 0). */
export function pillarLabel(p: CweRef): string {
  return p.id > 0 ? `CWE-${p.id} ${p.name}` : p.name || 'unknown pillar';
}
