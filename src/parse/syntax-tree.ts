import { Parser } from 'web-tree-sitter';
import type { Language, Tree } from 'web-tree-sitter';
import { wasmExports } from './tree-sitter.js';
import type { Node, Point } from './tree-sitter.js';
import { lineAt, lineStartsOf } from './line-starts.js';
import { checkTreeArrays, type TreeArrays } from './tree-copy-check.js';

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
    const size = this.starts.length;
    const hasError = this.errorFlags !== undefined;
    const buffer = this.starts.buffer as ArrayBuffer;
    // The arrays are views of one buffer laid out by newArrays; anything else is re-laid out.
    const ours = buffer.byteLength === size * bytesPerNode(hasError) && this.starts.byteOffset === 0 && this.symbols.buffer === buffer && this.symbols.byteOffset === 20 * size;
    return { count: this.count, size, hasError, buffer: ours ? buffer.slice(0) : (grow(this, size).starts.buffer as ArrayBuffer) };
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

// ---- the walk ----------------------------------------------------------------------------------

type Arrays = TreeArrays;

/** A SyntaxTree's arrays in one buffer, as `SyntaxTree.copy()` hands them out. */
export interface TreeCopy {
  count: number;
  /** Slots per array (at least `count`). */
  size: number;
  hasError: boolean;
  buffer: ArrayBuffer;
}

function arraysFromCopy(copy: TreeCopy): Arrays {
  if (typeof copy !== 'object' || copy === null || !(copy.buffer instanceof ArrayBuffer) || !Number.isInteger(copy.size) || !Number.isInteger(copy.count) || typeof copy.hasError !== 'boolean') {
    throw new Error('malformed tree copy');
  }
  if (copy.buffer.byteLength !== copy.size * bytesPerNode(copy.hasError) || copy.count > copy.size || copy.count < 1) throw new Error('malformed tree copy');
  const arrays = newArrays(copy.size, copy.hasError, copy.buffer);
  arrays.count = copy.count;
  return arrays;
}

/** Five int32 arrays, two uint16 arrays and, for trees with errors, one byte of flags. */
function bytesPerNode(hasError: boolean): number {
  return 5 * 4 + 2 * 2 + (hasError ? 1 : 0);
}

/** The per-node arrays, as views of one buffer (one allocation per file instead of eight). */
function newArrays(size: number, hasError: boolean, given?: ArrayBuffer): Arrays {
  const buffer = given ?? new ArrayBuffer(size * bytesPerNode(hasError));
  const fresh = given === undefined;
  const int32 = (k: number): Int32Array => new Int32Array(buffer, k * size * 4, size);
  return {
    count: 0,
    starts: int32(0),
    ends: int32(1),
    parents: int32(2),
    nextSiblings: fresh ? int32(3).fill(-1) : int32(3),
    subtreeEnds: int32(4),
    symbols: new Uint16Array(buffer, 20 * size, size),
    fieldIds: new Uint16Array(buffer, 22 * size, size),
    errorFlags: hasError ? new Uint8Array(buffer, 24 * size, size) : undefined,
  };
}

/**
 * Copy the tree: by reading tree-sitter's subtrees straight from WebAssembly memory when the
 * layout checks out (see SubtreeReader), else with a cursor.
 */
function walk(tree: Tree, capacity: number, hasError: boolean): Arrays {
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

function cursorWalk(tree: Tree, capacity: number, hasError: boolean): Arrays {
  let size = Math.max(capacity, 1);
  let a = newArrays(size, hasError);
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
  const b = newArrays(size, !!a.errorFlags);
  b.count = a.count;
  b.symbols.set(a.symbols);
  b.fieldIds.set(a.fieldIds);
  b.starts.set(a.starts);
  b.ends.set(a.ends);
  b.parents.set(a.parents);
  b.nextSiblings.set(a.nextSiblings);
  b.subtreeEnds.set(a.subtreeEnds);
  if (a.errorFlags) b.errorFlags!.set(a.errorFlags);
  return b;
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

// ---- reading subtrees from WebAssembly memory ---------------------------------------------------

/**
 * The cursor walk spends most of its time in tree-sitter's cursor steps (each one re-derives
 * aliases, visibility and positions through the hidden nodes around it) and in crossing into
 * WebAssembly ~6 times per node. This reader does the same walk in JavaScript over the tree's
 * memory: the `Subtree` and `TSLanguage` layouts of tree-sitter 0.25 (web-tree-sitter 0.27,
 * wasm32, little-endian; lib/subtree.h, lib/tree_cursor.c, tree_sitter/parser.h), replicating
 * the cursor's rules for visible nodes, aliases, fields and positions. It is used only after
 * the language header matches what web-tree-sitter reports and the first tree it reads matches
 * the cursor walk node for node; every tree's node count is checked too. Otherwise the cursor
 * walk is used.
 */
interface SubtreeReader {
  /** Null when the copy does not come out as tree-sitter counts it. */
  walk(tree: Tree, capacity: number, hasError: boolean): Arrays | null;
}

const readers = new WeakMap<Language, SubtreeReader | null>();

function subtreeReader(tree: Tree): SubtreeReader | null {
  const language = tree.language;
  let reader = readers.get(language);
  if (reader === undefined) {
    reader = createReader(language);
    if (reader && !reproducesCursor(reader, language)) reader = null;
    readers.set(language, reader);
  }
  return reader;
}

/**
 * Python that exercises what the reader must get right: aliases (soft keywords parsed as
 * identifiers), inherited and hidden fields, extras (comments, line continuations), string
 * interpolation, non-BMP text, CRLF; and, broken, ERROR and MISSING nodes.
 */
const SELF_TEST_SOURCES = [
  [
    'import os.path as p, sys  # extra',
    'from .x import (a, b as c)',
    '@deco(1, *k, **kw)',
    'class A(B, metaclass=M):',
    '    """doc \u{1F600} é"""',
    '    async def f(self, x: int = 1, /, *a, y=2, **k) -> "T":',
    '        print = match = type = 1',
    '        match x:',
    '            case [1, *rest] if rest: return {k: v for k, v in rest}',
    "            case {'a': 1, **kw}: pass",
    "        r = f'{x!r:>{w}} {y=}' + rb'\\\\' \\",
    '            "c" if x else (yield x)',
    '        with open(p) as fh, (q := 2): del fh[1:2, ::3]',
    '        try:',
    '            assert x, lambda *a, b=1: b',
    '        except* (E, F) as e:',
    '            raise E from e',
    '        finally:',
    '            global g; nonlocal h',
    '        for i, (j, *k) in enumerate(z): x[i] += -j ** 2 @ k',
    '        else: return not x or y and x is not None',
    'type Alias[T] = list[T]',
  ].join('\r\n'),
  'def f(x:\n    return [1, 2\nclass (:\n  @\nx = {1: }\nprint "a" % (b,\nif x\n  y = f(a, b=, *)\n',
  'def f(:\n  pass\nclass A\n  pass\n',
];

/** Whether the reader copies the self-test sources exactly as the cursor walk does. */
function reproducesCursor(reader: SubtreeReader, language: Language): boolean {
  const parser = new Parser();
  try {
    parser.setLanguage(language);
    for (const source of SELF_TEST_SOURCES) {
      const tree = parser.parse(source);
      if (!tree) return false;
      try {
        const root = tree.rootNode;
        const capacity = root.descendantCount;
        const mine = reader.walk(tree, capacity, root.hasError);
        if (!mine || !sameArrays(mine, cursorWalk(tree, capacity, root.hasError))) return false;
      } finally {
        tree.delete();
      }
    }
    return true;
  } catch {
    return false;
  } finally {
    parser.delete();
  }
}

function sameArrays(a: Arrays, b: Arrays): boolean {
  if (a.count !== b.count || !a.errorFlags !== !b.errorFlags) return false;
  const same = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => {
    for (let i = 0; i < a.count; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return (
    same(a.symbols, b.symbols) &&
    same(a.fieldIds, b.fieldIds) &&
    same(a.starts, b.starts) &&
    same(a.ends, b.ends) &&
    same(a.parents, b.parents) &&
    same(a.nextSiblings, b.nextSiblings) &&
    same(a.subtreeEnds, b.subtreeEnds) &&
    (!a.errorFlags || same(a.errorFlags, b.errorFlags!))
  );
}

const ERROR = 65535;

function createReader(language: Language): SubtreeReader | null {
  const w = wasmExports();
  if (!w) return null;
  const m = w.module;
  const tb = w.transferBuffer >> 2;
  const address = (language as unknown as { [0]: number })[0];
  if (!address || address & 3) return null;
  const u32 = (at: number): number => m.HEAP32[at >> 2]! >>> 0;
  // TSLanguage header (tree_sitter/parser.h, ABI 15).
  const abi = u32(address);
  const symbolCount = u32(address + 4);
  const aliasCount = u32(address + 8);
  const fieldCount = u32(address + 32);
  const maxAliasLength = m.HEAPU16[(address + 36) >> 1]!;
  const fieldSlices = u32(address + 64);
  const fieldEntries = u32(address + 68);
  const publicSymbols = u32(address + 76);
  const aliasSequences = u32(address + 84);
  if (abi !== 15 || language.abiVersion !== 15) return null;
  if (symbolCount + aliasCount !== language.types.length || fieldCount !== language.fields.length - 1) return null;
  if (!publicSymbols || (fieldCount > 0 && (!fieldSlices || !fieldEntries))) return null;

  return {
    walk(tree, capacity, hasError) {
      // Views after any growth of the memory (parsing may have grown it).
      const u8 = m.HEAPU8;
      const u16 = m.HEAPU16;
      const i32 = m.HEAP32;
      const treeAddress = (tree as unknown as { [0]: number })[0];
      // Broken trees only: ask tree-sitter itself, handing it the node by its subtree slot (a
      // TSNode's id; the rest of the node is not read by these two).
      const errorFlagsOf = (slot: number): number => {
        const h = m.HEAP32;
        h[tb] = slot;
        h[tb + 1] = h[tb + 2] = h[tb + 3] = h[tb + 4] = 0;
        const missing = m._ts_node_is_missing_wasm(treeAddress) === 1;
        h[tb] = slot;
        h[tb + 1] = h[tb + 2] = h[tb + 3] = h[tb + 4] = 0;
        const hasError = m._ts_node_has_error_wasm(treeAddress) === 1;
        return (missing ? MISSING : 0) | (hasError ? HAS_ERROR : 0);
      };
      const publicSymbol = (symbol: number): number => (symbol === ERROR ? ERROR : u16[(publicSymbols >> 1) + symbol]!);
      /** The field a production gives its structural child `s` (non-inherited entries only), or 0. */
      const ownField = (slice: number, length: number, s: number): number => {
        for (let e = fieldEntries + slice * 4, end = e + length * 4; e < end; e += 4) {
          if (u8[e + 3] === 0 && u8[e + 2] === s) return u16[e >> 1]!;
        }
        return 0;
      };

      const size = Math.max(capacity, 1);
      const a = newArrays(size, hasError);
      const { symbols, fieldIds, starts, ends, parents, nextSiblings, subtreeEnds, errorFlags } = a;
      // Per node: its last child so far (set to -1 when the node is emitted). Scratch, reused.
      if (scratch.lastChild.length < size) scratch.lastChild = new Int32Array(Math.max(size, scratch.lastChild.length * 2));
      const lastChild = scratch.lastChild;
      lastChild[0] = -1;

      // Open subtrees, innermost last: visible nodes and the hidden ones between them.
      let depth = 0;
      let { fPtr, fCount, fK, fS, fPos, fAlias, fSlice, fSliceLength, fVisible, fNode, fField } = scratch;
      const push = (ptr: number, count: number, position: number, visible: boolean, node: number, field: number): void => {
        if (depth === fPtr.length) {
          growFrames();
          ({ fPtr, fCount, fK, fS, fPos, fAlias, fSlice, fSliceLength, fVisible, fNode, fField } = scratch);
        }
        const production = u16[(ptr + 66) >> 1]!;
        fPtr[depth] = ptr;
        fCount[depth] = count;
        fK[depth] = 0;
        fS[depth] = 0;
        fPos[depth] = position;
        fAlias[depth] = production ? aliasSequences + production * maxAliasLength * 2 : 0;
        if (fieldCount > 0) {
          const slice = fieldSlices + production * 4;
          fSlice[depth] = u16[slice >> 1]!;
          fSliceLength[depth] = u16[(slice + 2) >> 1]!;
        } else fSliceLength[depth] = 0;
        fVisible[depth] = visible ? 1 : 0;
        fNode[depth] = node;
        fField[depth] = field;
        depth++;
      };

      // The root: tree->root is the first member of TSTree; a root node starts after its padding.
      const rootSlot = treeAddress;
      if (!rootSlot || rootSlot & 3) return null;
      let i = 0;
      {
        const inline = (u8[rootSlot]! & 1) === 1;
        const ptr = inline ? 0 : i32[rootSlot >> 2]!;
        const padding = inline ? u8[rootSlot + 6]! : i32[(ptr + 4) >> 2]!;
        const length = inline ? u8[rootSlot + 7]! : i32[(ptr + 16) >> 2]!;
        const count = inline ? 0 : i32[(ptr + 36) >> 2]!;
        symbols[0] = publicSymbol(inline ? u8[rootSlot + 1]! : u16[(ptr + 40) >> 1]!);
        fieldIds[0] = 0;
        starts[0] = padding >>> 1;
        ends[0] = (padding + length) >>> 1;
        parents[0] = -1;
        if (errorFlags) errorFlags[0] = errorFlagsOf(rootSlot);
        i = 1;
        if (count > 0) push(ptr, count, padding, true, 0, 0);
        else subtreeEnds[0] = 1;
      }

      while (depth > 0) {
        const f = depth - 1;
        const k = fK[f]!;
        const count = fCount[f]!;
        if (k === count) {
          depth--;
          if (fVisible[f]) subtreeEnds[fNode[f]!] = i;
          continue;
        }
        const slot = fPtr[f]! - (count - k) * 8;
        const inline = (u8[slot]! & 1) === 1;
        let ptr = 0;
        let flags: number;
        let symbol: number;
        let padding: number;
        let length: number;
        let childCount = 0;
        let visible: boolean;
        let extra: boolean;
        if (inline) {
          flags = u8[slot]!;
          symbol = u8[slot + 1]!;
          padding = u8[slot + 6]!;
          length = u8[slot + 7]!;
          visible = (flags & 2) !== 0;
          extra = (flags & 8) !== 0;
        } else {
          ptr = i32[slot >> 2]!;
          flags = u8[ptr + 44]!;
          symbol = u16[(ptr + 40) >> 1]!;
          padding = i32[(ptr + 4) >> 2]!;
          length = i32[(ptr + 16) >> 2]!;
          childCount = i32[(ptr + 36) >> 2]!;
          visible = (flags & 1) !== 0;
          extra = (flags & 4) !== 0;
        }
        // The cursor's child iterator: padding before every child but the first, sizes between.
        const position = k > 0 ? fPos[f]! + padding : fPos[f]!;
        fPos[f] = position + length;
        fK[f] = k + 1;
        const s = fS[f]!;
        let alias = 0;
        if (!extra) {
          fS[f] = s + 1;
          const sequence = fAlias[f]!;
          if (sequence) alias = u16[(sequence >> 1) + s]!;
        }
        if (visible || alias !== 0) {
          if (i === size) return null; // more nodes than tree-sitter counts: not the layout we know
          const parent = fNode[f]!;
          symbols[i] = publicSymbol(alias || symbol);
          fieldIds[i] = extra ? 0 : ownField(fSlice[f]!, fSliceLength[f]!, s) || (fVisible[f] ? 0 : fField[f]!);
          starts[i] = position >>> 1;
          ends[i] = (position + length) >>> 1;
          parents[i] = parent;
          const previous = lastChild[parent]!;
          if (previous >= 0) nextSiblings[previous] = i;
          lastChild[parent] = i;
          lastChild[i] = -1;
          if (errorFlags) errorFlags[i] = errorFlagsOf(slot);
          if (childCount > 0) push(ptr, childCount, position, true, i, 0);
          else subtreeEnds[i] = i + 1;
          i++;
        } else if (childCount > 0 && i32[(ptr + 48) >> 2]! > 0) {
          // A hidden node with visible descendants: its field passes to them unless it is extra.
          const field = extra ? 0 : ownField(fSlice[f]!, fSliceLength[f]!, s) || (fVisible[f] ? 0 : fField[f]!);
          push(ptr, childCount, position, false, fNode[f]!, field);
        }
      }
      if (i !== capacity) return null;
      a.count = i;
      return a;
    },
  };
}

/** The reader's working arrays, kept between trees (one walk at a time per thread). */
const scratch = {
  lastChild: new Int32Array(1024),
  fPtr: new Int32Array(64),
  fCount: new Int32Array(64),
  fK: new Int32Array(64),
  fS: new Int32Array(64),
  fPos: new Int32Array(64),
  fAlias: new Int32Array(64),
  fSlice: new Int32Array(64),
  fSliceLength: new Int32Array(64),
  fVisible: new Uint8Array(64),
  fNode: new Int32Array(64),
  fField: new Int32Array(64),
};

function growFrames(): void {
  const n = scratch.fPtr.length * 2;
  const grown = <T extends Int32Array | Uint8Array>(x: T, y: T): T => {
    y.set(x);
    return y;
  };
  scratch.fPtr = grown(scratch.fPtr, new Int32Array(n));
  scratch.fCount = grown(scratch.fCount, new Int32Array(n));
  scratch.fK = grown(scratch.fK, new Int32Array(n));
  scratch.fS = grown(scratch.fS, new Int32Array(n));
  scratch.fPos = grown(scratch.fPos, new Int32Array(n));
  scratch.fAlias = grown(scratch.fAlias, new Int32Array(n));
  scratch.fSlice = grown(scratch.fSlice, new Int32Array(n));
  scratch.fSliceLength = grown(scratch.fSliceLength, new Int32Array(n));
  scratch.fVisible = grown(scratch.fVisible, new Uint8Array(n));
  scratch.fNode = grown(scratch.fNode, new Int32Array(n));
  scratch.fField = grown(scratch.fField, new Int32Array(n));
}


