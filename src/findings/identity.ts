/**
 * Identities for comparing findings between two scans (a baseline, the base of a change).
 *
 * `identityKey` is the fingerprint (rule, path, whitespace-free statement code: it survives
 * re-indentation and line moves and changes when the statement does), refined for data-flow
 * findings by where the data comes from: a new source reaching an old sink is a new finding even
 * though the sink statement, and so the fingerprint, did not change.
 *
 * `movedKey` leaves the path out, so a statement moved to another file can be recognised.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

const squeeze = (code: string): string => code.replace(/\s+/g, '');

function sourceOf(f: Finding): string | undefined {
  const source = f.trace?.[0];
  return source ? `${source.location.path}\0${squeeze(source.expression)}` : undefined;
}

export function identityKey(f: Finding): string {
  const source = sourceOf(f);
  if (source === undefined) return f.fingerprint;
  return createHash('sha256').update(`${f.fingerprint}\0${source}`).digest('hex').slice(0, 32);
}

export function movedKey(f: Finding): string {
  const source = f.trace?.[0];
  return createHash('sha256')
    .update(`${f.ruleId}\0${squeeze(f.snippet)}\0${source ? squeeze(source.expression) : ''}`)
    .digest('hex')
    .slice(0, 32);
}
