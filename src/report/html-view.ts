/** The HTML report's view model: the report normalised defensively (unknown or missing optional fields never throw). */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Report } from '../findings/types.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../parse/decode.js';
import { compareStrings } from './common.js';
import type { ReportOptions } from './index.js';
import { text } from './html-escape.js';

// ---------------------------------------------------------------------------------------------
// View model: the report normalised defensively (unknown or missing optional fields never throw).

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;
export const CONFIDENCE_ORDER = ['high', 'medium', 'low'] as const;

export interface ViewCwe {
  id: number;
  name: string;
}

/** A location as the page uses it: 1-based, never ending before it starts. */
interface ViewLocation {
  path: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

interface ViewStep extends ViewLocation {
  kind: string;
  expression: string;
  note: string;
}

export interface ViewFinding extends ViewLocation {
  n: number;
  ruleId: string;
  title: string;
  severity: string;
  confidence: string;
  cwe: ViewCwe[];
  pillar: ViewCwe;
  snippet: string;
  message: string;
  fix: string;
  fingerprint: string;
  origin: string;
  baseline?: string;
  /** LLM text attached to the finding (an explanation from the LLM second opinion), if any. */
  llmNote?: string;
  trace: ViewStep[];
  /** Related locations (a race's other access, calls, entry point): `kind` is the role. */
  related: ViewStep[];
}

interface ViewRule {
  id: string;
  title: string;
  description: string;
  whyItMatters: string;
  fix: { guidance: string; before: string; after: string };
  references: string[];
  language: string;
}

export type Loose = Record<string, unknown>;

export function rec(v: unknown): Loose {
  return v !== null && typeof v === 'object' ? (v as Loose) : {};
}
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}
export function int(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function cweRef(v: unknown): ViewCwe {
  const r = rec(v);
  return { id: Math.max(0, int(r.id)), name: str(r.name) };
}
/** Code with CRLF line ends normalised, so line splitting is the same everywhere. */
export function code(v: unknown): string {
  return str(v).replace(/\r\n/g, '\n');
}

/** The baseline state of a finding, if a later stage attached one (`baseline` or `baselineState`). */
function baselineOf(f: Loose): string | undefined {
  const b = f.baseline ?? f.baselineState;
  if (typeof b === 'string') return b || undefined;
  const r = rec(b);
  const s = str(r.state) || str(r.status);
  return s || undefined;
}

function severityRankOf(s: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

function viewLocation(v: unknown): ViewLocation {
  const loc = rec(v);
  const line = Math.max(1, int(loc.startLine, 1));
  const col = Math.max(1, int(loc.startColumn, 1));
  return {
    path: str(loc.path),
    line,
    col,
    endLine: Math.max(line, int(loc.endLine, line)),
    endCol: Math.max(1, int(loc.endColumn, col + 1)),
  };
}

function viewStep(v: unknown): ViewStep {
  const s = rec(v);
  return {
    kind: str(s.kind) || 'step',
    ...viewLocation(s.location),
    expression: str(s.expression),
    note: str(s.note),
  };
}

function viewFinding(v: unknown): ViewFinding {
  const f = rec(v);
  const baseline = baselineOf(f);
  const llmNote = str(f.llmNote);
  return {
    n: 0,
    ruleId: str(f.ruleId),
    title: str(f.title),
    severity: str(f.severity) || 'unknown',
    confidence: str(f.confidence) || 'unknown',
    cwe: arr(f.cwe).map(cweRef),
    pillar: cweRef(f.pillar),
    ...viewLocation(f.location),
    snippet: code(f.snippet),
    message: str(f.message),
    fix: str(f.fix),
    fingerprint: str(f.fingerprint),
    origin: str(f.origin) || 'static',
    ...(baseline !== undefined ? { baseline } : {}),
    ...(llmNote ? { llmNote } : {}),
    trace: arr(f.trace).map(viewStep),
    related: arr(f.related).map((r) => viewStep({ ...rec(r), kind: rec(r).role })),
  };
}

function viewRule(v: unknown): ViewRule {
  const r = rec(v);
  const fix = rec(r.fix);
  return {
    id: str(r.id),
    title: str(r.title),
    description: str(r.description),
    whyItMatters: str(r.whyItMatters),
    fix: { guidance: str(fix.guidance), before: code(fix.before), after: code(fix.after) },
    references: arr(r.references).map(str).filter(Boolean),
    language: str(r.language) || 'python',
  };
}

/** Most severe first, then by location, with enough tie-breakers to be a total order. */
function compareViewFindings(a: ViewFinding, b: ViewFinding): number {
  return (
    severityRankOf(a.severity) - severityRankOf(b.severity) ||
    compareStrings(a.path, b.path) ||
    a.line - b.line ||
    a.col - b.col ||
    a.endLine - b.endLine ||
    a.endCol - b.endCol ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.fingerprint, b.fingerprint) ||
    compareStrings(a.message, b.message)
  );
}

interface View {
  findings: ViewFinding[];
  rules: ViewRule[];
  sources: [string, string][];
}

export function buildView(report: Report, options: ReportOptions): View {
  const findings = arr(report.findings).map(viewFinding).sort(compareViewFindings);
  findings.forEach((f, i) => (f.n = i + 1));
  const used = new Set(findings.map((f) => f.ruleId));
  const rules = arr(report.rules)
    .map(viewRule)
    .filter((r) => used.has(r.id))
    .sort((a, b) => compareStrings(a.id, b.id));
  const given = options.sources;
  const sources: [string, string][] = [];
  if (given && typeof given === 'object') {
    for (const path of pathsOf(findings)) {
      if (Object.prototype.hasOwnProperty.call(given, path)) {
        const text = (given as Record<string, unknown>)[path];
        if (typeof text === 'string') sources.push([path, text.replace(/\r\n/g, '\n')]);
      }
    }
  }
  return { findings, rules, sources };
}

function pathsOf(findings: readonly ViewFinding[]): string[] {
  const paths = new Set<string>();
  for (const f of findings) {
    if (f.path) paths.add(f.path);
    for (const s of f.trace) if (s.path) paths.add(s.path);
    for (const s of f.related) if (s.path) paths.add(s.path);
  }
  return [...paths].sort(compareStrings);
}

/** The files (relative to `report.root`) that findings and their data-flow steps point at, sorted. */
export function referencedPaths(report: Report): string[] {
  return pathsOf(arr(report.findings).map(viewFinding));
}

/** Largest file embedded in a report; bigger ones fall back to the finding's snippet. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * Reads the files a report refers to, for `ReportOptions.sources`. Paths are taken relative to
 * `report.root` and must stay inside it; files that are missing, unreadable, too large or not
 * decodable are skipped. Source read from standard input is given as `stdin` (never re-read).
 */
export function loadReportSources(report: Report, stdin?: { filename: string; text: string }): Record<string, string> {
  const out = new Map<string, string>();
  const root = resolve(report.root);
  for (const path of referencedPaths(report)) {
    if (stdin && path === stdin.filename) {
      out.set(path, normaliseLoneCarriageReturns(stdin.text));
      continue;
    }
    const abs = resolve(root, path);
    const rel = relative(root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    try {
      const st = statSync(abs);
      if (!st.isFile() || st.size > MAX_SOURCE_BYTES) continue;
      const decoded = decodeSource(readFileSync(abs));
      if (decoded.ok) out.set(path, normaliseLoneCarriageReturns(decoded.text));
    } catch {
      // Unreadable: the report shows the snippet instead.
    }
  }
  return Object.fromEntries(out);
}
