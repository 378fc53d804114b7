import type { Node } from '../../../parse/tree-sitter.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import {
  commandLine, howBuilt, lineOf, pieceList, qualifiedName, shellQuoteEscape, shellScriptIndex, snippet, strongestOrigin, valueFacts,
} from '../value-facts/index.js';

/** Functions that hand their string argument to `/bin/sh -c` (or `cmd.exe /c`): name → keyword. */
const SHELL_STRING_SINKS = new Map<string, string>([
  ['os.system', 'command'],
  ['os.popen', 'cmd'],
  ['os.popen2', 'cmd'],
  ['os.popen3', 'cmd'],
  ['os.popen4', 'cmd'],
  ['popen2.popen2', 'cmd'],
  ['popen2.popen3', 'cmd'],
  ['popen2.popen4', 'cmd'],
  ['platform.popen', 'cmd'],
  ['subprocess.getoutput', 'cmd'],
  ['subprocess.getstatusoutput', 'cmd'],
  ['commands.getoutput', 'cmd'],
  ['commands.getstatusoutput', 'cmd'],
]);

/** Calls whose result is safe to splice into a POSIX shell command. */
const SHELL_QUOTERS = new Set(['shlex.quote', 'pipes.quote', 'shlex.join', 'commands.mkarg']);

export default defineRule({
  id: 'python/os-command-injection',
  language: 'python',
  title: 'Command string built from data run through a shell',
  cwe: [78],
  severity: 'high',
  confidence: 'high',
  description:
    'A command string that is not constant reaches a function that runs it through the shell: `os.system`, ' +
    '`os.popen`, `subprocess.getoutput`/`getstatusoutput`, the Python 2 `commands`/`popen2` modules, or a list-form ' +
    'call whose argv is `sh -c <script>` (`os.spawnl(mode, "/bin/sh", "sh", "-c", cmd)`, `subprocess.run(["bash", ' +
    '"-c", cmd])`, `pty.spawn([...])`). The shell parses the whole string, so `;`, `|`, `&&`, `$(...)`, backticks ' +
    'and newlines in the variable part start other commands. Values passed through `shlex.quote()` or converted ' +
    'with `int()` are not reported. `pty.spawn` given a single string does not use a shell: it runs the program ' +
    'that string names, which is reported at low confidence when the name is built at run time.',
  whyItMatters:
    'Whoever controls part of the command runs arbitrary commands with the privileges of this process: reading ' +
    'secrets and keys, changing files, installing a backdoor, moving on to other hosts.',
  fix: {
    guidance:
      'Run the program directly with an argument list (`subprocess.run([...])`, no shell), so every value stays one ' +
      'argument. If shell syntax is really needed, quote each variable part with `shlex.quote()`.',
    before: 'os.system("ping -c 1 " + host)',
    after: 'subprocess.run(["ping", "-c", "1", host], check=True)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/78.html',
    'https://docs.python.org/3/library/os.html#os.system',
    'https://docs.python.org/3/library/subprocess.html#security-considerations',
    'https://docs.python.org/3/library/shlex.html#shlex.quote',
  ],
  create({ module, report }) {
    const reported = new Set<number>();

    /** Report a shell script `script` run by `sink`, graded by what it is built from. */
    function checkScript(sink: string, script: Node): void {
      if (reported.has(script.id)) return;
      const facts = valueFacts(module, script, { sanitizers: SHELL_QUOTERS, escapes: shellQuoteEscape });
      if (facts.parts.length === 0) return;
      const origin = strongestOrigin(module, facts.parts);
      if (!origin) return;
      const shown = `\`${snippet(script)}\``;
      const built = facts.via[0] ?? script;
      const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
      let confidence: Confidence;
      let message: string;
      if (origin.kind === 'external') {
        confidence = 'high';
        message =
          `\`${sink}\` runs ${shown}${where} through a shell, and ${pieceName(facts.built ? origin.node : script)} comes from ${origin.source}: ` +
          'a `;`, `|` or `$(...)` in it runs any command.';
      } else if (facts.built) {
        // Configuration options are set by whoever deploys the program: the weakest evidence.
        confidence = origin.kind === 'config' ? 'low' : origin.kind === 'attribute' ? 'medium' : 'high';
        message =
          `\`${sink}\` runs a shell command built by ${howBuilt(module, built)} from ${pieceList(facts.parts)}${where}, ` +
          'unquoted; shell metacharacters in those values run other commands.';
      } else {
        confidence = 'low';
        message =
          `\`${sink}\` runs ${shown} through a shell; if ${shown} can come from an untrusted caller, shell ` +
          'metacharacters in it run other commands.';
      }
      reported.add(script.id);
      report({ node: script, message, confidence });
    }

    return {
      call(call) {
        const raw = call.qname;
        const q = raw && (SHELL_STRING_SINKS.has(raw) || raw === 'pty.spawn') ? qualifiedName(module, call) : undefined;
        if (q && SHELL_STRING_SINKS.has(q)) {
          const command = call.arg(0, SHELL_STRING_SINKS.get(q));
          if (command) checkScript(q, command);
          return;
        }
        const line = commandLine(module, call);
        if (line) {
          const i = shellScriptIndex(module, line.elements);
          if (i !== undefined) checkScript(line.sink, line.elements[i]!);
          return;
        }
        if (q === 'pty.spawn') {
          // A lone string is the program to exec (no shell): only a built name is worth a note.
          const argv = call.arg(0, 'argv');
          if (!argv) return;
          const facts = valueFacts(module, argv, { sanitizers: SHELL_QUOTERS });
          if (!facts.built || facts.parts.length === 0) return;
          report({
            node: argv,
            confidence: 'low',
            message:
              `\`pty.spawn\` executes the program named by \`${snippet(argv)}\` (no shell); whoever controls ` +
              `${pieceList(facts.parts)} chooses which program runs.`,
          });
        }
      },
    };
  },
});

function pieceName(node: Node): string {
  return `\`${snippet(node, 40)}\``;
}
