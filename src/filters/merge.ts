import type { Finding } from '../findings/types.js';
import { confidenceRank } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';

/**
 * One defect, one finding: where a taint finding and a pattern finding of a rule it
 * supersedes flag the same statement, keep the more confident one and give it the
 * data-flow path.
 */
export function mergeOverlapping(pattern: Finding[], taint: Finding[], rules: readonly AnyRule[]): Finding[] {
  const supersedes = new Map<string, ReadonlySet<string>>();
  for (const r of rules) if (r.taint?.supersedes) supersedes.set(r.id, new Set(r.taint.supersedes));
  const dropped = new Set<Finding>();
  const kept: Finding[] = [];
  for (const t of taint) {
    const covered = supersedes.get(t.ruleId);
    const twins = covered
      ? pattern.filter(
          (p) =>
            !dropped.has(p) &&
            covered.has(p.ruleId) &&
            touches(t, p),
        )
      : [];
    if (twins.length === 0) {
      kept.push(t);
      continue;
    }
    const strongest = twins.reduce((a, b) => (confidenceRank(b.confidence) > confidenceRank(a.confidence) ? b : a));
    if (confidenceRank(t.confidence) >= confidenceRank(strongest.confidence)) {
      for (const p of twins) dropped.add(p);
      kept.push(t);
    } else {
      // The pattern is the stronger evidence; it carries the path the engine found.
      strongest.trace = t.trace;
      for (const p of twins) if (p !== strongest) dropped.add(p);
    }
  }
  return [...pattern.filter((p) => !dropped.has(p)), ...kept];
}

/**
 * The pattern finding flags the sink's statement, or a line the data passed through on the
 * way (`cmd = ['sysctl', '-w', '...%s' % name]` flagged where the list is built, the taint
 * finding at `execute(cmd)`).
 */
function touches(t: Finding, p: Finding): boolean {
  const path = p.location.path;
  const line = p.location.startLine;
  if (path === t.location.path) {
    if (p.statementLine === t.statementLine) return true;
    if (line >= t.location.startLine && line <= t.location.endLine) return true;
  }
  return (t.trace ?? []).some((s) => s.location.path === path && s.kind !== 'source' && line >= s.location.startLine && line <= s.location.endLine);
}
