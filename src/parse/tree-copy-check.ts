/**
 * The checks a tree copy read back from outside this thread (a cache entry) passes before any
 * walk trusts it. Every walk over a SyntaxTree follows `nextSiblings`, `subtreeEnds` and
 * `parents` without bounds checks; a copy whose links were damaged (a sibling link pointing
 * back to an earlier sibling, say) makes such a walk loop forever. A copy that passes is the
 * pre-order layout of a tree: each sibling list is finite and each subtree a range after its
 * root, so every walk ends.
 */
import type { LanguageInfo } from './syntax-tree.js';

/** The arrays of a tree copy, as `SyntaxTree` views them. */
export interface TreeArrays {
  count: number;
  symbols: Uint16Array;
  fieldIds: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  parents: Int32Array;
  nextSiblings: Int32Array;
  subtreeEnds: Int32Array;
  errorFlags: Uint8Array | undefined;
}

/** The symbol tree-sitter gives ERROR nodes, and the bits of `errorFlags`. */
export const ERROR_SYMBOL = 65535;
export const MISSING = 1;
export const HAS_ERROR = 2;

/**
 * Throws (saying which node and link is wrong) unless the arrays hold a pre-order tree over a
 * text of `textLength` UTF-16 units: node 0 the root, every parent before its children, every
 * subtree the index range after its root and inside its parent's, every sibling link the next
 * subtree of the same parent, ranges inside the text, symbols and fields of the language.
 */
export function checkTreeArrays(a: TreeArrays, language: LanguageInfo, textLength: number): void {
  const n = a.count;
  const fail = (i: number, what: string): never => {
    throw new Error(`malformed tree copy: node ${i} of ${n}: ${what}`);
  };
  if (!Number.isInteger(n) || n < 1) fail(0, 'no root');
  let maxField = 0;
  for (const id of language.fieldIds.values()) if (id > maxField) maxField = id;
  const symbolCount = language.names.length;
  const { subtreeEnds, parents, nextSiblings, starts, ends, symbols, fieldIds, errorFlags } = a;
  // The open ancestors of the node being checked, innermost last.
  const open = new Int32Array(n);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const end = subtreeEnds[i]!;
    if (!(end > i && end <= n)) fail(i, `subtree end ${end} outside (${i}, ${n}]`);
    while (depth > 0 && subtreeEnds[open[depth - 1]!]! <= i) depth--;
    const parent = depth > 0 ? open[depth - 1]! : -1;
    if (i > 0 && depth === 0) fail(i, 'outside the root');
    if (parents[i] !== parent) fail(i, `parent ${parents[i]}, expected ${parent}`);
    const parentEnd = parent >= 0 ? subtreeEnds[parent]! : n;
    if (end > parentEnd) fail(i, `subtree ends after its parent's`);
    const next = nextSiblings[i]!;
    const expected = parent >= 0 && end < parentEnd ? end : -1;
    if (next !== expected) fail(i, `next sibling ${next}, expected ${expected}`);
    const start = starts[i]!;
    const stop = ends[i]!;
    if (!(start >= 0 && start <= stop && stop <= textLength)) fail(i, `range ${start}..${stop} outside the text (${textLength})`);
    const symbol = symbols[i]!;
    if (symbol >= symbolCount && symbol !== ERROR_SYMBOL) fail(i, `unknown symbol ${symbol}`);
    if (fieldIds[i]! > maxField) fail(i, `unknown field ${fieldIds[i]}`);
    if (errorFlags && errorFlags[i]! > 3) fail(i, `unknown error flags ${errorFlags[i]}`);
    open[depth++] = i;
  }
}
