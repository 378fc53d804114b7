import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';

/** Helpers shared by the error-handling rules (private to this family). */

/** The handler body (`block`) of an `except` clause. */
export function exceptBody(clause: Node): Node | undefined {
  return clause.namedChildren.find((c) => c?.type === 'block') ?? undefined;
}

/** The exception expression of an `except` clause without its `as name` part; undefined for bare `except:`. */
export function exceptType(module: PythonModule, clause: Node): Node | undefined {
  const value = clause.childForFieldName('value');
  if (!value) return undefined;
  if (value.type === 'as_pattern') {
    const first = value.namedChildren[0];
    return first ? module.unwrap(first) : undefined;
  }
  return module.unwrap(value);
}

/** The `as name` binding of an `except` clause, if any. */
export function exceptAlias(clause: Node): string | undefined {
  const value = clause.childForFieldName('value');
  if (value?.type !== 'as_pattern') return undefined;
  const target = value.childForFieldName('alias');
  return target?.namedChildren[0]?.text ?? target?.text;
}

/** The caught classes as written: one node per tuple element. */
export function caughtTypes(module: PythonModule, clause: Node): Node[] {
  const type = exceptType(module, clause);
  if (!type) return [];
  if (type.type === 'tuple') return type.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => module.unwrap(c));
  return [type];
}

/** How broad an `except` clause is: bare, Exception/BaseException (possibly in a tuple), or specific. */
export type Breadth = 'bare' | 'BaseException' | 'Exception' | 'specific';

export function exceptBreadth(module: PythonModule, clause: Node): Breadth {
  const types = caughtTypes(module, clause);
  if (types.length === 0) return 'bare';
  const names = types.map((t) => module.resolve(t));
  if (names.includes('BaseException')) return 'BaseException';
  if (names.includes('Exception')) return 'Exception';
  return 'specific';
}

/** The statements of a block, without comments. */
export function statements(block: Node): Node[] {
  return block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/**
 * True when a handler body does nothing with the exception: every statement is `pass`,
 * `continue`, `...` or a bare string (a docstring-like note). Comments are not statements.
 */
export function isNoOpBody(block: Node): boolean {
  const body = statements(block);
  if (body.length === 0) return false;
  return body.every((s) => {
    if (s.type === 'pass_statement' || s.type === 'continue_statement') return true;
    if (s.type !== 'expression_statement' || s.namedChildCount !== 1) return false;
    const e = s.namedChildren[0];
    return e?.type === 'ellipsis' || e?.type === 'string' || e?.type === 'concatenated_string';
  });
}

const SCOPE_TYPES = new Set(['function_definition', 'class_definition', 'lambda']);

/** Visit the descendants of `node` without entering nested functions, classes or lambdas. */
export function walkSameScope(node: Node, visit: (n: Node) => boolean | void): void {
  const stack: Node[] = [...node.namedChildren].filter((c): c is Node => !!c).reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    if (SCOPE_TYPES.has(n.type)) continue;
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
}

/** First line of text of a node, trimmed for a message. */
export function shortText(module: PythonModule, node: Node, max = 60): string {
  const one = module.text(node).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
