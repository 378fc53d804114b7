import type { Constant } from '../ir.js';
import { allLabels, mergeLabels, type Label, type Value } from '../values.js';

/** Constant folding (arithmetic, comparisons, truth) and what `"fmt" % args` lets through. */

export function truthy(c: Constant): boolean {
  return !(c === null || c === false || c === 0 || c === '');
}

export function foldBinary(op: string, a: Constant, b: Constant): Constant | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return b === 0 ? undefined : a / b;
      case '//': return b === 0 ? undefined : Math.floor(a / b);
      case '%': return b === 0 ? undefined : ((a % b) + b) % b;
      case '**': return a ** b;
      default: return undefined;
    }
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  if (typeof a === 'string' && typeof b === 'number' && op === '*') return a.repeat(Math.max(0, Math.min(b, 1000)));
  return undefined;
}

export function foldCompare(op: string, a: Constant, b: Constant): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case 'is': return a === b && (a === null || typeof a === 'boolean') ? true : a === null || b === null ? a === b : undefined;
    case 'is not': return a === null || b === null ? a !== b : undefined;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      case 'in': return b.includes(a);
      case 'not in': return !b.includes(a);
    }
  }
  return undefined;
}

export const NUMERIC_OPS = new Set(['+', '-', '/', '//', '**', '<<', '>>', '&', '|', '^', '@']);

export function isNumber(c: Constant | undefined): boolean {
  return typeof c === 'number';
}

/** Conversions of `%` formatting whose output is a number whatever the argument was. */
const NUMERIC_CONVERSIONS = new Set(['d', 'i', 'o', 'u', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G']);
const PERCENT_SPEC = /%(?:\(([^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/**
 * Taint of the arguments of `"fmt" % args` that reach the result: an argument formatted by
 * `%d`, `%x`, `%f`... becomes digits (or raises), so it cannot inject text.
 */
export function percentFormatTaint(format: string, args: Value): Label[] {
  const conversions: string[] = [];
  for (const m of format.matchAll(PERCENT_SPEC)) {
    if (m[2] === '%') continue;
    if (m[1] !== undefined) return allLabels(args); // `%(name)s` with a mapping: keep it simple
    conversions.push(m[2]!);
  }
  const parts = args.elems ?? [args];
  if (conversions.length !== parts.length) return allLabels(args);
  let labels: Label[] = [];
  parts.forEach((part, i) => {
    if (!NUMERIC_CONVERSIONS.has(conversions[i]!)) labels = mergeLabels(labels, allLabels(part));
  });
  return labels;
}

