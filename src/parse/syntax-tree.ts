import type { Language, Tree } from 'web-tree-sitter';
import type { Node, Point } from './tree-sitter.js';
import { lineAt, lineStartsOf } from './line-starts.js';
import { ERROR_SYMBOL, HAS_ERROR, MISSING, checkTreeArrays } from './tree-copy-check.js';
import { subtreeReader } from './wasm-subtree-reader.js';
import { arraysFromCopy, bytesPerNode, cursorWalk, grow } from './tree-walk.js';
import type { Arrays, TreeCopy } from './tree-walk.js';

export type { TreeCopy } from './tree-walk.js';

/**
 * A copy of a tree-sitter tree in JavaScript typed arrays, made once per file.
 *
 * Every web-tree-sitter `Node` access crosses into WebAssembly and allocates a fresh `Node`
 * (`parent` even searches down from the root), so the front end, ~40 rules and the IR builder
 * spent more time asking the tree questions than the parser spent building it. Here each
 * visible node (named or not) is read once, in pre-order (see `walk`); `SyntaxNode` answers
 * the same questions from the arrays with the same results as web-tree-sitter's nodes, quirks
 * included (fields of ERROR nodes, siblings found by byte range). Pre-order indices double as
 * node ids: a node's descendants are the index range after it, so `descendantsOfType` is a scan.
 * Offsets are UTF-16 code units, as web-tree-sitter's, kept as int32 so arithmetic on them
 * stays in small-integer range.
 */
export class SyntaxTree {
  readonly root: SyntaxNode;
  /** Visible symbol (alias applied) per node; ERROR is 65535. */
  readonly symbols: Uint16Array;
  readonly fieldIds: Uint16Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly parents: Int32Array;
  readonly nextSiblings: Int32Array;
  /** One past the node's last descendant, in pre-order. */
  readonly subtreeEnds: Int32Array;
  /** MISSING and has-error bits; undefined when the tree has no error at all. */
  readonly errorFlags: Uint8Array | undefined;
  readonly count: number;
  private readonly nodes: (SyntaxNode | undefined)[];
  private lineStarts: Int32Array | undefined;
  private lastRow = 0;

  /** From a web-tree-sitter tree, or from a copy another thread made (see `copy()`). */
  constructor(
    readonly source: string,
    tree: Tree | { language: LanguageInfo; fromCopy: TreeCopy },
  ) {
    let arrays: Arrays;
    if ('fromCopy' in tree) {
      this.language = tree.language;
      arrays = arraysFromCopy(tree.fromCopy);
      // Walks trust the links; a copy read back from a cache entry proves them first.
      checkTreeArrays(arrays, this.language, source.length);
    } else {
      this.language = languageInfo(tree.language);
      const rootNode = tree.rootNode;
      arrays = walk(tree, rootNode.descendantCount, rootNode.hasError);
    }
    this.count = arrays.count;
    this.symbols = arrays.symbols;
    this.fieldIds = arrays.fieldIds;
    this.starts = arrays.starts;
    this.ends = arrays.ends;
    this.parents = arrays.parents;
    this.nextSiblings = arrays.nextSiblings;
    this.subtreeEnds = arrays.subtreeEnds;
    this.errorFlags = arrays.errorFlags;
    this.nodes = new Array<SyntaxNode | undefined>(this.count);
    this.root = this.node(0);
  }

  readonly language: LanguageInfo;

  /** The arrays as one buffer, for another thread or a cache entry (structured-clone data). */
  copy(): TreeCopy {
    const own = this.ownBuffer();
    const buffer = own ? own.slice(0) : (grow(this, this.starts.length).starts.buffer as ArrayBuffer);
    return { count: this.count, size: this.starts.length, hasError: this.errorFlags !== undefined, buffer };
  }

  /**
   * `copy`, for a tree that is read no more: its own buffer is handed out, not copied (a scan's
   * trees add up to hundreds of megabytes). Nothing may read the tree afterwards: the buffer may
   * move to another thread, which leaves its arrays empty here.
   */
  detach(): TreeCopy {
    const buffer = this.ownBuffer();
    return buffer ? { count: this.count, size: this.starts.length, hasError: this.errorFlags !== undefined, buffer } : this.copy();
  }

  /** The one buffer the arrays are views of, laid out by newArrays; undefined for any other layout. */
  private ownBuffer(): ArrayBuffer | undefined {
    const size = this.starts.length;
    const buffer = this.starts.buffer as ArrayBuffer;
    const ours = buffer.byteLength === size * bytesPerNode(this.errorFlags !== undefined) && this.starts.byteOffset === 0 && this.symbols.buffer === buffer && this.symbols.byteOffset === 20 * size;
    return ours ? buffer : undefined;
  }

  node(index: number): SyntaxNode {
    return (this.nodes[index] ??= new SyntaxNode(this, index));
  }

  typeName(index: number): string {
    return this.language.names[this.symbols[index]!] || 'ERROR';
  }

  isNamed(index: number): boolean {
    const symbol = this.symbols[index]!;
    return symbol === ERROR_SYMBOL || this.language.named[symbol] === 1;
  }

  /** Row and column (UTF-16 code units) of a text index; rows end at \n only, as tree-sitter's. */
  point(index: number): Point {
    const row = this.row(index);
    return { row, column: index - this.lineStarts![row]! };
  }

  /** The 0-based row of a text index. Lookups mostly follow the text, so the last row is tried first. */
  row(index: number): number {
    let starts = this.lineStarts;
    if (!starts) starts = this.lineStarts = lineStartsOf(this.source);
    const last = this.lastRow;
    if (starts[last]! <= index && (last + 1 === starts.length || index < starts[last + 1]!)) return last;
    return (this.lastRow = lineAt(starts, index));
  }

  /** UTF-16 index where each row starts. */
  rowStarts(): Int32Array {
    return (this.lineStarts ??= lineStartsOf(this.source));
  }

  /** Text index where a row starts (after `row(index)`). */
  rowStart(row: number): number {
    return this.lineStarts![row]!;
  }
}


export class SyntaxNode implements Node {
  /** Read on nearly every node a rule or the IR builder touches, so stored. */
  readonly type: string;
  private childList: SyntaxNode[] | undefined;
  private namedChildList: SyntaxNode[] | undefined;

  constructor(
    private readonly tree: SyntaxTree,
    readonly id: number,
  ) {
    this.type = tree.typeName(id);
  }

  get isNamed(): boolean {
    return this.tree.isNamed(this.id);
  }

  get isError(): boolean {
    return this.tree.symbols[this.id] === ERROR_SYMBOL;
  }

  get isMissing(): boolean {
    return ((this.tree.errorFlags?.[this.id] ?? 0) & MISSING) !== 0;
  }

  get hasError(): boolean {
    return ((this.tree.errorFlags?.[this.id] ?? 0) & HAS_ERROR) !== 0;
  }

  get startIndex(): number {
    return this.tree.starts[this.id]!;
  }

  get endIndex(): number {
    return this.tree.ends[this.id]!;
  }

  get startPosition(): Point {
    return this.tree.point(this.tree.starts[this.id]!);
  }

  get endPosition(): Point {
    return this.tree.point(this.tree.ends[this.id]!);
  }

  get text(): string {
    return this.tree.source.slice(this.tree.starts[this.id]!, this.tree.ends[this.id]!);
  }

  get parent(): SyntaxNode | null {
    const p = this.tree.parents[this.id]!;
    return p < 0 ? null : this.tree.node(p);
  }

  /** Pre-order index of the first child, or -1. */
  private firstChildIndex(): number {
    return this.tree.subtreeEnds[this.id]! > this.id + 1 ? this.id + 1 : -1;
  }

  get children(): readonly SyntaxNode[] {
    if (!this.childList) {
      const list: SyntaxNode[] = [];
      const { nextSiblings } = this.tree;
      for (let c = this.firstChildIndex(); c >= 0; c = nextSiblings[c]!) list.push(this.tree.node(c));
      this.childList = list;
    }
    return this.childList;
  }

  get namedChildren(): readonly SyntaxNode[] {
    if (!this.namedChildList) {
      const list: SyntaxNode[] = [];
      const { nextSiblings } = this.tree;
      for (let c = this.firstChildIndex(); c >= 0; c = nextSiblings[c]!) {
        if (this.tree.isNamed(c)) list.push(this.tree.node(c));
      }
      this.namedChildList = list;
    }
    return this.namedChildList;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const field = this.tree.language.fieldIds.get(name);
    // tree-sitter reads fields from the node's production, and ERROR nodes have none (the
    // cursor still reports fields that hidden children inside them give their children).
    if (field === undefined || this.isError) return null;
    const { nextSiblings, fieldIds } = this.tree;
    for (let c = this.firstChildIndex(); c >= 0; c = nextSiblings[c]!) {
      if (fieldIds[c] === field) return this.tree.node(c);
    }
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const field = this.tree.language.fieldIds.get(name);
    const out: SyntaxNode[] = [];
    if (field === undefined) return out;
    const { nextSiblings, fieldIds } = this.tree;
    for (let c = this.firstChildIndex(); c >= 0; c = nextSiblings[c]!) {
      if (fieldIds[c] === field) out.push(this.tree.node(c));
    }
    return out;
  }

  /**
   * This node and its descendants of the given types, in document order. Like tree-sitter's,
   * it skips a subtree that ends at the very start of the file (an empty module, say).
   */
  descendantsOfType(types: string | string[]): SyntaxNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: SyntaxNode[] = [];
    const tree = this.tree;
    const { ends, subtreeEnds } = tree;
    const end = subtreeEnds[this.id]!;
    for (let i = this.id; i < end; ) {
      if (ends[i] === 0) {
        i = subtreeEnds[i]!;
        continue;
      }
      if (wanted.includes(tree.typeName(i))) out.push(tree.node(i));
      i++;
    }
    return out;
  }

  /**
   * tree-sitter finds siblings by byte range: a later sibling that ends where this node ends
   * (an empty one, e.g. a MISSING node) is not a next sibling.
   */
  get nextNamedSibling(): SyntaxNode | null {
    const { nextSiblings, ends, starts } = this.tree;
    const end = ends[this.id]!;
    const start = starts[this.id]!;
    const empty = start === end;
    for (let s = nextSiblings[this.id]!; s >= 0; s = nextSiblings[s]!) {
      if (ends[s]! <= end) continue;
      if (empty ? starts[s]! < start : starts[s]! <= start) continue;
      if (this.tree.isNamed(s)) return this.tree.node(s);
    }
    return null;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const parent = this.tree.parents[this.id]!;
    if (parent < 0) return null;
    const { nextSiblings, ends, starts } = this.tree;
    const end = ends[this.id]!;
    const empty = starts[this.id] === end;
    let found: SyntaxNode | null = null;
    for (let s = parent + 1; s >= 0 && s !== this.id; s = nextSiblings[s]!) {
      if (ends[s]! > end || (ends[s] === end && !empty)) break;
      if (this.tree.isNamed(s)) found = this.tree.node(s);
    }
    return found;
  }
}

// ---- language tables ------------------------------------------------------------------------

export interface LanguageInfo {
  /** Type name per symbol (web-tree-sitter's `Language.types`). */
  names: readonly string[];
  named: Uint8Array;
  fieldIds: ReadonlyMap<string, number>;
}

const languageInfos = new WeakMap<Language, LanguageInfo>();

export function languageInfo(language: Language): LanguageInfo {
  let info = languageInfos.get(language);
  if (!info) {
    // Internalised (as property keys are), so `node.type === 'call'` compares pointers: the
    // names web-tree-sitter decodes from WebAssembly memory are ordinary heap strings.
    const names = language.types.map((name) => (typeof name === 'string' ? Object.keys({ [name]: 0 })[0]! : name));
    const named = new Uint8Array(names.length);
    for (let i = 0; i < names.length; i++) named[i] = language.nodeTypeIsNamed(i) ? 1 : 0;
    const fieldIds = new Map<string, number>();
    language.fields.forEach((name, id) => {
      if (name !== null && !fieldIds.has(name)) fieldIds.set(name, id);
    });
    info = { names, named, fieldIds };
    languageInfos.set(language, info);
  }
  return info;
}

/**
 * Copy the tree: by reading tree-sitter's subtrees straight from WebAssembly memory when the
 * layout checks out (see SubtreeReader), else with a cursor.
 */
export function walk(tree: Tree, capacity: number, hasError: boolean): Arrays {
  const reader = subtreeReader(tree);
  if (reader) {
    const arrays = reader.walk(tree, capacity, hasError);
    if (arrays) {
      treeCopies.fromMemory++;
      return arrays;
    }
  }
  treeCopies.byCursor++;
  return cursorWalk(tree, capacity, hasError);
}

/** How trees were copied in this thread (for benchmarks and checks). */
export const treeCopies = { fromMemory: 0, byCursor: 0 };
