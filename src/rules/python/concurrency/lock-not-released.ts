import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { builtinConcurrencyModel, entryMatches } from '../../../analysis/concurrency/model.js';

/** Receivers spelled like a lock (`self._lock`, `state_lock`, `sem`, `self._mutex`). */
const LOCKISH = /(^|[._])(r?lock|mutex|sem|semaphore|cond|condition)s?$|lock$/i;
/** Functions that acquire on purpose and leave the release to a partner (`__enter__`/`__exit__`, lock wrappers). */
const WRAPPERS = /^(__enter__|__aenter__|acquire\w*|\w*lock\w*|_?enter|start|begin\w*|setUp)$/i;

export default defineRule({
  id: 'python/lock-not-released',
  language: 'python',
  title: 'Lock acquired without a release on every path',
  cwe: [667, 833],
  severity: 'medium',
  confidence: 'high',
  description:
    'A lock (or semaphore, condition) is taken with `acquire()` and not released in a `finally` block (or through ' +
    '`with lock:`): either it is released only on the normal path, so an exception between `acquire()` and ' +
    '`release()` leaves it held, or the function never releases it at all. Works on one function\'s syntax: a lock is ' +
    'a receiver spelled like one (`self._lock`, `sem`, `mutex`) or made by a lock constructor of the concurrency ' +
    'models; functions that acquire on purpose for a partner to release (`__enter__`, `acquire_*`, lock wrappers) are ' +
    'left alone. Blind to a release done by a callee or a caller, and to locks reached through other objects.',
  whyItMatters:
    'A lock left held blocks every other thread that needs it, for good: the service hangs (a deadlock, a denial of ' +
    'service) rather than failing visibly, and in green-thread services one stuck lock stalls every request behind it.',
  fix: {
    guidance: 'Use `with lock:` (it releases on every exit), or put the code after `acquire()` in `try:` with `lock.release()` in `finally:`.',
    before: 'self._lock.acquire()\nself._ports[port_id] = plug(port)\nself._lock.release()',
    after: 'with self._lock:\n    self._ports[port_id] = plug(port)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/667.html',
    'https://cwe.mitre.org/data/definitions/833.html',
    'https://docs.python.org/3/library/threading.html#using-locks-conditions-and-semaphores-in-the-with-statement',
  ],
  create: (context) => {
    const module = context.module;
    let lockNames: Set<string> | undefined;
    return {
      call(call: PyCall) {
        if (call.method !== 'acquire' || !call.receiver) return;
        const receiver = module.dottedName(call.receiver);
        if (!receiver) return;
        lockNames ??= lockTargets(module);
        if (!LOCKISH.test(receiver) && !lockNames.has(receiver)) return;
        const fn = module.enclosingFunction(call.node);
        const fnName = fn?.childForFieldName('name')?.text ?? '';
        if (WRAPPERS.test(fnName)) return;
        const statement = module.statementOf(call.node);
        if (releasedInFinally(module, statement, receiver)) return;
        const scope = fn?.childForFieldName('body') ?? module.root;
        const releases = scope.descendantsOfType('call').filter((c) => {
          const r = module.call(c);
          return r.method === 'release' && r.receiver && module.dottedName(r.receiver) === receiver && c.startIndex > call.node.startIndex;
        });
        if (releases.length > 0) {
          const line = releases[0]!.startPosition.row + 1;
          context.report({
            node: call.node,
            message: `\`${receiver}\` is acquired here and released at line ${line}, but not in a \`finally\` block: an exception in between leaves it held. Use \`with ${receiver}:\`.`,
          });
        } else {
          context.report({
            node: call.node,
            confidence: 'medium',
            message: `\`${receiver}\` is acquired here and never released in this function (no \`release()\`, no \`finally\`). If a partner method releases it, hold it with \`with\` or a \`try\`/\`finally\` there instead.`,
          });
        }
      },
    };
  },
});

/** Names assigned a lock constructor anywhere in the file (`self._guard = threading.Lock()`). */
function lockTargets(module: PythonModule): Set<string> {
  const out = new Set<string>();
  const model = builtinConcurrencyModel();
  for (const a of module.root.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || right?.type !== 'call') continue;
    const c = module.call(right);
    const q = c.qname;
    if (model.locks.some((e) => entryMatches(e, q, c.method, undefined))) {
      const name = module.dottedName(left);
      if (name) out.add(name);
    }
  }
  return out;
}

/**
 * Whether `acquire()` in this statement is paired with a `release()` of the same receiver in a
 * `finally`: the next statement is `try: … finally: x.release()`, the acquire sits in such a
 * `try`, or it is `if x.acquire(…):` whose body starts one.
 */
function releasedInFinally(module: PythonModule, statement: Node, receiver: string): boolean {
  const releasesIn = (finallyClause: Node | undefined | null): boolean =>
    !!finallyClause &&
    finallyClause.descendantsOfType('call').some((c) => {
      const r = module.call(c);
      return r.method === 'release' && !!r.receiver && module.dottedName(r.receiver) === receiver;
    });
  const finallyOf = (t: Node): Node | undefined => t.namedChildren.find((c) => c.type === 'finally_clause');
  if (statement.type === 'if_statement') {
    const body = statement.childForFieldName('consequence');
    if (body && body.namedChildren.some((s) => s.type === 'try_statement' && releasesIn(finallyOf(s)))) return true;
  }
  // The try right after the acquire (comments and blank lines between are fine).
  let next = statement.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  if (next?.type === 'try_statement' && releasesIn(finallyOf(next))) return true;
  // Inside a try whose finally releases.
  for (let p = statement.parent; p; p = p.parent) {
    if (p.type === 'function_definition') break;
    if (p.type === 'try_statement' && releasesIn(finallyOf(p))) return true;
  }
  return false;
}
