import type { Diagnostic, Finding } from '../findings/types.js';
import type { SourceModule } from '../frontend/types.js';

/**
 * `# secreview: ignore[rule-id, other-id] reason` — a suppression must name the rules it
 * silences and say why (as Biome's do). It applies to findings whose line, or whose
 * statement's first line, carries the comment.
 */
export interface Suppression {
  line: number;
  ruleIds: string[];
  reason: string;
  used: Set<string>;
}

const MARKER = /secreview\s*:\s*ignore\b(.*)$/;
const FULL = /^\[([^\]]*)\]\s*(.*)$/;

export function parseSuppressions(
  module: SourceModule,
  knownRule: (id: string) => boolean,
): { suppressions: Suppression[]; diagnostics: Diagnostic[] } {
  const suppressions: Suppression[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const comment of module.comments) {
    const body = module.commentBody(comment);
    const marker = MARKER.exec(body);
    if (!marker) continue;
    const line = comment.startPosition.row + 1;
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
    if (valid.length > 0) suppressions.push({ line, ruleIds: valid, reason, used: new Set() });
  }
  return { suppressions, diagnostics };
}

/** Split findings into kept and suppressed, marking which suppressions were used. */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
): { kept: Finding[]; suppressed: Finding[] } {
  if (suppressions.length === 0) return { kept: [...findings], suppressed: [] };
  const byLine = new Map<number, Suppression[]>();
  for (const s of suppressions) {
    const list = byLine.get(s.line) ?? [];
    list.push(s);
    byLine.set(s.line, list);
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const candidates = [...(byLine.get(f.location.startLine) ?? []), ...(f.statementLine !== f.location.startLine ? byLine.get(f.statementLine) ?? [] : [])];
    const hit = candidates.find((s) => s.ruleIds.includes(f.ruleId));
    if (hit) {
      hit.used.add(f.ruleId);
      suppressed.push(f);
    } else kept.push(f);
  }
  return { kept, suppressed };
}

export function unusedSuppressionDiagnostics(path: string, suppressions: readonly Suppression[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of suppressions) {
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
