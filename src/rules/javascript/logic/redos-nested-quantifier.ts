import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, snippet } from '../syntax.js';
import { findNestedQuantifier } from './regex-structure.js';

export default defineRule({
  id: 'javascript/redos-nested-quantifier',
  language: 'javascript',
  title: 'Regular expression with nested quantifiers (exponential backtracking)',
  cwe: [1333],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports regex literals and `new RegExp("constant")` containing a group repeated without bound (`*`, `+`, `{n,}`) whose ' +
    'body can match the same text in more than one way: an inner unbounded repetition that every other mandatory part of the ' +
    'body is covered by (`(a+)+`, `(.*)*`, `(\\w+\\s?)*`, `([a-z]+\\d*)+`), or overlapping single-character alternatives ' +
    '(`(\\w|\\d)+`). Bodies separated by a character the repetition cannot match (`(\\d+\\.)*`, `("[^"]*")*`) are not reported.',
  whyItMatters:
    "JavaScript's backtracking engine tries every way of splitting the input between the two repetitions when a match fails: " +
    'a few dozen characters keep the event loop busy for seconds to hours, and the whole Node server stops answering.',
  fix: {
    guidance: 'Remove the ambiguity: repeat a body that must end in a separator (`(\\w+\\s)*\\w*`), use a possessive form by rewriting, or bound the input length before matching.',
    before: 'const EMAIL = /^([a-zA-Z0-9]+\\.?)+@example\\.com$/;',
    after: 'const EMAIL = /^[a-zA-Z0-9]+(?:\\.[a-zA-Z0-9]+)*@example\\.com$/;',
  },
  references: ['https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS', 'https://cwe.mitre.org/data/definitions/1333.html'],
  create({ module, report }) {
    return {
      nodes: {
        regex(node: Node) {
          const pattern = node.childForFieldName('pattern')?.text ?? '';
          const flags = node.childForFieldName('flags')?.text ?? '';
          const why = findNestedQuantifier(pattern, flags);
          if (why) report({ node, message: `\`${snippet(node)}\` has ${why}.` });
        },
        new_expression(node: Node) {
          if (calleeName(module, node) !== 'RegExp') return;
          const [source, flagsArg] = argsOf(node);
          const v = source ? constantValue(module, source) : undefined;
          if (typeof v !== 'string') return;
          const flags = flagsArg ? constantValue(module, flagsArg) : '';
          const why = findNestedQuantifier(cook(v), typeof flags === 'string' ? flags : '');
          if (why) report({ node, message: `\`new RegExp(${snippet(source!)})\` has ${why}.` });
        },
      },
    };
  },
});

/** The string a literal's raw text denotes (constant values keep escape sequences as written). */
function cook(raw: string): string {
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    if (e[0] === 'u' || e[0] === 'x') return e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1).replace(/[{}]/g, ''), 16)) : e;
    return e;
  });
}
