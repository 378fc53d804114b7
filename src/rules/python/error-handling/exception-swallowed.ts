import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { nameWords } from '../crypto/secret-context.js';
import { caughtTypes, exceptBody, exceptBreadth, exceptType, isNoOpBody, shortText } from './except-clauses.js';

/** Words in the guarded code that make its failure a security matter (a firewall rule, a privilege drop, a check). */
const SECURITY_WORDS = new Set([
  'iptables', 'ip6tables', 'ipset', 'nft', 'nftables', 'ebtables', 'firewall', 'secgroup', 'security', 'acl', 'policy',
  'permission', 'permissions', 'chmod', 'chown', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'setresuid',
  'privilege', 'privileges', 'privsep', 'revoke', 'verify', 'validate', 'auth', 'authenticate', 'authorize', 'login',
  'logout', 'token', 'tokens', 'session', 'password', 'secret', 'cert', 'certificate', 'ssl', 'tls', 'encrypt',
  'decrypt', 'sign', 'signature', 'hmac', 'sanitize', 'quarantine', 'isolate', 'umask', 'apparmor', 'selinux', 'seccomp',
]);
/** Calls whose failure leaves nothing unprotected: tidying up, stopping, reading file state. */
const CLEANUP_CALLS = new Set([
  'unlink', 'remove', 'rmtree', 'rmdir', 'removedirs', 'rename', 'replace', 'close', 'stop', 'wait', 'join', 'abort',
  'abort_job', 'kill', 'terminate', 'delete', 'shutdown', 'cleanup', 'disconnect', 'release', 'unregister', 'remove_dir',
  'remove_file', 'exists', 'isdir', 'isfile', 'islink', 'lexists', 'get', 'flush',
]);

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
    'failure of the guarded code disappears, including the ones nobody anticipated. Confidence follows what the ' +
    '`try` block does: high when its names show a security step (firewall rules, privileges, permissions, ' +
    'sessions, tokens, signatures, TLS), low when it only tidies up or reads (`os.unlink`, `shutil.rmtree`, ' +
    '`server.stop()`, `os.path.exists`, `x = body["a"][0]`) or when it only replaces a default set before it ' +
    '(`shared = False` before the `try`, `shared = True` inside, `shared` read after: the default is the fallback), ' +
    'medium otherwise.',
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
          const guarded = guardedBody(clause);
          let evidence = guarded ? securityEvidence(module, guarded) : 'other';
          const fallback = evidence === 'other' && clause.parent ? keptDefault(clause.parent) : undefined;
          if (fallback) evidence = 'cleanup';
          report({
            node: clause,
            message:
              `${what} catches every error and discards it: any failure in the \`try\` block passes silently` +
              (fallback
                ? ` (\`${fallback}\` keeps the value it was given before the \`try\`, so this looks like an intended fallback).`
                : evidence === 'cleanup' ? ' (it only tidies up or reads data, so the loss is probably harmless).' : '.'),
            confidence: CONFIDENCE[evidence],
          });
        },
      },
    };
  },
});

const CONFIDENCE: Record<'security' | 'other' | 'cleanup', Confidence> = { security: 'high', other: 'medium', cleanup: 'low' };

/**
 * A name that is the `try`'s answer with a default: bound by a plain assignment before the `try`
 * (in its block or an enclosing one, within the function), assigned again inside it, and read after it (`shared = False; try: ...;
 * shared = True; except Exception: pass; return shared`). When the `try` fails, the default is
 * what the code goes on with, which is a fallback, not a lost error.
 */
function keptDefault(tryStatement: Node): string | undefined {
  // From the `try` up to its function: plain assignments before it, and statements after it, in
  // each enclosing block (the `try` may sit in an `if` under the default's assignment).
  const before = new Set<string>();
  const after: Node[] = [];
  for (let node: Node | null = tryStatement; node && node.type !== 'function_definition' && node.type !== 'module'; node = node.parent) {
    const block = node.parent;
    if (!block || (block.type !== 'block' && block.type !== 'module')) continue;
    const siblings = block.namedChildren.filter((c): c is Node => c !== null);
    const at = siblings.findIndex((c) => c.id === node!.id);
    for (const s of siblings.slice(0, at)) {
      const target = plainAssignmentTarget(s);
      if (target) before.add(target);
    }
    after.push(...siblings.slice(at + 1));
  }
  if (before.size === 0) return undefined;
  const body = tryStatement.childForFieldName('body');
  for (const a of body?.descendantsOfType(['assignment']) ?? []) {
    const left = a?.childForFieldName('left');
    if (left?.type !== 'identifier' || !before.has(left.text)) continue;
    if (after.some((s) => s.descendantsOfType(['identifier']).some((id) => id?.text === left.text))) return left.text;
  }
  return undefined;
}

/** `name = ...` as a statement: the name. */
function plainAssignmentTarget(statement: Node): string | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  const assignment = statement.namedChildren[0];
  if (assignment?.type !== 'assignment') return undefined;
  const left = assignment.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/** The `try` block an except clause belongs to. */
function guardedBody(clause: Node): Node | undefined {
  const t = clause.parent;
  return t?.type === 'try_statement' ? t.childForFieldName('body') ?? undefined : undefined;
}

/**
 * What the guarded code does: `security` when its names say it enforces something (a firewall
 * rule, a privilege drop, a signature check); `cleanup` when it only calls tidy-up and read
 * functions (`os.unlink`, `rpcserver.stop()`, `shutil.rmtree`, `os.path.exists`) or only reads
 * data (`x = body['a'][0]`); `other` otherwise.
 */
function securityEvidence(module: PythonModule, body: Node): 'security' | 'other' | 'cleanup' {
  for (const id of body.descendantsOfType(['identifier'])) {
    if (id && nameWords(id.text).some((w) => SECURITY_WORDS.has(w))) return 'security';
  }
  for (const c of body.descendantsOfType(['call'])) {
    if (!c) continue;
    const call = module.call(c);
    const name = call.method ?? (call.callee.type === 'identifier' ? call.callee.text : undefined);
    if (!name || !CLEANUP_CALLS.has(name)) return 'other';
  }
  // No calls at all, or only tidy-up ones; anything but assignments, expressions and branches is `other`.
  const simple = new Set(['expression_statement', 'if_statement', 'block', 'else_clause', 'elif_clause', 'pass_statement', 'break_statement', 'comment']);
  for (const n of body.descendantsOfType([...STATEMENTS])) if (n && !simple.has(n.type)) return 'other';
  return 'cleanup';
}

const STATEMENTS = [
  'expression_statement', 'if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement',
  'return_statement', 'raise_statement', 'import_statement', 'import_from_statement', 'global_statement', 'delete_statement',
  'assert_statement', 'exec_statement', 'yield', 'await',
];

