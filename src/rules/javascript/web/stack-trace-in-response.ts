import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calledName, memberName, memberObject, unwrap } from '../syntax.js';

const SEND = new Set(['send', 'json', 'jsonp', 'end', 'write', 'render']);
const RESPONSE = /^(?:res|response|reply|resp)$/;
const ERROR_NAME = /^(?:e|ex|err|error|exc|exception|\w*Error|\w*Err)$/;
/** An environment test guarding the expression: then the stack is shown only in development. */
const ENV_TEST = /NODE_ENV|isDev|isProduction|isProd|development|app\.get\(\s*['"]env['"]\s*\)/;

/** The identifier a call chain starts from: `res` of `res.status(500).json(…)`. */
function chainRoot(node: Node): Node | undefined {
  let n: Node | undefined = unwrap(node);
  for (let i = 0; n && i < 8; i++) {
    if (n.type === 'identifier') return n;
    if (n.type === 'call_expression') n = n.childForFieldName('function') ?? undefined;
    else if (n.type === 'member_expression') n = memberObject(n);
    else return undefined;
  }
  return undefined;
}

function guardedByEnv(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'ternary_expression' || p.type === 'if_statement' || p.type === 'binary_expression') {
      const cond = p.childForFieldName('condition') ?? (p.type === 'binary_expression' ? p.childForFieldName('left') : null);
      if (cond && ENV_TEST.test(cond.text)) return true;
    }
    if (p.type === 'function_declaration' || p.type === 'arrow_function' || p.type === 'function_expression' || p.type === 'method_definition') return false;
  }
  return false;
}

export default defineRule({
  id: 'javascript/stack-trace-in-response',
  language: 'javascript',
  title: "An error's stack trace is sent to the client",
  cwe: [209],
  severity: 'medium',
  confidence: 'high',
  description:
    'Reports `err.stack` (of a value named like an error: `err`, `error`, `e`, `…Error`) placed in what a response sends: ' +
    '`res.send`/`json`/`end`/`write`/`render` (through `res.status(500)` chains too) and Koa `ctx.body = …`. A stack shown only ' +
    'under a `NODE_ENV`/development test is not reported, nor `err.message`.',
  whyItMatters:
    'Stack traces give file paths, library versions, and internal function names, which help an attacker find and aim a known exploit; they may also include data from the failing request.',
  fix: {
    guidance: 'Log the stack on the server and send a generic message with a correlation id.',
    before: 'res.status(500).json({ error: err.message, stack: err.stack });',
    after: "logger.error(err);\nres.status(500).json({ error: 'Internal error', id: req.id });",
  },
  references: ['https://expressjs.com/en/guide/error-handling.html', 'https://cwe.mitre.org/data/definitions/209.html'],
  create({ report }) {
    function stacks(node: Node): Node[] {
      const all = [node, ...node.descendantsOfType('member_expression')];
      return all.filter((m) => {
        if (m.type !== 'member_expression' || memberName(m) !== 'stack') return false;
        const o = memberObject(m);
        return !!o && unwrap(o).type === 'identifier' && ERROR_NAME.test(unwrap(o).text) && !guardedByEnv(m);
      });
    }
    return {
      nodes: {
        call_expression(call: Node) {
          const m = calledName(call);
          if (!m || !SEND.has(m)) return;
          const fn = call.childForFieldName('function');
          const root = fn ? chainRoot(fn) : undefined;
          if (!root || !RESPONSE.test(root.text)) return;
          for (const arg of argsOf(call)) {
            const found = stacks(arg);
            if (found[0]) {
              report({ node: call, message: `\`${found[0].text}\` is sent in the response.` });
              return;
            }
          }
        },
        assignment_expression(node: Node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (!left || !right || memberName(left) !== 'body') return;
          const o = memberObject(left);
          if (!o || unwrap(o).text !== 'ctx') return;
          const found = stacks(right);
          if (found[0]) report({ node, message: `\`${found[0].text}\` is sent in the response body.` });
        },
      },
    };
  },
});
