import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { isTestPath } from '../crypto/secret-context.js';
import { caughtTypes, exceptAlias, exceptBody, exceptType, walkSameScope } from '../error-handling/except-clauses.js';
import { argvOf, commandOf, describeCommand } from '../error-handling/commands.js';
import { callMatches, failureModels, type FallbackKind } from './models.js';
import { BROAD_EXCEPTIONS, isReraise, lastSegment, lineOf, lower, oneLine, OVERLOADED_EXCEPTIONS, specificCatch, step } from './flow.js';

/** Attributes that tell one error of an overloaded class from another. */
const DISCRIMINATING_ATTRS = new Set(['errno', 'returncode', 'exit_code', 'stderr', 'stdout', 'code', 'strerror', 'args', 'message', 'winerror', 'status_code', 'kwargs']);

type Fallback = { kind: FallbackKind | 'root' | 'recreate'; node: Node; what: string };

const KIND_TEXT: Record<Fallback['kind'], string> = {
  sysctl: 'changes a kernel setting',
  firewall: 'changes firewall rules',
  permissions: 'changes permissions or privileges',
  status: 'marks the status as failed',
  root: 'retries with more privilege',
  recreate: 'deletes and recreates',
};

export default defineRule({
  id: 'python/broad-exception-fallback',
  language: 'python',
  title: 'Broad exception handler takes a security- or state-changing fallback',
  cwe: [396],
  severity: 'medium',
  confidence: 'medium',
  description:
    'An `except Exception`, `except RuntimeError`, `except OSError` or `except ProcessExecutionError` handler ' +
    'reacts to the failure by changing security-relevant state: it writes a sysctl (`sysctl -w`, ' +
    '`ip_lib.set_ip_nonlocal_bind`), changes iptables rules or file permissions, retries as root or in the root ' +
    'namespace, marks a floating IP or port ERROR, or deletes and recreates the resource, without checking which ' +
    'error it caught (no errno or message check, no re-raise of the others, no narrower handler before it). ' +
    'These classes are overloaded: Neutron\'s `execute` raises RuntimeError for any non-zero exit, so "already ' +
    'exists" and "no such device" arrive as the same exception. Bare `except:` is python/bare-except\'s.',
  whyItMatters:
    'The fallback runs for errors it was not meant for. A benign "address already exists" marks a working ' +
    'floating IP ERROR; any failure of a per-namespace sysctl (a typo, a missing namespace, a permission error) ' +
    'changes the same setting host-wide in the root namespace; a transient error deletes live state. The code ' +
    'ends up less isolated or less available than intended, and an attacker who can provoke the error chooses ' +
    'when the fallback runs.',
  fix: {
    guidance:
      'Catch the specific exception the fallback is for (`ip_lib.IpAddressAlreadyExists`, `FileNotFoundError`), ' +
      'or inspect the caught one (`if "File exists" in str(e)`, `e.errno == errno.EEXIST`) and re-raise the rest.',
    before:
      'try:\n    device.addr.add(cidr)\nexcept RuntimeError:\n    return constants.FLOATINGIP_STATUS_ERROR',
    after:
      'try:\n    device.addr.add(cidr)\nexcept ip_lib.IpAddressAlreadyExists:\n    pass\nexcept RuntimeError:\n' +
      '    LOG.warning("cannot configure %s", cidr)\n    return constants.FLOATINGIP_STATUS_ERROR',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/396.html',
    'https://docs.python.org/3/library/exceptions.html#exception-hierarchy',
    'https://docs.openstack.org/oslo.utils/latest/reference/excutils.html',
  ],
  create({ module, report }) {
    const fallbackModels = failureModels().fallbacks;
    const inTests = isTestPath(module.path);
    return {
      nodes: {
        except_clause(clause) {
          const types = caughtTypes(module, clause);
          if (types.length === 0) return;
          const names = types.map((t) => lastSegment(module.resolve(t) ?? module.text(t)));
          const overloaded = names.filter((n) => OVERLOADED_EXCEPTIONS.has(n));
          const broad = names.filter((n) => BROAD_EXCEPTIONS.has(n));
          if (overloaded.length === 0 && broad.length === 0) return;
          const body = exceptBody(clause);
          if (!body || discriminates(module, body, exceptAlias(clause))) return;
          const tryStatement = clause.parent;
          if (tryStatement?.type !== 'try_statement') return;
          const fallbacks = fallbacksIn(module, body, tryStatement, fallbackModels);
          if (fallbacks.length === 0) return;
          const narrowed = earlierSpecificHandler(module, clause, tryStatement);
          const f = strongest(fallbacks);
          let confidence: Confidence;
          if (f.kind === 'recreate') confidence = broad.length > 0 ? 'low' : 'medium';
          else if (f.kind === 'status') confidence = broad.length > 0 ? 'low' : 'high';
          else confidence = broad.length > 0 ? 'medium' : 'high';
          if (narrowed) confidence = lower(confidence);
          if (inTests) confidence = lower(confidence);
          const caught = oneLine(module.text(exceptType(module, clause)!), 50);
          const which = broad.length > 0 ? 'every error' : `every ${overloaded[0]}`;
          const tail = narrowed
            ? ` (an earlier handler catches \`${narrowed}\`, the rest still fall here)`
            : '';
          report({
            node: exceptType(module, clause)!,
            message:
              `\`except ${caught}\` ${KIND_TEXT[f.kind]} (\`${f.what}\`, line ${lineOf(f.node)}) for ${which} from the \`try\` block ` +
              `without checking which one it is${tail}; catch the specific exception or inspect it and re-raise the rest.`,
            confidence,
            steps: [
              { ...step(module, clause, 'source', `catches ${which}`), expression: `except ${caught}` },
              step(module, f.node, 'sink', KIND_TEXT[f.kind]),
            ],
          });
        },
      },
    };
  },
});

const ORDER: Fallback['kind'][] = ['root', 'sysctl', 'firewall', 'permissions', 'status', 'recreate'];
function strongest(list: Fallback[]): Fallback {
  return [...list].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))[0]!;
}

/**
 * The handler tells errors apart or lets some through: it raises (anywhere), re-raises via
 * `save_and_reraise_exception`, or tests the caught exception (`if 'exists' in str(e)`,
 * `e.errno`, `isinstance(e, ...)`, comparisons).
 */
function discriminates(module: PythonModule, body: Node, alias: string | undefined): boolean {
  let found = false;
  walkSameScope(body, (n) => {
    if (found) return false;
    if (isReraise(module, n)) found = true;
    else if (alias && n.type === 'identifier' && n.text === alias && testsException(module, n)) found = true;
  });
  return found;
}

function testsException(module: PythonModule, use: Node): boolean {
  const parent = use.parent;
  if (parent?.type === 'attribute' && DISCRIMINATING_ATTRS.has(parent.childForFieldName('attribute')?.text ?? '')) return true;
  for (let p = use.parent; p; p = p.parent) {
    if (p.type === 'comparison_operator' || p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'conditional_expression') return true;
    if (p.type === 'call') {
      const c = module.call(p);
      if (c.qname === 'isinstance' || c.qname === 'getattr' || c.qname === 'hasattr') return true;
      if (c.method !== undefined && /^(?:is_|check_|_is_|handle_)/.test(c.method)) return true;
    }
    if (p.type === 'expression_statement' || p.type === 'block' || p.type === 'return_statement') return false;
  }
  return false;
}

/** An earlier `except` of the same try that catches something narrower (the "exists" case). */
function earlierSpecificHandler(module: PythonModule, clause: Node, tryStatement: Node): string | undefined {
  for (const c of tryStatement.namedChildren) {
    if (!c) continue;
    if (c.id === clause.id) return undefined;
    if (c.type !== 'except_clause') continue;
    const specific = specificCatch(module, c);
    if (specific) return specific;
  }
  return undefined;
}

const DELETE_METHODS = /^(?:delete|destroy|remove|rmtree|unlink|kill|unplug|delete_\w+|remove_\w+|del_\w+|_delete\w*|_remove\w*)$/;
const CREATE_METHODS = /^(?:create|recreate|ensure_\w+|add_\w+|plug|plug_new|_create\w*|create_\w+|setup|_setup\w*)$/;
const STATUS_ERROR = /(?:STATUS_ERROR|\bERROR\b|['"](?:ERROR|error)['"])/;

function fallbacksIn(
  module: PythonModule,
  body: Node,
  tryStatement: Node,
  models: ReturnType<typeof failureModels>['fallbacks'],
): Fallback[] {
  const out: Fallback[] = [];
  const tryBody = tryStatement.childForFieldName('body');
  const tryCalls = tryBody ? callsIn(module, tryBody) : [];
  let deletes: Node | undefined;
  let creates: Node | undefined;
  walkSameScope(body, (n) => {
    if (n.type === 'call') {
      const call = module.call(n);
      const recv = (): string | undefined => (call.receiver ? module.text(call.receiver) : undefined);
      const what = oneLine(module.text(n), 60);
      const model = models.find((m) => callMatches(call, m, recv));
      if (model) out.push({ kind: model.kind, node: n, what });
      const command = commandIn(module, call);
      if (command) out.push({ ...command, node: n });
      const root = call.keywords.get('run_as_root');
      if (root && module.unwrap(root).type === 'true') out.push({ kind: 'root', node: n, what });
      const rootNs = call.keywords.get('root_namespace');
      if (rootNs && module.unwrap(rootNs).type === 'true') out.push({ kind: 'root', node: n, what });
      if (retriesInRootNamespace(module, call, tryCalls)) out.push({ kind: 'root', node: n, what: `${what} without its namespace` });
      if ([...call.positional, ...call.keywords.values()].some((a) => /STATUS_ERROR/.test(module.text(a)))) {
        out.push({ kind: 'status', node: n, what });
      }
      if (call.method !== undefined && DELETE_METHODS.test(call.method)) deletes ??= n;
      if (call.method !== undefined && CREATE_METHODS.test(call.method)) creates ??= n;
      return;
    }
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left && right && /status/i.test(module.text(left)) && STATUS_ERROR.test(module.text(right))) {
        out.push({ kind: 'status', node: n, what: oneLine(module.text(n), 60) });
      }
      return;
    }
    if (n.type === 'return_statement') {
      const value = n.namedChildren[0];
      if (value && /STATUS_ERROR/.test(module.text(value))) out.push({ kind: 'status', node: n, what: oneLine(module.text(n), 60) });
    }
  });
  if (deletes && creates && creates.startIndex > deletes.startIndex) {
    out.push({ kind: 'recreate', node: creates, what: `${oneLine(module.text(deletes), 30)} … ${oneLine(module.text(creates), 30)}` });
  }
  return out;
}

function callsIn(module: PythonModule, root: Node): PyCall[] {
  const out: PyCall[] = [];
  walkSameScope(root, (n) => {
    if (n.type === 'call') out.push(module.call(n));
  });
  return out;
}

/** `execute(['sysctl', '-w', ...])`, `iptables -A ...`, `chmod ...`: a state-changing command line. */
function commandIn(module: PythonModule, call: PyCall): { kind: FallbackKind; what: string } | undefined {
  const first = call.positional[0] ?? call.keywords.get('cmd') ?? call.keywords.get('args');
  if (!first) return undefined;
  const t = module.unwrap(first).type;
  if (t !== 'list' && t !== 'tuple' && t !== 'identifier' && t !== 'binary_operator' && t !== 'string') return undefined;
  const argv = argvOf(module, first, call.node);
  const command = argv && commandOf(argv);
  if (!command || command.effect !== 'write') return undefined;
  const kind: FallbackKind | undefined =
    command.program === 'sysctl'
      ? 'sysctl'
      : /tables|^nft$|^ipset$|firewall|^ufw$/.test(command.program)
        ? 'firewall'
        : /^ch(?:mod|own|grp)$|^setfacl$/.test(command.program)
          ? 'permissions'
          : undefined;
  return kind ? { kind, what: describeCommand(command) } : undefined;
}

/**
 * The handler calls what the `try` block called with a `namespace=` argument, now without it
 * (or with `namespace=None`): the same change, made in the root namespace.
 */
function retriesInRootNamespace(module: PythonModule, call: PyCall, tryCalls: readonly PyCall[]): boolean {
  const ns = call.keywords.get('namespace');
  if (ns && module.unwrap(ns).type !== 'none') return false;
  const callee = module.text(call.callee);
  return tryCalls.some((t) => {
    const tns = t.keywords.get('namespace');
    return !!tns && module.unwrap(tns).type !== 'none' && module.text(t.callee) === callee;
  });
}
