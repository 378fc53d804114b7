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
 * Is `name` written anywhere in the file other than in an import statement or as the object of an
 * attribute access (`name.attr`) or an attribute name (`x.name`)? Then it may be a parameter, a variable or a definition that
 * shadows the module of that name (conservative: `f(name)` and `name = ...` both count).
 */
export function usedOtherThanAsModule(module: PythonModule, name: string): boolean {
  // The text says no (comments and strings make it say yes too often): certain.
  if (!module.mayRebind(name)) return false;
  for (const id of module.root.descendantsOfType('identifier')) {
    if (!id || id.text !== name) continue;
    const parent = id.parent;
    // `name.attr`, and `other.name` (an attribute of that name, not a binding).
    if (parent?.type === 'attribute') continue;
    let inImport = false;
    for (let p = parent; p; p = p.parent) {
      if (p.type === 'import_statement' || p.type === 'import_from_statement' || p.type === 'future_import_statement') inImport = true;
    }
    if (!inImport) return true;
  }
  return false;
}

/**
 * An `import <name>` statement for a fix that calls into a standard module, or nothing when the
 * module already binds the name to it; undefined (no fix) when the name may be bound to something
 * else anywhere in the file. Placed after the module's last top-level import, else
 * after its docstring and `from __future__` imports, else at the top.
 */
export function ensureImport(module: PythonModule, name: string): NodeEdit | null | undefined {
  // A parameter, assignment or loop variable of that name would shadow the module where the fix uses it.
  if (usedOtherThanAsModule(module, name)) return undefined;
  if (module.imports.get(name) === name) return null;
  // The name bound to something else: importing would shadow it.
  if (module.imports.has(name)) return undefined;
  let after: Node | undefined;
  let first = true;
  for (const child of module.root.namedChildren) {
    if (!child || child.type === 'comment') continue;
    // The docstring is the first statement, after any licence or encoding comments.
    if (child.type === 'import_statement' || child.type === 'import_from_statement' || child.type === 'future_import_statement') after = child;
    else if (first && child.type === 'expression_statement' && child.namedChild(0)?.type === 'string') after = child;
    else break;
    first = false;
  }
  if (!after) return insertAt({ row: 0, column: 0 }, `import ${name}\n`);
  return insertAt(after.endPosition, `\nimport ${name}`);
}

/**
 * A new line after `statement`, at the statement's indentation, holding `text`. Undefined when the
 * statement does not start its own line (`if x: a = f()`) or shares its last line with another
 * (`a = f(); b()`); a trailing comment stays on the statement's line.
 */
export function insertLineAfter(module: PythonModule, statement: Node, text: string): NodeEdit | undefined {
  const lines = module.source.split('\n');
  const first = lines[statement.startPosition.row] ?? '';
  const indent = /^[ \t]*/.exec(first)![0];
  if (indent.length !== statement.startPosition.column) return undefined;
  const last = lines[statement.endPosition.row] ?? '';
  if (!/^[ \t]*(?:#.*)?\r?$/.test(last.slice(statement.endPosition.column))) return undefined;
  const crlf = last.endsWith('\r');
  const end = crlf ? last.length - 1 : last.length;
  return insertAt({ row: statement.endPosition.row, column: end }, `${crlf ? '\r\n' : '\n'}${indent}${text}`);
}
