import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { isTestPath } from '../crypto/secret-context.js';
import { walkSameScope } from '../error-handling/except-clauses.js';
import { enclosingTries, following, handlersOf, isPureCall, isReraise, lineOf, lower, oneLine, raisingPoints, specificCatch, step } from './flow.js';

/** Methods that build the object: if they fail there is no object left to retry with. */
const CONSTRUCTORS = new Set(['__init__', '__new__', '__post_init__', 'setUp', 'setUpClass', 'tearDown', '__enter__', '__exit__', '__del__']);

export default defineRule({
  id: 'python/state-committed-before-success',
  language: 'python',
  title: '"Done" marker set on self before the work that can fail',
  cwe: [460],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A method records on `self` that some work is done (`self._initialized = True`, `self.gw_port = port`, ' +
    '`self.agent_gateway_port = port`) before the calls in the same method that do the work and can raise, and ' +
    'nothing resets the marker when they do (no `except` or `finally` that sets it back). A guard in the same ' +
    'method skips that work once the marker is set (`if self.gw_port: return` before it, or the work inside ' +
    '`if not self._initialized:`), so after one failure the work is never retried. When only another method of ' +
    'the class tests the marker the finding is low confidence: that test may or may not skip this work. ' +
    '`__init__`, `setUp` and the context-manager methods are not checked (a failed constructor leaves no object). ' +
    'A guard that raises (`if self.parent: raise AlreadySet(...)`) is a precondition, not a skipped retry. A call inside ' +
    'a `try` whose specific `except` (not `Exception`, `RuntimeError` or `OSError`) goes on without raising is low ' +
    'confidence: its author expected that failure and chose to keep the marker. Blind to ' +
    'a later call that resets the marker elsewhere (a resync), and assumes any call not known to be pure can raise.',
  whyItMatters:
    'The object believes it is configured while it is half-configured: a gateway port is cached but never ' +
    'plugged, a namespace is marked ready without its firewall rules, a client is marked connected without its ' +
    'credentials. Every later call takes the "already done" path, so a transient error (a busy device, a ' +
    'restarting service, one the attacker can provoke) turns into a lasting loss of connectivity or of a ' +
    'security control, with no error after the first one.',
  fix: {
    guidance:
      'Set the marker after the work succeeded, or reset it when the work fails: wrap the work in `try:` and set ' +
      'the marker back in `except` before re-raising (`with excutils.save_and_reraise_exception(): self.gw_port = None`).',
    before: 'if self.gw_port:\n    return\nself.gw_port = port\nself._plug_gateway(port)',
    after: 'if self.gw_port:\n    return\nself._plug_gateway(port)\nself.gw_port = port',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/460.html',
    'https://docs.openstack.org/oslo.utils/latest/reference/excutils.html',
  ],
  create({ module, report }) {
    const inTests = isTestPath(module.path);
    return {
      nodes: {
        class_definition(cls) {
          const methods = methodsOf(cls);
          if (methods.length === 0) return;
          // One walk per method collects both the markers and the `if` tests.
          const markers = new Map<Node, Marker[]>();
          const tests: Node[] = [];
          for (const method of methods) {
            const name = method.childForFieldName('name')?.text ?? '';
            const found = scanMethod(method, !CONSTRUCTORS.has(name), tests);
            if (found.length > 0) markers.set(method, found);
          }
          if (markers.size === 0 || tests.length === 0) return;
          const guards = guardsIn(module, tests, new Set([...markers.values()].flat().map((m) => m.attr)));
          if (guards.size === 0) return;
          const resetOnFailure = new Map<Node, Set<string>>();
          for (const [method, list] of markers) {
            for (const { statement, attr, assignment } of list) {
              const guard = guards.get(attr);
              if (!guard || isFalsy(module, assignment.childForFieldName('right')!)) continue;
              let reset = resetOnFailure.get(method);
              if (!reset) resetOnFailure.set(method, (reset = attrsResetOnFailure(module, method)));
              if (reset.has(attr)) continue;
              // Guards of this method that can skip code after this assignment, and how far their reach goes.
              const local = guard.filter((g) => sameNode(module.enclosingFunction(g.test), method) && reach(g, assignment) !== undefined);
              const until = Math.max(...local.map((g) => reach(g, assignment)!.endIndex));
              const skippedBy = local.length === 0 ? undefined : (point: Node) => local.find((g) => skips(g, assignment, point));
              const found = failureAfter(module, method, statement, attr, skippedBy, until);
              if (!found) continue;
              // A guard in another method may or may not skip this work: shown only on request.
              const skipping = found.guard;
              const other = guard.find((g) => !sameNode(module.enclosingFunction(g.test), method));
              if (!skipping && !other) continue;
              const shownGuard = skipping?.cond ?? other!.cond;
              // A flag set to True is a "done" marker by construction; a cached value may also be data.
              const flag = module.unwrap(assignment.childForFieldName('right')!).type === 'true';
              // A memoising getter (`return self.X` at the end) caches a value; what follows the assignment refines it.
              let confidence: Confidence = !skipping || found.doubt || found.handledBy || returnsMarker(method, attr) ? 'low' : flag ? 'high' : 'medium';
              if (inTests) confidence = lower(confidence);
              const guardMethod = module.enclosingFunction(shownGuard)?.childForFieldName('name')?.text ?? '?';
              report({
                node: assignment,
                message:
                  `\`self.${attr}\` is set before \`${oneLine(module.text(found.point), 60)}\` (line ${lineOf(found.point)}), which can raise, ` +
                  `and is not reset when it does; \`${oneLine(module.text(shownGuard), 50)}\` (line ${lineOf(shownGuard)}, in \`${guardMethod}\`) ` +
                  'then skips the work, so it is never retried. Set the marker after the work succeeded, or reset it on failure.' +
                  (found.handledBy
                    ? ` Confidence is low: \`${oneLine(firstLine(module.text(found.handledBy)), 40)}\` (line ${lineOf(found.handledBy)}) handles the failure its author expected there and goes on with the marker set.`
                    : ''),
                confidence,
                steps: [
                  step(module, assignment, 'source', 'marker set'),
                  step(module, found.point, 'step', 'may raise; the marker stays set'),
                  step(module, shownGuard, 'sink', 'skips the work while the marker is set'),
                ],
              });
            }
          }
        },
      },
    };
  },
});

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

function returnsMarker(method: Node, attr: string): boolean {
  let found = false;
  walkSameScope(method, (n) => {
    if (found) return false;
    if (n.type !== 'return_statement') return;
    const value = n.namedChildren.find((c) => !!c && c.type !== 'comment');
    if (value && selfAttr(value) === attr) found = true;
    return false;
  });
  return found;
}

function sameNode(a: Node | undefined, b: Node | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

function methodsOf(cls: Node): Node[] {
  const body = cls.childForFieldName('body');
  if (!body) return [];
  const out: Node[] = [];
  for (const c of body.namedChildren) {
    if (!c) continue;
    if (c.type === 'function_definition') out.push(c);
    else if (c.type === 'decorated_definition') {
      const def = c.childForFieldName('definition');
      if (def?.type === 'function_definition') out.push(def);
    }
  }
  return out;
}

type Form = 'set' | 'unset';

/**
 * Which markers a condition tests and how: `set` when the body runs only while the marker is
 * set (`self.X`, `self.X is not None`, `self.X == y`, either side of `or`), `unset` when it
 * runs only while it is not (`not self.X`, `self.X is None`, either side of `and`).
 */
function guardedAttrs(module: PythonModule, cond: Node, out: { attr: string; form: Form }[]): void {
  const n = module.unwrap(cond);
  switch (n.type) {
    case 'attribute': {
      const a = selfAttr(n);
      if (a) out.push({ attr: a, form: 'set' });
      return;
    }
    case 'not_operator': {
      const arg = n.childForFieldName('argument');
      const a = arg ? selfAttr(module.unwrap(arg)) : undefined;
      if (a) out.push({ attr: a, form: 'unset' });
      return;
    }
    case 'boolean_operator': {
      const keep: Form = n.childForFieldName('operator')?.text === 'and' ? 'unset' : 'set';
      const inner: { attr: string; form: Form }[] = [];
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (l) guardedAttrs(module, l, inner);
      if (r) guardedAttrs(module, r, inner);
      out.push(...inner.filter((g) => g.form === keep));
      return;
    }
    case 'comparison_operator': {
      const parts = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (parts.length !== 2) return;
      const a = selfAttr(module.unwrap(parts[0]!));
      if (!a) return;
      const ops = n.children.filter((c) => !!c && !c.isNamed).map((c) => c!.text).join(' ');
      const none = module.unwrap(parts[1]!).type === 'none';
      if (ops === 'is' || ops === '==') out.push({ attr: a, form: none ? 'unset' : 'set' });
      else if ((ops === 'is not' || ops === '!=') && none) out.push({ attr: a, form: 'set' });
      return;
    }
    default:
      return;
  }
}

/** `self.X` → X (one level only: `self.a.b` is a field of another object). */
function selfAttr(n: Node): string | undefined {
  if (n.type !== 'attribute') return undefined;
  const obj = n.childForFieldName('object');
  if (obj?.type !== 'identifier' || obj.text !== 'self') return undefined;
  return n.childForFieldName('attribute')?.text;
}

interface Guard {
  cond: Node;
  /** The `if_statement` or `elif_clause`. */
  test: Node;
  form: Form;
}

/** Marker attribute → the `if` tests of it, for the attributes some method sets. */
function guardsIn(module: PythonModule, tests: readonly Node[], wanted: ReadonlySet<string>): Map<string, Guard[]> {
  const guards = new Map<string, Guard[]>();
  for (const n of tests) {
    const cond = n.childForFieldName('condition');
    if (!cond) continue;
    const attrs: { attr: string; form: Form }[] = [];
    guardedAttrs(module, cond, attrs);
    for (const { attr, form } of attrs) {
      if (!wanted.has(attr)) continue;
      const g = { cond, test: n, form };
      const list = guards.get(attr);
      if (list) list.push(g);
      else guards.set(attr, [g]);
    }
  }
  return guards;
}

function within(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * Does this guard skip `point` on the next call once `assignment` has set the marker? Either
 * both sit in the body of an `if not self.X:`, or an `if self.X: return` precedes both in a
 * block that holds them.
 */
function skips(guard: Guard, assignment: Node, point: Node): boolean {
  const region = reach(guard, assignment);
  return !!region && within(point, region);
}

/** The code this guard skips once the marker is set, if it holds the assignment. */
function reach(guard: Guard, assignment: Node): Node | undefined {
  const body = guard.test.childForFieldName('consequence');
  if (!body) return undefined;
  if (guard.form === 'unset') return within(assignment, body) ? body : undefined;
  // `if self.parent: raise AlreadySet(...)` rejects a second call loudly: a precondition, not a skip.
  if (!exits(body) || raises(body) || guard.test.type !== 'if_statement' || guard.test.endIndex > assignment.startIndex) return undefined;
  const block = guard.test.parent;
  return block && within(assignment, block) ? block : undefined;
}

/** The block ends the call or iteration: its last statement is `return`, `raise` or `continue`. */
function exits(block: Node): boolean {
  const last = [...block.namedChildren].reverse().find((c) => !!c && c.type !== 'comment');
  return !!last && (last.type === 'return_statement' || last.type === 'raise_statement' || last.type === 'continue_statement');
}

/** The block ends in `raise`. */
function raises(block: Node): boolean {
  const last = [...block.namedChildren].reverse().find((c) => !!c && c.type !== 'comment');
  return last?.type === 'raise_statement';
}

interface Marker {
  statement: Node;
  assignment: Node;
  attr: string;
}

/**
 * `self.X = value` statements where the value is not falsy (a reset is not a commit), when
 * `collectMarkers`; and every `if`/`elif` of the method into `tests`.
 */
function scanMethod(method: Node, collectMarkers: boolean, tests: Node[]): Marker[] {
  const out: Marker[] = [];
  walkSameScope(method, (n) => {
    const type = n.type;
    if (type === 'if_statement' || type === 'elif_clause') {
      tests.push(n);
      return;
    }
    // Statements hold no statement inside an expression: only blocks and statements are entered.
    if (type !== 'expression_statement') return type === 'block' || type.endsWith('_statement') || type.endsWith('_clause');
    if (!collectMarkers) return false;
    const a = n.namedChildren[0];
    if (a?.type !== 'assignment') return false;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) return false;
    const attr = selfAttr(left);
    if (!attr) return false;
    // Inside an except/finally clause the work already failed or finished.
    if (enclosingTries(n, method).some((t) => t.part === 'handler' || t.part === 'finally')) return false;
    out.push({ statement: n, assignment: a, attr });
    return false;
  });
  return out;
}

function isFalsy(module: PythonModule, value: Node): boolean {
  const v = module.unwrap(value);
  if (v.type === 'none' || v.type === 'false') return true;
  if (v.type === 'integer' && Number(v.text) === 0) return true;
  if ((v.type === 'list' || v.type === 'dictionary' || v.type === 'tuple' || v.type === 'set') && v.namedChildCount === 0) return true;
  if (v.type === 'string' && module.stringLiteral(v) === '') return true;
  if (v.type === 'call') {
    const c = module.call(v);
    if ((c.qname === 'dict' || c.qname === 'list' || c.qname === 'set' || c.qname === 'tuple') && c.positional.length === 0 && c.keywords.size === 0) return true;
  }
  return false;
}

interface Failure {
  point: Node;
  doubt: boolean;
  guard: Guard | undefined;
  /** An `except` around the point that goes on without raising: its author expected this failure and chose to keep the marker. */
  handledBy: Node | undefined;
}

/**
 * The innermost `except` clause around `point` (in `method`) that catches specific classes and raises
 * nothing: the failure its author expected is handled and the method goes on. A broad or overloaded
 * handler that goes on is the defect itself (the marker stays set after any failure), so it does not count.
 */
function handlerGoingOn(module: PythonModule, method: Node, point: Node): Node | undefined {
  for (const t of enclosingTries(point, method)) {
    if (t.part !== 'body') continue;
    for (const clause of handlersOf(t.statement).excepts) {
      let raises = false;
      walkSameScope(clause, (n) => {
        if (raises) return false;
        if (isReraise(module, n)) raises = true;
      });
      if (!raises && specificCatch(module, clause)) return clause;
    }
  }
  return undefined;
}

/**
 * The first call after the marker that may raise and is not covered by a handler that resets
 * the marker. Uses of the cached value itself (`self.X.method()`) are not the work.
 * `doubt` when a handler around it calls something else on `self` (it may reset the marker).
 */
function failureAfter(
  module: PythonModule,
  method: Node,
  statement: Node,
  attr: string,
  /** Undefined when no guard of this method tests the marker: the first point is the answer. */
  skippedBy: ((point: Node) => Guard | undefined) | undefined,
  until: number,
): Failure | undefined {
  let fallback: Failure | undefined;
  const usesMarker = (n: Node): boolean => {
    // A deliberate raise is not a failure of the work; a branch on the new value runs only for some values.
    if (n.type === 'raise_statement') return true;
    if ((n.type === 'if_statement' || n.type === 'elif_clause') && n.startIndex > statement.startIndex) {
      const cond = n.childForFieldName('condition');
      const tested: { attr: string; form: Form }[] = [];
      if (cond) guardedAttrs(module, cond, tested);
      if (tested.some((g) => g.attr === attr)) return true;
    }
    if (n.type !== 'call') return false;
    const c = module.call(n);
    let r = c.receiver;
    while (r && r.type === 'attribute') {
      if (selfAttr(r) === attr) return true;
      r = r.childForFieldName('object') ?? undefined;
    }
    return false;
  };
  const doubtAt = (point: Node): boolean =>
    enclosingTries(point, method).some((x) => x.part === 'body' && handlersOf(x.statement).excepts.some((e) => callsOnSelf(module, e)));
  const failure = (point: Node, guard: Guard | undefined): Failure => ({ point, doubt: doubtAt(point), guard, handledBy: handlerGoingOn(module, method, point) });
  for (const t of following(statement, method)) {
    if (skippedBy && fallback && t.startIndex >= until) break;
    for (const point of raisingPoints(module, t, usesMarker)) {
      const guard = skippedBy?.(point);
      if (guard || !skippedBy) return failure(point, guard);
      if (!fallback) fallback = failure(point, undefined);
    }
    if (t.type === 'return_statement' || t.type === 'raise_statement') break;
  }
  return fallback;
}

/** The markers some `except` or `finally` clause of the method assigns or deletes. */
function attrsResetOnFailure(module: PythonModule, method: Node): Set<string> {
  const out = new Set<string>();
  walkSameScope(method, (n) => {
    if (n.type !== 'except_clause' && n.type !== 'finally_clause') return;
    walkSameScope(n, (m) => {
      if (m.type === 'assignment') {
        const a = selfAttr(module.unwrap(m.childForFieldName('left') ?? m));
        if (a) out.add(a);
      } else if (m.type === 'delete_statement') {
        for (const c of m.namedChildren) {
          const a = c ? selfAttr(c) : undefined;
          if (a) out.add(a);
        }
      }
    });
    return false;
  });
  return out;
}

function callsOnSelf(module: PythonModule, clause: Node): boolean {
  let found = false;
  walkSameScope(clause, (n) => {
    if (found) return false;
    if (n.type !== 'call') return;
    const c = module.call(n);
    if (isPureCall(module, c)) return;
    const recv = c.receiver ? module.unwrap(c.receiver) : undefined;
    if (recv?.type === 'identifier' && recv.text === 'self') found = true;
  });
  return found;
}
