/**
 * Markdown for a pull-request comment. Everything that comes from the scanned code or from
 * messages quoting it is escaped: it cannot open HTML, break a table or a code fence, or
 * mention people and issues.
 */
import { unqualifiedNote } from '../filters/test-code.js';
import type { ChangeInfo, Diagnostic, Finding, Report, RuleSummary, TraceStep } from '../findings/types.js';
import {
  SEVERITIES_DESC,
  capitalise,
  cweUrl,
  formatCount,
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
import type { ReportOptions, Reporter } from './index.js';
import { llmMarkdownSection, originLabel } from '../llm/report-sections.js';
import { changeStats, emptyVerdict, hiddenByBaseline, messageLines, shownFindings } from './change.js';

export const markdownReporter: Reporter = {
  name: 'markdown',
  extension: '.md',
  render(report: Report, options: ReportOptions): string {
    return renderMarkdown(report, options);
  },
};

const ZWSP = '&#8203;';

/**
 * Escapes text for inline Markdown (also inside table cells): HTML-significant characters become
 * entities, Markdown punctuation is backslash-escaped, `@name` and `#123` get a zero-width space so
 * GitHub does not notify anyone or cross-link issues, and newlines become spaces.
 */
export function escapeMarkdown(text: string): string {
  return neutralise(text, true)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!#{}]/g, (ch) => `\\${ch}`)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/\\#(?=\w)/g, `#${ZWSP}`);
}

/**
 * Inline text whose `backtick` spans (how rule docs and messages quote code) become real code spans;
 * everything else is escaped. Unbalanced backticks are escaped like any other character. Either way
 * every piece is inert: escaped text or a literal code span.
 */
export function inlineMarkdown(text: string): string {
  const parts = neutralise(text, true).split('`');
  if (parts.length % 2 === 0) return escapeMarkdown(text);
  return parts.map((p, i) => (i % 2 === 0 ? escapeMarkdown(p) : p.length > 0 ? inlineCode(p) : escapeMarkdown('``'))).join('');
}

/** Inline code span that survives backticks in the content (CommonMark: a longer delimiter run). */
export function inlineCode(text: string): string {
  const t = neutralise(text, true);
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ') && t.trim()) ? ' ' : '';
  return `${ticks}${pad}${t}${pad}${ticks}`;
}

/** Fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(code: string, lang = ''): string {
  const t = neutralise(code);
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${t}\n${fence}`;
}

/** Table cell text: escaped, and `|` must be escaped even inside code spans. */
function cell(text: string): string {
  return escapeMarkdown(text);
}

/**
 * The most a GitHub comment (issue, pull request or review body) takes, in characters. Lengths here
 * are counted in UTF-16 code units, never fewer than the characters GitHub counts.
 */
export const COMMENT_LIMIT = 65_536;

export function renderMarkdown(report: Report, options: ReportOptions): string {
  // With a baseline, the findings it records are not listed (JSON and SARIF keep them).
  const findings = shownFindings(report);
  const rules = ruleIndex(report);
  const head: string[] = [];

  if (findings.length === 0) {
    head.push(emptyVerdict(report));
  } else {
    head.push(`**secreview: ${plural(findings.length, 'security defect')} found${report.change ? ' in this change' : ''}**`);
  }
  if (report.change) head.push('', ...changeBlock(report.change));
  if (findings.length > 0) head.push('', ...summaryTable(findings));

  const blocks = findings.map((f, i) => ['', ...renderFinding(f, i + 1, rules.get(f.ruleId))].join('\n'));
  const llm = llmMarkdownSection(report, options.showRejected === true, escapeMarkdown).join('\n');
  const whole = [head.join('\n'), ...blocks, llm, ['', ...footer(report)].join('\n')].filter((p) => p.length > 0).join('\n');
  const limit = options.maxLength ?? COMMENT_LIMIT;
  if (whole.length + 1 <= limit) return `${whole}\n`;
  return `${fitted(report, findings, head, blocks, llm, limit)}\n`;
}

/**
 * A report too long for one comment: the verdict, change and summary table first, then as many
 * findings in full as fit, the rest one line each in a collapsed section (as many as fit, then a
 * count), the LLM section only if it still fits, and at most 20 diagnostics.
 */
function fitted(report: Report, findings: readonly Finding[], head: string[], blocks: string[], llm: string, limit: number): string {
  const foot = ['', ...footer(report, 20)].join('\n');
  const notice = (shortened: number): string =>
    `\n\n> [!NOTE]\n> This comment is shortened to fit GitHub's ${formatCount(limit)}-character limit: ${plural(shortened, 'finding')} ${shortened === 1 ? 'is' : 'are'} listed in one line each. The full report is in the SARIF, JSON or HTML output of the same run (\`--format sarif\`, \`json\`, \`html\`).`;
  // Room for the notice, the collapsed section's frame and the last "… more" line.
  const reserve = notice(findings.length).length + 200;
  let room = limit - 1 - head.join('\n').length - foot.length - reserve;
  // As many findings in full as leave room for every other one in a line; when even the lines
  // alone do not fit, full findings take at most half the room and the lines what is left.
  const compact = findings.map((f, n) => compactLine(f, n + 1).length + 1);
  const compactFrom = new Array<number>(findings.length + 1).fill(0);
  for (let n = findings.length - 1; n >= 0; n--) compactFrom[n] = compactFrom[n + 1]! + compact[n]!;
  const cap = compactFrom[0]! <= room ? room : Math.floor(room / 2);
  const full: string[] = [];
  let used = 0;
  let i = 0;
  for (; i < blocks.length; i++) {
    const next = used + blocks[i]!.length + 1;
    if (next > cap || (cap === room && next + compactFrom[i + 1]! > room)) break;
    full.push(blocks[i]!);
    used = next;
  }
  room -= used;
  const rest = findings.slice(i);
  const out = [head.join('\n') + (rest.length > 0 ? notice(rest.length) : ''), ...full];
  if (rest.length > 0) {
    const lines: string[] = [];
    let listed = 0;
    for (const f of rest) {
      const line = compactLine(f, i + listed + 1);
      if (line.length + 1 > room) break;
      lines.push(line);
      room -= line.length + 1;
      listed++;
    }
    if (listed < rest.length) lines.push(`- … and ${plural(rest.length - listed, 'more finding')}, not listed here`);
    out.push(['', `<details><summary>${plural(rest.length, 'more finding')}, one line each</summary>`, '', ...lines, '', '</details>'].join('\n'));
  }
  if (llm.length > 0) out.push(llm.length + 1 <= room ? llm : '\n_The LLM second opinion is left out of this comment for its length; see the JSON report._');
  out.push(foot);
  return out.join('\n');
}

function compactLine(f: Finding, n: number): string {
  const cwe = f.cwe[0] ? `CWE-${f.cwe[0].id} ` : '';
  return `${n}. **${f.severity}** ${inlineCode(`${f.location.path}:${f.location.startLine}`)} ${cwe}${inlineMarkdown(f.title)} (${inlineCode(f.ruleId)})`;
}

/** What was reviewed, and the commit message (or the patch's) as a quote. */
function changeBlock(change: ChangeInfo): string[] {
  const out = [`**Change:** ${inlineCode(change.base)} → ${inlineCode(change.head)} · ${changeStats(change)}`];
  if (change.message) {
    out.push('');
    for (const line of messageLines(change.message)) out.push(line.trim() ? `> ${escapeMarkdown(line)}` : '>');
  }
  return out;
}

export function summaryTable(findings: readonly Finding[]): string[] {
  const header = ['Pillar', ...SEVERITIES_DESC.map(capitalise), 'Total'];
  const rows = [`| ${header.join(' | ')} |`, `| --- |${' ---: |'.repeat(header.length - 1)}`];
  for (const p of pillarCounts(findings)) {
    const counts = SEVERITIES_DESC.map((s) => String(p.bySeverity[s]));
    rows.push(`| ${cell(pillarLabel(p.pillar))} | ${counts.join(' | ')} | ${p.total} |`);
  }
  const totals = severityCounts(findings);
  rows.push(`| **Total** | ${SEVERITIES_DESC.map((s) => String(totals[s])).join(' | ')} | ${findings.length} |`);
  return rows;
}

function renderFinding(f: Finding, n: number, rule: RuleSummary | undefined): string[] {
  const out: string[] = [];
  const [primary, ...others] = f.cwe;
  const cweHeading = primary ? `CWE-${primary.id}` : 'CWE unknown';
  out.push(`### ${n}. ${cweHeading} — ${inlineMarkdown(f.title)}`);

  const meta = [`**${capitalise(f.severity)} severity · ${f.confidence} confidence**`, `rule ${inlineCode(f.ruleId)}`];
  if (primary) meta.push(`[CWE-${primary.id}](${cweUrl(primary.id)}) ${escapeMarkdown(primary.name)}`);
  if (others.length > 0) meta.push(`also ${others.map((o) => `[CWE-${o.id}](${cweUrl(o.id)}) ${escapeMarkdown(o.name)}`).join(', ')}`);
  meta.push(`pillar ${f.pillar.id > 0 ? `[CWE-${f.pillar.id}](${cweUrl(f.pillar.id)}) ${escapeMarkdown(f.pillar.name)}` : escapeMarkdown(pillarLabel(f.pillar))}`);
  out.push('', meta.join(' · '));
  const origin = originLabel(f);
  if (origin) out.push('', `_Origin: ${escapeMarkdown(origin)}_`);

  out.push('', `**Location:** ${inlineCode(`${f.location.path}:${f.location.startLine}`)}`);
  if (f.snippet.length > 0) out.push('', codeBlock(f.snippet, rule?.language || 'python'));

  out.push('', `**Description:** ${inlineMarkdown(sentences(f.message, rule?.description))}`);
  if (rule?.whyItMatters) out.push('', `**Why it matters:** ${inlineMarkdown(rule.whyItMatters)}`);
  out.push('', `**Solution:** ${inlineMarkdown(f.fix || rule?.fix.guidance || '')}`);
  if (f.llmNote) out.push('', `**LLM note:** ${inlineMarkdown(f.llmNote)}`);
  if (rule?.fix.before && rule.fix.after) {
    const lang = rule.language || 'python';
    out.push('', 'Before:', '', codeBlock(rule.fix.before, lang), '', 'After:', '', codeBlock(rule.fix.after, lang));
  }

  if (f.trace && f.trace.length > 0) {
    out.push('', `<details><summary>Data flow (${plural(f.trace.length, 'step')})</summary>`, '');
    f.trace.forEach((step, i) => out.push(traceItem(step, i + 1)));
    out.push('', '</details>');
  }
  if (f.related && f.related.length > 0) {
    out.push('', `<details><summary>Related locations (${plural(f.related.length, 'place')})</summary>`, '');
    f.related.forEach((r, i) => out.push(traceItem({ kind: r.role as TraceStep['kind'], location: r.location, expression: r.expression, note: r.note }, i + 1)));
    out.push('', '</details>');
  }
  return out;
}

function traceItem(step: TraceStep, n: number): string {
  const loc = step.location;
  const note = step.note.trim() ? ` — ${inlineMarkdown(step.note)}` : '';
  return `${n}. **${step.kind}** ${inlineCode(`${loc.path}:${loc.startLine}:${loc.startColumn}`)} ${inlineCode(step.expression)}${note}`;
}

function footer(report: Report, maxDiagnostics = Number.POSITIVE_INFINITY): string[] {
  const s = report.stats;
  const out: string[] = [];
  const incomplete = incompletelyAnalysedFiles(report);
  if (incomplete.length > 0) {
    out.push(
      `> [!WARNING]`,
      `> ${plural(incomplete.length, 'file')} could not be fully analysed, so defects in ${incomplete.length === 1 ? 'it' : 'them'} may be missed; see the diagnostics below.`,
      '',
    );
  }
  const hidden: string[] = [];
  if (s.suppressed > 0) hidden.push(`${formatCount(s.suppressed)} suppressed${escapeMarkdown(unqualifiedNote(s.suppressedUnqualified))}`);
  if (s.belowThreshold > 0) hidden.push(`${formatCount(s.belowThreshold)} below the reporting threshold`);
  if (s.hiddenInTests) hidden.push(`${formatCount(s.hiddenInTests)} in test code (shown with ${inlineCode('--include-tests')} or the setting ${inlineCode('tests: show')})`);
  const known = hiddenByBaseline(report);
  if (known > 0) hidden.push(`${formatCount(known)} recorded in the baseline`);
  if (report.change && report.change.notShown > 0) hidden.push(`${formatCount(report.change.notShown)} outside the change or there before it`);
  out.push(
    `<sub>secreview ${escapeMarkdown(report.tool.version)} scanned ${plural(s.filesScanned, 'file')} (${formatCount(s.lines)} ${s.lines === 1 ? 'line' : 'lines'})${hidden.length > 0 ? `; not shown: ${hidden.join(', ')}` : ''}.</sub>`,
  );
  if (report.baseline) {
    const b = report.baseline;
    out.push(`<sub>Baseline ${inlineCode(b.file)}: ${b.new} new, ${b.unchanged} unchanged, ${b.absent} absent (recorded, no longer found).</sub>`);
  }
  const diagnostics = sortedDiagnostics(report);
  if (diagnostics.length > 0) {
    out.push('', `<details><summary>Diagnostics (${diagnostics.length})</summary>`, '');
    for (const d of diagnostics.slice(0, maxDiagnostics)) out.push(diagnosticItem(d));
    if (diagnostics.length > maxDiagnostics) out.push(`- … and ${plural(diagnostics.length - maxDiagnostics, 'more diagnostic')} (see the JSON report)`);
    out.push('', '</details>');
  }
  return out;
}

function diagnosticItem(d: Diagnostic): string {
  const where = d.path ? `${inlineCode(d.line ? `${d.path}:${d.line}` : d.path)}: ` : '';
  return `- **${d.level}** ${where}${d.kind}: ${inlineMarkdown(d.message)}`;
}
