import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { Language, Parser, LANGUAGE_VERSION, MIN_COMPATIBLE_VERSION } from 'web-tree-sitter';
import type { Tree, ParseOptions } from 'web-tree-sitter';
import { Budget, BudgetExceeded } from '../util/budget.js';

export type { Node, Tree, TreeCursor } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

/** Grammars we ship, each the `.wasm` built by the grammar's own npm package. */
const GRAMMAR_FILES = {
  python: 'tree-sitter-python/tree-sitter-python.wasm',
} as const;

export type GrammarId = keyof typeof GRAMMAR_FILES;

let initialised: Promise<void> | undefined;
const languages = new Map<GrammarId, Promise<Language>>();

/** Initialise the WASM runtime once per thread. */
export function initTreeSitter(): Promise<void> {
  initialised ??= Parser.init();
  return initialised;
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
