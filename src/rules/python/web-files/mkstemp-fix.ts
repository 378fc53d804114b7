/**
 * The mechanical fix of `tempfile.mktemp()`: `path = tempfile.mktemp(...)` → `fd, path =
 * tempfile.mkstemp(...)` + `os.close(fd)`. `mkstemp` creates the file (empty, mode 0600), so the
 * fix is offered only where the code would create it right away anyway: the next statement opens
 * the name for writing (`with open(path, "w") as out:` or `out = open(path, "w")`) and the name
 * is not used before that. A name later made into a directory, a FIFO or a socket, checked for
 * existence, or handed to other code first keeps the written guidance only.
 */
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import type { Node } from '../../../parse/tree-sitter.js';
import { replaceNode, type NodeEdit } from '../../autofix.js';
import { ensureImport, insertLineAfter } from '../python-edits.js';

const OPEN_FUNCTIONS = new Set(['open', 'io.open']);
/** Names for the descriptor, the first one the function does not use is taken. */
const FD_NAMES = ['fd', 'tmp_fd', 'temp_fd', 'fd_', 'mkstemp_fd'];

/** `open(name, mode)` with a constant mode that creates or truncates (`w`) or appends (`a`), not `x`. */
function opensForWriting(module: PythonModule, node: Node | undefined, name: string): Node | undefined {
  if (!node) return undefined;
  const n = module.unwrap(node);
  if (n.type !== 'call') return undefined;
  const call = module.call(n);
  if (!call.qname || !OPEN_FUNCTIONS.has(call.qname) || call.hasStarArgs || call.hasStarKwargs) return undefined;
  const file = call.arg(0, 'file');
  const mode = module.constantValue(call.arg(1, 'mode') ?? n);
  if (file?.type !== 'identifier' || file.text !== name) return undefined;
  if (typeof mode !== 'string' || !/[wa]/.test(mode) || mode.includes('x')) return undefined;
  return n;
}

/** The `open(name, "w")` call of the statement right after the assignment, if it is one of the two shapes. */
function openRightAfter(module: PythonModule, statement: Node, name: string): Node | undefined {
  let next = statement.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  if (!next) return undefined;
  if (next.type === 'with_statement') {
    const clause = next.namedChildren.find((c) => c?.type === 'with_clause');
    const item = clause?.namedChildren.find((c) => c?.type === 'with_item');
    const value = item?.childForFieldName('value');
    if (!value) return undefined;
    return opensForWriting(module, value.type === 'as_pattern' ? value.namedChild(0) ?? undefined : value, name);
  }
  if (next.type === 'expression_statement' && next.namedChildCount === 1) {
    const assignment = next.namedChild(0);
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.type !== 'identifier') return undefined;
    return opensForWriting(module, assignment.childForFieldName('right') ?? undefined, name);
  }
  return undefined;
}

const before = (a: Node, b: Node): boolean =>
  a.startPosition.row < b.endPosition.row || (a.startPosition.row === b.endPosition.row && a.startPosition.column < b.endPosition.column);

export function mkstempFix(module: PythonModule, call: PyCall): { description: string; edits: NodeEdit[] } | undefined {
  if (call.qname !== 'tempfile.mktemp' || call.hasStarArgs || call.hasStarKwargs) return undefined;
  // `tempfile.mktemp` (through any alias of the module): the attribute is renamed in place.
  const callee = module.unwrap(call.callee);
  const attribute = callee.type === 'attribute' ? callee.childForFieldName('attribute') : undefined;
  if (!attribute || attribute.text !== 'mktemp') return undefined;
  // mktemp's name is relative when `dir` is, mkstemp's always absolute: only an absolute constant `dir`.
  const dir = call.arg(2, 'dir');
  if (dir) {
    const d = module.constantValue(dir);
    if (typeof d !== 'string' || !d.startsWith('/')) return undefined;
  }
  if ([...call.keywords.keys()].some((k) => k !== 'suffix' && k !== 'prefix' && k !== 'dir') || call.positional.length > 3) return undefined;

  // `NAME = tempfile.mktemp(...)` as a whole statement inside a function.
  const assignment = call.node.parent;
  const statement = assignment?.parent;
  if (assignment?.type !== 'assignment' || statement?.type !== 'expression_statement' || statement.namedChildCount !== 1) return undefined;
  if (assignment.childForFieldName('right')?.id !== call.node.id || assignment.childForFieldName('type')) return undefined;
  const target = assignment.childForFieldName('left');
  if (target?.type !== 'identifier') return undefined;
  const fn = module.enclosingFunction(statement);
  if (!fn || statement.parent?.type !== 'block') return undefined;
  const name = target.text;

  const open = openRightAfter(module, statement, name);
  if (!open) return undefined;
  // Every other use of the name comes after that open has created the file.
  const opened = module.call(open).arg(0, 'file');
  const identifiers = fn.descendantsOfType('identifier').filter((n): n is Node => !!n);
  for (const id of identifiers) {
    if (id.text !== name || id.id === target.id || id.id === opened?.id) continue;
    // `other.NAME` is an attribute of that name, not the variable.
    if (id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id) continue;
    if (before(id, open)) return undefined;
  }
  const taken = new Set(identifiers.map((n) => n.text));
  const fd = FD_NAMES.find((n) => !taken.has(n) && !module.imports.has(n));
  if (!fd) return undefined;
  const imported = ensureImport(module, 'os');
  const close = insertLineAfter(module, statement, `os.close(${fd})`);
  if (imported === undefined || !close) return undefined;
  const edits = [replaceNode(target, `${fd}, ${name}`), replaceNode(attribute, 'mkstemp'), close];
  if (imported) edits.unshift(imported);
  return { description: 'Create the file with tempfile.mkstemp (mode 0600, no race) and close its descriptor', edits };
}
