/** Terminal report: numbered findings, most severe first, each with its code, reason and fix. */
import { SHOW_TESTS_HINT, unqualifiedNote } from '../filters/test-code.js';
import picocolors from 'picocolors';
import type { Diagnostic, Finding, Report, RuleSummary, Severity, TraceStep } from '../findings/types.js';
import {
  SEVERITIES_DESC,
  capitalise,
  formatCount,
  formatDuration,
  incompletelyAnalysedFiles,
  neutralise,
  pillarCounts,
  pillarLabel,
  plural,
  ruleIndex,
  sentences,
  severityCounts,
  sortedDiagnostics,
} from './common.js';
import { renderSourceLine } from './display.js';
import { changeStats, emptyVerdict, hiddenByBaseline, messageLines, shownFindings } from './change.js';
import type { ReportOptions, Reporter } from './index.js';
import { llmTextSection, originLabel } from '../llm/report-sections.js';

type Colors = ReturnType<typeof picocolors.createColors>;

const INDENT = '   ';
const GUTTER_INDENT = '       ';

export const textReporter: Reporter = {
  name: 'text',
  extension: '.txt',
  render(report: Report, options: ReportOptions): string {
    return renderText(report, options);
  },
};

function severityPainter(c: Colors, severity: Severity): (s: string) => string {
  switch (severity) {
    case 'critical':
      return (s) => c.bold(c.red(s));
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.cyan;
  }
}

export function renderText(report: Report, options: ReportOptions): string {
  const c = picocolors.createColors(options.color);
  const out: string[] = [];
  out.push(header(report, options));
  if (report.change) out.push(...changeHeader(report.change));

  // With a baseline, the findings it records are not listed (JSON and SARIF keep them).
  const findings = shownFindings(report);
  const rules = ruleIndex(report);
  findings.forEach((f, i) => {
    out.push('');
    out.push(...renderFinding(f, i + 1, rules.get(f.ruleId), c, options));
  });

  out.push(...llmTextSection(report, options.showRejected === true, (s) => neutralise(s, true), c.bold));
  out.push(...renderSummary(report, findings, c));
  return `${out.join('\n')}\n`;
}

function header(report: Report, options: ReportOptions): string {
  const s = report.stats;
  const parts = [
    `secreview ${neutralise(report.tool.version, true)}`,
    `${plural(s.filesScanned, 'file')} scanned`,
    ...(s.templatesRead ? [`${plural(s.templatesRead, 'template')} read`] : []),
    `${formatCount(s.lines)} ${s.lines === 1 ? 'line' : 'lines'}`,
    formatDuration(s.durationMs),
  ];
  if (options.verbose) {
    parts.push(`${plural(s.filesDiscovered, 'file')} found`, `${s.filesWithErrors} with errors`, `root ${neutralise(report.root, true)}`);
  }
  return parts.join(' · ');
}

function changeHeader(change: NonNullable<Report['change']>): string[] {
  const out = [`Change: ${neutralise(change.base, true)} → ${neutralise(change.head, true)} · ${changeStats(change)}`];
  if (change.message) out.push(...messageLines(change.message).map((l) => `${INDENT}${neutralise(l, true)}`.trimEnd()));
  return out;
}

function renderFinding(f: Finding, n: number, rule: RuleSummary | undefined, c: Colors, options: ReportOptions): string[] {
  const paint = severityPainter(c, f.severity);
  const lines: string[] = [];
  const [primary, ...others] = f.cwe;
  const cweText = primary ? `CWE-${primary.id} (${primary.name})` : 'CWE unknown';
  lines.push(`${c.bold(`${n}. ${cweText}`)}  ${paint(`[${f.severity} severity · ${f.confidence} confidence]`)}`);
  lines.push(`${INDENT}Rule:     ${f.ruleId} — ${neutralise(f.title, true)}`);
  const origin = originLabel(f);
  if (origin) lines.push(`${INDENT}Origin:   ${origin}`);
  lines.push(`${INDENT}Pillar:   ${pillarLabel(f.pillar)}`);
  if (others.length > 0) lines.push(`${INDENT}Also:     ${others.map((o) => `CWE-${o.id} (${o.name})`).join(', ')}`);
  const loc = f.location;
  lines.push(`${INDENT}Location: ${neutralise(loc.path, true)}:${loc.startLine}:${loc.startColumn}`);
  lines.push(...renderSnippet(f, paint));

  lines.push(`${INDENT}Description: ${neutralise(sentences(f.message, rule?.description), true)}`);
  if (rule) lines.push(`${INDENT}Why it matters: ${neutralise(rule.whyItMatters, true)}`);
  lines.push(`${INDENT}Solution: ${neutralise(f.fix || rule?.fix.guidance || '', true)}`);
  if (rule) {
    const pad = `${INDENT}          `;
    lines.push(...labelledBlock(`${pad}Before: `, rule.fix.before));
    lines.push(...labelledBlock(`${pad}After:  `, rule.fix.after));
  }
  if (f.llmNote) lines.push(`${INDENT}LLM note: ${neutralise(f.llmNote, true)}`);
  if (f.trace && f.trace.length > 0) {
    lines.push(`${INDENT}Data flow:`);
    const whereWidth = Math.max(...f.trace.map((s) => [...stepWhere(s)].length));
    f.trace.forEach((step, i) => lines.push(`${INDENT}  ${traceLine(step, i + 1, f.trace!.length, whereWidth)}`));
  }
  if (f.related && f.related.length > 0) {
    lines.push(`${INDENT}Related:`);
    const whereWidth = Math.max(...f.related.map((r) => [...stepWhere(r)].length));
    for (const r of f.related) {
      const where = stepWhere(r);
      const pad = ' '.repeat(Math.max(0, whereWidth - [...where].length));
      lines.push(`${INDENT}  ${r.role.padEnd(6)}  ${where}${pad}  ${neutralise(r.expression, true)}  — ${neutralise(r.note, true)}`);
    }
  }
  if (options.verbose) {
    if (rule && rule.references.length > 0) {
      lines.push(`${INDENT}References:`);
      for (const r of rule.references) lines.push(`${INDENT}  ${neutralise(r, true)}`);
    }
    lines.push(`${INDENT}Fingerprint: ${f.fingerprint}`);
  }
  return lines;
}

/** The flagged code: one line with a caret underline, or the numbered lines of a multi-line finding. */
function renderSnippet(f: Finding, paint: (s: string) => string): string[] {
  const loc = f.location;
  const snippetLines = f.snippet.replace(/\r\n?/g, '\n').split('\n');
  if (f.snippet.length === 0) return [];
  const lastShown = loc.startLine + snippetLines.length - 1;
  const numberWidth = String(Math.max(lastShown, loc.endLine)).length;
  const gutter = (n: number | undefined): string => `${GUTTER_INDENT}${(n === undefined ? '' : String(n)).padStart(numberWidth)} |`;
  const out: string[] = [];
  if (loc.endLine <= loc.startLine) {
    const source = snippetLines[0] ?? '';
    const endColumn = loc.endLine === loc.startLine ? loc.endColumn : loc.startColumn + 1;
    const rendered = renderSourceLine(source, { start: loc.startColumn - 1, end: endColumn - 1 });
    out.push(withText(gutter(loc.startLine), rendered.text));
    out.push(withText(gutter(undefined), paint(rendered.carets)));
    return out;
  }
  snippetLines.forEach((source, i) => out.push(withText(gutter(loc.startLine + i), renderSourceLine(source).text)));
  if (loc.endLine > lastShown) out.push(`${gutter(undefined)} … continues to line ${loc.endLine}`);
  return out;
}

function withText(gutter: string, text: string): string {
  return text.length > 0 ? `${gutter} ${text}` : gutter;
}

/** First line after the label, later lines aligned under the first. */
function labelledBlock(label: string, code: string): string[] {
  const codeLines = neutralise(code).split('\n');
  const pad = ' '.repeat(label.length);
  return codeLines.map((l, i) => `${i === 0 ? label : pad}${l}`.trimEnd());
}

function stepWhere(step: { location: TraceStep['location'] }): string {
  const loc = step.location;
  return `${neutralise(loc.path, true)}:${loc.startLine}:${loc.startColumn}`;
}

/** `1. source  app/views.py:10:5  request.args['host']  — note`, locations padded to one width. */
function traceLine(step: TraceStep, n: number, total: number, whereWidth: number): string {
  const where = stepWhere(step);
  const pad = ' '.repeat(Math.max(0, whereWidth - [...where].length));
  const note = step.note.trim() ? `  — ${neutralise(step.note, true)}` : '';
  return `${String(n).padStart(String(total).length)}. ${step.kind.padEnd(6)}  ${where}${pad}  ${neutralise(step.expression, true)}${note}`;
}

function renderSummary(report: Report, findings: readonly Finding[], c: Colors): string[] {
  const out: string[] = [];
  const stats = report.stats;
  const hidden: string[] = [];
  if (stats.suppressed > 0) hidden.push(`${formatCount(stats.suppressed)} suppressed by comments${unqualifiedNote(stats.suppressedUnqualified)}`);
  if (stats.belowThreshold > 0) hidden.push(`${formatCount(stats.belowThreshold)} below the reporting threshold`);
  if (stats.hiddenInTests) hidden.push(`${formatCount(stats.hiddenInTests)} in test code (shown with ${SHOW_TESTS_HINT})`);
  const known = hiddenByBaseline(report);
  if (known > 0) hidden.push(`${formatCount(known)} recorded in the baseline`);
  if (report.change && report.change.notShown > 0) hidden.push(`${formatCount(report.change.notShown)} outside the change or there before it`);

  if (findings.length > 0 || hidden.length > 0 || report.baseline) {
    out.push('', c.bold('Summary'));
    if (findings.length > 0) {
      const counts = severityCounts(findings);
      const bySeverity = SEVERITIES_DESC.map((s) => severityPainter(c, s)(`${counts[s]} ${s}`)).join(', ');
      out.push(`${INDENT}Findings:  ${findings.length} (${bySeverity})`);
      const pillars = pillarCounts(findings).map((p) => `${pillarLabel(p.pillar)}: ${p.total}`);
      out.push(`${INDENT}By pillar: ${pillars.join(' · ')}`);
    }
    if (hidden.length > 0) out.push(`${INDENT}Not shown: ${hidden.join(' · ')}`);
    if (report.baseline) {
      const b = report.baseline;
      out.push(`${INDENT}Baseline:  ${neutralise(b.file, true)}: ${b.new} new · ${b.unchanged} unchanged · ${b.absent} absent (recorded, no longer found)`);
    }
  }

  const diagnostics = sortedDiagnostics(report);
  if (diagnostics.length > 0) {
    out.push('', c.bold('Diagnostics'));
    const errors = diagnostics.filter((d) => d.level === 'error');
    const warnings = diagnostics.filter((d) => d.level !== 'error');
    if (errors.length > 0) {
      out.push(`${INDENT}${c.red('Errors:')}`);
      for (const d of errors) out.push(`${INDENT}  ${diagnosticLine(d)}`);
    }
    if (warnings.length > 0) {
      out.push(`${INDENT}${c.yellow('Warnings:')}`);
      for (const d of warnings) out.push(`${INDENT}  ${diagnosticLine(d)}`);
    }
  }

  const incomplete = incompletelyAnalysedFiles(report);
  const notes: string[] = [];
  if (incomplete.length > 0) {
    notes.push(
      `Note: ${plural(incomplete.length, 'file')} could not be fully analysed, so defects in ${incomplete.length === 1 ? 'it' : 'them'} may be missed (see the diagnostics above).`,
    );
  }
  if (report.diagnostics.some((d) => d.kind === 'config-error')) {
    notes.push('Note: some settings could not be applied (see the diagnostics above).');
  }
  if (notes.length > 0) out.push('', ...notes);

  out.push('');
  if (findings.length === 0) {
    // The verdict is always its own, undecorated line, so scripts and people can rely on it.
    out.push(emptyVerdict(report));
  } else {
    const counts = severityCounts(findings);
    const nonZero = SEVERITIES_DESC.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
    out.push(c.bold(`${capitalise(plural(findings.length, 'security defect'))} found (${nonZero.join(', ')})`));
  }
  return out;
}

/** `path:line: kind: message` (the line and the path are left out when unknown). */
export function diagnosticLine(d: Diagnostic): string {
  const where = d.path ? `${neutralise(d.path, true)}${d.line ? `:${d.line}` : ''}: ` : '';
  return `${where}${d.kind}: ${neutralise(d.message, true)}`;
}
