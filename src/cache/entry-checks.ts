/**
 * Shape checks for what a cache entry decodes to (a file's outcome, a run's findings): an
 * entry whose checksum holds was written by secreview, but it may come from a bug, a forged
 * file or a copy made by hand, and the report must never be built from something that is not
 * a finding. Each check says what is wrong, or undefined when the value is well formed.
 */
import { CONFIDENCES, SEVERITIES, type Finding } from '../findings/types.js';

type Check = (x: unknown) => string | undefined;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isLine = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;

/** The first problem of the items of a list, with its index. */
export function checkList(x: unknown, item: Check, what: string): string | undefined {
  if (!Array.isArray(x)) return `${what} is not a list`;
  for (let i = 0; i < x.length; i++) {
    const problem = item(x[i]);
    if (problem) return `${what}[${i}]: ${problem}`;
  }
  return undefined;
}

function checkLocation(x: unknown): string | undefined {
  if (!isObject(x) || typeof x.path !== 'string') return 'not a location';
  for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) if (!isLine(x[k])) return `location ${k} is not a line or column`;
  return undefined;
}

function checkCwe(x: unknown): string | undefined {
  return isObject(x) && Number.isInteger(x.id) && typeof x.name === 'string' ? undefined : 'not a CWE reference';
}

const STEP_KINDS = new Set(['source', 'step', 'call', 'return', 'sink']);

function checkStep(x: unknown): string | undefined {
  if (!isObject(x) || !STEP_KINDS.has(x.kind as string) || typeof x.expression !== 'string' || typeof x.note !== 'string') return 'not a trace step';
  return checkLocation(x.location);
}

const ORIGINS = new Set(['static', 'static+llm', 'llm-verified']);

export function checkFinding(x: unknown): string | undefined {
  if (!isObject(x)) return 'not a finding';
  for (const k of ['ruleId', 'title', 'snippet', 'message', 'fix', 'fingerprint']) if (typeof x[k] !== 'string') return `finding ${k} is not text`;
  if (!(SEVERITIES as readonly unknown[]).includes(x.severity)) return 'unknown severity';
  if (!(CONFIDENCES as readonly unknown[]).includes(x.confidence)) return 'unknown confidence';
  if (!ORIGINS.has(x.origin as string)) return 'unknown origin';
  if (!isLine(x.statementLine)) return 'statement line is not a line';
  return checkLocation(x.location) ?? checkList(x.cwe, checkCwe, 'cwe') ?? checkCwe(x.pillar) ?? (x.trace === undefined ? undefined : checkList(x.trace, checkStep, 'trace'));
}

const DIAGNOSTIC_KINDS = new Set(['path-error', 'read-error', 'decode-error', 'binary-file', 'parse-error', 'config-error', 'suppression-error', 'unused-suppression', 'skipped', 'internal-error']);

function checkDiagnostic(x: unknown): string | undefined {
  if (!isObject(x) || !DIAGNOSTIC_KINDS.has(x.kind as string) || typeof x.path !== 'string' || typeof x.message !== 'string') return 'not a diagnostic';
  if (x.level !== 'error' && x.level !== 'warning') return 'unknown diagnostic level';
  return x.line === undefined || isLine(x.line) ? undefined : 'diagnostic line is not a line';
}

function checkSuppression(x: unknown): string | undefined {
  if (!isObject(x) || !isLine(x.line) || typeof x.reason !== 'string' || !(x.used instanceof Set)) return 'not a suppression';
  return checkList(x.ruleIds, (id) => (typeof id === 'string' ? undefined : 'not a rule id'), 'rule ids');
}

/** A file's outcome apart from its IR (`FileMeta`). */
export function checkFileMeta(x: unknown): string | undefined {
  if (!isObject(x) || typeof x.path !== 'string') return 'not a file outcome';
  if (typeof x.analysed !== 'boolean' || typeof x.cacheable !== 'boolean') return 'outcome flags are not true or false';
  if (!isLine(x.lines)) return 'line count is not a count';
  return checkList(x.findings, checkFinding, 'findings') ?? checkList(x.diagnostics, checkDiagnostic, 'diagnostics') ?? checkList(x.suppressions, checkSuppression, 'suppressions');
}

/** Findings (the taint engine's, as a run entry keeps them). */
export function checkFindings(x: unknown): x is Finding[] {
  return checkList(x, checkFinding, 'findings') === undefined;
}
