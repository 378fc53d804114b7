import type { Node } from '../parse/tree-sitter.js';
import type { Diagnostic } from '../findings/types.js';
import type { SourceModule } from '../frontend/types.js';

/**
 * tree-sitter recovers from syntax errors, so analysis still runs on the rest of the file;
 * we say where the first error is so nobody mistakes a partial analysis for a full one.
 */
export function syntaxErrorDiagnostic(module: SourceModule): Diagnostic | undefined {
  if (!module.root.hasError) return undefined;
  const first = firstError(module.root);
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

function firstError(root: Node): Node | undefined {
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) return node;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return undefined;
      }
    }
  } finally {
    cursor.delete();
  }
}
