/** Python-specific fix edits: keyword arguments of a call, and imports a fix needs. */
import type { PyCall, PythonModule } from '../../frontend/python/index.js';
import type { Node } from '../../parse/tree-sitter.js';
import { insertAt, replaceNode, type NodeEdit } from '../autofix.js';

/**
 * `name=value` on the call: the existing keyword's value replaced, or the keyword added before the
 * closing parenthesis. Undefined when the call passes `**kwargs` (the keyword may be in there).
 */
export function setKeyword(call: PyCall, name: string, value: string): NodeEdit | undefined {
  if (call.hasStarKwargs) return undefined;
  const existing = call.keywords.get(name);
  if (existing) return replaceNode(existing, value);
  const args = call.node.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const close = args.child(args.childCount - 1);
  if (!close || close.type !== ')') return undefined;
  const inner = args.children.filter((c): c is Node => !!c && c.type !== '(' && c.type !== ')' && c.type !== 'comment');
  const last = inner[inner.length - 1];
  const text = !last ? `${name}=${value}` : last.type === ',' ? ` ${name}=${value}` : `, ${name}=${value}`;
  // Right after the last argument (or the opening parenthesis): a comment before `)` stays after it.
  const at = last ? last.endPosition : args.child(0)!.endPosition;
  return insertAt(at, text);
}

/**
 * An `import <name>` statement for a fix that calls into a standard module, or nothing when the
 * module already binds the name to it. Placed after the module's last top-level import, else
 * after its docstring and `from __future__` imports, else at the top.
 */
export function ensureImport(module: PythonModule, name: string): NodeEdit | null | undefined {
  if (module.imports.get(name) === name) return null;
  // The name bound to something else: importing would shadow it.
  if (module.imports.has(name)) return undefined;
  let after: Node | undefined;
  for (const child of module.root.namedChildren) {
    if (!child) continue;
    if (child.type === 'import_statement' || child.type === 'import_from_statement' || child.type === 'future_import_statement') after = child;
    else if (!after && child.type === 'expression_statement' && child.namedChild(0)?.type === 'string' && child === module.root.namedChild(0)) after = child;
    else if (child.type !== 'comment') break;
  }
  if (!after) return insertAt({ row: 0, column: 0 }, `import ${name}\n`);
  return insertAt(after.endPosition, `\nimport ${name}`);
}
