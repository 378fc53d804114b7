import type { Diagnostic, Finding } from '../findings/types.js';
import type { SourceModule } from '../frontend/types.js';
import { describeForeign, parseForeignComment, type ForeignTool } from './foreign-suppressions.js';

/**
 * `# secreview: ignore[rule-id, other-id] reason` — a suppression must name the rules it
 * silences and say why (as Biome's do). It applies to findings whose line, or whose
 * statement's first line, carries the comment.
 */
export interface Suppression {
  line: number;
  /** The secreview rules it silences (for a foreign comment: those its ids map to). */
  ruleIds: string[];
  reason: string;
  used: Set<string>;
  /**
   * Another tool's comment (`# nosec B602`, `# noqa: S608`, `# nosemgrep`), see
   * foreign-suppressions.ts. It applies to findings on any line from the finding's first to its
   * last (as Bandit's do) or on the statement's first line; a bare one silences every rule there.
   */
  foreign?: { tool: ForeignTool; ids: string[]; bare: boolean };
}

export interface ApplyOptions {
  /** Honour foreign comments (default true; `--no-foreign-suppressions` turns them off). */
  foreign?: boolean;
}

/** A bare foreign comment that silenced findings: reported as unqualified. */
export interface UnqualifiedUse {
  line: number;
  marker: string;
  findings: Finding[];
}

/** What an editor's "suppress" action writes for the reason: a suppression silences nothing until it is replaced. */
export const REASON_PLACEHOLDER = '<reason>';

const MARKER = /secreview\s*:\s*ignore\b(.*)$/;
const FULL = /^\[([^\]]*)\]\s*(.*)$/;
const FOREIGN_TAIL = /\s*#\s*(?:nosec|noqa|nosemgrep)(?![\w-]).*$/;

export function parseSuppressions(
  module: SourceModule,
  knownRule: (id: string) => boolean,
): { suppressions: Suppression[]; diagnostics: Diagnostic[] } {
  const suppressions: Suppression[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const comment of module.comments) {
    const body = module.commentBody(comment);
    const line = comment.startPosition.row + 1;
    for (const f of parseForeignComment(body, knownRule)) {
      // Ids this tool has that secreview has no rule for: the comment silences nothing here.
      if (!f.bare && f.ruleIds.length === 0) continue;
      suppressions.push({ line, ruleIds: f.ruleIds, reason: describeForeign(f), used: new Set(), foreign: { tool: f.tool, ids: f.ids, bare: f.bare } });
    }
    // `# secreview: ignore[rule] reason  # nosec B602`: the other tool's comment is not the reason.
    const marker = MARKER.exec(body.replace(FOREIGN_TAIL, ''));
    if (!marker) continue;
    const error = (message: string): void => {
      diagnostics.push({ kind: 'suppression-error', level: 'error', path: module.path, line, message });
    };
    const full = FULL.exec(marker[1]!.trim());
    if (!full) {
      error('suppression must name the rule(s) it silences: `# secreview: ignore[rule-id] reason`');
      continue;
    }
    const ids = full[1]!.split(',').map((s) => s.trim()).filter(Boolean);
    const reason = full[2]!.trim();
    if (ids.length === 0) {
      error('suppression names no rule: `# secreview: ignore[rule-id] reason`');
      continue;
    }
    const unknown = ids.filter((id) => !knownRule(id));
    if (unknown.length > 0) {
      error(`suppression names unknown rule ${unknown.map((u) => `\`${u}\``).join(', ')}; it silences nothing`);
    }
    const valid = ids.filter((id) => knownRule(id));
    if (!reason) {
      error(`suppression of ${ids.join(', ')} gives no reason; it silences nothing until one is written after the bracket`);
      continue;
    }
    if (reason === REASON_PLACEHOLDER) {
      error(`suppression of ${ids.join(', ')} still has the placeholder ${REASON_PLACEHOLDER}; it silences nothing until the reason is written`);
      continue;
    }
    if (valid.length > 0) suppressions.push({ line, ruleIds: valid, reason, used: new Set() });
  }
  return { suppressions, diagnostics };
}

/** The suppressions that take part, given the options. */
export function activeSuppressions(suppressions: readonly Suppression[], options: ApplyOptions = {}): Suppression[] {
  return options.foreign === false ? suppressions.filter((s) => !s.foreign) : [...suppressions];
}

/**
 * Split findings into kept and suppressed, marking which suppressions were used. A secreview
 * comment naming the rule wins over a foreign one; a bare foreign comment is the last resort,
 * and what it silenced is handed back as `unqualified`.
 */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
  options: ApplyOptions = {},
): { kept: Finding[]; suppressed: Finding[]; unqualified: UnqualifiedUse[] } {
  const active = activeSuppressions(suppressions, options);
  if (active.length === 0) return { kept: [...findings], suppressed: [], unqualified: [] };
  const byLine = new Map<number, Suppression[]>();
  for (const s of active) {
    const list = byLine.get(s.line) ?? [];
    list.push(s);
    byLine.set(s.line, list);
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  const unqualified = new Map<Suppression, UnqualifiedUse>();
  for (const f of findings) {
    const own = [...(byLine.get(f.location.startLine) ?? []), ...(f.statementLine !== f.location.startLine ? byLine.get(f.statementLine) ?? [] : [])];
    const foreign: Suppression[] = [];
    for (let line = f.location.startLine; line <= f.location.endLine; line++) for (const s of byLine.get(line) ?? []) if (s.foreign) foreign.push(s);
    for (const s of byLine.get(f.statementLine) ?? []) if (s.foreign) foreign.push(s);
    const hit =
      own.find((s) => !s.foreign && s.ruleIds.includes(f.ruleId)) ??
      foreign.find((s) => !s.foreign!.bare && s.ruleIds.includes(f.ruleId)) ??
      foreign.find((s) => s.foreign!.bare);
    if (hit) {
      hit.used.add(f.ruleId);
      suppressed.push(f);
      if (hit.foreign?.bare) {
        const use = unqualified.get(hit) ?? { line: hit.line, marker: hit.reason, findings: [] };
        use.findings.push(f);
        unqualified.set(hit, use);
      }
    } else kept.push(f);
  }
  return { kept, suppressed, unqualified: [...unqualified.values()] };
}

/** One warning per bare foreign comment that silenced findings: it should name what it silences. */
export function unqualifiedSuppressionDiagnostics(path: string, uses: readonly UnqualifiedUse[]): Diagnostic[] {
  return uses.map((u) => {
    const rules = [...new Set(u.findings.map((f) => f.ruleId))];
    return {
      kind: 'unqualified-suppression',
      level: 'warning',
      path,
      line: u.line,
      message:
        `unqualified \`${u.marker}\` silences every rule on its line (here ${rules.join(', ')}); name what it silences, ` +
        `e.g. \`# secreview: ignore[${rules[0]}] reason\``,
    } satisfies Diagnostic;
  });
}

export function unusedSuppressionDiagnostics(path: string, suppressions: readonly Suppression[], options: ApplyOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of activeSuppressions(suppressions, options)) {
    if (s.foreign) {
      if (s.used.size > 0) continue;
      out.push({
        kind: 'unused-suppression',
        level: 'warning',
        path,
        line: s.line,
        message: s.foreign.bare
          ? `\`${s.reason}\` matches no finding; remove it`
          : `\`${s.reason}\` matches no finding of ${s.ruleIds.join(', ')}; remove it`,
      });
      continue;
    }
    const unused = s.ruleIds.filter((id) => !s.used.has(id));
    if (unused.length > 0) {
      out.push({
        kind: 'unused-suppression',
        level: 'warning',
        path,
        line: s.line,
        message: `suppression of ${unused.join(', ')} matches no finding; remove it`,
      });
    }
  }
  return out;
}
