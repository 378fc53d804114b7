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
  return (
    checkLocation(x.location) ??
    checkList(x.cwe, checkCwe, 'cwe') ??
    checkCwe(x.pillar) ??
    (x.trace === undefined ? undefined : checkList(x.trace, checkStep, 'trace')) ??
    (x.autofix === undefined ? undefined : checkAutofix(x.autofix))
  );
}

function checkAutofix(x: unknown): string | undefined {
  if (!isObject(x) || typeof x.description !== 'string') return 'not a fix';
  return checkList(x.edits, (e) => (isObject(e) && [e.startLine, e.startColumn, e.endLine, e.endColumn].every(isLine) && typeof e.text === 'string' ? undefined : 'not a text edit'), 'fix edits');
}

const DIAGNOSTIC_KINDS = new Set(['path-error', 'read-error', 'decode-error', 'binary-file', 'parse-error', 'config-error', 'suppression-error', 'unused-suppression', 'unqualified-suppression', 'skipped', 'generated-skipped', 'internal-error']);

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
  return (
    checkList(x.findings, checkFinding, 'findings') ??
    checkList(x.diagnostics, checkDiagnostic, 'diagnostics') ??
    checkList(x.suppressions, checkSuppression, 'suppressions') ??
    (x.concurrency !== undefined ? checkConcurrencyFacts(x.concurrency) : undefined)
  );
}

/** Findings (the taint engine's, as a run entry keeps them). */
export function checkFindings(x: unknown): x is Finding[] {
  return checkList(x, checkFinding, 'findings') === undefined;
}

// The concurrency analysis's per-file facts (src/analysis/concurrency/facts.ts): types, and call
// targets nested at most CALLEE_DEPTH deep (v8's deserializer can rebuild a cycle; a `result` chain
// that never ends would send the resolver round for ever).
const CALLEE_DEPTH = 16;
const isString = (x: unknown): boolean => typeof x === 'string';
const strings = (x: unknown): boolean => Array.isArray(x) && x.every(isString);

function checkSpan(x: unknown): string | undefined {
  if (!isObject(x) || ![x.line, x.column, x.endLine, x.endColumn, x.statementLine].every(isLine)) return 'span is not a place in the file';
  return undefined;
}

function checkCallee(x: unknown, depth = 0): string | undefined {
  if (depth > CALLEE_DEPTH) return `call target nested deeper than ${CALLEE_DEPTH}`;
  if (!isObject(x)) return 'call target is not an object';
  switch (x.k) {
    case 'name':
      return isString(x.name) ? undefined : 'call target has no name';
    case 'self':
      return isString(x.cls) && isString(x.method) ? undefined : 'self call target is incomplete';
    case 'field':
      return isString(x.cls) && isString(x.field) && isString(x.method) ? undefined : 'field call target is incomplete';
    case 'result':
      return isString(x.method) ? checkCallee(x.of, depth + 1) : 'result call target has no method';
    case 'any':
      return isString(x.method) ? undefined : 'call target has no method';
    default:
      return 'call target of an unknown kind';
  }
}

function checkAccess(x: unknown): string | undefined {
  if (!isObject(x) || !isString(x.resource) || !isString(x.kind) || !isString(x.code) || !strings(x.locks)) return 'access is incomplete';
  return checkSpan(x.span);
}

function checkCall(x: unknown): string | undefined {
  if (!isObject(x) || !isLine(x.line) || !isLine(x.column) || !strings(x.locks)) return 'call is incomplete';
  return checkCallee(x.callee);
}

function checkCheck(x: unknown): string | undefined {
  if (!isObject(x) || !strings(x.reads) || !isObject(x.check) || !isObject(x.act) || !strings(x.check.locks) || !strings(x.act.locks) || !isString(x.act.resource)) {
    return 'check-then-act is incomplete';
  }
  return checkList(x.calls, (c) => checkCallee(c), 'calls') ?? checkSpan(x.check.span) ?? checkSpan(x.act.span);
}

function checkFunctionFacts(x: unknown): string | undefined {
  if (!isObject(x) || !isString(x.id) || !isString(x.name) || typeof x.async !== 'boolean' || !strings(x.locks) || !strings(x.decorators)) return 'function facts are incomplete';
  if (x.returns !== undefined) {
    const problem = checkCallee(x.returns);
    if (problem) return problem;
  }
  return checkSpan(x.span) ?? checkList(x.accesses, checkAccess, 'accesses') ?? checkList(x.calls, checkCall, 'calls') ?? checkList(x.checks, checkCheck, 'checks');
}

function checkClassFacts(x: unknown): string | undefined {
  if (!isObject(x) || !isString(x.id) || !isString(x.name) || !strings(x.bases) || !strings(x.lockFields) || !strings(x.safeFields) || !isObject(x.fieldTypes)) {
    return 'class facts are incomplete';
  }
  for (const ref of Object.values(x.fieldTypes)) {
    const problem = checkCallee(ref);
    if (problem) return problem;
  }
  return checkSpan(x.span);
}

function checkSite(x: unknown): string | undefined {
  if (!isObject(x) || !isString(x.via) || !isString(x.code)) return 'spawn or endpoint site is incomplete';
  return checkCallee(x.target ?? x.cls) ?? checkSpan(x.span);
}

/** A file's concurrency facts, as a cached outcome keeps them. */
export function checkConcurrencyFacts(x: unknown): string | undefined {
  if (!isObject(x) || !isString(x.path) || !isString(x.module) || !strings(x.globals)) return 'concurrency facts are incomplete';
  if (x.greenThreads !== undefined && !(isObject(x.greenThreads) && isLine(x.greenThreads.line) && isString(x.greenThreads.code))) return 'green-thread marker is incomplete';
  return (
    checkList(x.functions, checkFunctionFacts, 'functions') ??
    checkList(x.classes, checkClassFacts, 'classes') ??
    checkList(x.spawns, checkSite, 'spawns') ??
    checkList(x.endpoints, checkSite, 'endpoints')
  );
}
