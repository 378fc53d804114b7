/** The fast tree copy: tree-sitter's subtrees read straight from WebAssembly memory, self-tested against the cursor walk. */
import { Parser } from 'web-tree-sitter';
import type { Language, Tree } from 'web-tree-sitter';
import { wasmExports } from './tree-sitter.js';
import { ERROR_SYMBOL as ERROR, HAS_ERROR, MISSING } from './tree-copy-check.js';
import { cursorWalk, newArrays } from './tree-walk.js';
import type { Arrays } from './tree-walk.js';

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

export function subtreeReader(tree: Tree): SubtreeReader | null {
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
