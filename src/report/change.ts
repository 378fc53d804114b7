/** What the review outputs share about a reviewed change and a baseline comparison. */
import { NO_DEFECTS_VERDICT } from '../findings/types.js';
import type { BaselineComparison, ChangeInfo, ChangedFile, Finding, Report } from '../findings/types.js';
import { severityRank } from '../findings/types.js';
import { ChangeIndex, anchorOf, type Anchor } from '../diff/filter.js';
import { compareStrings, findingsBySeverity, plural } from './common.js';

/**
 * Findings the human-facing reports list, most severe first: with a baseline, the ones it records
 * (`unchanged`) are left out (JSON and SARIF keep them, with their state).
 */
export function shownFindings(report: Report): Finding[] {
  const all = findingsBySeverity(report);
  return report.baseline ? all.filter((f) => f.baselineState !== 'unchanged') : all;
}

/**
 * Shown findings with the line a review comment goes on (a changed line when the report is
 * for a change), ordered by file, line, severity, rule — the order both review formats use.
 */
export function placedFindings(report: Report): { f: Finding; at: Anchor }[] {
  const index = report.change ? new ChangeIndex(report.change.files) : undefined;
  const placed = shownFindings(report).map((f) => ({ f, at: anchorOf(f, index) }));
  return placed.sort(
    (a, b) =>
      compareStrings(a.at.path, b.at.path) ||
      a.at.line - b.at.line ||
      severityRank(b.f.severity) - severityRank(a.f.severity) ||
      compareStrings(a.f.ruleId, b.f.ruleId) ||
      compareStrings(a.f.fingerprint, b.f.fingerprint),
  );
}

/** Findings hidden because the baseline records them. */
export function hiddenByBaseline(report: Report): number {
  return report.baseline ? report.findings.filter((f) => f.baselineState === 'unchanged').length : 0;
}

/**
 * Why the run could not give a verdict, or undefined when it could: a path the user named does not
 * exist, or a scan (not a change review) read nothing. The CLI exits 2 in both cases, and no report may then say
 * that the code has no defects.
 */
export function incompleteRunReason(report: Report): string | undefined {
  const missing = report.diagnostics.filter((d) => d.kind === 'path-error').length;
  if (missing > 0) return `${plural(missing, 'path')} to scan ${missing === 1 ? 'does' : 'do'} not exist`;
  // A reviewed change with no source file in it needs no scan; a scan that read nothing failed.
  if (report.stats.filesScanned === 0 && !report.stats.templatesRead && !report.change) return 'no readable source file was scanned';
  return undefined;
}

/**
 * The verdict when no finding is shown: the plain one, unless the baseline hides some, or the run
 * could not do its job (then no verdict on the code at all).
 */
export function emptyVerdict(report: Report): string {
  const incomplete = incompleteRunReason(report);
  if (incomplete) return `No verdict: the review did not complete (${incomplete}; see the diagnostics)`;
  const hidden = hiddenByBaseline(report);
  if (hidden === 0) return NO_DEFECTS_VERDICT;
  return `No new security defects are detected in the code (${plural(hidden, 'known defect')} recorded in the baseline ${hidden === 1 ? 'is' : 'are'} not shown)`;
}

/** `2 files changed, 14 lines added or rewritten`. */
export function changeStats(change: ChangeInfo): string {
  const lines = change.files.reduce((sum, f) => sum + f.lines.reduce((n, [s, e]) => n + e - s + 1, 0), 0);
  return `${plural(change.files.length, 'file')} changed, ${plural(lines, 'line')} added or rewritten`;
}

/** Message lines to show (at most `max`, then an ellipsis line). */
export function messageLines(message: string, max = 20): string[] {
  const lines = message.replace(/\r\n?/g, '\n').split('\n');
  return lines.length > max ? [...lines.slice(0, max), '…'] : lines;
}

/** The `change` section of the JSON report (docs/json-format.md). */
export interface JsonChange {
  base: string;
  head: string;
  message?: string;
  files: { path: string; oldPath?: string; status: ChangedFile['status']; lines: [number, number][] }[];
  notShown: number;
}

/** The `baseline` section of the JSON report. */
export interface JsonBaseline {
  file: string;
  new: number;
  unchanged: number;
  absent: number;
  absentFingerprints: { fingerprint: string; count: number }[];
}

export function changeJson(change: ChangeInfo): JsonChange {
  return {
    base: change.base,
    head: change.head,
    ...(change.message !== undefined ? { message: change.message } : {}),
    files: change.files.map((f) => ({
      path: f.path,
      ...(f.oldPath !== undefined ? { oldPath: f.oldPath } : {}),
      status: f.status,
      lines: f.lines.map(([s, e]): [number, number] => [s, e]),
    })),
    notShown: change.notShown,
  };
}

export function baselineJson(b: BaselineComparison): JsonBaseline {
  return {
    file: b.file,
    new: b.new,
    unchanged: b.unchanged,
    absent: b.absent,
    absentFingerprints: b.absentKeys.map((a) => ({ fingerprint: a.key, count: a.count })),
  };
}
