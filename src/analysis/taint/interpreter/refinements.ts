import type { Expr } from '../ir.js';
import type { TaintSemantics } from '../language.js';
import type { SinkKind } from '../models.js';
import { CLEAN, allLabels, fromLabels, makeLabel, type Value } from '../values.js';

/**
 * Tests that validate data (allow-list membership, `isdigit()`-style checks, a regex full match,
 * a path prefix check, a redirect host check: which ones is the language's semantics' say) and
 * calls that end the program: what the interpreter narrows on a branch, and where a block stops.
 */

/** The expressions a test validates where it `holds` (or fails), and the kinds it makes them safe for. */
export function refinements(test: Expr, holds: boolean, lang: TaintSemantics, sanitize: (target: Expr, kinds: ReadonlySet<SinkKind> | 'all') => void): void {
  if (test.k === 'not') {
    refinements(test.operand, !holds, lang, sanitize);
    return;
  }
  if (test.k === 'bool') {
    // `a and b` holding means both hold; `a or b` failing means both fail.
    if ((test.op === 'and' && holds) || (test.op === 'or' && !holds)) {
      refinements(test.left, holds, lang, sanitize);
      refinements(test.right, holds, lang, sanitize);
    }
    return;
  }
  if (test.k === 'compare' && test.ops.length === 1 && test.operands.length === 2) {
    const [left, right] = test.operands as [Expr, Expr];
    const op = test.ops[0];
    // Allow-list membership: `x in ALLOWED` / `x not in ALLOWED`.
    if ((op === 'in' && holds) || (op === 'not in' && !holds)) {
      if (isConstantCollection(right, lang)) sanitize(left, 'all');
    }
    return;
  }
  if (test.k === 'call' && holds) {
    const callee = test.callee;
    // Regex and `startswith` checks are guards the front end lowers (src/frontend/python/ir-guards.ts).
    if (callee.k === 'attr' && lang.validatingMethods.has(callee.attr)) sanitize(callee.object, 'all');
    else if (test.qname && lang.isRedirectCheck(test.qname) && test.args[0]) {
      sanitize(test.args[0], new Set<SinkKind>(['open-redirect']));
    }
  }
}

/** Whether `refinements` finds anything to narrow. */
export function mayRefine(test: Expr, holds: boolean, lang: TaintSemantics): boolean {
  let found = false;
  refinements(test, holds, lang, () => {
    found = true;
  });
  return found;
}

/** A literal collection of constants, or a name the language's convention says is a constant (`ALLOWED`). */
function isConstantCollection(e: Expr, lang: TaintSemantics): boolean {
  if (e.k === 'container') return e.elements.every((x) => x.k === 'const');
  if (e.k === 'name') return lang.isConstantName(e.name);
  if (e.k === 'attr') return lang.isConstantName(e.attr);
  return false;
}

/** Whether an expression statement is a call that ends the program (nothing after it runs). */
export function isExitCall(e: Expr, lang: TaintSemantics): boolean {
  if (e.k !== 'call') return false;
  return !!e.qname && lang.exitingCalls.has(e.qname);
}

export function sanitizeValue(v: Value, kinds: ReadonlySet<SinkKind> | 'all'): Value {
  if (kinds === 'all') return CLEAN;
  const labels = allLabels(v).map((l) => makeLabel(l.origin, l.what, l.threat, l.param, l.field, l.steps, new Set([...l.sanitized, ...kinds]), l.lowered));
  return fromLabels(labels);
}
