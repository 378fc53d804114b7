import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/command-injection',
  language: 'javascript',
  title: "Untrusted data reaches a shell command",
  cwe: [78],
  severity: 'critical',
  confidence: 'high',
  taint: { kind: 'command-injection', supersedes: ['javascript/child-process-shell'] },
  description:
    "Data from outside the program (a request parameter, a header, the command line, the environment) flows into a command that a shell parses (`child_process.exec`, `execSync`, `spawn` with `shell: true`) or into the name of the program `spawn`/`execFile` runs.",
  whyItMatters:
    "The shell treats `;`, `|`, `&&`, `$()` and backticks in that data as new commands, so whoever controls the input runs arbitrary programs with the privileges of the Node process.",
  fix: {
    guidance:
      "Run the program without a shell: `execFile`/`spawn` with a fixed program and an argument array, `shell` left false. Validate each untrusted argument against an allow-list; if a shell is unavoidable, quote each piece (`shell-quote`).",
    before: "const host = req.query.host;\nexec(`ping -c 1 ${host}`);",
    after: "const host = req.query.host;\nexecFile('ping', ['-c', '1', host]);",
  },
  references: ["https://cwe.mitre.org/data/definitions/78.html", "https://nodejs.org/api/child_process.html#spawning-bat-and-cmd-files-on-windows"],
  create: () => ({}),
});
