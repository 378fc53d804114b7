import type { CallExpr, Expr, SpanId } from '../../analysis/taint/ir.js';
import { GUARD_PREFIX } from './ir-guards.js';

/**
 * Python idioms the models cannot name, lowered to calls of names the models know
 * (models/python/error-detail.yml, allocation.yml, mass-assignment.yml):
 * - calls of the traceback functions are wrapped in `secreview.guards.error_detail_only(...)`, and
 *   the name an `except` clause binds is `secreview.sources.caught_exception()` wrapped so
 *   (`caughtException`): exception detail matters only where it is shown to the client;
 * - `min(n, MAX)` with a constant bound is wrapped in `secreview.guards.upper_bound(...)`;
 * - `Cls(**data)` (a CapWords callee), `obj.__dict__.update(data)` and `vars(obj).update(data)` pass
 *   `data` through `secreview.sinks.object_attributes(...)`;
 * - `'x' * n` / `[0] * n` (a literal sequence repeated) is `secreview.sinks.sequence_repeat(seq, n)`;
 * - a value stored into a library container held by a local or module name (`cp.set(s, k, v)` on a
 *   `configparser.ConfigParser()`, `q.put(v)` on a `queue.Queue()`) is followed by
 *   `cp = secreview.containers.stored_into(cp, s, k, v)`, so that what is read back (`cp.get(s, k)`)
 *   carries it. The models say what a call returns, not what it stores into its receiver.
 */

const TRACEBACK_CALLS = new Set(['traceback.format_exc', 'traceback.format_exception', 'traceback.format_tb', 'traceback.format_stack']);
const CAP_WORDS = /^_?[A-Z][a-z0-9]+[A-Za-z0-9]*$/;
const CONSTANT_NAME = /^_*[A-Z][A-Z0-9_]*$/;

export function synthetic(name: string, args: Expr[], span: SpanId): CallExpr {
  return { k: 'call', callee: { k: 'name', name, span }, args, kwargs: [], splats: [], qname: name, span };
}

/** `except E as e`: what `e` holds. */
export function caughtException(span: SpanId): Expr {
  return synthetic(`${GUARD_PREFIX}error_detail_only`, [synthetic('secreview.sources.caught_exception', [], span)], span);
}

/** A call after the rewrites above; `keywordSplats` are the `**x` arguments among `call.splats`. */
export function rewriteCall(call: CallExpr, keywordSplats: ReadonlySet<Expr>): Expr {
  const span = call.span;
  if (call.qname && TRACEBACK_CALLS.has(call.qname)) return synthetic(`${GUARD_PREFIX}error_detail_only`, [call], span);
  if (call.qname === 'min' && call.args.length === 2 && call.args.some(isBound)) return synthetic(`${GUARD_PREFIX}upper_bound`, [call], span);
  const callee = call.callee;
  const calleeName = callee.k === 'name' ? callee.name : callee.k === 'attr' ? callee.attr : '';
  if (keywordSplats.size > 0 && CAP_WORDS.test(calleeName)) {
    call.splats = call.splats.map((s) => (keywordSplats.has(s) ? synthetic('secreview.sinks.object_attributes', [s], s.span) : s));
    return call;
  }
  if (callee.k === 'attr' && callee.attr === 'update' && call.args.length === 1) {
    const owner = callee.object;
    const isDict = owner.k === 'attr' && owner.attr === '__dict__';
    const isVars = owner.k === 'call' && owner.qname === 'vars' && owner.args.length === 1;
    if (isDict || isVars) call.args = [synthetic('secreview.sinks.object_attributes', [call.args[0]!], call.args[0]!.span)];
  }
  return call;
}

/** `seq * n` with a literal sequence: `secreview.sinks.sequence_repeat(seq, n)`; otherwise undefined. */
export function sequenceRepeat(left: Expr, right: Expr, span: SpanId): Expr | undefined {
  const literal = (e: Expr): boolean => (e.k === 'const' && typeof e.value === 'string') || (e.k === 'container' && (e.kind === 'list' || e.kind === 'tuple'));
  const constant = (e: Expr): boolean => e.k === 'const';
  if (literal(left) && !constant(right)) return synthetic('secreview.sinks.sequence_repeat', [left, right], span);
  if (literal(right) && !constant(left)) return synthetic('secreview.sinks.sequence_repeat', [right, left], span);
  return undefined;
}

function isBound(e: Expr): boolean {
  if (e.k === 'const') return typeof e.value === 'number';
  return (e.k === 'name' && CONSTANT_NAME.test(e.name)) || (e.k === 'attr' && CONSTANT_NAME.test(e.attr));
}

/** Library containers and the methods that store their arguments into them. */
const CONTAINER_STORES = new Map<string, ReadonlySet<string>>([
  ['configparser.ConfigParser', new Set(['set', 'read_dict', 'read_string', '__setitem__'])],
  ['configparser.RawConfigParser', new Set(['set', 'read_dict', 'read_string', '__setitem__'])],
  ['configparser.SafeConfigParser', new Set(['set', 'read_dict', 'read_string', '__setitem__'])],
  ['queue.Queue', new Set(['put', 'put_nowait'])],
  ['queue.LifoQueue', new Set(['put', 'put_nowait'])],
  ['queue.PriorityQueue', new Set(['put', 'put_nowait'])],
  ['queue.SimpleQueue', new Set(['put', 'put_nowait'])],
  ['asyncio.Queue', new Set(['put', 'put_nowait'])],
]);

/** The container class a value is an instance of, when it is a call of one. */
export function containerClass(value: Expr): string | undefined {
  return value.k === 'call' && value.qname !== undefined && CONTAINER_STORES.has(value.qname) ? value.qname : undefined;
}

/** After `holder.method(args)` storing into a container `holder` (of class `cls`): `holder = stored_into(holder, args)`. */
export function containerStore(call: Expr, classOf: (name: string) => string | undefined): CallExpr | undefined {
  if (call.k !== 'call' || call.callee.k !== 'attr' || call.callee.object.k !== 'name') return undefined;
  const holder = call.callee.object;
  const cls = classOf(holder.name);
  if (!cls || !CONTAINER_STORES.get(cls)!.has(call.callee.attr)) return undefined;
  return synthetic('secreview.containers.stored_into', [holder, ...call.args, ...call.kwargs.map((k) => k.value)], call.span);
}
