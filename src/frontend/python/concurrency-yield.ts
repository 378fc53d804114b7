import type { Node } from '../../parse/tree-sitter.js';
import type { CalleeRef } from '../../analysis/concurrency/facts.js';

/**
 * Which Python calls cannot block, and so cannot switch green threads: under eventlet (after
 * `eventlet.monkey_patch()`) a green thread runs until it does I/O, sleeps, waits for a lock or
 * another green thread, so a check and an act with only such calls between them cannot be
 * interleaved by another green thread. Everything not listed here is assumed to block: a method
 * of the program (it may call out), an RPC or HTTP client, `ip_lib`/`ovs_lib`/`execute`, a
 * constructor (a client may connect when built).
 */

/** Builtins that compute, convert or inspect; none blocks. */
const PURE_BUILTINS = new Set([
  'len', 'isinstance', 'issubclass', 'str', 'int', 'float', 'bool', 'bytes', 'list', 'dict', 'set', 'frozenset', 'tuple',
  'sorted', 'reversed', 'min', 'max', 'sum', 'any', 'all', 'range', 'enumerate', 'zip', 'map', 'filter', 'hasattr', 'id',
  'repr', 'abs', 'round', 'hash', 'type', 'object', 'divmod', 'format', 'ord', 'chr',
]);
/** Qualified names of functions and constructors that do no I/O. */
const PURE_NAMES = new Set([
  'collections.defaultdict', 'collections.OrderedDict', 'collections.Counter', 'collections.deque', 'collections.namedtuple',
  'copy.copy', 'copy.deepcopy', 'time.time', 'time.monotonic', 'functools.partial', 'itertools.chain', 'itertools.islice',
  'oslo_utils.timeutils.utcnow', 'oslo_utils.uuidutils.generate_uuid', 'uuid.uuid4', 'netaddr.IPNetwork', 'netaddr.IPAddress',
  // Creating an event or a lock object does not wait on it.
  'eventlet.event.Event', 'threading.Event', 'threading.Lock', 'threading.RLock',
]);
/** Container methods that never block, on whatever receiver (no client or file object has them with another meaning that blocks). */
const CONTAINER_METHODS = new Set([
  'add', 'append', 'appendleft', 'extend', 'extendleft', 'discard', 'setdefault', 'popitem', 'keys', 'items', 'values', 'copy',
  'index', 'count', 'difference', 'union', 'intersection', 'issubset', 'issuperset', 'difference_update', 'intersection_update',
  'symmetric_difference_update',
]);
/** Container methods that other objects have too (an API client's `get`, `update`, `delete`): non-blocking only on a known container. */
const AMBIGUOUS_CONTAINER_METHODS = new Set(['get', 'pop', 'remove', 'update', 'clear', 'insert', 'sort', 'reverse']);
const STRING_METHODS = new Set([
  'format', 'join', 'split', 'rsplit', 'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'startswith', 'endswith', 'replace',
  'encode', 'decode', 'splitlines', 'partition', 'rpartition', 'zfill', 'ljust', 'rjust', 'isdigit', 'title',
]);
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log']);
const LOGGER = /^(LOG|log|logger|LOGGER|_LOG|logging|self\.(log|logger|_log|_logger|LOG))$/;

export interface YieldContext {
  /** Qualified name of a callee expression, through imports. */
  qname(node: Node): string | undefined;
  /** Whether an expression is a known container (a field assigned `{}`/`[]`/`set()`, a module-level container). */
  isContainer(node: Node): boolean;
  /** What a call calls, when the program may resolve it (a method or function of the program). */
  linkable?(call: Node): CalleeRef | undefined;
}

/** Whether a call may block (and so let another green thread run). */
export function mayYield(call: Node, ctx: YieldContext): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return true;
  // `raise NovaException(...)`: building the exception to raise does no I/O.
  if (call.parent?.type === 'raise_statement') return false;
  if (fn.type === 'identifier') {
    if (PURE_BUILTINS.has(fn.text)) return false;
    const q = ctx.qname(fn);
    return !(q !== undefined && PURE_NAMES.has(q));
  }
  if (fn.type !== 'attribute') return true;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const receiver = fn.childForFieldName('object');
  const q = ctx.qname(fn);
  if (q !== undefined && PURE_NAMES.has(q)) return false;
  if (LOG_METHODS.has(method) && receiver && LOGGER.test(receiver.text)) return false;
  if (STRING_METHODS.has(method) && receiver?.type === 'string') return false;
  if (CONTAINER_METHODS.has(method)) return false;
  if (AMBIGUOUS_CONTAINER_METHODS.has(method) && receiver && ctx.isContainer(receiver)) return false;
  // `events.pop(key, None)`: a default for a missing key is the dict's signature, not a client's.
  if (method === 'pop' && call.childForFieldName('arguments')?.namedChildren.length === 2) return false;
  // `'-'.join(...)`, `name.startswith(...)`: string methods on anything but a field of unknown type.
  if (STRING_METHODS.has(method) && method !== 'format' && method !== 'join') return false;
  return true;
}

/**
 * The calls in the source range [from, to) of `scope` that may block, as calls the program may
 * resolve (whether those block is the program's to say), or 'blocks' when one of them cannot be
 * resolved, or an `await`, `yield` or `with` lies in the range.
 */
export function blockingCallsBetween(scope: Node, from: number, to: number, ctx: YieldContext): CalleeRef[] | 'blocks' {
  const out: CalleeRef[] = [];
  for (const call of scope.descendantsOfType('call')) {
    if (call.startIndex < from || call.startIndex >= to) continue;
    if (!mayYield(call, ctx)) continue;
    const ref = ctx.linkable?.(call);
    if (!ref) return 'blocks';
    out.push(ref);
  }
  for (const type of ['await', 'yield', 'with_statement'] as const) {
    for (const n of scope.descendantsOfType(type)) if (n.startIndex >= from && n.startIndex < to) return 'blocks';
  }
  return out;
}
