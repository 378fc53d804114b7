import type { Language, Tree } from 'web-tree-sitter';
import { wasmExports } from './tree-sitter.js';
import type { Node, Point } from './tree-sitter.js';

/**
 * A copy of a tree-sitter tree in JavaScript typed arrays, read once per file with a cursor.
 *
 * Every web-tree-sitter `Node` access crosses into WebAssembly and allocates a fresh `Node`
 * (`parent` even searches down from the root), so the front end, ~40 rules and the IR builder
 * spent more time asking the tree questions than the parser spent building it. Here each
 * visible node (named or not) is read once, in pre-order; `SyntaxNode` answers the same
 * questions from the arrays with the same results as web-tree-sitter's nodes, quirks included
 * (fields of ERROR nodes, siblings found by byte range). Pre-order indices double as node ids:
 * a node's descendants are the index range after it, which makes `descendantsOfType` a scan.
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
  /** Offsets are int32 (not uint32) so arithmetic on them stays in small-integer range. */
  private lineStarts: Int32Array | undefined;

  constructor(
    readonly source: string,
    tree: Tree,
  ) {
    this.language = languageInfo(tree.language);
    const rootNode = tree.rootNode;
    const capacity = rootNode.descendantCount;
    const arrays = walk(tree, capacity, rootNode.hasError);
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
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    this.lastRow = lo;
    return lo;
  }

  /** Text index where a row starts (after `row(index)`). */
  rowStart(row: number): number {
    return this.lineStarts![row]!;
  }

  private lastRow = 0;
}

const ERROR_SYMBOL = 65535;
const MISSING = 1;
const HAS_ERROR = 2;

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

function languageInfo(language: Language): LanguageInfo {
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

function lineStartsOf(source: string): Int32Array {
  let count = 1;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let n = 1;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts[n++] = i + 1;
  return starts;
}

// ---- the walk ----------------------------------------------------------------------------------

interface Arrays {
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

/** What the walk asks of a cursor standing on the current node. */
interface CursorOps {
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  symbol(): number;
  field(): number;
  start(): number;
  end(): number;
  /** MISSING and has-error bits (asked only when the tree has an error). */
  errorFlags(): number;
  done(): void;
}

function walk(tree: Tree, capacity: number, hasError: boolean): Arrays {
  let size = Math.max(capacity, 1);
  let a: Arrays = {
    count: 0,
    symbols: new Uint16Array(size),
    fieldIds: new Uint16Array(size),
    starts: new Int32Array(size),
    ends: new Int32Array(size),
    parents: new Int32Array(size),
    nextSiblings: new Int32Array(size).fill(-1),
    subtreeEnds: new Int32Array(size),
    errorFlags: hasError ? new Uint8Array(size) : undefined,
  };
  let { symbols, fieldIds, starts, ends, parents, nextSiblings, subtreeEnds, errorFlags } = a;
  const ops = cursorOps(tree);
  let parent = -1;
  let i = 0;
  try {
    for (;;) {
      if (i === size) {
        a = grow(a, (size *= 2));
        ({ symbols, fieldIds, starts, ends, parents, nextSiblings, subtreeEnds, errorFlags } = a);
      }
      symbols[i] = ops.symbol();
      fieldIds[i] = ops.field();
      starts[i] = ops.start();
      ends[i] = ops.end();
      parents[i] = parent;
      if (errorFlags) errorFlags[i] = ops.errorFlags();
      if (ops.firstChild()) {
        parent = i++;
        continue;
      }
      let last = i;
      subtreeEnds[i] = ++i;
      for (;;) {
        if (ops.nextSibling()) {
          nextSiblings[last] = i;
          break;
        }
        if (!ops.parent()) {
          a.count = i;
          return a;
        }
        last = parent;
        subtreeEnds[parent] = i;
        parent = parents[parent]!;
      }
    }
  } finally {
    ops.done();
  }
}

function grow(a: Arrays, size: number): Arrays {
  const copy = <T extends Uint8Array | Uint16Array | Int32Array>(from: T, make: (n: number) => T): T => {
    const to = make(size);
    to.set(from);
    return to;
  };
  const nextSiblings = copy(a.nextSiblings, (n) => new Int32Array(n));
  nextSiblings.fill(-1, a.nextSiblings.length);
  return {
    count: a.count,
    symbols: copy(a.symbols, (n) => new Uint16Array(n)),
    fieldIds: copy(a.fieldIds, (n) => new Uint16Array(n)),
    starts: copy(a.starts, (n) => new Int32Array(n)),
    ends: copy(a.ends, (n) => new Int32Array(n)),
    parents: copy(a.parents, (n) => new Int32Array(n)),
    nextSiblings,
    subtreeEnds: copy(a.subtreeEnds, (n) => new Int32Array(n)),
    errorFlags: a.errorFlags && copy(a.errorFlags, (n) => new Uint8Array(n)),
  };
}

/**
 * Cursor steps straight on the WebAssembly exports when we have them: web-tree-sitter's
 * TreeCursor copies its four words in and out of the transfer buffer through the generic
 * getValue/setValue on every step. The C side keeps the cursor in that buffer between
 * calls, so we leave it there for the whole walk and copy it back once to delete it.
 */
function cursorOps(tree: Tree): CursorOps {
  const cursor = tree.rootNode.walk();
  const w = wasmExports();
  if (!w) return publicCursorOps(cursor);
  const t = (tree as unknown as { [0]: number })[0];
  const state = cursor as unknown as { [k: number]: number };
  const tb = w.transferBuffer >> 2;
  let heap = w.module.HEAP32;
  heap[tb] = state[0]!;
  heap[tb + 1] = state[1]!;
  heap[tb + 2] = state[2]!;
  heap[tb + 3] = state[3]!;
  const m = w.module;
  const firstChild = m._ts_tree_cursor_goto_first_child_wasm;
  const nextSibling = m._ts_tree_cursor_goto_next_sibling_wasm;
  const toParent = m._ts_tree_cursor_goto_parent_wasm;
  const symbol = m._ts_tree_cursor_current_node_type_id_wasm;
  const field = m._ts_tree_cursor_current_field_id_wasm;
  const start = m._ts_tree_cursor_start_index_wasm;
  const end = m._ts_tree_cursor_end_index_wasm;
  const isMissing = m._ts_tree_cursor_current_node_is_missing_wasm;
  const currentNode = m._ts_tree_cursor_current_node_wasm;
  const nodeHasError = m._ts_node_has_error_wasm;
  return {
    firstChild: () => firstChild(t) === 1,
    nextSibling: () => nextSibling(t) === 1,
    parent: () => toParent(t) === 1,
    symbol: () => symbol(t),
    field: () => field(t),
    start: () => start(t),
    end: () => end(t),
    errorFlags: () => {
      const missing = isMissing(t) === 1;
      // has_error reads a node from the transfer buffer, where the cursor lives: set it aside.
      heap = m.HEAP32;
      const c0 = heap[tb]!, c1 = heap[tb + 1]!, c2 = heap[tb + 2]!, c3 = heap[tb + 3]!;
      currentNode(t);
      const hasError = nodeHasError(t) === 1;
      heap = m.HEAP32;
      heap[tb] = c0;
      heap[tb + 1] = c1;
      heap[tb + 2] = c2;
      heap[tb + 3] = c3;
      return (missing ? MISSING : 0) | (hasError ? HAS_ERROR : 0);
    },
    done: () => {
      heap = m.HEAP32;
      state[0] = heap[tb]!;
      state[1] = heap[tb + 1]!;
      state[2] = heap[tb + 2]!;
      state[3] = heap[tb + 3]!;
      cursor.delete();
    },
  };
}

/** The same steps through web-tree-sitter's public TreeCursor (slower; used if the exports are unavailable). */
function publicCursorOps(cursor: ReturnType<Tree['walk']>): CursorOps {
  return {
    firstChild: () => cursor.gotoFirstChild(),
    nextSibling: () => cursor.gotoNextSibling(),
    parent: () => cursor.gotoParent(),
    symbol: () => cursor.nodeTypeId,
    field: () => cursor.currentFieldId,
    start: () => cursor.startIndex,
    end: () => cursor.endIndex,
    errorFlags: () => (cursor.nodeIsMissing ? MISSING : 0) | (cursor.currentNode.hasError ? HAS_ERROR : 0),
    done: () => cursor.delete(),
  };
}
