import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';

const LOOPS = new Set(['for_statement', 'while_statement']);
const SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);

export default defineRule({
  id: 'python/return-in-finally',
  language: 'python',
  title: '`return`/`break`/`continue` inside `finally` discards the exception',
  cwe: [584],
  severity: 'medium',
  confidence: 'high',
  description:
    'A `return`, `break` or `continue` that leaves a `finally:` block cancels whatever exception was propagating ' +
    'through it, including `KeyboardInterrupt` and `SystemExit`. A `return` there also overrides the value ' +
    'returned by the `try` block. Python 3.14 warns about it (PEP 765).',
  whyItMatters:
    'A failed authentication, a rejected write or a crash inside the `try` block turns into a normal return, so ' +
    'callers act on a result that was never produced and no error is logged.',
  fix: {
    guidance:
      'Move the `return`/`break`/`continue` after the `try` statement, and keep only clean-up in `finally`. If an ' +
      'error must be converted into a value, catch it explicitly in an `except` clause.',
    before: 'def is_valid(token):\n    try:\n        verify(token)\n    finally:\n        return True',
    after: 'def is_valid(token):\n    try:\n        verify(token)\n    except InvalidToken:\n        return False\n    return True',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/584.html',
    'https://peps.python.org/pep-0765/',
    'https://docs.python.org/3/reference/compound_stmts.html#finally-clause',
  ],
  create({ report }) {
    const reported = new Set<number>();
    return {
      nodes: {
        finally_clause(clause) {
          const block = clause.namedChildren.find((c) => c?.type === 'block');
          if (!block) return;
          // Depth-first; `inLoop` is true inside a loop that itself starts within the finally block,
          // where `break`/`continue` stay inside the block.
          const stack: { node: Node; inLoop: boolean }[] = [{ node: block, inLoop: false }];
          while (stack.length > 0) {
            const { node, inLoop } = stack.pop()!;
            const type = node.type;
            if (SCOPES.has(type)) continue;
            const escapes = type === 'return_statement' || ((type === 'break_statement' || type === 'continue_statement') && !inLoop);
            if (escapes) {
              if (!reported.has(node.id)) {
                reported.add(node.id);
                const keyword = type.replace('_statement', '');
                report({
                  node,
                  message: `\`${keyword}\` inside \`finally\` (line ${clause.startPosition.row + 1}) cancels any exception raised in the \`try\` block; it is silently lost.`,
                });
              }
              continue;
            }
            for (let i = node.namedChildCount - 1; i >= 0; i--) {
              const child = node.namedChild(i);
              if (!child) continue;
              // A loop's `else:` runs after the loop, so `break` there leaves the enclosing scope.
              const loopBody = LOOPS.has(type) && child.type === 'block' && node.childForFieldName('body')?.id === child.id;
              stack.push({ node: child, inLoop: inLoop || loopBody });
            }
          }
        },
      },
    };
  },
});
