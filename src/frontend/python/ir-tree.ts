import type { Node } from '../../parse/tree-sitter.js';
import type { SpanId } from '../../analysis/taint/ir.js';
import { SpanTableBuilder } from '../../analysis/taint/spans.js';
import type { SyntaxTree } from '../../parse/syntax-tree.js';
import type { PythonModule } from './module.js';
import { Budget } from '../../scheduling/budget.js';

/** Deeper nesting than this is summarised as opaque (keeps the converter's stack bounded). */
export const MAX_DEPTH = 400;

/**
 * The list without the spare capacity `push` leaves behind: most IR lists hold one to three
 * items, and a pushed-to array keeps room for seventeen.
 */
export function exact<T>(items: T[]): T[] {
  return items.length === 0 ? items : items.slice();
}

/** No node (a missing field or child). */
export const NONE = -1;
const ERROR_SYMBOL = 65535;

export const FIELD_NAMES = [
  'alias', 'alternative', 'argument', 'arguments', 'attribute', 'body', 'cases', 'class', 'condition', 'consequence', 'definition',
  'expression', 'function', 'guard', 'key', 'left', 'name', 'object', 'operator', 'parameters', 'right', 'subject',
  'subscript', 'superclasses', 'value',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/**
 * The module's tree copy by node index (SyntaxTree) rather than through SyntaxNode
 * objects: the IR visits nearly every named node once, and objects for all of them (with
 * their child arrays) cost more to allocate and collect than the IR itself. The results are
 * those of the Node API: `field` is `childForFieldName`, the named-child loops are
 * `namedChildren`. The lowering classes (expressions, statements) build on it.
 */
export class TreeReader {
  protected readonly syntax: SyntaxTree;
  protected readonly source: string;
  protected readonly next: Int32Array;
  protected readonly fieldIds: ReadonlyMap<string, number>;
  protected readonly f: Record<FieldName, number | undefined>;
  readonly spans: SpanTableBuilder;

  constructor(
    protected readonly module: PythonModule,
    protected readonly imports: Map<string, string>,
    protected readonly budget: Budget,
  ) {
    this.syntax = module.syntax;
    this.source = module.source;
    this.next = this.syntax.nextSiblings;
    this.spans = new SpanTableBuilder(this.source, this.syntax.rowStarts());
    this.fieldIds = this.syntax.language.fieldIds;
    const f = {} as Record<FieldName, number | undefined>;
    for (const name of FIELD_NAMES) f[name] = this.fieldIds.get(name);
    this.f = f;
  }

  protected type(i: number): string {
    return this.syntax.typeName(i);
  }

  protected text(i: number): string {
    return this.source.slice(this.syntax.starts[i]!, this.syntax.ends[i]!);
  }

  /** An identifier's text, one string per distinct name in the module (`self` occurs thousands of times). */
  protected identifier(i: number): string {
    const text = this.text(i);
    const known = this.identifiers.get(text);
    if (known !== undefined) return known;
    this.identifiers.set(text, text);
    return text;
  }

  protected readonly identifiers = new Map<string, string>();

  protected first(i: number): number {
    return this.syntax.subtreeEnds[i]! > i + 1 ? i + 1 : NONE;
  }

  protected named(i: number): boolean {
    return this.syntax.isNamed(i);
  }

  /** `childForFieldName`: the first child with the field (ERROR nodes have no fields). */
  protected field(i: number, field: number | undefined): number {
    if (i === NONE || field === undefined || this.syntax.symbols[i] === ERROR_SYMBOL) return NONE;
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.syntax.fieldIds[c] === field) return c;
    return NONE;
  }

  /** `namedChildren[0]`. */
  protected firstNamed(i: number): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c)) return c;
    return NONE;
  }

  /** `namedChildren.find((c) => c.type !== 'comment')`. */
  protected firstNamedNotComment(i: number): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) !== 'comment') return c;
    return NONE;
  }

  /** `namedChildren.find((c) => c.type === type)`. */
  protected namedOfType(i: number, type: string): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) === type) return c;
    return NONE;
  }

  protected node(i: number): Node {
    return this.syntax.node(i);
  }

  span(i: number): SpanId {
    return this.spans.add(this.syntax.starts[i]!, this.syntax.ends[i]!);
  }

  /** Statements and expressions built so far, to look at the clock every so often. */
  private steps = 0;

  protected tick(): void {
    if ((++this.steps & 1023) === 0) this.budget.check('the data-flow model');
  }

  /** `childrenForFieldName`. */
  protected fieldChildren(i: number, field: number | undefined): number[] {
    const out: number[] = [];
    if (field === undefined) return out;
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.syntax.fieldIds[c] === field) out.push(c);
    return out;
  }

  /** The text of the first named child, or '' (`namedChildren[0]?.text ?? ''`). */
  protected firstNamedText(i: number): string {
    const c = this.firstNamed(i);
    return c !== NONE ? this.text(c) : '';
  }
}
