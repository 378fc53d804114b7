import type { Diagnostic } from '../findings/types.js';
import type { SourceModule } from '../frontend/types.js';
import type { SyntaxNode, SyntaxTree } from '../parse/syntax-tree.js';

/**
 * tree-sitter recovers from syntax errors, so analysis still runs on the rest of the file;
 * we say where the first error is so nobody mistakes a partial analysis for a full one.
 */
export function syntaxErrorDiagnostic(module: SourceModule): Diagnostic | undefined {
  if (!module.root.hasError) return undefined;
  const first = firstError(module as unknown as { syntax: SyntaxTree });
  const line = first ? first.startPosition.row + 1 : undefined;
  const what = first?.isMissing ? `missing ${first.type}` : 'invalid syntax';
  return {
    kind: 'parse-error',
    level: 'warning',
    path: module.path,
    line,
    message: `syntax error (${what})${line ? ` at line ${line}` : ''}; the rest of the file was analysed as far as it parses`,
  };
}

/** The first ERROR or MISSING node in document order, entering only subtrees that have an error. */
function firstError(module: { syntax: SyntaxTree }): SyntaxNode | undefined {
  const syntax = module.syntax;
  for (let i = 0; i < syntax.count; ) {
    const node = syntax.node(i);
    if (node.isError || node.isMissing) return node;
    i = node.hasError ? i + 1 : syntax.subtreeEnds[i]!;
  }
  return undefined;
}
