/**
 * The JSON body of GitHub's "create a review for a pull request" call
 * (POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews):
 *
 *   { "body": "...", "event": "COMMENT", "comments": [{ "path", "line", "side": "RIGHT", "body" }] }
 *
 * One inline comment per finding, on a changed line: the finding's own line when it changed, else
 * the first changed step of its data-flow path (a new source reaching an old sink is commented at
 * the source). For a scan without a diff every finding is commented on its own line. Findings a
 * baseline records are left out. Text from the scanned code is escaped as in the Markdown report.
 */
import type { Finding, Report, RuleSummary, TraceStep } from '../findings/types.js';
import { capitalise, formatCount, plural, ruleIndex, sentences } from './common.js';
import { codeBlock, escapeMarkdown, inlineCode, inlineMarkdown, summaryTable } from './markdown.js';
import { emptyVerdict, hiddenByBaseline, placedFindings, shownFindings } from './change.js';
import type { ReportOptions, Reporter } from './index.js';

export interface GitHubReviewComment {
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  body: string;
}

export interface GitHubReview {
  body: string;
  event: 'COMMENT' | 'REQUEST_CHANGES' | 'APPROVE';
  comments: GitHubReviewComment[];
}

export const githubReviewReporter: Reporter = {
  name: 'github-review',
  extension: '.json',
  render(report: Report, _options: ReportOptions): string {
    return `${JSON.stringify(toGitHubReview(report), null, 2)}\n`;
  },
};

export function toGitHubReview(report: Report): GitHubReview {
  const findings = shownFindings(report);
  const rules = ruleIndex(report);
  const placed = placedFindings(report);
  return {
    body: reviewBody(report, findings),
    event: 'COMMENT',
    comments: placed.map(({ f, at }) => ({ path: at.path, line: at.line, side: 'RIGHT', body: commentBody(f, at, rules.get(f.ruleId)) })),
  };
}

function reviewBody(report: Report, findings: readonly Finding[]): string {
  const out: string[] = [];
  if (findings.length === 0) out.push(emptyVerdict(report));
  else {
    out.push(`**secreview: ${plural(findings.length, 'security defect')} found${report.change ? ' in this change' : ''}** (see the inline comments)`);
    out.push('', ...summaryTable(findings));
  }
  const notes: string[] = [];
  const known = hiddenByBaseline(report);
  if (known > 0) notes.push(`${formatCount(known)} recorded in the baseline`);
  if (report.change && report.change.notShown > 0) notes.push(`${formatCount(report.change.notShown)} outside the change or there before it`);
  if (report.stats.suppressed > 0) notes.push(`${formatCount(report.stats.suppressed)} suppressed`);
  const errors = report.diagnostics.filter((d) => d.level === 'error').length;
  const tail = [
    `secreview ${escapeMarkdown(report.tool.version)}`,
    ...(notes.length > 0 ? [`not shown: ${notes.join(', ')}`] : []),
    ...(errors > 0 ? [`${plural(errors, 'file error')} (see the full report)`] : []),
  ];
  out.push('', `<sub>${tail.join(' · ')}.</sub>`);
  return out.join('\n');
}

/**
 * The commented line as the finding's fix leaves it, for a GitHub suggestion block: only when every
 * edit is on that line (a suggestion replaces the lines the comment is on, nothing else) and the
 * line is the finding's first, whose text the snippet holds.
 */
function suggestion(f: Finding, at: { path: string; line: number }): string | undefined {
  if (!f.autofix || at.path !== f.location.path || at.line !== f.location.startLine) return undefined;
  if (!f.autofix.edits.every((e) => e.startLine === at.line && e.endLine === at.line)) return undefined;
  let line = f.snippet.split('\n')[0] ?? '';
  // Right to left, so the earlier columns stay valid.
  for (const e of [...f.autofix.edits].sort((a, b) => b.startColumn - a.startColumn)) {
    if (e.endColumn - 1 > line.length) return undefined;
    line = line.slice(0, e.startColumn - 1) + e.text + line.slice(e.endColumn - 1);
  }
  // A fence inside the suggestion would end the block early.
  return line.includes('```') || line.includes('\n') ? undefined : line;
}

function commentBody(f: Finding, at: { path: string; line: number }, rule: RuleSummary | undefined): string {
  const primary = f.cwe[0];
  const out: string[] = [];
  out.push(
    `**${primary ? `CWE-${primary.id}` : 'CWE unknown'} · ${inlineMarkdown(f.title)}** · ${capitalise(f.severity)} severity, ${f.confidence} confidence · rule ${inlineCode(f.ruleId)}`,
  );
  out.push('', inlineMarkdown(sentences(f.message)));
  const here = at.path === f.location.path && at.line >= f.location.startLine && at.line <= Math.max(f.location.endLine, f.location.startLine);
  if (!here) {
    out.push('', `The data reaches ${inlineCode(`${f.location.path}:${f.location.startLine}`)}:`);
    if (f.snippet.length > 0) out.push('', codeBlock(f.snippet, rule?.language || 'python'));
  }
  out.push('', `**Fix:** ${inlineMarkdown(f.fix || rule?.fix.guidance || '')}`);
  const suggested = suggestion(f, at);
  if (suggested !== undefined) out.push('', '```suggestion', suggested, '```');
  else if (f.autofix) out.push('', `\`secreview fix\` applies it: ${inlineMarkdown(f.autofix.description)}.`);
  if (f.trace && f.trace.length > 0) {
    out.push('', `<details><summary>Data flow (${plural(f.trace.length, 'step')})</summary>`, '');
    f.trace.forEach((step, i) => out.push(traceItem(step, i + 1)));
    out.push('', '</details>');
  }
  return out.join('\n');
}

function traceItem(step: TraceStep, n: number): string {
  const loc = step.location;
  const note = step.note.trim() ? ` — ${inlineMarkdown(step.note)}` : '';
  return `${n}. **${step.kind}** ${inlineCode(`${loc.path}:${loc.startLine}:${loc.startColumn}`)} ${inlineCode(step.expression)}${note}`;
}
