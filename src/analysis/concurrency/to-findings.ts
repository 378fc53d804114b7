import type { Finding, Location, RelatedLocation } from '../../findings/types.js';
import type { AnyRule } from '../../rules/define-rule.js';
import { ruleSummary } from '../../rules/catalogue-info.js';
import { fingerprint } from '../../findings/fingerprint.js';
import type { Span } from './facts.js';
import type { ConcurrencyIssue, ConcurrencyResult, IssueSite } from './races.js';

/** Concurrency issues as findings: the other access, the locks at each and the entry point as related locations. */
export function concurrencyFindings(result: ConcurrencyResult, rules: ReadonlyMap<ConcurrencyIssue['kind'], AnyRule>): Finding[] {
  const out: Finding[] = [];
  for (const issue of result.issues) {
    const rule = rules.get(issue.kind);
    if (!rule) continue;
    out.push(toFinding(issue, rule));
  }
  return out;
}

function location(path: string, span: Span): Location {
  return { path, startLine: span.line, startColumn: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

/** `agent.l3.dvr_fip_ns.FipNamespace#_subscribers` → `self._subscribers` (or the global's name). */
export function resourceLabel(resource: string, site: IssueSite): string {
  const [owner, field] = resource.split('#') as [string, string];
  const ownerShort = owner.split('.').pop()!;
  void site;
  if (/^[A-Z]/.test(ownerShort)) return `self.${field}`;
  return field;
}

/** `name:fip-ns-*` → `lockutils.lock('fip-ns-…')`-style names for people. */
export function lockLabel(lock: string): string {
  if (lock.startsWith('name:')) {
    const name = lock.slice(5);
    if (name === '*') return 'a lock named at run time';
    return name.endsWith('*') ? `the lock named '${name.slice(0, -1)}…' (one per name)` : `the lock named '${name}'`;
  }
  if (lock.startsWith('decorator:')) return `the lock of \`@${lock.slice(10)}\``;
  if (lock.startsWith('call:')) return `\`${lock.slice(5).split('.').pop()}()\``;
  const at = lock.indexOf('#');
  if (at >= 0) {
    const owner = lock.slice(0, at);
    const field = lock.slice(at + 1);
    return /^[A-Z]/.test(owner.split('.').pop() ?? '') ? `\`self.${field}\`` : `\`${field}\``;
  }
  return `\`${lock.split(':').pop()}\``;
}

function locksText(locks: readonly string[]): string {
  return locks.length === 0 ? 'no lock held' : `holding ${locks.map(lockLabel).join(', ')}`;
}

/** The locks at an unguarded access: "no lock held" or "only X". */
function onlyLocksText(locks: readonly string[]): string {
  return locksText(locks).replace(/^holding /, 'only ');
}

function fnLabel(id: string): string {
  const parts = id.split('.');
  // Module.Class.method → Class.method; module.func → func.
  return parts.length >= 2 && /^[A-Z]/.test(parts[parts.length - 2]!) ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : parts[parts.length - 1]!;
}

function toFinding(issue: ConcurrencyIssue, rule: AnyRule): Finding {
  const summary = ruleSummary(rule);
  const { primary, other, reach } = issue;
  const field = resourceLabel(issue.resource, primary);
  const entry = reach.entry;
  const where = entry.site ? ` at ${entry.site.path}:${entry.site.span.line}` : '';
  const entryText = `${entry.why}${where}`;
  const through = issue.chain.slice(1).map((c) => `\`${fnLabel(c.fn)}\``);
  const via =
    issue.chain.length > 0
      ? `: it is reached from \`${fnLabel(entry.fn)}\` (${entryText})${through.length ? ` through ${through.join(' → ')}` : ''}`
      : `: it is ${entryText}`;
  const lockName = issue.guardedBy.length ? lockLabel(issue.guardedBy[0]!) : 'one lock (a `threading.Lock` kept in a field of the object, or `lockutils.lock(name)` for state shared by name)';
  let message: string;
  let fix: string;
  if (issue.kind === 'inconsistent-locking') {
    message =
      `\`${field}\` is ${primary.access === 'write' ? 'changed' : 'read'} here with ${onlyLocksText(primary.locks)}, ` +
      `but changed at line ${other.span.line}${other.path !== primary.path ? ` of ${other.path}` : ''} ${locksText(other.locks)}; ` +
      `\`${fnLabel(primary.fn)}\` can run concurrently${via}.`;
    const also = [...(issue.alsoUnguarded ?? [])].sort((a, b) => a.site.span.line - b.site.span.line);
    if (also.length) {
      const verb = primary.access === 'write' ? 'changes' : 'reads';
      const where = (a: (typeof also)[number]): string =>
        `\`${resourceLabel(a.resource, a.site)}\` (line ${a.site.span.line}${a.site.path !== primary.path ? ` of ${a.site.path}` : ''}${a.site.fn !== primary.fn ? `, in \`${fnLabel(a.site.fn)}\`` : ''})`;
      const subject = also.every((a) => a.site.fn === primary.fn) ? 'The same function also' : `Code reached from \`${fnLabel(entry.fn)}\` the same way also`;
      message += ` ${subject} ${verb} ${also.map(where).join(', ')} without that lock.`;
    }
    const lines = [primary.span.line, ...also.map((a) => a.site.span.line)];
    fix = `Hold ${lockLabel(other.locks[0]!)} around ${lines.length > 1 ? `lines ${lines.join(', ')}` : `line ${primary.span.line}`} too (as at line ${other.span.line}${other.path !== primary.path ? ` of ${other.path}` : ''}), or document why this ${primary.access} needs no lock. ${rule.fix.guidance}`;
  } else {
    const act = other.span.line;
    message =
      issue.shape === 'flag'
        ? `\`${field}\` is checked here and changed at line ${act} (\`${other.code.trim()}\`) with no lock held across both, and the check's result is acted on afterwards; \`${fnLabel(primary.fn)}\` can run concurrently${via}; two callers can both see the old state.`
        : `\`${field}\` is checked here and changed at line ${act} (\`${other.code.trim()}\`) with no lock held across both; \`${fnLabel(primary.fn)}\` can run concurrently${via}; two callers can both pass the check.`;
    fix = `Hold ${lockName} from the check at line ${primary.span.line} through the change at line ${act}${issue.guardedBy.length ? ' (it already guards this state elsewhere)' : ''}. ${rule.fix.guidance}`;
  }
  if (issue.notes?.length) message += ` Confidence is ${issue.confidence}: ${issue.notes.join('; ')}.`;
  const related: RelatedLocation[] = [
    {
      role: 'access',
      location: location(other.path, other.span),
      expression: other.code.trim(),
      note: issue.kind === 'check-then-act' ? `the act: \`${field}\` changed (${locksText(other.locks)})` : `\`${field}\` changed ${locksText(other.locks)}`,
    },
  ];
  for (const a of issue.alsoUnguarded ?? []) {
    related.push({
      role: 'access',
      location: location(a.site.path, a.site.span),
      expression: a.site.code.trim(),
      note: `\`${resourceLabel(a.resource, a.site)}\` ${a.site.access === 'write' ? 'changed' : 'read'} ${a.site.fn === primary.fn ? 'in the same function' : `in \`${fnLabel(a.site.fn)}\`, reached from the same entry point`}, ${onlyLocksText(a.site.locks)}`,
    });
  }
  for (const c of issue.chain) {
    const at = { line: c.line, column: c.column, endLine: c.line, endColumn: c.column, statementLine: c.line };
    related.push({ role: 'call', location: location(c.path, at), expression: `${c.callee.split('.').pop()}(…)`, note: `\`${fnLabel(c.fn)}\` calls \`${fnLabel(c.callee)}\`` });
  }
  if (entry.site) related.push({ role: 'entry', location: location(entry.site.path, entry.site.span), expression: entry.site.code.trim(), note: `entry point: \`${fnLabel(entry.fn)}\` ${entry.why}` });
  const snippet = primary.code;
  return {
    ruleId: rule.id,
    title: rule.title,
    cwe: summary.cwe,
    pillar: summary.pillar,
    severity: rule.severity,
    confidence: issue.confidence,
    location: location(primary.path, primary.span),
    snippet,
    message,
    fix,
    fingerprint: fingerprint(rule.id, primary.path, `${issue.resource}|${snippet.trim()}`),
    statementLine: primary.span.statementLine,
    origin: 'static',
    related,
  };
}
