// Does a view change anything? Used by python/csrf-protection-disabled: an exemption matters only
// on views that act on a request (write to the database, session or files, handle POST...).
import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';

export type ViewEffect = 'writes' | 'unknown' | 'read-only';

const UNSAFE_METHODS = /['"](?:POST|PUT|PATCH|DELETE)['"]/;
/** What a view body does that changes state or reads a request body. */
const WRITES = new RegExp(
  [
    String.raw`\brequest\.(?:POST|FILES|body|data|json|form|files|get_json|stream)\b`,
    String.raw`\brequest\.method\b`,
    String.raw`\.(?:save|delete|create|update|bulk_create|bulk_update|get_or_create|update_or_create|set_password|commit|execute|executemany|write|writelines|remove|unlink|send|send_mail|login|logout|put|post|patch|add|pop|setdefault|clear|flush|cycle_key)\s*\(`,
    String.raw`\b(?:session|cookies|COOKIES)\s*\[[^\]\n]*\]\s*=(?!=)`,
    String.raw`\bopen\([^)\n]*['"][^'"]*[wax+][^'"]*['"]`,
    String.raw`\b(?:os\.(?:remove|unlink|rename|replace|makedirs|mkdir|rmdir|chmod)|shutil\.\w+|subprocess\.\w+|send_mail|login|logout)\s*\(`,
  ].join('|'),
);
/** Calls that take the request only to answer it. */
const ANSWERS = new Set([
  'render', 'render_to_response', 'render_to_string', 'redirect', 'get_object_or_404', 'get_list_or_404', 'HttpResponse',
  'JsonResponse', 'TemplateResponse', 'render_template', 'jsonify', 'str', 'len', 'print', 'repr', 'isinstance',
  'debug', 'info', 'warning', 'error', 'exception', 'get_current_site', 'get_host', 'build_absolute_uri',
]);
/** Decorators that allow only safe methods, or that require unsafe ones. */
const SAFE_ONLY = new Set(['require_GET', 'require_safe']);
const UNSAFE_ONLY = new Set(['require_POST']);

function decoratorsOf(def: Node): Node[] {
  const d = def.parent?.type === 'decorated_definition' ? def.parent : undefined;
  return d ? d.namedChildren.filter((c): c is Node => c?.type === 'decorator') : [];
}

function decoratorName(decorator: Node): string {
  const expr = decorator.namedChildren[0];
  const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
  return target?.text.split('.').pop() ?? '';
}

/** The decorators' verdict: `@require_GET` (read-only), `@require_POST`, a route with unsafe `methods=`. */
function decoratorEffect(def: Node): ViewEffect | undefined {
  let routeWithoutUnsafe = false;
  for (const d of decoratorsOf(def)) {
    const name = decoratorName(d);
    if (SAFE_ONLY.has(name)) return 'read-only';
    if (UNSAFE_ONLY.has(name)) return 'writes';
    const expr = d.namedChildren[0];
    if (name === 'require_http_methods' && expr) return UNSAFE_METHODS.test(expr.text) ? 'writes' : 'read-only';
    if (/^(?:route|post|put|patch|delete|api_view)$/.test(name) && expr?.type === 'call') {
      if (name !== 'route' && name !== 'api_view') return 'writes';
      const text = expr.text;
      if (UNSAFE_METHODS.test(text)) return 'writes';
      // Flask: a route without `methods=` answers GET (and HEAD/OPTIONS) only.
      if (name === 'route' && !/\bmethods\s*=/.test(text)) routeWithoutUnsafe = true;
    }
  }
  return routeWithoutUnsafe ? 'read-only' : undefined;
}

/** Does the body hand the request to code we do not see (`return handle(request)`)? */
function passesRequestOn(module: PythonModule, body: Node): boolean {
  for (const call of body.descendantsOfType('call')) {
    const c = module.call(call);
    const name = c.method ?? (c.callee.type === 'identifier' ? c.callee.text : '');
    if (ANSWERS.has(name)) continue;
    const args = [...c.positional, ...c.keywords.values()];
    if (args.some((a) => /^(?:self\.)?request$/.test(a.text))) return true;
  }
  return false;
}

function functionEffect(module: PythonModule, def: Node): ViewEffect {
  const fromDecorators = decoratorEffect(def);
  if (fromDecorators) return fromDecorators;
  const body = def.childForFieldName('body');
  if (!body) return 'unknown';
  if (WRITES.test(body.text)) return 'writes';
  return passesRequestOn(module, body) ? 'unknown' : 'read-only';
}

const UNSAFE_HANDLERS = new Set(['post', 'put', 'patch', 'delete']);

/** A function view, or a class-based view (its handler methods, `dispatch` included). */
export function viewEffect(module: PythonModule, def: Node): ViewEffect {
  if (def.type === 'function_definition') return functionEffect(module, def);
  if (def.type !== 'class_definition') return 'unknown';
  const body = def.childForFieldName('body');
  if (!body) return 'unknown';
  // Generic editing views (CreateView, UpdateView, FormView...) and API view sets handle POST.
  const bases = def.childForFieldName('superclasses')?.text ?? '';
  if (/(?:Create|Update|Delete|Form|Edit|Redirect)View|ViewSet|APIView|GenericAPIView|Mixin/.test(bases)) return 'writes';
  let result: ViewEffect = 'read-only';
  for (const child of body.namedChildren) {
    const fn = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (fn?.type !== 'function_definition') continue;
    const name = fn.childForFieldName('name')?.text ?? '';
    if (UNSAFE_HANDLERS.has(name)) return 'writes';
    if (name === 'get' || name === 'dispatch' || name === 'head') {
      const e = functionEffect(module, fn);
      if (e === 'writes') return 'writes';
      if (e === 'unknown') result = 'unknown';
    }
  }
  return result;
}

/** The module-level function or class a URLconf entry names: `view`, `views.view`, `View.as_view()`. */
export function viewDefinition(module: PythonModule, target: Node): Node | undefined {
  let n = module.unwrap(target);
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'as_view') n = fn.childForFieldName('object') ?? n;
  }
  if (n.type !== 'identifier') return undefined;
  for (const statement of module.root.namedChildren) {
    const def = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if ((def?.type === 'function_definition' || def?.type === 'class_definition') && def.childForFieldName('name')?.text === n.text) return def;
  }
  return undefined;
}
