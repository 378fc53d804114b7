import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, isBuiltString, isConstant, objectLiteral, property, snippet } from '../syntax.js';

/** Functions that always run their command through a shell. */
const SHELL_ALWAYS = new Set(['child_process.exec', 'child_process.execSync']);
/** Functions that run a shell only with `shell: true` (or a shell path): command, [args], options. */
const SHELL_OPTION = new Set(['child_process.spawn', 'child_process.spawnSync', 'child_process.execFile', 'child_process.execFileSync']);

export default defineRule({
  id: 'javascript/child-process-shell',
  language: 'javascript',
  title: 'Shell command built at run time (child_process exec or shell: true)',
  cwe: [78],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports `child_process.exec`/`execSync` whose command is not a constant, and `spawn`/`spawnSync`/`execFile`/`execFileSync` ' +
    'with the `shell` option on whose command or arguments are not constants: the shell parses the whole line, so quotes, `;`, ' +
    '`$(…)` and backticks in the data start other programs. A command built by concatenation or a template is reported at high ' +
    'confidence, a variable at low. `spawn(cmd, args)` without a shell is not reported. Request data proven to reach the call is ' +
    'reported by javascript/command-injection instead.',
  whyItMatters: 'Anyone who controls part of the command line runs any program with the rights of the Node process.',
  fix: {
    guidance:
      'Run the program directly with an argument array and no shell: `execFile(file, [arg1, arg2])` or `spawn(file, args)`, and ' +
      'keep `shell` off. Validate arguments that could be read as options (a leading `-`).',
    before: 'exec(`convert ${input} out.png`);',
    after: "execFile('convert', [input, 'out.png']);",
  },
  references: ['https://nodejs.org/api/child_process.html#spawning-shell-scripts', 'https://cwe.mitre.org/data/definitions/78.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name) return;
          const args = argsOf(call);
          const command = args[0];
          if (!command || command.type === 'spread_element') return;
          if (SHELL_ALWAYS.has(name)) {
            if (isConstant(module, command)) return;
            const built = isBuiltString(module, command);
            report({
              node: call,
              message: `\`${name}\` runs \`${snippet(command)}\` through a shell, and the command is ${built ? 'built at run time' : 'not a constant'}.`,
              confidence: built ? 'high' : 'low',
            });
            return;
          }
          if (!SHELL_OPTION.has(name)) return;
          const options = objectLiteral(module, args.length >= 3 ? args[2] : args[1]) ?? objectLiteral(module, args[args.length - 1]);
          const shell = property(options, 'shell');
          if (!shell) return;
          const v = constantValue(module, shell);
          if (v === false || v === null || v === '' || v === 0) return;
          const list = args[1] && objectLiteral(module, args[1]) !== options ? args[1] : undefined;
          const dynamic = !isConstant(module, command) ? command : list && !isConstant(module, list) ? list : undefined;
          if (!dynamic) return;
          report({ node: call, message: `\`${name}\` runs with \`shell\` on and the non-constant \`${snippet(dynamic)}\` in its command line.` });
        },
      },
    };
  },
});
