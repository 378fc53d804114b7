/**
 * Building blocks for the mechanical fixes rules declare: edits between syntax-tree positions,
 * turned into the findings' 1-based `FixEdit`s. Rules offer a fix only where it is right whatever
 * the surrounding code says (`verify=False` → `verify=True`); `secreview fix` re-parses and
 * re-scans every edited file before it keeps an edit (src/fix/).
 */
import type { FixEdit } from '../findings/types.js';
import type { Node, Point } from '../parse/tree-sitter.js';

/** Text between two tree positions (0-based rows, UTF-16 columns) replaced by `text`. */
export interface NodeEdit {
  from: Point;
  to: Point;
  text: string;
}

export function replaceNode(node: Node, text: string): NodeEdit {
  return { from: node.startPosition, to: node.endPosition, text };
}

export function insertAt(at: Point, text: string): NodeEdit {
  return { from: at, to: at, text };
}

export function fixEdit(edit: NodeEdit): FixEdit {
  return {
    startLine: edit.from.row + 1,
    startColumn: edit.from.column + 1,
    endLine: edit.to.row + 1,
    endColumn: edit.to.column + 1,
    text: edit.text,
  };
}

/** Offsets of each line's start in `text` (lines end at \n). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Where a 1-based line and column fall in `text`, or undefined past its end. */
export function offsetOf(text: string, starts: readonly number[], line: number, column: number): number | undefined {
  const start = starts[line - 1];
  if (start === undefined) return undefined;
  const offset = start + column - 1;
  const lineEnd = line < starts.length ? starts[line]! - 1 : text.length;
  return offset > lineEnd + 1 ? undefined : Math.min(offset, text.length);
}

/** Overlapping edits: the second starts before the first ends. */
export function overlaps(a: FixEdit, b: FixEdit): boolean {
  const before = (l1: number, c1: number, l2: number, c2: number): boolean => l1 < l2 || (l1 === l2 && c1 < c2);
  const aFirst = before(a.startLine, a.startColumn, b.startLine, b.startColumn) || (a.startLine === b.startLine && a.startColumn === b.startColumn);
  const [first, second] = aFirst ? [a, b] : [b, a];
  return before(second.startLine, second.startColumn, first.endLine, first.endColumn);
}

/**
 * `text` with the edits applied (from the last to the first, so positions stay valid), or an
 * error naming the edit that does not fit the text or overlaps another.
 */
export function applyEdits(text: string, edits: readonly FixEdit[]): { text: string } | { error: string } {
  const sorted = [...edits].sort((a, b) => a.startLine - b.startLine || a.startColumn - b.startColumn);
  for (let i = 1; i < sorted.length; i++) {
    if (overlaps(sorted[i - 1]!, sorted[i]!)) return { error: `edits at ${sorted[i - 1]!.startLine}:${sorted[i - 1]!.startColumn} and ${sorted[i]!.startLine}:${sorted[i]!.startColumn} overlap` };
  }
  const starts = lineStarts(text);
  let out = text;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const e = sorted[i]!;
    const from = offsetOf(text, starts, e.startLine, e.startColumn);
    const to = offsetOf(text, starts, e.endLine, e.endColumn);
    if (from === undefined || to === undefined || to < from) return { error: `edit at ${e.startLine}:${e.startColumn} does not fit the file` };
    out = out.slice(0, from) + e.text + out.slice(to);
  }
  return { text: out };
}
