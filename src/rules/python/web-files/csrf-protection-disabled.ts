import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import type { ConfigSetting } from './app-context.js';
import { configAssignment, configUpdateSettings, isFalsyConstant, isProductionSetting, walk } from './app-context.js';
import { viewDefinition, viewEffect } from './view-effects.js';

const CSRF_EXEMPT = 'django.views.decorators.csrf.csrf_exempt';
const METHOD_DECORATOR = 'django.utils.decorators.method_decorator';
const CSRF_PROTECT = new Set(['flask_wtf.csrf.CSRFProtect', 'flask_wtf.CSRFProtect', 'flask_wtf.csrf.CsrfProtect', 'flask_wtf.CsrfProtect']);

export default defineRule({
  id: 'python/csrf-protection-disabled',
  language: 'python',
  title: 'CSRF protection disabled',
  cwe: [352],
  severity: 'high',
  confidence: 'high',
  description:
    "Cross-site request forgery protection is switched off: Flask-WTF's `WTF_CSRF_ENABLED = False` (or " +
    '`WTF_CSRF_CHECK_DEFAULT = False`) outside test and development configuration, a Django view marked ' +
    '`@csrf_exempt` (also through `method_decorator` or `csrf_exempt(view)` in a URLconf), or a Flask view or ' +
    'blueprint exempted with `csrf.exempt`. An exempted view defined in the same file is reported only when it can ' +
    'change something: it handles POST/PUT/PATCH/DELETE (a handler method, `@require_POST`, a route with unsafe ' +
    '`methods=`, a test of `request.method`), reads a request body, or writes to the database, session, cookies or ' +
    'files; a view that hands the request to other code is low confidence, and a read-only view (`@require_GET`, a ' +
    'Flask route without `methods=`, a body that only renders) is not reported.',
  whyItMatters:
    'Without the token check, any web page a logged-in user visits can make the browser submit state-changing ' +
    'requests to the application with the user\'s cookies: change the e-mail or password, transfer funds, create ' +
    'admin accounts. Exempting a single endpoint is sometimes right (signed webhooks, token-authenticated APIs), ' +
    'so exemptions are reported with medium confidence for review.',
  fix: {
    guidance:
      'Keep CSRF protection enabled globally. For endpoints called by other servers, authenticate the request ' +
      'itself (HMAC signature, bearer token not sent automatically by browsers) and only then exempt that one view; ' +
      'for AJAX, send the token in the `X-CSRFToken` header instead of disabling the check.',
    before: '@csrf_exempt\ndef update_profile(request):\n    ...',
    after: 'def update_profile(request):  # CsrfViewMiddleware checks the token\n    ...',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/352.html',
    'https://docs.djangoproject.com/en/stable/ref/csrf/',
    'https://flask-wtf.readthedocs.io/en/stable/csrf/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html',
  ],
  create({ module, report }) {
    const checkSetting = (setting: ConfigSetting): void => {
      if (setting.name !== 'WTF_CSRF_ENABLED' && setting.name !== 'WTF_CSRF_CHECK_DEFAULT') return;
      if (!isFalsyConstant(module, setting.value) || !isProductionSetting(module, setting, false)) return;
      const global = setting.name === 'WTF_CSRF_ENABLED';
      report({
        node: setting.node,
        confidence: global ? 'high' : 'medium',
        severity: global ? 'high' : 'medium',
        message: global
          ? `\`${module.text(setting.node).replace(/\s+/g, ' ')}\` turns off Flask-WTF CSRF protection for every form and view.`
          : `\`${module.text(setting.node).replace(/\s+/g, ' ')}\` stops CSRFProtect from checking views by default; only views protected explicitly are checked.`,
      });
    };

    /**
     * `def` is the exempted view when it is defined in this file: a view that changes nothing (no
     * unsafe method, no database, session or file write) is not reported; one that hands the request to
     * code out of sight is low confidence. A view defined elsewhere keeps medium confidence.
     */
    const reportExempt = (node: Node, what: string, view: string | undefined, def?: Node): void => {
      const effect = def ? viewEffect(module, def) : 'writes';
      if (effect === 'read-only') return;
      report({
        node,
        severity: 'medium',
        confidence: effect === 'writes' ? 'medium' : 'low',
        message:
          `${what} removes CSRF protection from ${view ? `\`${view}\`` : 'this view'}` +
          (effect === 'unknown' ? ' (it passes the request on, so it may change state)' : '') +
          '; make sure it is not reachable with browser cookies alone.',
      });
    };

    return {
      call(call) {
        for (const setting of configUpdateSettings(module, call)) checkSetting(setting);
        // csrf_exempt(view) in a URLconf (a decorator without parentheses is not a call).
        if (call.qname === CSRF_EXEMPT && !isDecoratorExpression(call.node)) {
          const view = call.positional[0];
          reportExempt(call.node, '`csrf_exempt(...)`', view ? module.text(view) : undefined, view ? viewDefinition(module, view) : undefined);
          return;
        }
        // @method_decorator(csrf_exempt, name='dispatch') on a class-based view.
        if (call.qname === METHOD_DECORATOR) {
          const first = call.positional[0];
          if (first && module.resolve(first) === CSRF_EXEMPT) {
            reportExempt(call.node, '`method_decorator(csrf_exempt)`', decoratedName(call.node), decoratedDefinition(call.node));
          }
          return;
        }
        // csrf.exempt(blueprint) on a Flask-WTF CSRFProtect.
        if (call.method === 'exempt' && call.receiver && !isDecoratorExpression(call.node) && isCsrfProtect(module, call.receiver)) {
          const target = call.positional[0];
          reportExempt(call.node, `\`${module.text(call.callee)}(...)\``, target ? module.text(target) : undefined);
        }
      },
      nodes: {
        assignment(node) {
          const setting = configAssignment(module, node);
          if (setting) checkSetting(setting);
        },
        decorator(node) {
          const expr = node.namedChildren.find((c) => c && c.type !== 'comment');
          if (!expr || expr.type === 'call') return;
          if (module.resolve(expr) === CSRF_EXEMPT) {
            reportExempt(node, `\`${module.text(node)}\``, decoratedName(node), decoratedDefinition(node));
            return;
          }
          if (expr.type === 'attribute' && expr.childForFieldName('attribute')?.text === 'exempt') {
            const object = expr.childForFieldName('object');
            if (object && isCsrfProtect(module, object)) reportExempt(node, `\`@${module.text(expr)}\``, decoratedName(node), decoratedDefinition(node));
          }
        },
      },
    };
  },
});

function isDecoratorExpression(node: Node): boolean {
  return node.parent?.type === 'decorator';
}

/** The function or class a decorator (or a decorator's inner node) applies to. */
function decoratedName(node: Node): string | undefined {
  for (let p: Node | null = node; p; p = p.parent) {
    if (p.type === 'decorated_definition') return p.childForFieldName('definition')?.childForFieldName('name')?.text;
  }
  return undefined;
}

/** The function or class definition a decorator applies to. */
function decoratedDefinition(node: Node): Node | undefined {
  for (let p: Node | null = node; p; p = p.parent) {
    if (p.type === 'decorated_definition') return p.childForFieldName('definition') ?? undefined;
  }
  return undefined;
}

/** A name bound to `flask_wtf.csrf.CSRFProtect(...)` at module level. */
function isCsrfProtect(module: PythonModule, receiver: Node): boolean {
  const name = module.dottedName(receiver);
  if (!name || name.includes('.')) return false;
  let found = false;
  walk(
    module.root,
    (n) => {
      if (found) return false;
      if (n.type !== 'assignment') return;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.text !== name || right?.type !== 'call') return;
      const fn = right.childForFieldName('function');
      if (fn && CSRF_PROTECT.has(module.resolve(fn) ?? '')) found = true;
    },
    true,
  );
  return found;
}
