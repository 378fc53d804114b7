import { defineRule } from '../../define-rule.js';
import { caughtTypes, exceptBody, exceptBreadth, exceptType, isNoOpBody, shortText } from './util.js';

/**
 * Exceptions whose only meaning is "the thing is already in the state you wanted" or "the
 * iteration/program is over": ignoring them is the idiom, not a lost error
 * (`os.unlink` of a file already gone, `os.kill` of a process already dead, `mkdir` of an
 * existing directory, Ctrl-C at an interactive prompt).
 */
const EXPECTED_OUTCOMES = new Set([
  'StopIteration',
  'StopAsyncIteration',
  'GeneratorExit',
  'FileNotFoundError',
  'FileExistsError',
  'ProcessLookupError',
  'KeyboardInterrupt',
]);

export default defineRule({
  id: 'python/exception-swallowed',
  language: 'python',
  title: 'Exception caught and silently discarded',
  cwe: [390],
  severity: 'medium',
  confidence: 'high',
  description:
    'An `except` clause whose body is only `pass`, `continue` or `...` catches an error and does nothing with it: ' +
    'no log line, no fallback, no re-raise. With `except:`, `except Exception:` or `except BaseException:` every ' +
    'failure of the guarded code disappears, including the ones nobody anticipated.',
  whyItMatters:
    'A failed security step (writing a firewall rule, dropping privileges, verifying a signature, closing a ' +
    'session) looks exactly like a successful one, so the program carries on in a state it believes is safe. ' +
    'Operators get no trace of the failure and attacks that trigger errors go unnoticed.',
  fix: {
    guidance:
      'Catch only the exceptions you expect and handle them: log them, fall back explicitly, or re-raise. If an ' +
      'exception truly is irrelevant, catch exactly that class (or use `contextlib.suppress(SpecificError)`) and ' +
      'say why in a comment.',
    before: 'try:\n    apply_firewall_rules(rules)\nexcept Exception:\n    pass',
    after:
      'try:\n    apply_firewall_rules(rules)\nexcept CalledProcessError:\n    LOG.exception("could not apply firewall rules")\n    raise',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/390.html',
    'https://docs.python.org/3/tutorial/errors.html#handling-exceptions',
    'https://docs.python.org/3/library/contextlib.html#contextlib.suppress',
  ],
  create({ module, report }) {
    return {
      nodes: {
        except_clause(clause) {
          const body = exceptBody(clause);
          if (!body || !isNoOpBody(body)) return;
          const breadth = exceptBreadth(module, clause);
          if (breadth === 'specific') {
            const names = caughtTypes(module, clause).map((t) => module.resolve(t) ?? module.text(t));
            if (names.every((n) => EXPECTED_OUTCOMES.has(n))) return;
            report({
              node: clause,
              message: `\`except ${shortText(module, exceptType(module, clause)!)}\` discards the exception without logging or handling it; make sure ignoring it is intended.`,
              confidence: 'low',
              severity: 'low',
            });
            return;
          }
          const what = breadth === 'bare' ? '`except:`' : `\`except ${shortText(module, exceptType(module, clause)!)}\``;
          report({
            node: clause,
            message: `${what} catches every error and discards it: any failure in the \`try\` block passes silently.`,
          });
        },
      },
    };
  },
});
