import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { findAmbiguity } from './regex-ambiguity.js';

/** `re` functions taking a pattern first; `fullmatch` anchors the end of the pattern. */
const RE_FUNCTIONS = new Set(['compile', 'match', 'search', 'fullmatch', 'findall', 'finditer', 'sub', 'subn', 'split']);
const VERBOSE = new Set(['re.X', 're.VERBOSE', 're.RegexFlag.X', 're.RegexFlag.VERBOSE']);

export default defineRule({
  id: 'python/regex-catastrophic-backtracking',
  language: 'python',
  title: 'Regular expression with exponential backtracking',
  cwe: [1333],
  severity: 'medium',
  confidence: 'medium',
  description:
    'The pattern repeats a group whose body can match the same text in many different ways: a nested ' +
    'quantifier such as `(\\w+\\s?)+` or overlapping alternatives such as `(\\w|\\d)+`, followed by something ' +
    'that can fail. Python\'s `re` engine backtracks through every way of splitting the input before giving up, ' +
    'which takes time exponential in the input length.',
  whyItMatters:
    'A string of a few dozen characters that almost matches keeps a worker busy for minutes. When the ' +
    'pattern is applied to request data (headers, form fields, file names), one request is a denial of service.',
  fix: {
    guidance:
      'Rewrite the pattern so every character can be matched in only one way: remove the inner quantifier, make ' +
      'the separator mandatory (`\\w+(?:\\s\\w+)*`), make alternatives disjoint, or use an atomic group/possessive ' +
      'quantifier (Python 3.11+). Also cap the input length before matching.',
    before: "EMAIL = re.compile(r'^([a-zA-Z0-9]+\\.?)+@example\\.com$')",
    after: "EMAIL = re.compile(r'^[a-zA-Z0-9]+(?:\\.[a-zA-Z0-9]+)*@example\\.com$')",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/1333.html',
    'https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS',
    'https://docs.python.org/3/library/re.html#regular-expression-syntax',
  ],
  create({ module, report }) {
    return {
      call(call) {
        const qname = call.qname;
        if (!qname?.startsWith('re.') || !RE_FUNCTIONS.has(qname.slice(3))) return;
        const patternNode = call.arg(0, 'pattern');
        if (!patternNode) return;
        const pattern = module.constantValue(patternNode);
        if (typeof pattern !== 'string') return;
        // Verbose mode changes what whitespace and `#` mean; the analyser does not model it.
        const others = [...call.positional.slice(1), ...call.keywords.values()];
        if (others.some((a) => mentionsVerbose(a, (n) => module.resolve(n)))) return;
        const found = findAmbiguity(pattern, qname === 're.fullmatch');
        if (!found) return;
        const why =
          found.kind === 'nested-quantifier'
            ? `repeats \`${found.repeated}\`, which contains the unbounded \`${found.inner}\``
            : `repeats \`${found.repeated}\`, whose alternatives \`${found.inner}\` can match the same characters`;
        report({
          node: patternNode,
          message: `The pattern passed to \`${qname}\` ${why}; an almost-matching input makes matching take exponential time.`,
        });
      },
    };
  },
});

function mentionsVerbose(node: Node, resolve: (n: Node) => string | undefined): boolean {
  if (node.type === 'attribute' || node.type === 'identifier') {
    const name = resolve(node);
    if (name && VERBOSE.has(name)) return true;
  }
  return node.namedChildren.some((c) => !!c && mentionsVerbose(c, resolve));
}
