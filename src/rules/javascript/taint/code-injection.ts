import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/code-injection',
  language: 'javascript',
  title: "Untrusted data is evaluated as JavaScript",
  cwe: [95, 94],
  severity: 'critical',
  confidence: 'high',
  taint: { kind: 'code-injection', supersedes: ['javascript/eval-dynamic-code', 'javascript/vm-dynamic-code'] },
  description:
    "Data from outside the program reaches a function that compiles or runs it as code: `eval`, `new Function`, `setTimeout`/`setInterval` with a string, `vm.runInNewContext`/`runInContext`/`runInThisContext`, `new vm.Script`.",
  whyItMatters:
    "Whoever controls the data runs any JavaScript in the process: reading files and secrets, spawning programs. The `vm` module is no sandbox.",
  fix: {
    guidance:
      "Do not evaluate input. Parse data with `JSON.parse`, map names to functions through an object of allowed handlers, and pass functions (not strings) to `setTimeout`.",
    before: "const expr = req.body.expr;\nres.send(String(eval(expr)));",
    after: "const ops = { add: (a, b) => a + b };\nconst op = ops[req.body.op];\nif (op) res.json(op(Number(req.body.a), Number(req.body.b)));",
  },
  references: ["https://cwe.mitre.org/data/definitions/95.html", "https://nodejs.org/api/vm.html"],
  create: () => ({}),
});
