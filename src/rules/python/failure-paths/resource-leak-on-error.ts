import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { isTestPath } from '../crypto/secret-context.js';
import { walkSameScope } from '../error-handling/except-clauses.js';
import { callMatches, failureModels, isRelease, type ResourceModel } from './models.js';
import { containsCall, enclosingTries, following, handlersOf, lastSegment, lineOf, lower, oneLine, raisingPoints, step } from './flow.js';

/** Calls that register a release for later: the resource is handed off, not leaked. */
const REGISTRATION_METHODS = new Set(['addCleanup', 'addClassCleanup', 'enter_context', 'callback', 'push', 'useFixture', 'addfinalizer']);
const REGISTRATION_NAMES = new Set(['atexit.register', 'weakref.finalize']);

export default defineRule({
  id: 'python/resource-leak-on-error',
  language: 'python',
  title: 'Resource acquired and not released when a later statement raises',
  cwe: [460, 772],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A resource is acquired (a file, socket, child process or temporary file; or, in Neutron-style agents, a ' +
    'network namespace, a veth or dummy device, a plugged interface, a subscription) and a later statement in the ' +
    'same function can raise before it is released, with nothing releasing it on that path: no `with`, no ' +
    '`try`/`finally`, no `except` handler that rolls it back, no cleanup registered (`self.addCleanup`, ' +
    '`atexit.register`, an `ExitStack`). Resources released within the function (scoped ones) are reported only ' +
    'when the function does release them on the normal path; resources meant to outlive the function ' +
    '(persistent ones) are reported when a later step of their set-up can fail with no rollback. The acquire/' +
    'release pairs are data: models/python/failure-paths/resources.yml, extended by the `models:` setting (your own ' +
    'namespaces, devices or ports). A resource stored on `self`, returned or yielded is handed off to its owner and ' +
    'is not reported. Every call is assumed to raise except builtins, logging, container and string methods, value ' +
    'constructors and the models\' `pure` helpers; get-or-create namespaces (`ensure_namespace`) and idempotent ' +
    'plugs are low confidence, since the next attempt usually reuses them; so is a resource created only when an ' +
    'existence test finds it missing (`if device_exists(name): ... else: add_veth(...)`) with the failing step after ' +
    'that test, where the next attempt finds it and redoes the step. Blind to a caller\'s `try`, a resync loop ' +
    'that repairs what was left, and a release done by a helper not named in the model.',
  whyItMatters:
    'Every failure leaks one more resource: descriptors and temporary files accumulate until the service fails, ' +
    'child processes stay as zombies, and a half-built namespace or device is left behind. In an agent that ' +
    'retries on failure, the leftover makes the retry take a different path (a subscription says "already set ' +
    'up", a namespace exists without its firewall rules), so a transient error becomes a lasting ' +
    'misconfiguration, and an attacker able to trigger the error can exhaust the host.',
  fix: {
    guidance:
      'Release on every path: use `with` (or `contextlib.ExitStack`), or wrap the later steps in `try:` and undo ' +
      'the acquisition in `finally` (scoped resources) or in `except` followed by `raise` (set-up that must ' +
      'persist on success: `with excutils.save_and_reraise_exception(): self.delete()`). In tests, register the ' +
      'release with `self.addCleanup` right after acquiring.',
    before:
      'ip_wrapper = ip_lib.IPWrapper().ensure_namespace(ns_name)\n' +
      "ip_wrapper.netns.execute(['sysctl', '-w', 'net.ipv4.ip_forward=1'])",
    after:
      'ip_wrapper = ip_lib.IPWrapper().ensure_namespace(ns_name)\n' +
      'try:\n' +
      "    ip_wrapper.netns.execute(['sysctl', '-w', 'net.ipv4.ip_forward=1'])\n" +
      'except Exception:\n' +
      '    with excutils.save_and_reraise_exception():\n' +
      '        ip_wrapper.netns.delete(ns_name)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/460.html',
    'https://cwe.mitre.org/data/definitions/772.html',
    'https://docs.python.org/3/library/contextlib.html#contextlib.ExitStack',
    'https://docs.openstack.org/oslo.utils/latest/reference/excutils.html',
  ],
  create({ module, report }) {
    const byLastName = acquireIndex();
    const inTests = isTestPath(module.path);
    return {
      call(call) {
        // Every call passes here: reject on the callee's last name before resolving anything.
        const callee = call.callee;
        const last = call.method ?? (callee.type === 'identifier' ? callee.text : undefined);
        const candidates = last !== undefined ? byLastName.get(last) : undefined;
        if (!candidates) return;
        const receiverText = (): string | undefined => (call.receiver ? module.text(call.receiver) : undefined);
        const model = candidates.find((m) => callMatches(call, m.acquire, receiverText));
        if (!model) return;
        const fn = module.enclosingFunction(call.node);
        if (!fn) return;
        const found = leakOf(module, call, model, fn);
        if (!found) return;
        const { point } = found;
        const ensured = createdIfMissing(module, call.node, point, fn);
        const acquired = oneLine(module.text(call.node), 60);
        const raising = oneLine(module.text(point), 60);
        const remedy =
          model.lifetime === 'scoped'
            ? 'release it in `finally` or use `with`'
            : 'roll it back in an `except` handler that re-raises, or register the release';
        report({
          node: call.node,
          message:
            `The ${model.kind} acquired by \`${acquired}\` is not released if \`${raising}\` (line ${lineOf(point)}) raises: ` +
            `no \`with\`, \`finally\`, rollback or registered cleanup covers that path; ${remedy}.` +
            (ensured
              ? ` Confidence is low: it is created only when \`${oneLine(module.text(ensured), 50)}\` (line ${lineOf(ensured)}) finds it missing, and line ${lineOf(point)} runs on both paths, so the next attempt finds it and redoes the step that failed.`
              : ''),
          confidence: ensured ? 'low' : inTests ? lower(model.confidence) : model.confidence,
          steps: [
            step(module, call.node, 'source', `${model.kind} acquired`),
            step(module, point, 'sink', point.type === 'raise_statement' ? 'raises before the release' : 'may raise before the release'),
          ],
        });
      },
    };
  },
});

let index: Map<string, ResourceModel[]> | undefined;
let indexOf: readonly ResourceModel[] | undefined;

/** Resource models by the last name of their acquire call (`ensure_namespace`, `mkdtemp`, `open`). */
function acquireIndex(): Map<string, ResourceModel[]> {
  const resources = failureModels().resources;
  if (index && indexOf === resources) return index;
  index = new Map();
  indexOf = resources;
  for (const m of resources) {
    const key = m.acquire.method ?? m.acquire.name!.slice(m.acquire.name!.lastIndexOf('.') + 1);
    const list = index.get(key);
    if (list) list.push(m);
    else index.set(key, [m]);
  }
  return index;
}

/** The first statement after the acquisition that may raise with nothing releasing the resource. */
function leakOf(module: PythonModule, call: PyCall, model: ResourceModel, fn: Node): { point: Node } | undefined {
  const statement = module.statementOf(call.node);
  if (usedAsContext(call.node, statement)) return undefined;
  if (statement.type === 'return_statement' || hasAncestor(call.node, statement, 'yield')) return undefined;
  const isRel = (c: PyCall): boolean => isRelease(c, model, () => (c.receiver ? module.text(c.receiver) : undefined));
  const bound = boundName(module, call.node, statement);
  if (bound === 'handed-off') return undefined;
  if (bound !== undefined && escapes(module, fn, bound, statement)) return undefined;
  if (containsCall(module, fn, (c) => isRegistration(c))) return undefined;
  // A reference to the release without calling it (`cleanups.append(ns.delete)`) registers it elsewhere.
  if (referencesRelease(fn, model)) return undefined;

  const rest = [...following(statement, fn)];
  if (model.lifetime === 'scoped' && !rest.some((t) => containsCall(module, t, isRel))) return undefined;

  const releasesHere = (n: Node): boolean => containsCall(module, n, isRel);
  // A block that releases (an early-return branch, a rollback branch) is not the failure path.
  // So is a handler that releases it (it runs only once the protected code failed).
  const skip = (n: Node): boolean =>
    (n.type === 'block' && n.namedChildren.some((s) => !!s && isReleaseStatement(module, s, isRel))) ||
    ((n.type === 'except_clause' || n.type === 'finally_clause') && releasesHere(n)) ||
    (n.type === 'call' && isRel(module.call(n)));
  for (const t of rest) {
    if (isReleaseStatement(module, t, isRel)) return undefined;
    for (const point of raisingPoints(module, t, skip)) {
      if (!covered(point, fn, releasesHere)) return { point };
    }
    if (t.type === 'return_statement' || t.type === 'raise_statement') return undefined;
  }
  return undefined;
}

const EXISTS_CHECK = /(?:^|_)exists?$/;

/**
 * Create-if-missing: the acquisition sits in a branch of an `if` (in `fn`) whose test asks whether the
 * resource exists (`if ip_lib.device_exists(name): ... else: add_veth(...)`), and the point that may
 * raise comes after that `if`, so it runs whichever branch was taken. The test, when it is so.
 */
function createdIfMissing(module: PythonModule, acquire: Node, point: Node, fn: Node): Node | undefined {
  for (let child = acquire, p = acquire.parent; p && p.id !== fn.id; child = p, p = p.parent) {
    if (p.type !== 'if_statement') continue;
    if (p.childForFieldName('condition')?.id === child.id) continue;
    if (point.startIndex < p.endIndex) continue;
    const tests = [p.childForFieldName('condition'), ...p.namedChildren.filter((c) => c?.type === 'elif_clause').map((c) => c!.childForFieldName('condition'))];
    for (const t of tests) if (t && asksExistence(module, t)) return t;
  }
  return undefined;
}

/** The test is, or calls, an existence check (`device_exists(...)`, `ip.exists()`, `not os.path.exists(p)`). */
function asksExistence(module: PythonModule, test: Node): boolean {
  const isCheck = (n: Node): boolean => {
    if (n.type !== 'call') return false;
    const c = module.call(n);
    return EXISTS_CHECK.test(c.method ?? lastSegment(c.qname ?? ''));
  };
  if (isCheck(test)) return true;
  let found = false;
  walkSameScope(test, (n) => {
    if (found) return false;
    if (isCheck(n)) found = true;
  });
  return found;
}

/** A `try` around the point undoes the resource: its `finally`, or (from its body) one of its handlers. */
function covered(point: Node, fn: Node, releases: (n: Node) => boolean): boolean {
  for (const ctx of enclosingTries(point, fn)) {
    const { excepts, final } = handlersOf(ctx.statement);
    if (final && ctx.part !== 'finally' && releases(final)) return true;
    if (ctx.part === 'body' && excepts.some((e) => releases(e))) return true;
  }
  return false;
}

function isReleaseStatement(module: PythonModule, s: Node, isRel: (c: PyCall) => boolean): boolean {
  if (s.type !== 'expression_statement') return false;
  const e = s.namedChildren[0];
  if (!e) return false;
  if (e.type === 'call') return isRel(module.call(e));
  if (e.type === 'assignment') {
    const right = e.childForFieldName('right');
    return right?.type === 'call' && isRel(module.call(right));
  }
  return false;
}

function isRegistration(c: PyCall): boolean {
  if (c.method !== undefined && REGISTRATION_METHODS.has(c.method)) return true;
  return c.qname !== undefined && REGISTRATION_NAMES.has(c.qname);
}

function referencesRelease(fn: Node, model: ResourceModel): boolean {
  let found = false;
  walkSameScope(fn, (n) => {
    if (found) return false;
    if (n.type !== 'attribute' || n.parent?.type === 'call' && n.parent.childForFieldName('function')?.id === n.id) return;
    const attr = n.childForFieldName('attribute')?.text;
    if (attr !== undefined && model.releaseMethods.has(attr)) found = true;
  });
  return found;
}

function usedAsContext(node: Node, statement: Node): boolean {
  return hasAncestor(node, statement, 'with_item') || hasAncestor(node, statement, 'with_clause');
}

function hasAncestor(node: Node, stop: Node, type: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === type) return true;
    if (p.id === stop.id) return p.type === type;
  }
  return false;
}

/** The local name the result is bound to; `handed-off` when stored on an object. */
function boundName(module: PythonModule, callNode: Node, statement: Node): string | 'handed-off' | undefined {
  let node = callNode;
  while (node.parent && node.parent.type === 'parenthesized_expression') node = node.parent;
  const parent = node.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== node.id) return undefined;
  const left = parent.childForFieldName('left');
  if (!left) return undefined;
  if (left.type === 'attribute' || left.type === 'subscript') return 'handed-off';
  if (left.type === 'identifier') return left.text;
  // `fd, path = tempfile.mkstemp()`: the first name is enough to follow.
  const first = left.namedChildren.find((c) => c?.type === 'identifier');
  void statement;
  void module;
  return first?.text;
}

/** The name is returned, yielded or stored on an object: its owner releases it. */
function escapes(module: PythonModule, fn: Node, name: string, statement: Node): boolean {
  let out = false;
  walkSameScope(fn, (n) => {
    if (out) return false;
    if (n.type !== 'identifier' || n.text !== name || n.startIndex < statement.endIndex) return;
    for (let p = n.parent; p && p.id !== fn.id; p = p.parent) {
      if (p.type === 'return_statement' || p.type === 'yield') {
        out = true;
        return;
      }
      if (p.type === 'assignment') {
        const left = p.childForFieldName('left');
        if (left && left.type !== 'identifier' && !(n.startIndex >= left.startIndex && n.endIndex <= left.endIndex)) out = true;
        return;
      }
      if (p.type === 'call') {
        const c = module.call(p);
        if (c.method === 'append' || c.method === 'add' || c.method === 'put' || c.method === 'setdefault') out = true;
        return;
      }
      if (p.type === 'expression_statement' || p.type === 'block') return;
    }
  });
  return out;
}
