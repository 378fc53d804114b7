import type { Expr } from '../ir.js';
import type { SinkKind } from '../models.js';
import { CLEAN, allLabels, fromLabels, makeLabel, type Value } from '../values.js';

/**
 * Tests that validate data (allow-list membership, `isdigit()`-style checks, a regex full match,
 * a path prefix check, a redirect host check) and calls that end the program: what the
 * interpreter narrows on a branch, and where a block stops.
 */

const EXITING_CALLS = new Set(['sys.exit', 'exit', 'quit', 'flask.abort', 'os._exit', 'os.abort']);
const VALIDATING_METHODS = new Set(['isdigit', 'isdecimal', 'isnumeric', 'isalnum', 'isalpha', 'isidentifier']);
const REGEX_VALIDATORS = new Set(['re.match', 're.fullmatch']);
const PATH_PREFIX_CHECKS = new Set(['startswith']);

/** The expressions a test validates where it `holds` (or fails), and the kinds it makes them safe for. */
export function refinements(test: Expr, holds: boolean, sanitize: (target: Expr, kinds: ReadonlySet<SinkKind> | 'all') => void): void {
  if (test.k === 'not') {
    refinements(test.operand, !holds, sanitize);
    return;
  }
  if (test.k === 'bool') {
    // `a and b` holding means both hold; `a or b` failing means both fail.
    if ((test.op === 'and' && holds) || (test.op === 'or' && !holds)) {
      refinements(test.left, holds, sanitize);
      refinements(test.right, holds, sanitize);
    }
    return;
  }
  if (test.k === 'compare' && test.ops.length === 1 && test.operands.length === 2) {
    const [left, right] = test.operands as [Expr, Expr];
    const op = test.ops[0];
    // Allow-list membership: `x in ALLOWED` / `x not in ALLOWED`.
    if ((op === 'in' && holds) || (op === 'not in' && !holds)) {
      if (isConstantCollection(right)) sanitize(left, 'all');
    }
    return;
  }
  if (test.k === 'call' && holds) {
    const callee = test.callee;
    if (callee.k === 'attr' && VALIDATING_METHODS.has(callee.attr)) sanitize(callee.object, 'all');
    else if (callee.k === 'attr' && PATH_PREFIX_CHECKS.has(callee.attr) && test.args[0] && isConstantish(test.args[0])) {
      sanitize(callee.object, new Set<SinkKind>(['path-injection']));
    } else if (test.qname && REGEX_VALIDATORS.has(test.qname) && test.args[0]?.k === 'const' && test.args[1]) {
      sanitize(test.args[1], 'all');
    } else if (test.qname?.endsWith('url_has_allowed_host_and_scheme') && test.args[0]) {
      sanitize(test.args[0], new Set<SinkKind>(['open-redirect']));
    }
  }
}


/** Whether `refinements` finds anything to narrow. */
export function mayRefine(test: Expr, holds: boolean): boolean {
  let found = false;
  refinements(test, holds, () => {
    found = true;
  });
  return found;
}

export function isConstantCollection(e: Expr): boolean {
  if (e.k === 'container') return e.elements.every((x) => x.k === 'const');
  if (e.k === 'name') return /^_*[A-Z][A-Z0-9_]*$/.test(e.name);
  if (e.k === 'attr') return /^_*[A-Z][A-Z0-9_]*$/.test(e.attr);
  return false;
}

export function isConstantish(e: Expr): boolean {
  return e.k === 'const' || isConstantCollection(e);
}

export function isExitCall(e: Expr): boolean {
  if (e.k !== 'call') return false;
  return !!e.qname && EXITING_CALLS.has(e.qname);
}


export function sanitizeValue(v: Value, kinds: ReadonlySet<SinkKind> | 'all'): Value {
  if (kinds === 'all') return CLEAN;
  const labels = allLabels(v).map((l) => makeLabel(l.origin, l.what, l.threat, l.param, l.field, l.steps, new Set([...l.sanitized, ...kinds]), l.lowered));
  return fromLabels(labels);
}
