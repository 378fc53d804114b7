import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/argument-injection',
  language: 'python',
  title: 'Untrusted data reaches a program\'s argument list',
  cwe: [88],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'argument-injection', supersedes: ['python/command-argument-injection'] },
  description:
    'Data from outside the program flows into the argument list of a program started without a shell ' +
    '(`subprocess.run([...])`, `os.execv`, `os.spawnv`, `asyncio.create_subprocess_exec`), or becomes the program ' +
    'name itself. No shell parses it, but the started program does: a value starting with `-` is read as an ' +
    'option, and a value chosen as the program runs whatever it names. `shlex.quote` does not help here (it leaves ' +
    '`--output=/etc/passwd` unchanged).',
  whyItMatters:
    'Options change what a program does: `--output` writes files, `-o ProxyCommand=` (ssh), `--upload-pack` (git), ' +
    '`-exec` (find) or `--checkpoint-action` (tar) run commands. Whoever controls the argument can read or overwrite ' +
    'files or execute code with the privileges of this process.',
  fix: {
    guidance:
      'Keep the program fixed and check each untrusted argument against an allow-list or a strict pattern ' +
      '(`re.fullmatch`). Put `--` before positional values so the program stops parsing options, and never let ' +
      'input choose the executable.',
    before: 'branch = request.args["branch"]\nsubprocess.run(["git", "checkout", branch], check=True)',
    after:
      'branch = request.args["branch"]\nif not re.fullmatch(r"[\\w./-]+", branch) or branch.startswith("-"):\n    abort(400)\n' +
      'subprocess.run(["git", "checkout", "--", branch], check=True)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/88.html',
    'https://docs.python.org/3/library/subprocess.html#security-considerations',
    'https://owasp.org/www-community/attacks/Command_Injection',
  ],
  create: () => ({}),
});
