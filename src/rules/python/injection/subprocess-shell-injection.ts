import { defineRule } from '../../define-rule.js';
import {
  howBuilt, lineOf, listElements, pieceList, qualifiedName, shellQuoteEscape, snippet, strongestOrigin, valueFacts,
} from '../value-facts/index.js';

/** Calls whose result is safe to splice into a POSIX shell command. */
const SHELL_QUOTERS = new Set(['shlex.quote', 'pipes.quote', 'shlex.join']);

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
    'Any shell metacharacter in the variable part (`;`, `|`, `$()`, backticks, newlines) starts another command. ' +
    'Parts quoted with `shlex.quote()` or converted with `int()` are not reported; a command that is only a ' +
    'variable of unknown origin is reported at low confidence, one built from data at high confidence.',
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
        if (!call.qname || !SHELL_CAPABLE.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const isShellFunction = q === 'asyncio.create_subprocess_shell';
        if (!isShellFunction) {
          const shell = call.keywords.get('shell');
          if (!shell || module.constantValue(shell) !== true) return;
        }
        let command = call.arg(0, isShellFunction ? 'cmd' : 'args');
        if (!command) return;
        // With shell=True a sequence's first item is the script; the rest become $0, $1... of the shell.
        const elements = listElements(module, command);
        if (elements) command = elements[0];
        if (!command) return;
        const facts = valueFacts(module, command, { sanitizers: SHELL_QUOTERS, escapes: shellQuoteEscape });
        if (facts.parts.length === 0) return;
        const origin = strongestOrigin(module, facts.parts);
        if (!origin) return;
        const shown = `\`${snippet(command)}\``;
        const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
        if (origin.kind === 'external') {
          report({
            node: command,
            confidence: 'high',
            message:
              `\`${q}\` runs ${shown}${where} through a shell, and \`${snippet(facts.built ? origin.node : command, 40)}\` comes from ` +
              `${origin.source}: a \`;\`, \`|\` or \`$(...)\` in it runs any command.`,
          });
        } else if (facts.built) {
          report({
            node: command,
            // Configuration options are set by whoever deploys the program: the weakest evidence.
            confidence: origin.kind === 'config' ? 'low' : origin.kind === 'attribute' ? 'medium' : 'high',
            message:
              `\`${q}\` runs a shell command built by ${howBuilt(module, facts.via[0] ?? command)} from ` +
              `${pieceList(facts.parts)}${where}, unquoted; shell metacharacters in those values run other commands.`,
          });
        } else {
          report({
            node: command,
            confidence: 'low',
            message:
              `\`${q}\` runs ${shown} through a shell; if it can come from an untrusted caller, shell ` +
              'metacharacters in it run other commands.',
          });
        }
      },
    };
  },
});
