import { defineRule } from '../../define-rule.js';
import {
  commandLine, howBuilt, lineOf, pieceList, programName, shellScriptIndex, snippet, strongestOrigin, valueFacts,
} from '../value-facts/index.js';

/** Quoting does not help in argv (there is no shell), but these keep a value to one safe token. */
const ARGUMENT_SANITIZERS = new Set(['os.path.basename', 'ipaddress.ip_address', 'ipaddress.ip_network', 'netaddr.IPAddress']);

export default defineRule({
  id: 'python/command-argument-injection',
  language: 'python',
  title: 'Command argument formatted from a value that may be untrusted',
  cwe: [88],
  severity: 'medium',
  confidence: 'low',
  description:
    'A program is run with an argument list (no shell), but one argument is built by string formatting ' +
    '(`%`, `.format()`, an f-string or `+`) from a value that is not a constant: ' +
    '`["sysctl", "-w", "net.ipv4.conf.%s.proxy_arp=1" % interface_name]`. No shell parses it, yet the program ' +
    'itself does: a value starting with `-` becomes an option, and separators the program understands (`=`, `,`, ' +
    '`.`, `/`, spaces in `-o` style option strings) let the value rewrite what the argument means. Covers ' +
    '`subprocess.*` list calls, `os.exec*`, `os.spawn*`, `os.posix_spawn`, `asyncio.create_subprocess_exec`, ' +
    '`pty.spawn` and the OpenStack helpers (`utils.execute([...])`, `processutils.execute(...)`, ' +
    '`ip_lib ... netns.execute(cmd)`); a local `cmd = [...]` passed to the call is followed. Reported at high ' +
    'confidence when the value visibly comes from a request, `sys.argv`, `input()` or the environment in the same ' +
    'function, at low confidence (hidden by default) when it is a parameter or attribute of unknown origin. ' +
    'Values converted with `int()` or formatted with `%d` are not reported.',
  whyItMatters:
    'An attacker who controls the value can add options or change keys and paths the program acts on: ' +
    '`sysctl` writing another kernel setting, `ssh -oProxyCommand=...`, `tar --to-command`, `git --upload-pack` ' +
    '— often enough to run commands or change system state as a privileged agent.',
  fix: {
    guidance:
      'Validate the value against what it must be before building the argument (an interface name pattern, ' +
      '`int()`, `ipaddress.ip_address()`), and end option parsing with `--` where the program supports it.',
    before: "cmd = ['sysctl', '-w', 'net.ipv4.conf.%s.proxy_arp=1' % interface_name]",
    after:
      "if not re.fullmatch(r'[A-Za-z0-9_.-]{1,15}', interface_name):\n" +
      "    raise ValueError(interface_name)\n" +
      "cmd = ['sysctl', '-w', 'net.ipv4.conf.%s.proxy_arp=1' % interface_name]",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/88.html',
    'https://docs.python.org/3/library/subprocess.html#security-considerations',
    'https://docs.openstack.org/oslo.concurrency/latest/reference/processutils.html',
  ],
  create({ module, report }) {
    const reported = new Set<number>();
    return {
      call(call) {
        const line = commandLine(module, call);
        if (!line) return;
        // `sh -c <script>` is shell injection, reported by python/os-command-injection.
        if (shellScriptIndex(module, line.elements) !== undefined) return;
        const program = programName(module, line.elements);
        const programText = program ? `\`${program}\`` : 'the program';
        line.elements.forEach((element, index) => {
          if (index === 0 || reported.has(element.id) || element.type === 'list_splat') return;
          const facts = valueFacts(module, element, { sanitizers: ARGUMENT_SANITIZERS, pathJoinBuilds: false });
          if (!facts.built || facts.parts.length === 0) return;
          const origin = strongestOrigin(module, facts.parts);
          if (!origin) return;
          reported.add(element.id);
          const shown = `\`${snippet(facts.via[0] ?? element)}\``;
          const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
          const how = howBuilt(module, facts.via[0] ?? element);
          if (origin.kind === 'external') {
            report({
              node: element,
              confidence: 'high',
              message:
                `${shown}${where} puts \`${snippet(origin.node, 40)}\`, which comes from ${origin.source}, into an ` +
                `argument of ${programText} by ${how}; whoever supplies it can inject ${programText} options or ` +
                'values through this argument.',
            });
            return;
          }
          report({
            node: element,
            message:
              `${shown}${where} builds an argument of ${programText} by ${how} from ${pieceList(facts.parts)}; if ` +
              `${pieceList(facts.parts)} can come from an untrusted caller, it can inject ${programText} options ` +
              'or values through this argument.',
          });
        });
      },
    };
  },
});
