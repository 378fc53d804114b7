import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { shortText } from './except-clauses.js';

/** Expressions that build a fresh object (or one whose identity is an implementation detail). */
const LITERAL_TYPES = new Set([
  'string', 'concatenated_string', 'integer', 'float', 'list', 'tuple', 'dictionary', 'set',
  'list_comprehension', 'dictionary_comprehension', 'set_comprehension',
]);

/** Literals that always build a new object, so identity with them never holds. */
const FRESH_OBJECTS = new Set(['list', 'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension']);

export default defineRule({
  id: 'python/is-literal-comparison',
  language: 'python',
  title: 'Identity comparison (`is`) with a literal',
  cwe: [595, 1025],
  severity: 'low',
  confidence: 'high',
  description:
    '`is`/`is not` compares object identity, not value. Whether two equal strings, numbers or tuples are the same ' +
    'object depends on interning and caching in the interpreter, and a list, dict or set literal is always a new ' +
    'object. The comparison therefore gives different answers for equal values (CPython warns with ' +
    '`SyntaxWarning: "is" with a literal`). `is None`, `is True`, `is False` and `is ...` are correct and not reported.',
  whyItMatters:
    'A role, state or token check such as `if role is "admin"` may pass in one code path and fail in another ' +
    '(a value read from a request or database is a different object than the literal), so access decisions ' +
    'and validation become unpredictable.',
  fix: {
    guidance: 'Compare values with `==`/`!=`. Keep `is` only for singletons: `None`, `True`, `False`, `...`, sentinels.',
    before: 'if request.form["role"] is "admin":\n    grant_admin(user)',
    after: 'if request.form["role"] == "admin":\n    grant_admin(user)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/595.html',
    'https://docs.python.org/3/reference/expressions.html#is-not',
    'https://docs.python.org/3/whatsnew/3.8.html#changes-in-python-behavior',
  ],
  create({ module, report }) {
    return {
      nodes: {
        comparison_operator(node) {
          const operands = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
          const operators = node.childrenForFieldName('operators');
          for (let i = 0; i < operators.length; i++) {
            const op = operators[i]?.type;
            if (op !== 'is' && op !== 'is not') continue;
            const left = operands[i];
            const right = operands[i + 1];
            const literal = [right, left].find((o) => o && isLiteral(module, o));
            if (!literal) continue;
            const shown = shortText(module, literal, 40);
            const eq = op === 'is' ? '==' : '!=';
            const fresh = FRESH_OBJECTS.has(module.unwrap(literal).type);
            report({
              node,
              message: fresh
                ? `\`${op} ${shown}\` is always ${op === 'is' ? 'False' : 'True'}: the literal builds a new object; use \`${eq}\`.`
                : `\`${op}\` compares identity with the literal \`${shown}\`; the result depends on object caching, use \`${eq}\`.`,
            });
            return; // one finding per comparison
          }
        },
      },
    };
  },
});

function isLiteral(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  if (LITERAL_TYPES.has(n.type)) return true;
  // -1, +2.5
  if (n.type === 'unary_operator') {
    const arg = n.childForFieldName('argument');
    return !!arg && (module.unwrap(arg).type === 'integer' || module.unwrap(arg).type === 'float');
  }
  return false;
}
