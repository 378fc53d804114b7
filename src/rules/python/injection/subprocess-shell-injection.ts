import { defineRule } from '../../define-rule.js';

/** subprocess entry points that accept `shell=`. */
const SHELL_CAPABLE = new Set([
  'subprocess.Popen',
  'subprocess.call',
  'subprocess.check_call',
  'subprocess.check_output',
  'subprocess.run',
  'asyncio.create_subprocess_shell',
]);

export default defineRule({
  id: 'python/subprocess-shell-injection',
  language: 'python',
  title: 'Command built from data run through a shell',
  cwe: [78],
  severity: 'high',
  confidence: 'high',
  description:
    'A subprocess call runs its command through /bin/sh (`shell=True`) and the command is not a constant string. ' +
    'Any shell metacharacter in the variable part (`;`, `|`, `$()`, backticks, newlines) starts another command.',
  whyItMatters:
    'Whoever controls part of the command string runs arbitrary commands with the privileges of this process: ' +
    'reading secrets, altering files, pivoting further into the network.',
  fix: {
    guidance:
      'Pass the command as a list of arguments and drop `shell=True`, so no shell parses it. If a shell feature is ' +
      'truly needed, quote every variable part with `shlex.quote()`.',
    before: 'subprocess.call("ping -c 1 " + host, shell=True)',
    after: 'subprocess.call(["ping", "-c", "1", host])',
  },
  references: [
    'https://docs.python.org/3/library/subprocess.html#security-considerations',
    'https://cwe.mitre.org/data/definitions/78.html',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (!call.qname) return;
        const isShellFunction = call.qname === 'asyncio.create_subprocess_shell';
        if (!SHELL_CAPABLE.has(call.qname)) return;
        if (!isShellFunction) {
          const shell = call.keywords.get('shell');
          if (!shell || module.constantValue(shell) !== true) return;
        }
        const command = call.arg(0, isShellFunction ? 'cmd' : 'args');
        if (!command || module.isConstantExpression(command)) return;
        report({
          node: command,
          message: `\`${call.qname}\` runs \`${truncate(module.text(command))}\` through a shell, and that command is built at run time.`,
        });
      },
    };
  },
});

function truncate(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
