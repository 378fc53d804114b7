/**
 * Gerrit robot comments: a map of file path → RobotCommentInput list, the `robot_comments` field of
 * a ReviewInput (POST /changes/{change}/revisions/{revision}/review):
 *
 *   { "<path>": [{ "line", "range"?, "message", "robot_id": "secreview", "robot_run_id", "url", "properties" }] }
 *
 * Fields are those of CommentInput (line, range, message; the path is the map key) and
 * RobotCommentInput (robot_id, robot_run_id, url, properties, and fix_suggestions for a finding
 * with a mechanical fix). Comments sit where the GitHub review puts them (a changed line; see
 * diff/filter.ts anchorOf). robot_run_id is derived from the report, so the same review gives the
 * same id. Messages are plain text; findings a baseline records are left out.
 */
import { createHash } from 'node:crypto';
import type { Finding, Location, Report } from '../findings/types.js';
import { identityKey } from '../findings/identity.js';
import { compareStrings, cweUrl, neutralise, sentences } from './common.js';
import { placedFindings, shownFindings } from './change.js';
import type { ReportOptions, Reporter } from './index.js';

export const GERRIT_ROBOT_ID = 'secreview';

export interface GerritRange {
  start_line: number;
  start_character: number;
  end_line: number;
  end_character: number;
}

export interface GerritRobotComment {
  line: number;
  range?: GerritRange;
  message: string;
  robot_id: string;
  robot_run_id: string;
  url?: string;
  properties?: Record<string, string>;
  fix_suggestions?: GerritFixSuggestion[];
}

/** Gerrit's FixSuggestionInfo: replacements in the file, ranges with 0-based characters. */
export interface GerritFixSuggestion {
  description: string;
  replacements: { path: string; range: GerritRange; replacement: string }[];
}

export const gerritReporter: Reporter = {
  name: 'gerrit',
  extension: '.json',
  render(report: Report, _options: ReportOptions): string {
    return `${JSON.stringify(toGerritRobotComments(report), null, 2)}\n`;
  },
};

export function toGerritRobotComments(report: Report): Record<string, GerritRobotComment[]> {
  const findings = shownFindings(report);
  const runId = robotRunId(report, findings);
  const placed = placedFindings(report);
  const out: Record<string, GerritRobotComment[]> = {};
  for (const { f, at } of placed) {
    const range = rangeOf(at.on, at.line);
    // Gerrit: with a range, `line` is the range's end line.
    const comment: Partial<GerritRobotComment> & { line: number } = { line: range ? range.end_line : at.line };
    if (range) comment.range = range;
    comment.message = message(f);
    comment.robot_id = GERRIT_ROBOT_ID;
    comment.robot_run_id = runId;
    const primary = f.cwe[0];
    if (primary) comment.url = cweUrl(primary.id);
    comment.properties = {
      rule: f.ruleId,
      cwe: f.cwe.map((c) => `CWE-${c.id}`).join(', '),
      pillar: `CWE-${f.pillar.id}`,
      severity: f.severity,
      confidence: f.confidence,
      fingerprint: f.fingerprint,
    };
    if (f.autofix) {
      comment.fix_suggestions = [
        {
          description: f.autofix.description,
          replacements: f.autofix.edits.map((e) => ({
            path: f.location.path,
            range: { start_line: e.startLine, start_character: e.startColumn - 1, end_line: e.endLine, end_character: e.endColumn - 1 },
            replacement: e.text,
          })),
        },
      ];
    }
    (out[at.path] ??= []).push(comment as GerritRobotComment);
  }
  return out;
}

/** The code span as a Gerrit range (0-based characters) when it holds the comment's line. */
function rangeOf(loc: Location, line: number): GerritRange | undefined {
  const endLine = Math.max(loc.endLine, loc.startLine);
  if (line < loc.startLine || line > endLine) return undefined;
  const endColumn = endLine === loc.startLine ? Math.max(loc.endColumn, loc.startColumn) : loc.endColumn;
  return { start_line: loc.startLine, start_character: loc.startColumn - 1, end_line: endLine, end_character: Math.max(0, endColumn - 1) };
}

function message(f: Finding): string {
  const primary = f.cwe[0];
  const out: string[] = [];
  out.push(`[${f.severity}] ${primary ? `CWE-${primary.id}` : 'CWE unknown'}: ${neutralise(f.title, true)} (${f.ruleId}, ${f.confidence} confidence)`);
  out.push('', neutralise(sentences(f.message), true));
  out.push('', `Location: ${neutralise(f.location.path, true)}:${f.location.startLine}:${f.location.startColumn}`);
  if (f.trace && f.trace.length > 0) {
    out.push('', 'Data flow:');
    f.trace.forEach((s, i) => {
      const note = s.note.trim() ? ` - ${neutralise(s.note, true)}` : '';
      out.push(`  ${i + 1}. ${s.kind} ${neutralise(s.location.path, true)}:${s.location.startLine}:${s.location.startColumn} ${neutralise(s.expression, true)}${note}`);
    });
  }
  if (f.fix) out.push('', `Fix: ${neutralise(f.fix, true)}`);
  return out.join('\n');
}

/** `secreview-<version>-<hash of the change and the findings>`: equal reviews give equal ids. */
function robotRunId(report: Report, findings: readonly Finding[]): string {
  const hash = createHash('sha256');
  hash.update(`${report.tool.version}\0${report.change?.base ?? ''}\0${report.change?.head ?? ''}\0`);
  for (const key of findings.map(identityKey).sort(compareStrings)) hash.update(`${key}\0`);
  return `secreview-${report.tool.version}-${hash.digest('hex').slice(0, 16)}`;
}
