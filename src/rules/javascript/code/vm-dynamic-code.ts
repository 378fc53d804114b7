import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, isConstant, snippet } from '../syntax.js';

/** `vm` functions and constructors whose first argument is code. */
const VM_CODE = new Set(['vm.runInNewContext', 'vm.runInContext', 'vm.runInThisContext', 'vm.compileFunction', 'vm.Script', 'vm.SourceTextModule']);

export default defineRule({
  id: 'javascript/vm-dynamic-code',
  language: 'javascript',
  title: 'Non-constant code run with the vm module',
  cwe: [95, 94],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports `vm.runInNewContext`, `vm.runInContext`, `vm.runInThisContext`, `vm.compileFunction` and `new vm.Script` whose code ' +
    'argument is not a constant (the `vm` module resolved through `require`/`import`, under any local name). The `vm` module is ' +
    'not a security boundary: code in a new context reaches the host through any object passed in and through constructor chains. ' +
    'Request data proven to reach the call is reported by javascript/code-injection instead.',
  whyItMatters:
    'Code an attacker shapes escapes the context (`this.constructor.constructor("return process")()`) and runs with the rights ' +
    'of the Node process.',
  fix: {
    guidance:
      'Do not run code you did not write. For expressions, use a parser that only evaluates a safe grammar (e.g. a math expression ' +
      'library); for plugins, run them in a separate process or isolate with no privileges.',
    before: 'const result = vm.runInNewContext(req.body.formula, { x });',
    after: 'const result = evaluateFormula(parseFormula(req.body.formula), { x }); // own parser, no eval',
  },
  references: ['https://nodejs.org/api/vm.html#vm-executing-javascript', 'https://cwe.mitre.org/data/definitions/95.html'],
  create({ module, report }) {
    function check(call: Node): void {
      const name = calleeName(module, call);
      if (!name || !VM_CODE.has(name)) return;
      const code = argsOf(call)[0];
      if (code && code.type !== 'spread_element' && !isConstant(module, code)) {
        report({ node: call, message: `\`${name}\` runs \`${snippet(code)}\`, which is not a constant; vm is no sandbox.` });
      }
    }
    return { nodes: { call_expression: check, new_expression: check } };
  },
});
