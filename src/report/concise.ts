/**
 * One line per finding, as compilers, Ruff and ESLint print them, so that terminals and editors
 * make `path:line:col` clickable and `grep`/`awk` can take the lines apart:
 *
 *   app/views.py:12:5: high python/command-injection CWE-78 Request data reaches a shell command
 *
 * Diagnostics follow in the same shape (`error` or `warning` in place of the severity), then one
 * closing line: the verdict when nothing is shown, else the count by severity.
 */
import type { Diagnostic, Finding, Report } from '../findings/types.js';
import { SEVERITIES_DESC, capitalise, compareByLocation, neutralise, plural, severityCounts, sortedDiagnostics } from './common.js';
import { emptyVerdict, hiddenByBaseline, shownFindings } from './change.js';
import type { Reporter } from './index.js';

export const conciseReporter: Reporter = {
  name: 'concise',
  extension: '.txt',
  render(report: Report): string {
    return renderConcise(report);
  },
};

export function renderConcise(report: Report): string {
  const findings = [...shownFindings(report)].sort(compareByLocation);
  const out = findings.map(findingLine);
  for (const d of sortedDiagnostics(report)) out.push(diagnosticLine(d));
  if (findings.length === 0) {
    out.push(emptyVerdict(report));
  } else {
    const counts = severityCounts(findings);
    const bySeverity = SEVERITIES_DESC.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
    const known = hiddenByBaseline(report);
    const hidden = known > 0 ? `; ${known} recorded in the baseline not shown` : '';
    out.push(`${capitalise(plural(findings.length, 'security defect'))} found (${bySeverity.join(', ')})${hidden}`);
  }
  return `${out.join('\n')}\n`;
}

function findingLine(f: Finding): string {
  const { path, startLine, startColumn } = f.location;
  const cwe = f.cwe[0] ? ` CWE-${f.cwe[0].id}` : '';
  const origin = f.origin === 'llm-verified' ? ' (LLM)' : '';
  // One line whatever the message holds: newlines become spaces, control characters escapes.
  return `${neutralise(path, true)}:${startLine}:${startColumn}: ${f.severity} ${f.ruleId}${cwe} ${neutralise(f.message, true)}${origin}`;
}

function diagnosticLine(d: Diagnostic): string {
  const where = d.path ? `${neutralise(d.path, true)}${d.line ? `:${d.line}:1` : ''}: ` : '';
  return `${where}${d.level} ${d.kind}: ${neutralise(d.message, true)}`;
}
