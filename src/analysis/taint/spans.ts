/**
 * Compact source ranges for the IR. A large program has a million IR nodes; an object and a
 * text slice per node was a third of the IR's heap. Nodes carry a SpanId (a small integer, so
 * no allocation at all) indexing their module's SpanTable: two text indices per span, plus
 * the file's line starts to turn them into lines and columns. Spans become objects only where
 * they are kept (trace steps, sinks), once per node.
 */
import type { Span, SpanId, SpanTable } from './ir.js';
import { lineAt } from '../../parse/line-starts.js';

/** Longer span texts are cut (traces show expressions, not whole blocks). */
const SPAN_TEXT_MAX = 120;

const NOWHERE: Span = Object.freeze({ line: 0, column: 0, endLine: 0, endColumn: 0, text: '' });

/** Collects a module's spans while its IR is built; span 0 is NO_SPAN. */
export class SpanTableBuilder {
  private offsets = new Int32Array(1024);
  private count = 1;

  constructor(
    private readonly source: string,
    private readonly lineStarts: Int32Array,
  ) {}

  add(start: number, end: number): SpanId {
    if (2 * this.count + 2 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[2 * this.count] = start;
    this.offsets[2 * this.count + 1] = end;
    return this.count++;
  }

  /** The table, its offsets trimmed to size. */
  finish(): SpanTable {
    return { source: this.source, lineStarts: this.lineStarts, offsets: this.offsets.slice(0, 2 * this.count) };
  }
}

/** 1-based first line of a span (0 for NO_SPAN). */
export function spanLine(table: SpanTable, id: SpanId): number {
  return id === 0 ? 0 : lineAt(table.lineStarts, table.offsets[2 * id]!) + 1;
}

/** The span's source text, cut to SPAN_TEXT_MAX characters with an ellipsis. */
export function spanText(table: SpanTable, id: SpanId): string {
  if (id === 0) return '';
  const start = table.offsets[2 * id]!;
  const end = table.offsets[2 * id + 1]!;
  return end - start > SPAN_TEXT_MAX ? `${table.source.slice(start, start + SPAN_TEXT_MAX - 1)}…` : table.source.slice(start, end);
}

const resolved = new WeakMap<SpanTable, Map<SpanId, Span>>();

/** The span as lines, columns (1-based) and text; the same object for the same span. */
export function resolveSpan(table: SpanTable, id: SpanId): Span {
  if (id === 0) return NOWHERE;
  let spans = resolved.get(table);
  if (!spans) resolved.set(table, (spans = new Map()));
  let span = spans.get(id);
  if (!span) {
    const start = table.offsets[2 * id]!;
    const end = table.offsets[2 * id + 1]!;
    const line = lineAt(table.lineStarts, start);
    const endLine = lineAt(table.lineStarts, end);
    span = {
      line: line + 1,
      column: start - table.lineStarts[line]! + 1,
      endLine: endLine + 1,
      endColumn: end - table.lineStarts[endLine]! + 1,
      text: spanText(table, id),
    };
    spans.set(id, span);
  }
  return span;
}
