/**
 * From secreview findings to the language server protocol's shapes: diagnostics at exact
 * ranges, the hover text (explanation, CWE and pillar, fix, data-flow path) and the code
 * actions (the rule's mechanical fix; a suppression comment that must be given its reason).
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  CodeActionKind,
  DiagnosticSeverity,
  type CodeAction,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
  type TextEdit,
} from 'vscode-languageserver';
import type { Finding, FixEdit, Location, Severity } from '../findings/types.js';
import { cweUrl } from '../report/common.js';
import { suppressionComment } from './suppression-edit.js';

export const SOURCE = 'secreview';

/** Our locations are 1-based with exclusive end columns in UTF-16 units; LSP's are 0-based, also UTF-16. */
export function rangeOf(location: Pick<Location, 'startLine' | 'startColumn' | 'endLine' | 'endColumn'>): Range {
  return {
    start: { line: location.startLine - 1, character: location.startColumn - 1 },
    end: { line: location.endLine - 1, character: location.endColumn - 1 },
  };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  critical: DiagnosticSeverity.Error,
  high: DiagnosticSeverity.Error,
  medium: DiagnosticSeverity.Warning,
  low: DiagnosticSeverity.Information,
};

/** What a diagnostic carries back to us in code-action requests. */
export interface DiagnosticData {
  fingerprint: string;
}

export function toDiagnostic(finding: Finding, root: string): Diagnostic {
  const primary = finding.cwe[0];
  const related: DiagnosticRelatedInformation[] = [];
  for (const step of finding.trace ?? []) {
    related.push({ location: { uri: uriOf(root, step.location.path), range: rangeOf(step.location) }, message: `${step.kind}: ${step.note}` });
  }
  for (const place of finding.related ?? []) {
    related.push({ location: { uri: uriOf(root, place.location.path), range: rangeOf(place.location) }, message: `${place.role}: ${place.note}` });
  }
  const diagnostic: Diagnostic = {
    range: rangeOf(finding.location),
    severity: SEVERITY[finding.severity],
    source: SOURCE,
    code: finding.ruleId,
    message: `${finding.title}: ${finding.message}${primary ? ` (CWE-${primary.id})` : ''}`,
    data: { fingerprint: finding.fingerprint } satisfies DiagnosticData,
  };
  if (primary) diagnostic.codeDescription = { href: cweUrl(primary.id) };
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

export function uriOf(root: string, path: string): string {
  return pathToFileURL(join(root, path)).href;
}

/** Markdown for a hover over a finding: what is wrong, why, how to fix it, and the path of the data. */
export function hoverText(finding: Finding): string {
  const lines: string[] = [];
  const cwes = finding.cwe.map((c) => `[CWE-${c.id}](${cweUrl(c.id)}) ${c.name}`).join('; ');
  lines.push(`**${finding.title}** \`${finding.ruleId}\``, '');
  lines.push(`${cwes} — pillar CWE-${finding.pillar.id} ${finding.pillar.name}`, '');
  lines.push(`Severity ${finding.severity}, confidence ${finding.confidence}.`, '');
  lines.push(finding.message, '');
  if (finding.trace && finding.trace.length > 0) {
    lines.push('**Data flow**', '');
    finding.trace.forEach((step, i) => {
      lines.push(`${i + 1}. ${step.kind} \`${step.location.path}:${step.location.startLine}\` \`${step.expression}\` — ${step.note}`);
    });
    lines.push('');
  }
  if (finding.related && finding.related.length > 0) {
    lines.push('**Related**', '');
    for (const place of finding.related) lines.push(`- ${place.role} \`${place.location.path}:${place.location.startLine}\` \`${place.expression}\` — ${place.note}`);
    lines.push('');
  }
  lines.push(`**Fix:** ${finding.fix}`);
  if (finding.autofix) lines.push('', `A quick fix is available: ${finding.autofix.description}.`);
  if (finding.llmNote) lines.push('', `**LLM second opinion:** ${finding.llmNote}`);
  return lines.join('\n');
}

function textEdit(edit: FixEdit): TextEdit {
  return { range: rangeOf(edit), newText: edit.text };
}

/**
 * The code actions for one finding in a document: its mechanical fix when the rule has one, and
 * a suppression comment on the statement's first line whose reason the user must fill in.
 */
export function codeActionsFor(finding: Finding, uri: string, diagnostic: Diagnostic, documentLines: readonly string[]): CodeAction[] {
  const actions: CodeAction[] = [];
  if (finding.autofix) {
    actions.push({
      title: `secreview: ${finding.autofix.description}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: finding.autofix.edits.map(textEdit) } },
    });
  }
  const line = finding.statementLine - 1;
  const text = documentLines[line];
  if (text !== undefined) {
    const comment = suppressionComment(finding.location.path, text, finding.ruleId);
    if (comment) {
      actions.push({
        title: `secreview: suppress ${finding.ruleId} on this line (write the reason)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: { changes: { [uri]: [{ range: { start: { line, character: text.length }, end: { line, character: text.length } }, newText: comment }] } },
      });
    }
  }
  return actions;
}
