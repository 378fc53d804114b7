import type { Node } from '../../../parse/tree-sitter.js';
import { isConstantName } from '../../../frontend/python/index.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { shortText } from './except-clauses.js';

/**
 * Name parts (split on `_` and camelCase) that make a condition an access-control check.
 * Each is specific enough on its own: a name carrying one of them is about who may do what.
 * (Broader words such as `perm`, `owner`, `signature` or `login` are not parts here: they
 * name permutations, DOM owners and `inspect.signature` too often; see SECURITY_NAMES.)
 */
const STRONG_PARTS = new Set([
  'admin', 'admins', 'administrator', 'superuser', 'staff',
  'authorized', 'authorised', 'authorize', 'authorise', 'authenticated', 'authenticate', 'authz', 'authn',
  'unauthorized', 'unauthenticated', 'permission', 'permissions', 'privileged', 'csrf', 'xsrf', 'acl', 'acls',
]);

/** Whole names that are access checks although their parts are too common alone. */
const SECURITY_NAMES = [
  /^(?:has|check|user_has|can)_perms?$/i,
  /^(?:is_|user_is_)?owner(?:_id)?$/i,
  /^owned_by$/i,
  /^(?:logged_in|is_logged_in)$/i,
  /^(?:verify|check|validate)_?(?:signature|sig|hmac|token|password|passwd|csrf|otp|mac)s?$/i,
  /^(?:signature|sig|hmac|mac)_(?:valid|ok|verified|matches)$/i,
];

/**
 * Parts that usually mean input or credential validation but also occur in plain invariants
 * (`assert strategy in self._allowed_strategies`); they count only in request-handling code.
 */
const WEAK_PARTS = new Set(['allowed', 'allow', 'role', 'roles', 'valid', 'validate', 'validated', 'verify', 'verified', 'trusted']);

/** Tokens only count with a qualifier (a bare `token` is as likely a lexer token) and when compared or verified. */
const TOKEN_NAME = /(?:^|_)(?:csrf|xsrf|auth|access|api|session|bearer|refresh|reset|jwt|id)_?token/i;

/** Security predicates called by name. */
const SECURITY_CALLS = new Set(['hmac.compare_digest', 'secrets.compare_digest']);

/** Receivers whose `is_*`/`has_*` attributes are account state (`user.is_active`, `request.user.is_staff`). */
const ACCOUNT_RECEIVER = /(?:^|\.)(?:user|current_user|account|principal|identity|member|requester)$/;

/** Parameters that mark a function as handling a request or acting for a user. */
const REQUEST_PARAMETERS = new Set(['request', 'req', 'user', 'current_user', 'principal']);

export default defineRule({
  id: 'python/assert-used-for-security',
  language: 'python',
  title: 'Security check written as an `assert`',
  cwe: [617],
  severity: 'medium',
  confidence: 'high',
  description:
    'An `assert` statement checks authentication, authorization or validation state. Python removes `assert` ' +
    'statements when run with `-O`/`-OO` or `PYTHONOPTIMIZE` set, so in those deployments the check does not run ' +
    'at all. Even when it runs, it raises `AssertionError`, which callers rarely treat as "access denied".',
  whyItMatters:
    'Whether the permission check exists depends on an interpreter flag that operators set for performance, ' +
    'so an unprivileged user can reach admin-only code or forged data passes validation in optimised runs.',
  fix: {
    guidance:
      'Use an explicit `if not <condition>: raise PermissionDenied(...)` (or the framework\'s own exception, e.g. ' +
      'Django `PermissionDenied`, Flask `abort(403)`). Keep `assert` for internal invariants only.',
    before: 'def delete_project(request, project):\n    assert request.user.is_staff\n    project.delete()',
    after:
      'def delete_project(request, project):\n    if not request.user.is_staff:\n        raise PermissionDenied("staff only")\n    project.delete()',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/617.html',
    'https://docs.python.org/3/reference/simple_stmts.html#the-assert-statement',
    'https://docs.python.org/3/using/cmdline.html#cmdoption-O',
  ],
  create({ module, report }) {
    // Tests assert on purpose. Only unmistakable test files are skipped here: the fixture harness
    // itself lives under a `test/` folder. Other layouts are silenced with per-path config overrides.
    if (isTestFile(module.path)) return {};
    return {
      nodes: {
        assert_statement(node) {
          const condition = node.namedChildren.find((c) => c && c.type !== 'comment');
          if (!condition || inTestCode(node)) return;
          const evidence = securityEvidence(module, condition);
          if (!evidence) return;
          if (!evidence.strong && !handlesRequest(module, node, condition)) return;
          report({
            node,
            message: `\`assert ${shortText(module, condition)}\` enforces an access or validation check (\`${evidence.term}\`); \`python -O\` strips asserts, so the check silently disappears.`,
            confidence: evidence.strong ? 'high' : 'medium',
          });
        },
      },
    };
  },
});

export function isTestFile(path: string): boolean {
  const segments = path.split(/[\\/]+/);
  const base = segments.at(-1) ?? '';
  if (/^test_.*\.py$/.test(base) || /_tests?\.py$/.test(base) || base === 'conftest.py') return true;
  return segments.slice(0, -1).includes('tests');
}

interface Evidence {
  term: string;
  strong: boolean;
}

function securityEvidence(module: PythonModule, condition: Node): Evidence | undefined {
  const c = module.unwrap(condition);
  // `assert x is not None` and `assert isinstance(x, T)` narrow types for checkers; they are not policy.
  if (isNoneCheck(module, c) || isIsinstance(module, c)) return undefined;
  if (c.type === 'boolean_operator' || c.type === 'not_operator') {
    // `assert a and b`: look at each operand on its own so one narrowing part does not hide another.
    let weak: Evidence | undefined;
    for (const part of c.namedChildren) {
      if (!part) continue;
      const e = securityEvidence(module, part);
      if (e?.strong) return e;
      weak ??= e;
    }
    return weak;
  }
  const compared = c.type === 'comparison_operator' || c.type === 'call';
  let weak: Evidence | undefined;
  let strong: Evidence | undefined;
  const visit = (n: Node): void => {
    if (strong) return;
    if (n.type === 'string' || n.type === 'lambda' || n.type === 'comment') return;
    if (n.type === 'keyword_argument') {
      const value = n.childForFieldName('value');
      if (value) visit(value);
      return;
    }
    if (n.type === 'call') {
      const qname = module.call(n).qname;
      if (qname && SECURITY_CALLS.has(qname)) {
        strong = { term: qname, strong: true };
        return;
      }
    }
    if (n.type === 'attribute') {
      const dotted = module.dottedName(n);
      if (dotted && /(?:^|\.)request\.user$/.test(dotted)) {
        strong = { term: dotted, strong: true };
        return;
      }
      const object = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text ?? '';
      const receiver = object ? module.dottedName(object) : undefined;
      if (receiver && /^(?:is|has|can)_/.test(attr) && ACCOUNT_RECEIVER.test(receiver)) {
        strong = { term: `${receiver}.${attr}`, strong: true };
        return;
      }
    }
    if (n.type === 'identifier') {
      const e = classifyName(n.text, compared);
      if (e?.strong) {
        strong = e;
        return;
      }
      weak ??= e;
    }
    for (const child of n.namedChildren) if (child) visit(child);
  };
  visit(c);
  return strong ?? weak;
}

function classifyName(name: string, compared: boolean): Evidence | undefined {
  if (compared && TOKEN_NAME.test(name)) return { term: name, strong: true };
  if (SECURITY_NAMES.some((re) => re.test(name))) return { term: name, strong: true };
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split('_')
    .filter(Boolean);
  // UPPER_CASE names are configuration (`ADMIN_ROLES`, `ALLOWED_HOSTS`): evidence only in request code.
  if (parts.some((p) => STRONG_PARTS.has(p))) return { term: name, strong: !isConstantName(name) };
  if (parts.some((p) => WEAK_PARTS.has(p))) return { term: name, strong: false };
  return undefined;
}

/** Inside a `test*` function or a `Test*` class: an assertion by design. */
function inTestCode(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'function_definition' && p.type !== 'class_definition') continue;
    const name = p.childForFieldName('name')?.text ?? '';
    if (p.type === 'function_definition' ? /^test/.test(name) : /^Test/.test(name)) return true;
  }
  return false;
}

/** The assert's function reads request data or takes a request or a user (module-level asserts: the condition only). */
function handlesRequest(module: PythonModule, node: Node, condition: Node): boolean {
  const fn = module.enclosingFunction(node);
  let mentionsRequest = false;
  const visit = (n: Node): void => {
    if (mentionsRequest) return;
    if (n.type === 'identifier' && (n.text === 'request' || module.resolve(n) === 'flask.request')) mentionsRequest = true;
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(fn?.childForFieldName('body') ?? condition);
  if (mentionsRequest) return true;
  const params = fn?.childForFieldName('parameters');
  if (!params) return false;
  return params.namedChildren.some((p) => {
    if (!p) return false;
    const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text);
    return name !== undefined && REQUEST_PARAMETERS.has(name);
  });
}

function isNoneCheck(module: PythonModule, n: Node): boolean {
  if (n.type !== 'comparison_operator') return false;
  const operands = n.namedChildren.filter((c) => c && c.type !== 'comment');
  const ops = n.childrenForFieldName('operators').map((o) => o?.type);
  return ops.length === 1 && (ops[0] === 'is' || ops[0] === 'is not') && operands.some((o) => o && module.unwrap(o).type === 'none');
}

function isIsinstance(module: PythonModule, n: Node): boolean {
  return n.type === 'call' && ['isinstance', 'issubclass', 'callable', 'hasattr'].includes(module.call(n).qname ?? '');
}
