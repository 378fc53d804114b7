import { createHash } from 'node:crypto';

/**
 * A finding's identity for baselines: rule id, file path and the flagged statement's code
 * with all whitespace removed, so re-indentation and line moves keep it while an edit to
 * the statement changes it.
 */
export function fingerprint(ruleId: string, path: string, statementCode: string): string {
  const normalised = statementCode.replace(/\s+/g, '');
  return createHash('sha256').update(`${ruleId}\0${path}\0${normalised}`).digest('hex').slice(0, 32);
}
