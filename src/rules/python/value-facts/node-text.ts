/**
 * Short texts of syntax nodes for finding messages, and child-walk helpers.
 * Intra-procedural only: a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';

// ---- text -------------------------------------------------------------------------------

export function truncate(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** One-line, shortened source text of a node, for messages. */
export function snippet(node: Node, max = 60): string {
  return truncate(node.text, max);
}

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

export function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** Push `named(node)` so that popping yields them in document order (without the filtered copy). */
export function pushNamedReversed(stack: Node[], node: Node): void {
  const children = node.namedChildren;
  for (let i = children.length - 1; i >= 0; i--) {
    const c = children[i];
    if (c && c.type !== 'comment') stack.push(c);
  }
}
