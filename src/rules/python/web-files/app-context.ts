// Helpers shared by the web-files rules: tree walking, settings/config assignments,
// test and development contexts, and name splitting. Private to this family.
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);

/**
 * Visit `root` and its named descendants in document order (iteratively). With
 * `skipNestedScopes`, nested functions, lambdas and classes below `root` are not entered.
 * Returning `false` from `visit` skips that node's children.
 */
export function walk(root: Node, visit: (node: Node) => boolean | void, skipNestedScopes = false): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (!c) continue;
      if (skipNestedScopes && SCOPE_TYPES.has(c.type)) continue;
      stack.push(c);
    }
  }
}

export function sameNode(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** `SESSION_COOKIE_secure`, `apiKey`, `auth-header` → lower-case parts. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((p) => p.length > 0);
}

export function oneLine(text: string, max = 60): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// ---- test and development contexts --------------------------------------------------------

const DEV_PARTS = new Set(['dev', 'devel', 'develop', 'development', 'local', 'test', 'tests', 'testing', 'ci']);

/** A name (file stem, class) that says it is for development or tests: `settings_dev`, `TestingConfig`. */
export function isDevOrTestName(name: string, extra: readonly string[] = []): boolean {
  return nameParts(name).some((p) => DEV_PARTS.has(p) || extra.includes(p));
}

/** test_x.py, x_test.py, tests.py, conftest.py (by basename: scan paths may contain `test/`). */
export function isTestFile(module: PythonModule): boolean {
  const base = basename(module.path);
  return /^test_.*\.py$/.test(base) || /_tests?\.py$/.test(base) || base === 'tests.py' || base === 'conftest.py';
}

const DEV_CONDITION_PARTS = new Set([...DEV_PARTS, 'debug']);

/** In the body of `if settings.DEBUG:` / `if app.testing:` / `if env == "development":`. */
function inDevBranch(branch: Node, ifNode: Node): boolean {
  const condition = ifNode.childForFieldName('condition');
  if (!condition || ifNode.childForFieldName('consequence')?.id !== branch.id) return false;
  const text = condition.text;
  if (/\bnot\b|!=|\bis\s+False\b|==\s*False\b/.test(text)) return false;
  return nameParts(text).some((p) => DEV_CONDITION_PARTS.has(p));
}

/**
 * Code that only runs in tests or local development: a test file, a test function or
 * pytest fixture, a test case class, a class named for development/testing, or the body of
 * an `if` on a debug/testing/development flag.
 */
export function isTestOrDevContext(module: PythonModule, node: Node): boolean {
  if (isTestFile(module)) return true;
  for (let c = node, p = node.parent; p; c = p, p = p.parent) {
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && inDevBranch(c, p)) return true;
    if (p.type === 'function_definition') {
      const name = p.childForFieldName('name')?.text ?? '';
      if (/^(test|setup|setUp)/.test(name)) return true;
      const decorated = p.parent?.type === 'decorated_definition' ? p.parent : undefined;
      if (decorated) {
        for (const d of decorated.namedChildren) {
          if (d?.type !== 'decorator') continue;
          const expr = d.namedChildren[0];
          const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
          const q = target ? module.resolve(target) : undefined;
          if (q === 'pytest.fixture') return true;
        }
      }
    } else if (p.type === 'class_definition') {
      const name = p.childForFieldName('name')?.text ?? '';
      if (/^Test($|[A-Z_])|Tests?$|TestCase$/.test(name) || isDevOrTestName(name, ['debug'])) return true;
    }
  }
  return false;
}

/** Inside `if __name__ == "__main__":`. */
export function inMainGuard(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      const cond = p.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      if (/^__name__==['"]__main__['"]$|^['"]__main__['"]==__name__$/.test(cond)) return true;
    }
  }
  return false;
}

// ---- settings and configuration assignments ----------------------------------------------

const settingsCache = new WeakMap<PythonModule, boolean>();
const DJANGO_MARKERS = ['INSTALLED_APPS', 'MIDDLEWARE', 'MIDDLEWARE_CLASSES', 'ROOT_URLCONF'];

/**
 * A Django settings module: basename `settings*.py`, or a module that assigns one of the
 * Django-only settings (`INSTALLED_APPS`, `MIDDLEWARE`, `ROOT_URLCONF`) at module level.
 */
export function isDjangoSettingsModule(module: PythonModule): boolean {
  let v = settingsCache.get(module);
  if (v === undefined) {
    v = /^settings.*\.py$/.test(basename(module.path)) || DJANGO_MARKERS.some((m) => module.moduleDefinitions.has(m));
    settingsCache.set(module, v);
  }
  return v;
}

/** The file stem says development or tests: `settings_dev.py`, `local.py`, `test_settings.py`. */
export function isDevOrTestSettingsFile(module: PythonModule): boolean {
  return isDevOrTestName(basename(module.path).replace(/\.pyw?$/, ''));
}

export interface ConfigSetting {
  /** Setting name, e.g. `DEBUG`. */
  name: string;
  value: Node;
  /** Where to report: the assignment, or the keyword argument. */
  node: Node;
  /** `module`: `NAME = v` at module level; `class`: in a class body; `app`: `app.config[...]`. */
  kind: 'module' | 'class' | 'app';
}

const flaskAppNamesCache = new WeakMap<PythonModule, Set<string>>();

/** Names assigned from `flask.Flask(...)` anywhere in the file. */
function flaskAppNames(module: PythonModule): Set<string> {
  let names = flaskAppNamesCache.get(module);
  if (!names) {
    const found = new Set<string>();
    walk(module.root, (n) => {
      if (n.type !== 'assignment') return;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right || right.type !== 'call') return;
      const fn = right.childForFieldName('function');
      if (fn && module.resolve(fn) === 'flask.Flask') {
        const name = module.dottedName(left);
        if (name) found.add(name);
      }
    });
    names = found;
    flaskAppNamesCache.set(module, names);
  }
  return names;
}

/**
 * An expression that denotes a Flask application: a name assigned from `flask.Flask(...)`,
 * `flask.current_app`, a `Flask(...)` call, or a conventionally named app (`app`,
 * `application`, `*_app`, `self.app`).
 */
export function looksLikeFlaskApp(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    return !!fn && module.resolve(fn) === 'flask.Flask';
  }
  const q = module.resolve(n);
  if (q === 'flask.current_app') return true;
  if (q !== undefined) return false;
  const dotted = module.dottedName(n);
  if (!dotted) return false;
  if (flaskAppNames(module).has(dotted)) return true;
  const last = dotted.split('.').pop() ?? '';
  return /^(app|application|flask_app|[a-z0-9_]+_app)$/.test(last);
}

/** `<app>.config` where `<app>` looks like a Flask application. */
function isAppConfig(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  if (n.type !== 'attribute') return false;
  if (n.childForFieldName('attribute')?.text !== 'config') return false;
  const object = n.childForFieldName('object');
  return !!object && looksLikeFlaskApp(module, object);
}

/**
 * A configuration assignment: `NAME = value` at module level or in a class body, or
 * `app.config['NAME'] = value`. Undefined for anything else.
 */
const configAssignments = new WeakMap<PythonModule, Map<number, ConfigSetting | null>>();

/** Cached per assignment node: four rules ask it of every assignment. */
export function configAssignment(module: PythonModule, assignment: Node): ConfigSetting | undefined {
  let perModule = configAssignments.get(module);
  if (!perModule) {
    perModule = new Map();
    configAssignments.set(module, perModule);
  }
  let setting = perModule.get(assignment.id);
  if (setting === undefined) {
    setting = computeConfigAssignment(module, assignment) ?? null;
    perModule.set(assignment.id, setting);
  }
  return setting ?? undefined;
}

function computeConfigAssignment(module: PythonModule, assignment: Node): ConfigSetting | undefined {
  const left = assignment.childForFieldName('left');
  const value = assignment.childForFieldName('right');
  if (!left || !value || value.type === 'assignment') return undefined;
  const statement = assignment.parent;
  if (left.type === 'identifier') {
    if (statement?.type !== 'expression_statement') return undefined;
    const container = statement.parent;
    if (container?.type === 'module') return { name: left.text, value, node: assignment, kind: 'module' };
    if (container?.type === 'block' && container.parent?.type === 'class_definition') {
      return { name: left.text, value, node: assignment, kind: 'class' };
    }
    return undefined;
  }
  if (left.type === 'subscript') {
    const target = left.childForFieldName('value');
    const key = left.childForFieldName('subscript');
    if (!target || !key || !isAppConfig(module, target)) return undefined;
    const name = module.constantValue(key);
    if (typeof name !== 'string') return undefined;
    return { name, value, node: assignment, kind: 'app' };
  }
  return undefined;
}

/** Settings passed to `app.config.update(NAME=v)`, `.update({'NAME': v})` or `.from_mapping(...)`. */
export function configUpdateSettings(module: PythonModule, call: PyCall): ConfigSetting[] {
  if (call.method !== 'update' && call.method !== 'from_mapping') return [];
  if (!call.receiver || !isAppConfig(module, call.receiver)) return [];
  const out: ConfigSetting[] = [];
  for (const [name, value] of call.keywords) {
    out.push({ name, value, node: value.parent ?? value, kind: 'app' });
  }
  const first = call.positional[0] ? module.unwrap(call.positional[0]) : undefined;
  if (first?.type === 'dictionary') {
    for (const pair of first.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const k = pair.childForFieldName('key');
      const v = pair.childForFieldName('value');
      const name = k ? module.constantValue(k) : undefined;
      if (typeof name === 'string' && v) out.push({ name, value: v, node: pair, kind: 'app' });
    }
  }
  return out;
}

/**
 * Whether a configuration setting should be judged: module-level settings only in a
 * settings module when `requireSettingsModule`, and never in development/test settings,
 * development/test config classes or test code.
 */
export function isProductionSetting(module: PythonModule, setting: ConfigSetting, requireSettingsModule: boolean): boolean {
  if (setting.kind === 'module') {
    if (requireSettingsModule && !isDjangoSettingsModule(module)) return false;
    if (isDevOrTestSettingsFile(module) || isTestFile(module)) return false;
    return true;
  }
  return !isTestOrDevContext(module, setting.node);
}

/** Falsy constant: `False`, `None`, `0`, `''`. */
export function isFalsyConstant(module: PythonModule, node: Node): boolean {
  const v = module.constantValue(node);
  return v === false || v === null || v === 0 || v === '';
}

export function isTrueConstant(module: PythonModule, node: Node): boolean {
  const v = module.constantValue(node);
  return v === true || v === 1;
}

// ---- cookies ------------------------------------------------------------------------------

/** Keyword arguments of the framework `set_cookie` signatures (Flask/Werkzeug, Django, Starlette, aiohttp). */
const COOKIE_KEYWORDS = ['value', 'max_age', 'expires', 'path', 'domain', 'secure', 'httponly', 'samesite'];

export interface CookieCall {
  call: PyCall;
  key: Node;
  /** The cookie name when it is a constant. */
  name: string | undefined;
  /** The argument for `secure`/`httponly`, keyword or positional. */
  flag(flag: 'secure' | 'httponly'): Node | undefined;
}

/**
 * A web response's `set_cookie(key, value, ...)` / Django `set_signed_cookie(key, value,
 * salt, ...)`. Method-name based (responses are rarely traceable to a constructor), so it
 * requires the framework shape: a key plus a value or a cookie attribute keyword. That
 * leaves out `CookieJar.set_cookie(cookie)` (one Cookie object) and test clients.
 */
export function setCookieCall(module: PythonModule, call: PyCall): CookieCall | undefined {
  if (call.method !== 'set_cookie' && call.method !== 'set_signed_cookie') return undefined;
  if (call.hasStarKwargs || call.hasStarArgs || !call.receiver) return undefined;
  const receiver = module.dottedName(call.receiver)?.split('.').pop() ?? module.text(call.receiver);
  if (/client|jar|cookies$/i.test(receiver)) return undefined;
  if (call.qname !== undefined && !/^(flask|werkzeug|django|starlette|fastapi|aiohttp)\b/.test(call.qname)) return undefined;
  const key = call.arg(0, 'key');
  if (!key) return undefined;
  const hasValue = call.positional.length >= 2 || COOKIE_KEYWORDS.some((k) => call.keywords.has(k));
  if (!hasValue) return undefined;
  const signed = call.method === 'set_signed_cookie';
  const name = module.constantValue(key);
  return {
    call,
    key,
    name: typeof name === 'string' ? name : undefined,
    flag(flag) {
      const index = (flag === 'secure' ? 6 : 7) + (signed ? 1 : 0);
      return call.arg(index, flag);
    },
  };
}

const SENSITIVE_COOKIE_PARTS = new Set([
  'session', 'sess', 'sessionid', 'sid', 'token', 'auth', 'jwt', 'remember', 'login', 'csrf', 'xsrf', 'csrftoken',
  'user', 'uid', 'account', 'access', 'refresh', 'api', 'apikey', 'key', 'secret', 'password', 'identity', 'sso',
  'oauth', 'saml', 'bearer', 'credentials',
]);

/** Cookie names that carry a session, an identity or a token. */
export function isSensitiveCookieName(name: string): boolean {
  return nameParts(name).some((p) => SENSITIVE_COOKIE_PARTS.has(p));
}
