/**
 * Terminal display of source lines: tab expansion, East Asian wide characters, visible escapes for
 * control and bidi characters, and mapping of UTF-16 columns to display columns so carets line up
 * under the flagged code.
 */
import { escapeChar, isUnsafeChar } from './common.js';

export const TAB_WIDTH = 4;
/** Longest source line shown in full; longer lines are cut to a window around the finding. */
export const MAX_LINE_WIDTH = 160;
const ELLIPSIS = '…';

const ZERO_WIDTH = /^[\p{Mn}\p{Me}]$/u;

const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Terminal cell width of one code point (0, 1 or 2). */
export function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  const cp = ch.codePointAt(0) ?? 0;
  for (const [lo, hi] of WIDE_RANGES) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

export interface Cell {
  /** What is printed for this code point. */
  text: string;
  width: number;
  /** Display column where the cell starts (0-based). */
  column: number;
  /** UTF-16 offset of the code point in the source line. */
  offset: number;
}

export interface DisplayLine {
  cells: Cell[];
  width: number;
  /** Display column of each UTF-16 offset 0..line.length (an offset inside a surrogate pair maps to its code point). */
  columnAt(offset: number): number;
}

/** Lays out one source line (without its newline) as terminal cells. */
export function layoutLine(line: string): DisplayLine {
  const cells: Cell[] = [];
  const columns: number[] = new Array<number>(line.length + 1);
  let column = 0;
  let offset = 0;
  for (const ch of line) {
    for (let i = 0; i < ch.length; i++) columns[offset + i] = column;
    let text: string;
    let width: number;
    if (ch === '\t') {
      width = TAB_WIDTH - (column % TAB_WIDTH);
      text = ' '.repeat(width);
    } else if (isUnsafeChar(ch)) {
      text = escapeChar(ch);
      width = text.length;
    } else {
      text = ch;
      width = charWidth(ch);
    }
    cells.push({ text, width, column, offset });
    column += width;
    offset += ch.length;
  }
  columns[line.length] = column;
  return {
    cells,
    width: column,
    columnAt(o: number): number {
      const clamped = Math.max(0, Math.min(line.length, o));
      return columns[clamped] ?? column;
    },
  };
}

export interface RenderedLine {
  text: string;
  /** Caret underline (spaces then carets), or '' when no range was given. */
  carets: string;
}

/**
 * Renders a source line and, for the UTF-16 range [start, end) (0-based), a caret underline.
 * Lines wider than MAX_LINE_WIDTH are cut to a window that keeps the start of the range visible.
 */
export function renderSourceLine(line: string, range?: { start: number; end: number }): RenderedLine {
  const layout = layoutLine(line);
  let from = 0;
  let to = layout.width;
  let caretFrom = range ? layout.columnAt(range.start) : 0;
  let caretTo = range ? Math.max(layout.columnAt(range.end), caretFrom + 1) : 0;
  if (layout.width > MAX_LINE_WIDTH) {
    from = range ? Math.max(0, caretFrom - Math.floor(MAX_LINE_WIDTH / 4)) : 0;
    to = Math.min(layout.width, from + MAX_LINE_WIDTH);
    from = Math.max(0, Math.min(from, to - MAX_LINE_WIDTH));
  }
  const kept = layout.cells.filter((c) => c.column >= from && c.column + c.width <= to);
  const cutLeft = kept.length > 0 && kept[0]!.column > 0;
  const cutRight = kept.length > 0 && kept[kept.length - 1]!.column + kept[kept.length - 1]!.width < layout.width;
  const shift = (kept[0]?.column ?? 0) - (cutLeft ? ELLIPSIS.length : 0);
  const text = (cutLeft ? ELLIPSIS : '') + kept.map((c) => c.text).join('') + (cutRight ? ELLIPSIS : '');
  if (!range) return { text, carets: '' };
  const visibleEnd = text.length === 0 ? 0 : layoutWidthOf(kept) + (cutLeft ? ELLIPSIS.length : 0);
  caretFrom = Math.max(0, caretFrom - shift);
  caretTo = Math.max(caretFrom + 1, Math.min(caretTo - shift, Math.max(visibleEnd, caretFrom + 1)));
  return { text, carets: ' '.repeat(caretFrom) + '^'.repeat(caretTo - caretFrom) };
}

function layoutWidthOf(cells: readonly Cell[]): number {
  if (cells.length === 0) return 0;
  const last = cells[cells.length - 1]!;
  return last.column + last.width - cells[0]!.column;
}
