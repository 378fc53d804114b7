import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';

/** Calls that give up the user identity. */
const USER_DROPS = new Set(['os.setuid', 'os.seteuid', 'os.setreuid', 'os.setresuid']);
/** Calls that change group identity; they need the privileges the user drop has just removed. */
const GROUP_CHANGES = new Set(['os.setgid', 'os.setegid', 'os.setregid', 'os.setresgid', 'os.setgroups', 'os.initgroups']);
/** Compound statements whose clauses are alternatives: calls in different clauses do not both run in order. */
const BRANCHING = new Set(['if_statement', 'try_statement', 'match_statement', 'conditional_expression', 'boolean_operator']);

export default defineRule({
  id: 'python/os-setuid-order',
  language: 'python',
  title: 'User identity dropped before group identity',
  cwe: [696, 271],
  severity: 'medium',
  confidence: 'high',
  description:
    'The code calls `os.setuid()` (or `seteuid`/`setreuid`/`setresuid`) and only afterwards changes groups with ' +
    '`os.setgid()`, `os.setgroups()` or `os.initgroups()`. Once the process is no longer root, it lacks the ' +
    'privilege to change its groups, so the group change fails (`PermissionError`).',
  whyItMatters:
    'The process keeps root\'s group and supplementary groups (often `root`, `wheel`, `shadow`, `docker`) after ' +
    'supposedly dropping privileges, or crashes on the way. If the error is caught and ignored, a compromised ' +
    'service still reads and writes group-root files.',
  fix: {
    guidance:
      'Drop privileges in the order groups first, then user: `os.setgroups([])` (or `os.initgroups(name, gid)`), ' +
      '`os.setgid(gid)`, then `os.setuid(uid)`. Afterwards, check that `os.setuid(0)` fails.',
    before: 'os.setuid(pw.pw_uid)\nos.setgid(pw.pw_gid)',
    after: 'os.setgroups([])\nos.setgid(pw.pw_gid)\nos.setuid(pw.pw_uid)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/696.html',
    'https://cwe.mitre.org/data/definitions/271.html',
    'https://docs.python.org/3/library/os.html#os.setuid',
    'https://wiki.sei.cmu.edu/confluence/display/c/POS36-C.+Observe+correct+revocation+order+while+relinquishing+privileges',
  ],
  create({ module, report }) {
    /** Calls seen so far, per enclosing function (the module root for top-level code). */
    const userDrops = new Map<number, PyCall[]>();
    const reported = new Set<number>();
    return {
      call(call) {
        if (!call.qname) return;
        const isDrop = USER_DROPS.has(call.qname);
        if (!isDrop && !GROUP_CHANGES.has(call.qname)) return;
        const scope = module.enclosingFunction(call.node) ?? module.root;
        if (isDrop) {
          // `seteuid(0)` takes root back (temporary drop undone); group changes after it are fine.
          const target = call.arg(0);
          if (!target || module.constantValue(target) === 0) return;
          const list = userDrops.get(scope.id) ?? [];
          list.push(call);
          userDrops.set(scope.id, list);
          return;
        }
        if (!GROUP_CHANGES.has(call.qname)) return;
        for (const drop of userDrops.get(scope.id) ?? []) {
          if (reported.has(drop.node.id) || !inSequence(drop.node, call.node)) continue;
          reported.add(drop.node.id);
          report({
            node: drop.node,
            message: `\`${drop.qname}\` runs before \`${call.qname}\` (line ${call.node.startPosition.row + 1}); after dropping the user, the process can no longer change its groups.`,
          });
        }
      },
    };
  },
});

/** `first` (earlier in the file) and `second` run one after the other, not in alternative branches or a loop restart. */
function inSequence(first: Node, second: Node): boolean {
  const ancestorsOfFirst = new Map<number, Node>();
  for (let n: Node | null = first; n; n = n.parent) ancestorsOfFirst.set(n.id, n);
  // Walk up from `second` to the lowest common ancestor, remembering the child on its side.
  let child: Node = second;
  let lca: Node | null = second.parent;
  while (lca && !ancestorsOfFirst.has(lca.id)) {
    child = lca;
    lca = lca.parent;
  }
  if (!lca) return false;
  if (lca.type === 'block' || lca.type === 'module' || lca.type === 'expression_statement') return true;
  // Same compound statement, different clauses: alternatives (if/else, try/except) or a condition and its body.
  if (BRANCHING.has(lca.type)) {
    // `try: setuid(...)` followed by `finally:`/`else:` still runs in order.
    return lca.type === 'try_statement' && (child.type === 'finally_clause' || child.type === 'else_clause');
  }
  return true;
}
