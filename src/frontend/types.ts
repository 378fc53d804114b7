import type { Node, Tree } from '../parse/tree-sitter.js';
import type { GrammarId } from '../parse/tree-sitter.js';

/**
 * What a language front end hands the engine for one file. Each language extends it with
 * its own resolution helpers; rules and the taint engine only see these objects.
 */
export interface SourceModule {
  readonly language: string;
  /** Path relative to the scan root, with forward slashes. */
  readonly path: string;
  readonly source: string;
  /** The parsed tree; undefined for a module rebuilt from a tree copy (no parser at hand). */
  readonly tree: Tree | undefined;
  readonly root: Node;
  /** Comment nodes in document order (for suppressions). */
  readonly comments: readonly Node[];
  line(n: number): string;
  readonly lineCount: number;
  text(node: Node): string;
  /** The statement that holds `node` (for suppressions and fingerprints). */
  statementOf(node: Node): Node;
  /** Text of a comment without its comment marker. */
  commentBody(comment: Node): string;
}

export interface FrontEnd<M extends SourceModule = SourceModule> {
  readonly language: string;
  readonly grammar: GrammarId;
  /** File extensions (with dot) this front end claims. */
  readonly extensions: readonly string[];
  /** Wrap a parsed file; cheap, does not walk the tree. */
  createModule(path: string, source: string, tree: Tree): M;
  /**
   * Walk the tree once: fill the module's own tables (imports, comments, ...) and return the
   * nodes whose type is in `wantedTypes`, in document order.
   */
  collect(module: M, wantedTypes: ReadonlySet<string>): Node[];
}
