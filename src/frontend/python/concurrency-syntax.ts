import type { Node } from '../../parse/tree-sitter.js';
import type { PythonModule } from './module.js';
import type { CalleeRef, Span } from '../../analysis/concurrency/facts.js';

/** Syntax helpers of the concurrency facts extraction (concurrency-facts.ts): shapes of Python code it asks about. */

export const NO_LOCKS: string[] = [];

/** Method names called on so many kinds of object that a call by name alone tells nothing. */
export const COMMON_METHODS = new Set([
  'get', 'set', 'run', 'start', 'stop', 'update', 'delete', 'create', 'add', 'remove', 'close', 'open', 'read', 'write',
  'send', 'process', 'execute', 'call', 'handle', 'wait', 'clear', 'reset', 'init', 'setup', 'load', 'save', 'append',
  'pop', 'items', 'keys', 'values', 'copy', 'format', 'join', 'split', 'strip', 'lower', 'upper', 'encode', 'decode',
  'info', 'debug', 'warning', 'warn', 'error', 'exception', 'critical', 'extend', 'insert', 'discard', 'startswith',
  'endswith', 'replace', 'setdefault', 'assert_called_once_with', 'assert_called_with', 'assert_has_calls',
  'assertEqual', 'assertTrue', 'assertFalse', 'assertIn', 'assertIsNone', 'assertRaises', 'assert_not_called',
]);

/** Methods that change the container they are called on. */
export const MUTATORS = new Set([
  'add', 'append', 'appendleft', 'extend', 'extendleft', 'insert', 'remove', 'discard', 'pop', 'popleft', 'popitem',
  'clear', 'update', 'setdefault', 'sort', 'reverse', 'difference_update', 'intersection_update',
  'symmetric_difference_update', 'rotate',
]);
/** Mutator names that other objects use too (an API client's `update`, a tree's `remove`). */
export const AMBIGUOUS_MUTATORS = new Set(['update', 'pop', 'remove', 'clear', 'sort', 'reverse', 'rotate', 'insert']);

/** Calls the engine could never resolve to code of the program are not kept. */
export function worthLinking(ref: CalleeRef): boolean {
  if (ref.k === 'any') return !COMMON_METHODS.has(ref.method) && !ref.method.startsWith('__');
  if (ref.k === 'name') return ref.name.includes('.');
  if (ref.k === 'self') return !ref.method.startsWith('assert');
  return true;
}

export function firstParameter(def: Node): string | undefined {
  const params = def.childForFieldName('parameters');
  const first = params?.namedChildren[0];
  if (!first) return undefined;
  if (first.type === 'identifier') return first.text;
  if (first.type === 'typed_parameter') return first.namedChildren.find((c) => c.type === 'identifier')?.text;
  return undefined;
}

/** The argument of a call at one of `refs` (0-based positions or keyword names). */
export function argAt(module: PythonModule, call: Node, refs: readonly (number | string)[]): Node | undefined {
  const c = module.call(call);
  for (const r of refs) {
    const a = typeof r === 'number' ? c.arg(r) : c.arg(undefined, r);
    if (a) return a;
  }
  return undefined;
}

/** The constant text a run-time lock name starts with: `'fip-ns-' + name` → `fip-ns-`. */
export function constantPrefix(module: PythonModule, arg: Node, depth = 0): string {
  const n = module.unwrap(arg);
  if (n.type === 'identifier' && depth < 3) {
    // `lock_name = 'port-lock-' + self.name; with lockutils.lock(lock_name):` the local's value.
    const value = localValue(n);
    if (value) return constantPrefix(module, value, depth + 1);
  }
  if (n.type === 'binary_operator') {
    const left = n.childForFieldName('left');
    if (left) {
      const c = module.constantValue(left);
      if (typeof c === 'string') return c;
      return constantPrefix(module, left);
    }
  }
  if (n.type === 'string') {
    // f-string: the literal text before the first interpolation.
    const m = /^[rRbBuUfF]*(['"]{1,3})([^{]*)/.exec(n.text);
    if (m) return m[2]!;
  }
  if (n.type === 'call') {
    // '%s-%s' % (...) or 'x-{}'.format(...)
    const fn = n.childForFieldName('function');
    const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    const c = obj ? module.constantValue(obj) : undefined;
    if (typeof c === 'string') return c.split(/[{%]/)[0]!;
  }
  return module.dottedName(n) ?? '';
}

/** The value of the last plain assignment to local `name` before it, in its function (or undefined). */
function localValue(name: Node): Node | undefined {
  let scope: Node | null = name.parent;
  while (scope && scope.type !== 'function_definition') scope = scope.parent;
  if (!scope) return undefined;
  let found: Node | undefined;
  for (const a of scope.descendantsOfType('assignment')) {
    if (a.startIndex >= name.startIndex) break;
    const left = a.childForFieldName('left');
    if (left?.type === 'identifier' && left.text === name.text) found = a.childForFieldName('right') ?? undefined;
  }
  return found;
}

/** `self.x = None` / `self.flag = False`: the write stores a literal constant. */
export function assignsConstant(target: Node): boolean {
  const a = target.parent;
  if (a?.type !== 'assignment' || a.childForFieldName('left') !== target) return false;
  const right = a.childForFieldName('right');
  return !!right && ['true', 'false', 'none', 'integer', 'float', 'string'].includes(right.type);
}

/** `self.x = …` / `X = …`: the write rebinds the name wholesale (not a subscript, not a container method). */
export function rebinds(target: Node): boolean {
  const a = target.parent;
  return (target.type === 'attribute' || target.type === 'identifier') && a?.type === 'assignment' && a.childForFieldName('left') === target;
}

/** `self.x = []` / `= {}` / `= set()` / `= collections.defaultdict(list)`: the write empties the field (a drain's reset). */
export function assignsEmpty(target: Node): boolean {
  const a = target.parent;
  if (a?.type !== 'assignment' || a.childForFieldName('left') !== target) return false;
  const right = a.childForFieldName('right');
  if (!right) return false;
  if (['list', 'dictionary', 'set', 'tuple'].includes(right.type)) return right.namedChildren.length === 0;
  if (right.type !== 'call') return false;
  const fn = right.childForFieldName('function')?.text ?? '';
  const args = right.childForFieldName('arguments')?.namedChildren ?? [];
  return (/^(list|dict|set|tuple)$/.test(fn) && args.length === 0) || (/(^|\.)(defaultdict|OrderedDict|deque)$/.test(fn) && args.length <= 1);
}

/**
 * `self.d.pop(k, None)`, `self.s.discard(x)`, `self.d.setdefault(k, v)`: a change that does the same
 * whether or not the key is still there, so a check before it that went stale does no harm.
 */
export function toleratesStale(module: PythonModule, target: Node): boolean {
  // A container method's write is recorded at the called member (`self.d.pop`).
  const call = target.parent;
  if (target.type !== 'attribute' || call?.type !== 'call' || call.childForFieldName('function')?.id !== target.id) return false;
  const { method, positional } = module.call(call);
  return method === 'discard' || method === 'setdefault' || (method === 'pop' && positional.length === 2);
}

/** `… = time.time()` / `timeutils.utcnow()`: the write stores the time. */
export function assignsClock(target: Node): boolean {
  const a = target.parent;
  const right = a?.type === 'assignment' && a.childForFieldName('left') === target ? a.childForFieldName('right') : undefined;
  return right?.type === 'call' && /(^|\.)(time|monotonic|utcnow|now)$/.test(right.childForFieldName('function')?.text ?? '');
}

/** Inside a `for`/`while` loop or a comprehension of its function. */
export function inLoop(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return false;
    if (p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'list_comprehension' || p.type === 'generator_expression' || p.type === 'set_comprehension' || p.type === 'dictionary_comprehension') return true;
  }
  return false;
}

export function exits(block: Node): boolean {
  const last = block.namedChildren[block.namedChildren.length - 1];
  return !!last && (last.type === 'return_statement' || last.type === 'raise_statement' || last.type === 'continue_statement' || last.type === 'break_statement');
}

export function usesName(node: Node, name: string, fromLine: number): boolean {
  if (node.type === 'identifier' && node.text === name && node.startPosition.row + 1 >= fromLine) {
    const p = node.parent;
    return !(p?.type === 'assignment' && p.childForFieldName('left') === node);
  }
  if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') return false;
  return node.namedChildren.some((c) => usesName(c, name, fromLine));
}

export function awaitBetween(from: Node, to: Span): boolean {
  let root: Node = from;
  while (root.parent && root.type !== 'function_definition') root = root.parent;
  return root.descendantsOfType('await').some((a) => a.startPosition.row + 1 >= from.startPosition.row + 1 && a.startPosition.row + 1 <= to.line);
}

export const STATEMENT_TYPES = new Set([
  'if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement', 'match_statement', 'expression_statement',
  'return_statement', 'delete_statement', 'raise_statement', 'assert_statement', 'global_statement', 'nonlocal_statement',
  'function_definition', 'class_definition', 'decorated_definition', 'pass_statement', 'break_statement', 'continue_statement',
]);
export function isStatement(n: Node): boolean {
  return STATEMENT_TYPES.has(n.type);
}
