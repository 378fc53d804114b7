import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { caughtTypes, exceptAlias, exceptBody, exceptBreadth, isNoOpBody, statements, walkSameScope } from './except-clauses.js';

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
          // `except (KeyboardInterrupt, SystemExit): raise` before it: the author handled those on purpose.
          if (earlierClauseHandlesInterrupts(module, clause)) return;
          // `future.set_exception(exc)`, `queue.put(sys.exc_info())`: the error travels on through another channel.
          if (forwardsException(module, clause, body)) return;
          const what = breadth === 'bare' ? '`except:`' : '`except BaseException`';
          if (raisesAnother(body)) {
            report({
              node: clause,
              message: `${what} turns \`KeyboardInterrupt\` and \`SystemExit\` into another exception, which callers catching \`Exception\` will then swallow.`,
              confidence: 'medium',
            });
            return;
          }
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

const INTERRUPTS = new Set(['KeyboardInterrupt', 'SystemExit']);

function earlierClauseHandlesInterrupts(module: PythonModule, clause: Node): boolean {
  for (let p = clause.previousNamedSibling; p; p = p.previousNamedSibling) {
    if (p.type !== 'except_clause') continue;
    if (caughtTypes(module, p).some((t) => INTERRUPTS.has(module.resolve(t) ?? ''))) return true;
  }
  return false;
}

/** Calls that only report an error: passing the exception to them is not forwarding it. */
const REPORTING = /^(?:debug|info|warning|warn|error|exception|critical|fatal|log|print|print_exc|format_exc|format_exception|write|str|repr|format)$/;

/**
 * The handler hands the exception on: the bound name or `sys.exc_info()` is stored, returned,
 * or passed to something other than a logging/printing call.
 */
function forwardsException(module: PythonModule, clause: Node, body: Node): boolean {
  const alias = exceptAlias(clause);
  let forwarded = false;
  walkSameScope(body, (n) => {
    if (forwarded) return false;
    let use = false;
    if (n.type === 'identifier' && alias !== undefined && n.text === alias && !isMemberName(n)) use = true;
    else if (n.type === 'call') {
      const q = module.call(n).qname;
      if (q === 'sys.exc_info' || q === 'sys.exception') use = true;
    }
    if (!use) return;
    for (let p = n.parent; p && p.id !== body.id; p = p.parent) {
      if (p.type === 'call') {
        const call = module.call(p);
        const name = call.method ?? call.qname ?? module.text(call.callee);
        if (REPORTING.test(name)) return; // only logged
      }
      // Messages, `del exc`, and `raise Other() from exc` (reported as a conversion) do not forward it.
      if (p.type === 'string' || p.type === 'delete_statement' || p.type === 'raise_statement') return;
    }
    forwarded = true;
  });
  return forwarded;
}

/** `x.name` or `f(name=...)`: the identifier is a member or keyword, not a variable. */
function isMemberName(n: Node): boolean {
  const parent = n.parent;
  if (!parent) return false;
  if (parent.type === 'attribute') return parent.childForFieldName('attribute')?.id === n.id;
  if (parent.type === 'keyword_argument') return parent.childForFieldName('name')?.id === n.id;
  return false;
}

/** The handler raises some other exception (`raise Wrapped() from exc`). */
function raisesAnother(body: Node): boolean {
  let found = false;
  walkSameScope(body, (n) => {
    if (n.type === 'raise_statement') found = true;
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
