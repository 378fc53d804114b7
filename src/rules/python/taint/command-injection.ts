import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/command-injection',
  language: 'python',
  title: 'Untrusted data reaches a shell command',
  cwe: [78],
  severity: 'critical',
  confidence: 'high',
  taint: { kind: 'command-injection', supersedes: ['python/subprocess-shell-injection', 'python/os-command-injection'] },
  description:
    'Data from outside the program (a request parameter, a header, the command line, the environment) flows into a ' +
    'command that a shell parses: `os.system`, `os.popen`, or `subprocess` with `shell=True`.',
  whyItMatters:
    'The shell treats `;`, `|`, `&&`, `$()` and backticks in that data as new commands, so whoever controls the input ' +
    'runs arbitrary programs with this process\'s privileges.',
  fix: {
    guidance:
      'Run the program without a shell: pass an argument list to `subprocess.run` and leave `shell` false. If a shell is ' +
      'unavoidable, quote each untrusted piece with `shlex.quote()` and validate it against an allow-list first.',
    before: 'host = request.args["host"]\nsubprocess.run(f"ping -c 1 {host}", shell=True)',
    after: 'host = request.args["host"]\nsubprocess.run(["ping", "-c", "1", host], check=True)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/78.html',
    'https://docs.python.org/3/library/subprocess.html#security-considerations',
  ],
  create: () => ({}),
});
