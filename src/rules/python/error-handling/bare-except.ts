import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { exceptAlias, exceptBody, exceptBreadth, isNoOpBody, statements, walkSameScope } from './util.js';

/** Calls that end the process: a handler that finishes with one does not carry on in an unknown state. */
const PROCESS_EXITS = new Set(['os._exit', 'sys.exit', 'exit', 'quit', 'os.abort']);

export default defineRule({
  id: 'python/bare-except',
  language: 'python',
  title: 'Catch-all `except` that does not re-raise',
  cwe: [396],
  severity: 'low',
  confidence: 'high',
  description:
    'A bare `except:` or `except BaseException:` catches everything, including `KeyboardInterrupt`, `SystemExit`, ' +
    '`GeneratorExit` and `MemoryError`, and this handler never re-raises. The program carries on after errors it ' +
    'was not written to handle.',
  whyItMatters:
    'Code that continues after an unexpected failure runs in a state nobody reasoned about: a half-applied ' +
    'permission change, a partly written file, a session that was never validated. It also swallows the signals ' +
    'operators use to stop a misbehaving process.',
  fix: {
    guidance:
      'Catch the specific exceptions the code can recover from, or at least `Exception`, and log them. If the ' +
      'handler only needs to clean up, end it with a bare `raise` so the original error propagates.',
    before: 'try:\n    session = load_session(cookie)\nexcept:\n    session = new_session()',
    after: 'try:\n    session = load_session(cookie)\nexcept (KeyError, SignatureExpired):\n    session = new_session()',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/396.html',
    'https://peps.python.org/pep-0008/#programming-recommendations',
    'https://docs.python.org/3/library/exceptions.html#exception-hierarchy',
  ],
  create({ module, report }) {
    return {
      nodes: {
        except_clause(clause) {
          const breadth = exceptBreadth(module, clause);
          if (breadth !== 'bare' && breadth !== 'BaseException') return;
          const body = exceptBody(clause);
          if (!body) return;
          // `except: pass` is python/exception-swallowed's finding; one defect, one report.
          if (isNoOpBody(body)) return;
          if (reRaises(module, clause, body) || endsProcess(module, body)) return;
          const what = breadth === 'bare' ? '`except:`' : '`except BaseException`';
          report({
            node: clause,
            message: `${what} also catches \`KeyboardInterrupt\` and \`SystemExit\` and never re-raises, so execution continues after any error.`,
          });
        },
      },
    };
  },
});

/** A bare `raise`, or `raise e` of the bound exception, anywhere in the handler. */
function reRaises(module: PythonModule, clause: Node, body: Node): boolean {
  const alias = exceptAlias(clause);
  let found = false;
  walkSameScope(body, (n) => {
    if (found) return false;
    if (n.type !== 'raise_statement') return;
    const raised = n.namedChildren.filter((c) => c && c.type !== 'comment');
    if (raised.length === 0) found = true;
    else if (alias && raised.length === 1 && raised[0] && module.unwrap(raised[0]).text === alias) found = true;
  });
  return found;
}

/** The handler's last statement terminates the process (`os._exit(1)` in a forked child, `sys.exit(2)`). */
function endsProcess(module: PythonModule, body: Node): boolean {
  const last = statements(body).at(-1);
  if (!last || last.type !== 'expression_statement') return false;
  const e = last.namedChildren[0];
  if (!e || e.type !== 'call') return false;
  const qname = module.call(e).qname;
  return qname !== undefined && PROCESS_EXITS.has(qname);
}
