import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { Language, Parser, LANGUAGE_VERSION, MIN_COMPATIBLE_VERSION } from 'web-tree-sitter';
import type { Tree, ParseOptions, Point } from 'web-tree-sitter';
import { Budget, BudgetExceeded } from '../scheduling/budget.js';

export type { Point, Tree, TreeCursor } from 'web-tree-sitter';

/**
 * A syntax node as the front end, rules and IR builder see it: the part of web-tree-sitter's
 * `Node` they use. web-tree-sitter's nodes satisfy it, and so do the front end's JavaScript
 * copies (`SyntaxNode`, src/parse/syntax-tree.ts) that analysis runs on.
 */
export interface Node {
  /** Unique within one tree. */
  readonly id: number;
  readonly type: string;
  readonly isNamed: boolean;
  readonly isError: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly text: string;
  /** Offsets in UTF-16 code units. */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: Node | null;
  readonly children: readonly Node[];
  readonly namedChildren: readonly Node[];
  readonly childCount: number;
  readonly namedChildCount: number;
  child(index: number): Node | null;
  namedChild(index: number): Node | null;
  childForFieldName(fieldName: string): Node | null;
  childrenForFieldName(fieldName: string): Node[];
  descendantsOfType(types: string | string[]): Node[];
  readonly nextNamedSibling: Node | null;
  readonly previousNamedSibling: Node | null;
}

const require = createRequire(import.meta.url);

/** Grammars we ship, each the `.wasm` built by the grammar's own npm package. */
const GRAMMAR_FILES = {
  python: 'tree-sitter-python/tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript/tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-typescript/tree-sitter-tsx.wasm',
} as const;

export type GrammarId = keyof typeof GRAMMAR_FILES;

let initialised: Promise<void> | undefined;
const languages = new Map<GrammarId, Promise<Language>>();

/**
 * The Emscripten module object: web-tree-sitter's `Parser.init(options)` uses the object it is
 * given as the module, so after init it holds the runtime's exports and heap views.
 */
type WasmFunction = (tree: number) => number;
const USED_EXPORTS = [
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_current_node_wasm',
  '_ts_node_has_error_wasm',
  '_ts_node_is_missing_wasm',
] as const;
export type WasmModule = { HEAP32: Int32Array; HEAPU8: Uint8Array; HEAPU16: Uint16Array; _ts_init: () => number } & Record<
  (typeof USED_EXPORTS)[number],
  WasmFunction
>;
const wasmModule = {} as WasmModule;
let exports: { module: WasmModule; transferBuffer: number } | undefined;

/** Initialise the WASM runtime once per thread. */
export function initTreeSitter(): Promise<void> {
  initialised ??= Parser.init(wasmModule as object);
  return initialised;
}

/**
 * The runtime's raw exports, heap and transfer buffer, for copying trees into JavaScript
 * (src/parse/syntax-tree.ts); null when they are not reachable (not initialised yet, the
 * runtime was initialised by someone else, or a web-tree-sitter upgrade changed its shape),
 * and callers then use the public API.
 */
export function wasmExports(): { module: WasmModule; transferBuffer: number } | null {
  if (!exports) {
    const ok =
      wasmModule.HEAP32 instanceof Int32Array &&
      wasmModule.HEAPU8 instanceof Uint8Array &&
      wasmModule.HEAPU16 instanceof Uint16Array &&
      typeof wasmModule._ts_init === 'function' &&
      USED_EXPORTS.every((n) => typeof wasmModule[n] === 'function');
    // ts_init only returns the buffer's address (and writes the ABI versions into it).
    if (!ok) return null;
    exports = { module: wasmModule, transferBuffer: wasmModule._ts_init() };
  }
  return exports;
}

export async function loadGrammar(id: GrammarId): Promise<Language> {
  let pending = languages.get(id);
  if (!pending) {
    pending = (async () => {
      await initTreeSitter();
      const file = require.resolve(GRAMMAR_FILES[id]);
      const language = await Language.load(await readFile(file));
      // A grammar built for another ABI fails later in obscure ways; say so up front.
      const abi = language.abiVersion;
      if (abi < MIN_COMPATIBLE_VERSION || abi > LANGUAGE_VERSION) {
        throw new Error(
          `grammar ${id} (${file}) has ABI ${abi}, but web-tree-sitter supports ${MIN_COMPATIBLE_VERSION}..${LANGUAGE_VERSION}`,
        );
      }
      return language;
    })();
    languages.set(id, pending);
  }
  return pending;
}

/** A reusable parser for one grammar. Call `dispose()` when finished. */
export class SourceParser {
  private constructor(private readonly parser: Parser) {}

  static async create(id: GrammarId): Promise<SourceParser> {
    const language = await loadGrammar(id);
    const parser = new Parser();
    parser.setLanguage(language);
    return new SourceParser(parser);
  }

  /** Parse text; the caller owns the tree and must `delete()` it. */
  parse(text: string, budget: Budget = Budget.none): Tree {
    this.parser.reset();
    // The progress callback cancels the parse when it returns true (the .d.ts types it as void).
    const options = budget.limitMs === Infinity ? undefined : ({ progressCallback: () => budget.expired() } as unknown as ParseOptions);
    const tree = this.parser.parse(text, null, options);
    if (!tree) {
      this.parser.reset();
      if (budget.expired()) throw new BudgetExceeded('parsing', budget.limitMs);
      throw new Error('tree-sitter returned no tree');
    }
    return tree;
  }

  dispose(): void {
    this.parser.delete();
  }
}
