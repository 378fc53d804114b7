import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, isBuiltString, isConstant, snippet } from '../syntax.js';

const TIMERS = new Set(['setTimeout', 'setInterval', 'window.setTimeout', 'window.setInterval', 'globalThis.setTimeout', 'globalThis.setInterval']);
const EVALS = new Set(['eval', 'window.eval', 'globalThis.eval']);
const FUNCTIONS = new Set(['Function', 'window.Function', 'globalThis.Function']);

export default defineRule({
  id: 'javascript/eval-dynamic-code',
  language: 'javascript',
  title: 'Code built at run time is evaluated (eval, new Function, string timers)',
  cwe: [95, 94],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports `eval(x)` and `new Function(..., x)` / `Function(x)` whose code is not a constant, and `setTimeout`/`setInterval` whose ' +
    'first argument is a string built at run time (a template with substitutions or a concatenation): the string is compiled as ' +
    'JavaScript. Constant code and timers given a function are not reported. Where the taint engine proves request data reaches ' +
    'the call, javascript/code-injection reports it instead.',
  whyItMatters:
    'Whatever part of the string an attacker influences becomes code running with the full rights of the process or page: ' +
    'reading secrets, spawning programs, or (in a browser) acting as the user.',
  fix: {
    guidance:
      'Do not compile strings. Parse data with `JSON.parse`, dispatch through an object of allowed functions, and pass a function ' +
      'to `setTimeout`/`setInterval`.',
    before: "setTimeout('refresh(' + id + ')', 1000);",
    after: 'setTimeout(() => refresh(id), 1000);',
  },
  references: [
    'https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/eval#never_use_direct_eval!',
    'https://cwe.mitre.org/data/definitions/95.html',
  ],
  create({ module, report }) {
    function check(call: Node, isNew: boolean): void {
      const name = calleeName(module, call);
      if (!name) return;
      const args = argsOf(call);
      if (EVALS.has(name) && !isNew) {
        const code = args[0];
        if (code && code.type !== 'spread_element' && !isConstant(module, code)) {
          report({ node: call, message: `\`eval(${snippet(code)})\` runs code that is not a constant.`, confidence: isBuiltString(module, code) ? 'high' : 'medium' });
        }
      } else if (FUNCTIONS.has(name)) {
        const dynamic = args.find((a) => !isConstant(module, a));
        if (dynamic) report({ node: call, message: `\`${isNew ? 'new ' : ''}Function(…)\` compiles \`${snippet(dynamic)}\`, which is not a constant.` });
      } else if (TIMERS.has(name) && !isNew) {
        const code = args[0];
        if (code && isBuiltString(module, code)) {
          report({ node: call, message: `\`${name}\` is given the string \`${snippet(code)}\` built at run time: it is evaluated as code.`, confidence: 'high' });
        }
      }
    }
    return {
      nodes: {
        call_expression: (n) => check(n, false),
        new_expression: (n) => check(n, true),
      },
    };
  },
});
