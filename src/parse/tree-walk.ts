/** Copying a tree-sitter tree into SyntaxTree's typed arrays: their layout, growth, and the cursor walk (the fallback and reference for the faster reader). */
import type { Tree } from 'web-tree-sitter';
import { wasmExports } from './tree-sitter.js';
import { HAS_ERROR, MISSING, type TreeArrays } from './tree-copy-check.js';

// ---- the walk ----------------------------------------------------------------------------------

export type Arrays = TreeArrays;

/** A SyntaxTree's arrays in one buffer, as `SyntaxTree.copy()` hands them out. */
export interface TreeCopy {
  count: number;
  /** Slots per array (at least `count`). */
  size: number;
  hasError: boolean;
  buffer: ArrayBuffer;
}

export function arraysFromCopy(copy: TreeCopy): Arrays {
  if (typeof copy !== 'object' || copy === null || !(copy.buffer instanceof ArrayBuffer) || !Number.isInteger(copy.size) || !Number.isInteger(copy.count) || typeof copy.hasError !== 'boolean') {
    throw new Error('malformed tree copy');
  }
  if (copy.buffer.byteLength !== copy.size * bytesPerNode(copy.hasError) || copy.count > copy.size || copy.count < 1) throw new Error('malformed tree copy');
  const arrays = newArrays(copy.size, copy.hasError, copy.buffer);
  arrays.count = copy.count;
  return arrays;
}

/** Five int32 arrays, two uint16 arrays and, for trees with errors, one byte of flags. */
export function bytesPerNode(hasError: boolean): number {
  return 5 * 4 + 2 * 2 + (hasError ? 1 : 0);
}

/** The per-node arrays, as views of one buffer (one allocation per file instead of eight). */
export function newArrays(size: number, hasError: boolean, given?: ArrayBuffer): Arrays {
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

export function cursorWalk(tree: Tree, capacity: number, hasError: boolean): Arrays {
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

export function grow(a: Arrays, size: number): Arrays {
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
