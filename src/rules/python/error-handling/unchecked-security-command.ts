import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { argvOf, commandOf, describeCommand } from './commands.js';
import type { Argv, Command } from './commands.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';

/** subprocess entry points that return the exit status instead of raising on failure. */
const STATUS_RETURNING = new Set(['subprocess.call', 'os.system']);

export default defineRule({
  id: 'python/unchecked-security-command',
  language: 'python',
  title: 'Failure of a security-relevant command is ignored',
  cwe: [252],
  severity: 'medium',
  confidence: 'high',
  description:
    'A command that changes firewall, network isolation, kernel, permission or account state is run in a way ' +
    'that throws its exit status away: OpenStack-style `execute(..., check_exit_code=False)`, or ' +
    '`subprocess.call()`/`subprocess.run()` without `check=True`/`os.system()` whose result is discarded. ' +
    'If the command fails, the program continues as if the rule, setting or permission were in place.',
  whyItMatters:
    'A firewall rule that was never inserted, a `sysctl` hardening that was not applied, a `chmod` that failed: ' +
    'the system is left open while logs and callers report success. Such commands fail in practice (missing ' +
    'kernel modules, locks held by another agent, races on namespaces), and an attacker can sometimes provoke it.',
  fix: {
    guidance:
      'Let the failure surface: keep the default `check_exit_code=True`, pass `check=True` to `subprocess.run`, or ' +
      'use `subprocess.check_call`. When some non-zero codes are expected (e.g. `conntrack -D` returns 1 when ' +
      'nothing matched), accept exactly those (`extra_ok_codes=[1]`, `check_exit_code=[0, 1]`) instead of all of them.',
    before: "cmd = ['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=1']\nip_wrapper.netns.execute(cmd, check_exit_code=False)",
    after: "cmd = ['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=1']\nip_wrapper.netns.execute(cmd)",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/252.html',
    'https://docs.python.org/3/library/subprocess.html#subprocess.run',
    'https://docs.openstack.org/oslo.concurrency/latest/reference/processutils.html',
  ],
  create({ module, report }) {
    const flag = (call: PyCall, command: Command, how: string, explicit: boolean): void => {
      const discarded = isDiscarded(call.node);
      // Without a recognisable write form, only a discarded result says the command was run for its effect.
      if (command.effect === 'read') return;
      if (command.effect === 'unknown' && !discarded) return;
      let confidence: Confidence = explicit ? 'high' : 'medium';
      if (command.effect === 'unknown') confidence = explicit ? 'medium' : 'low';
      report({
        node: call.node,
        message: `\`${calleeText(module, call)}\` runs \`${describeCommand(command)}\` ${how}, so if \`${command.program}\` fails the change is silently not applied.`,
        confidence,
      });
    };
    return {
      call(call) {
        const checkExitCode = call.keywords.get('check_exit_code');
        if (checkExitCode) {
          if (module.constantValue(checkExitCode) !== false) return;
          if (isMockCallDescription(module, call.callee)) return;
          const argv = openstackArgv(module, call);
          const command = argv && commandOf(argv);
          if (command) flag(call, command, 'with `check_exit_code=False`', true);
          return;
        }
        if (!call.qname || !isDiscarded(call.node)) return;
        if (call.qname === 'subprocess.run') {
          if (call.hasStarKwargs) return; // `check` may be in there
          const check = call.keywords.get('check');
          const value = check ? module.constantValue(check) : false;
          if (value !== false) return;
          const command = subprocessCommand(module, call);
          if (command) flag(call, command, check ? 'with `check=False` and discards the result' : 'without `check=True` and discards the result', !!check);
          return;
        }
        if (STATUS_RETURNING.has(call.qname)) {
          const command = subprocessCommand(module, call);
          if (command) flag(call, command, 'and discards its exit status', false);
        }
      },
    };
  },
});

/** The call is a statement of its own: nothing reads what it returned. */
function isDiscarded(call: Node): boolean {
  const parent = call.parent;
  return parent?.type === 'expression_statement' && parent.namedChildCount === 1;
}

/**
 * The argv of an OpenStack-style `execute`: neutron's `execute(cmd_list, ...)`, or oslo's
 * `processutils.execute(*cmd, ...)` with the words as separate positional arguments.
 */
function openstackArgv(module: PythonModule, call: PyCall): Argv | undefined {
  const args = call.node.childForFieldName('arguments');
  const first = args?.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
  if (!first) return undefined;
  if (first.type === 'list_splat') {
    const inner = first.namedChildren[0];
    return inner ? argvOf(module, inner, call.node) : undefined;
  }
  if (call.positional.length > 1 && module.isStringLiteral(first)) {
    const tokens = call.positional.map((p) => {
      const v = module.constantValue(p);
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    });
    return { tokens, complete: !call.hasStarArgs };
  }
  return argvOf(module, first, call.node);
}

function subprocessCommand(module: PythonModule, call: PyCall): Command | undefined {
  const command = call.qname === 'os.system' ? call.arg(0, 'command') : call.arg(0, 'args');
  if (!command) return undefined;
  const argv = argvOf(module, command, call.node);
  return argv && commandOf(argv);
}

function calleeText(module: PythonModule, call: PyCall): string {
  const text = module.text(call.callee).replace(/\s+/g, '');
  return text.length > 50 ? `…${text.slice(-49)}` : text;
}
