import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { setKeyword } from '../python-edits.js';
import { inMainGuard, walk } from './app-context.js';

/** What the fix passes: long enough for a slow API, short enough that a dead server frees the worker. */
const DEFAULT_FIX_TIMEOUT = '30';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
const SESSION_FACTORIES = new Set(['requests.Session', 'requests.session', 'requests.sessions.Session']);
const URLOPEN = new Set(['urllib.request.urlopen', 'urllib2.urlopen']);
/** httpx defaults to a 5 s timeout; only an explicit `timeout=None` removes it. */
const HTTPX = /^httpx\.(get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient)$/;

export default defineRule({
  id: 'python/request-without-timeout',
  language: 'python',
  title: 'HTTP request without a timeout',
  cwe: [1088],
  severity: 'medium',
  confidence: 'high',
  description:
    'An outgoing HTTP request is made with no timeout: `requests.get/post/...` or a `requests.Session()` method ' +
    'without `timeout=`, `urllib.request.urlopen()` without a timeout, or an httpx call or client with ' +
    '`timeout=None`. requests and urllib wait forever by default. In command-line scripts (files under `bin/` or ' +
    "`scripts/`, modules with `if __name__ == '__main__':`, argparse/click/typer tools) and under a `__main__` guard " +
    'the finding is low confidence: a person waits in front of them and can interrupt a hung call.',
  whyItMatters:
    'A remote server that accepts the connection and never answers (slow, overloaded, or hostile) blocks the ' +
    'calling thread indefinitely. In a web worker, queue consumer or scheduler, a few such calls exhaust the pool ' +
    'and the service stops responding.',
  fix: {
    guidance:
      'Always pass a timeout sized to the call, e.g. `timeout=(3.05, 30)` (connect, read) for requests or ' +
      '`timeout=10` for urlopen; for sessions, pass it on every call or wrap the session to supply a default.',
    before: 'resp = requests.get(url)',
    after: 'resp = requests.get(url, timeout=(3.05, 30))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/1088.html',
    'https://requests.readthedocs.io/en/latest/user/advanced/#timeouts',
    'https://docs.python.org/3/library/urllib.request.html#urllib.request.urlopen',
    'https://www.python-httpx.org/advanced/timeouts/',
  ],
  create({ module, report }) {
    // A command-line tool waits in front of a person who can interrupt it: low confidence there.
    // Imports are recorded while the file is walked: decide at the first finding.
    let script: boolean | undefined;
    const confidenceAt = (node: Node): 'low' | undefined => ((script ??= commandLineScript(module)) || inMainGuard(node) ? 'low' : undefined);
    const isNone = (n: Node): boolean => module.constantValue(n) === null;
    // urlopen falls back to socket.getdefaulttimeout(); a module that sets it has a timeout.
    let defaultTimeoutSet: boolean | undefined;
    const setsDefaultTimeout = (): boolean => {
      if (defaultTimeoutSet === undefined) {
        defaultTimeoutSet = false;
        walk(module.root, (n) => {
          if (defaultTimeoutSet) return false;
          if (n.type === 'call' && module.call(n).qname === 'socket.setdefaulttimeout') defaultTimeoutSet = true;
        });
      }
      return defaultTimeoutSet;
    };

    return {
      call(call) {
        // `**kwargs` may pass a timeout. Asked once the call is one of ours: it reads every argument.
        const q = call.qname;
        if (q !== undefined && q.startsWith('requests.') && HTTP_METHODS.has(q.slice('requests.'.length))) {
          if (call.hasStarKwargs) return;
          checkRequests(call, `\`${q}\``);
          return;
        }
        if (q !== undefined && URLOPEN.has(q)) {
          if (call.hasStarKwargs || call.hasStarArgs) return;
          const timeout = call.arg(2, 'timeout');
          if (timeout && !isNone(timeout)) return;
          if (!timeout && setsDefaultTimeout()) return;
          // A positional `None` would clash with an added keyword.
          const edit = timeout && !call.keywords.get('timeout') ? undefined : setKeyword(call, 'timeout', DEFAULT_FIX_TIMEOUT);
          report({
            node: call.node,
            autofix: edit ? { description: `Pass timeout=${DEFAULT_FIX_TIMEOUT} (seconds)`, edits: [edit] } : undefined,
            confidence: confidenceAt(call.node),
            message: timeout
              ? `\`${module.text(call.callee)}\` is called with \`timeout=None\` and waits forever for a server that does not answer.`
              : `\`${module.text(call.callee)}\` is called without a timeout and waits forever for a server that does not answer.`,
          });
          return;
        }
        if (q !== undefined && HTTPX.test(q)) {
          if (call.hasStarKwargs) return;
          const timeout = call.keywords.get('timeout');
          if (timeout && isNone(timeout)) {
            report({
              node: call.node,
              confidence: confidenceAt(call.node),
              message: `\`${q}\` is given \`timeout=None\`, which removes httpx's default timeout: requests can wait forever.`,
            });
          }
          return;
        }
        if (q === undefined && call.method && HTTP_METHODS.has(call.method) && call.receiver && !call.hasStarKwargs && isRequestsSession(module, call.receiver)) {
          checkRequests(call, `session call \`${module.text(call.callee)}\``);
        }
      },
    };

    function checkRequests(call: PyCall, what: string): void {
      const timeout = call.keywords.get('timeout');
      if (timeout && !isNone(timeout)) return;
      const edit = setKeyword(call, 'timeout', DEFAULT_FIX_TIMEOUT);
      report({
        node: call.node,
        autofix: edit ? { description: `Pass timeout=${DEFAULT_FIX_TIMEOUT} (seconds)`, edits: [edit] } : undefined,
        confidence: confidenceAt(call.node),
        message: timeout
          ? `${what} is called with \`timeout=None\`; it waits forever for a server that does not answer.`
          : `${what} is called without \`timeout=\`; requests waits forever for a server that does not answer.`,
      });
    }
  },
});

const CLI_LIBRARIES = /^(?:argparse|optparse|getopt|click|typer|docopt|fire)(?:\.|$)/;

/**
 * A command-line script: a file under `bin/` or `scripts/`, a module with a top-level
 * `if __name__ == '__main__':`, or one built on an argument parser (argparse, click, typer...).
 */
export function commandLineScript(module: PythonModule): boolean {
  if (/(?:^|[\\/])(?:bin|scripts)[\\/]/.test(module.path)) return true;
  if ([...module.imports.values()].some((q) => CLI_LIBRARIES.test(q))) return true;
  return module.root.namedChildren.some((s) => s?.type === 'if_statement' && s.namedChildren[0] !== undefined && inMainGuard(s.namedChildren[0]!));
}

/**
 * The receiver is a `requests.Session()`: a `requests.Session()` call itself, a name bound
 * to one (assignment or `with ... as`) in the same function or at module level, or
 * `self.<attr>` assigned one in the same class.
 */
function isRequestsSession(module: PythonModule, receiver: Node): boolean {
  // Without an import of requests there is no requests.Session to find (and `.get()` on
  // dicts is everywhere): skip the scope walks.
  if (!importsRequests(module)) return false;
  const r = module.unwrap(receiver);
  if (r.type === 'call') return isSessionFactory(module, r);
  const name = module.dottedName(r);
  if (!name) return false;
  const isSelfAttr = /^self\.[A-Za-z_]\w*$/.test(name);
  if (!isSelfAttr && r.type !== 'identifier') return false;
  let scope: Node | undefined;
  if (isSelfAttr) {
    for (let p = r.parent; p; p = p.parent) if (p.type === 'class_definition') { scope = p; break; }
  } else {
    scope = module.enclosingFunction(r);
  }
  const scopes = scope ? [scope] : [];
  if (!isSelfAttr) scopes.push(module.root);
  for (const s of scopes) {
    // At module level only module-level statements bind the name.
    if (bindsSession(module, s, name, !isSelfAttr && s.type === 'module')) return true;
  }
  return false;
}

const importsRequestsCache = new WeakMap<PythonModule, boolean>();

function importsRequests(module: PythonModule): boolean {
  let v = importsRequestsCache.get(module);
  if (v === undefined) {
    v = [...module.imports.values()].some((q) => q === 'requests' || q.startsWith('requests.'));
    importsRequestsCache.set(module, v);
  }
  return v;
}

const bindingCache = new WeakMap<PythonModule, Map<string, boolean>>();

/** Cached per scope and name: `.get(...)` on dicts is everywhere and each lookup walks the scope. */
function bindsSession(module: PythonModule, scope: Node, name: string, topLevelOnly: boolean): boolean {
  let cache = bindingCache.get(module);
  if (!cache) {
    cache = new Map();
    bindingCache.set(module, cache);
  }
  const key = `${scope.id}:${name}:${topLevelOnly}`;
  let v = cache.get(key);
  if (v === undefined) {
    v = scanSessionBinding(module, scope, name, topLevelOnly);
    cache.set(key, v);
  }
  return v;
}

function scanSessionBinding(module: PythonModule, scope: Node, name: string, topLevelOnly: boolean): boolean {
  let bound = false;
  let other = false;
  walk(
    scope,
    (n) => {
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left && module.dottedName(left) === name) {
          if (right && right.type === 'call' && isSessionFactory(module, right)) bound = true;
          else other = true;
        }
      } else if (n.type === 'call') {
        // s.mount(prefix, adapter): adapters commonly supply a default timeout.
        const c = module.call(n);
        if (c.method === 'mount' && c.receiver && module.dottedName(c.receiver) === name) other = true;
      } else if (n.type === 'as_pattern') {
        const target = n.childForFieldName('alias');
        const value = n.namedChildren[0];
        if (target && module.dottedName(target.namedChildren[0] ?? target) === name && value?.type === 'call') {
          if (isSessionFactory(module, value)) bound = true;
          else other = true;
        }
      }
    },
    topLevelOnly || scope.type !== 'class_definition',
  );
  return bound && !other;
}

function isSessionFactory(module: PythonModule, call: Node): boolean {
  const fn = call.childForFieldName('function');
  const q = fn ? module.resolve(fn) : undefined;
  return q !== undefined && SESSION_FACTORIES.has(q);
}
