import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import type { ReportStep } from '../../define-rule.js';
import { caughtTypes, walkSameScope } from '../error-handling/except-clauses.js';
import { callMatches, failureModels } from './models.js';

/**
 * Syntax-level failure paths inside one function, shared by the failure-path rules: which
 * statements run after a given one, which of them may raise, and which `try` statements
 * protect a node. No control-flow graph: loops are not re-entered, `return`/`raise` at the
 * statement level end the walk, and anything called may raise unless it is known pure.
 */

/** Builtins and methods that do not fail in practice (or whose failure is not the point). */
const PURE_NAMES = new Set([
  'len', 'str', 'int', 'float', 'bool', 'isinstance', 'issubclass', 'hasattr', 'repr', 'dict', 'list', 'set',
  'tuple', 'frozenset', 'sorted', 'reversed', 'min', 'max', 'any', 'all', 'sum', 'enumerate', 'zip', 'range',
  'map', 'filter', 'id', 'type', 'format', 'print', 'callable', 'iter', 'abs', 'round', 'object', 'super',
  'time.time', 'time.monotonic', 'getattr', 'vars', 'locals', 'hash', 'bytes', 'os.path.join', 'os.path.basename',
  'os.path.dirname', 'os.path.exists', 'os.path.isdir', 'os.path.isfile', 'os.path.abspath', 'os.path.split', 'os.getpid',
]);
const PURE_METHODS = new Set([
  'append', 'extend', 'add', 'get', 'items', 'keys', 'values', 'format', 'join', 'startswith', 'endswith', 'split',
  'rsplit', 'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'replace', 'copy', 'setdefault', 'update', 'encode',
  'decode', 'discard', 'insert', 'count', 'isdigit', 'splitlines', 'partition', 'rpartition', 'ljust', 'rjust',
  '__init__',
]);
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'audit']);
const LOG_RECEIVER = /^(?:self\.|cls\.)?_*(?:log|logger|logging|LOG|LOGGER|LOGGING|Log|logs)$/i;

/** A call that is assumed not to raise: logging, builtins, container and string methods, `_()`. */
export function isPureCall(module: PythonModule, call: PyCall): boolean {
  const callee = module.unwrap(call.callee);
  if (callee.type === 'identifier' && callee.text === '_') return true;
  if (call.qname !== undefined && PURE_NAMES.has(call.qname)) return true;
  if (call.method !== undefined) {
    if (LOG_METHODS.has(call.method) && call.receiver && LOG_RECEIVER.test(module.text(call.receiver))) return true;
    if (PURE_METHODS.has(call.method)) return true;
  }
  if (call.qname?.startsWith('logging.')) return true;
  if (call.method === 'pop' && call.receiver && popCannotFail(module, call)) return true;
  if (failureModels().pure.some((m) => callMatches(call, m, () => (call.receiver ? module.text(call.receiver) : undefined)))) return true;
  // `ip_lib.IPWrapper(namespace=ns)`, `netaddr.IPNetwork(cidr)`: constructing a value object rarely
  // fails; the calls made on it afterwards are the ones that reach the system.
  const last = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.type === 'identifier' ? callee.text : undefined;
  if (last !== undefined && /^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(last) && !/Error$|Exception$/.test(last)) {
    // ... except classes that start a process or open a connection.
    if (!/^(?:subprocess|socket|multiprocessing|threading|ssl|http|urllib|ftplib|smtplib|telnetlib)\./.test(call.qname ?? '')) return true;
  }
  return false;
}

/**
 * `d.pop(k, default)`, or `d.pop(k)` inside `if k in d:`: no KeyError. (`s.pop()` of a list or
 * set, or a bare `d.pop(k)`, can still fail.)
 */
function popCannotFail(module: PythonModule, call: PyCall): boolean {
  if (call.positional.length === 2) return true;
  if (call.positional.length !== 1) return false;
  const key = module.text(call.positional[0]!);
  const receiver = module.text(call.receiver!);
  for (let n: Node | null = call.node.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'if_statement') continue;
    const cond = n.childForFieldName('condition');
    if (cond?.type === 'comparison_operator' && /^in$/.test(cond.children[1]?.text ?? '')) {
      const [left, right] = [cond.namedChildren[0], cond.namedChildren[1]];
      if (left && right && module.text(left) === key && module.text(right) === receiver) return true;
    }
  }
  return false;
}

/** The statement (a child of a block) that holds `node`. */
export function chainStatement(module: PythonModule, node: Node): Node {
  return module.statementOf(node);
}

/**
 * Statements that run after `statement` on the normal path, nearest first: its later
 * siblings, then the later siblings of each enclosing compound statement, up to `fn`'s body.
 * Sibling branches (`else`, `except`) are not on the path and are not visited.
 */
export function* following(statement: Node, fn: Node): Generator<Node> {
  let current: Node = statement;
  for (;;) {
    const block = current.parent;
    if (!block) return;
    if (block.type === 'block') {
      let seen = false;
      for (const sibling of block.namedChildren) {
        if (!sibling || sibling.type === 'comment') continue;
        if (seen) yield sibling;
        else if (sibling.id === current.id) seen = true;
      }
      if (block.parent?.id === fn.id) return;
      current = block.parent!;
      // Climb through clauses (`else_clause`, `except_clause`, `finally_clause`, `elif_clause`)
      // to the compound statement that is itself a child of a block.
      while (current.parent && current.parent.type !== 'block' && current.parent.id !== fn.id) current = current.parent;
      if (current.type === 'function_definition' || current.type === 'class_definition') return;
    } else {
      return;
    }
  }
}

/** Raise statements and calls in `root` that may raise, in document order, skipping nested scopes. */
export function raisingPoints(module: PythonModule, root: Node, skip?: (n: Node) => boolean): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): boolean | void => {
    if (skip?.(n)) return false;
    if (n.type === 'raise_statement') out.push(n);
    else if (n.type === 'call' && !isPureCall(module, module.call(n))) out.push(n);
  };
  if (visit(root) === false) return out;
  walkSameScope(root, visit);
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

export interface TryContext {
  readonly statement: Node;
  /** Where the node sits in the try statement. */
  readonly part: 'body' | 'handler' | 'else' | 'finally';
}

/** The `try` statements around `node` inside `fn`, innermost first. */
export function enclosingTries(node: Node, fn: Node): TryContext[] {
  const out: TryContext[] = [];
  let child = node;
  for (let p = node.parent; p && p.id !== fn.id; p = p.parent) {
    if (p.type === 'try_statement') {
      const part =
        child.type === 'except_clause' || child.type === 'except_group_clause'
          ? 'handler'
          : child.type === 'finally_clause'
            ? 'finally'
            : child.type === 'else_clause'
              ? 'else'
              : 'body';
      out.push({ statement: p, part });
    }
    child = p;
  }
  return out;
}

/** The except and finally clauses of a try statement. */
export function handlersOf(tryStatement: Node): { excepts: Node[]; final: Node | undefined } {
  const excepts: Node[] = [];
  let final: Node | undefined;
  for (const c of tryStatement.namedChildren) {
    if (!c) continue;
    if (c.type === 'except_clause' || c.type === 'except_group_clause') excepts.push(c);
    else if (c.type === 'finally_clause') final = c;
  }
  return { excepts, final };
}

/** Some call in `root` (same scope) satisfies `test`. */
export function containsCall(module: PythonModule, root: Node, test: (call: PyCall) => boolean): boolean {
  let found = false;
  walkSameScope(root, (n) => {
    if (found) return false;
    if (n.type === 'call' && test(module.call(n))) found = true;
  });
  return found;
}

/** One level less sure: findings in test code matter less and are shown only on request. */
export function lower(c: Confidence): Confidence {
  return c === 'high' ? 'medium' : 'low';
}

/** A trace step for a node: the line and what happens there. */
export function step(module: PythonModule, node: Node, kind: ReportStep['kind'], note: string): ReportStep {
  return { node, kind, note, expression: oneLine(module.text(node)) };
}

export function oneLine(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The first line of a node, 1-based. */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/**
 * Exception classes that stand for many unrelated failures: `Exception` for all of them,
 * `RuntimeError`/`ProcessExecutionError`/`CalledProcessError` for any command that exited
 * non-zero (including "File exists" and "No such device"), `OSError` for every errno.
 */
export const BROAD_EXCEPTIONS: ReadonlySet<string> = new Set(['Exception', 'BaseException']);
export const OVERLOADED_EXCEPTIONS: ReadonlySet<string> = new Set(['RuntimeError', 'OSError', 'IOError', 'EnvironmentError', 'ProcessExecutionError', 'CalledProcessError', 'SubprocessError']);

export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** A `raise`, or a call of `excutils.save_and_reraise_exception` (which re-raises when its block ends). */
export function isReraise(module: PythonModule, n: Node): boolean {
  if (n.type === 'raise_statement') return true;
  if (n.type !== 'call') return false;
  const c = module.call(n);
  return c.method === 'save_and_reraise_exception' || lastSegment(c.qname ?? '') === 'save_and_reraise_exception';
}

/** The classes an `except` clause catches, when each is specific (neither broad nor overloaded); else undefined. */
export function specificCatch(module: PythonModule, clause: Node): string | undefined {
  const names = caughtTypes(module, clause).map((t) => lastSegment(module.resolve(t) ?? module.text(t)));
  return names.length > 0 && names.every((n) => !BROAD_EXCEPTIONS.has(n) && !OVERLOADED_EXCEPTIONS.has(n)) ? names.join(', ') : undefined;
}
