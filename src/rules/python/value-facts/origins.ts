/**
 * Where the pieces of a value come from: request data, parameters, locals, attributes, configuration.
 * Intra-procedural only: a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';
import { named, snippet, truncate } from './node-text.js';
import { bindingsOf, parameterNames, scopeOf, singleAssignment } from './bindings.js';
import { NUMERIC, valueFacts } from './value-parts.js';

// ---- where values come from -------------------------------------------------------------

/** Qualified names (and their sub-attributes) whose data comes from outside the program. */
const EXTERNAL = [
  'flask.request', 'flask.globals.request', 'bottle.request', 'sys.argv', 'sys.stdin', 'os.environ', 'os.environb',
  'os.getenv', 'os.getenvb', 'input', 'fileinput.input', 'cgi.FieldStorage',
];
const FILE_OPENERS = new Set(['open', 'io.open', 'builtins.open', 'codecs.open', 'gzip.open', 'bz2.open', 'lzma.open', 'os.fdopen']);
const ROUTE_METHODS = new Set(['route', 'get', 'post', 'put', 'patch', 'delete', 'api_route', 'websocket']);

/**
 * `config`: the program's own configuration (oslo.config `CONF.x` / `cfg.CONF.x`, Django `settings.X`,
 * `self.conf.x`), set by whoever deploys it: the weakest evidence of all, below `attribute`.
 */
export type OriginKind = 'external' | 'parameter' | 'local' | 'attribute' | 'config';

export interface Origin {
  kind: OriginKind;
  /** The piece this origin describes, as written where it is interpolated. */
  node: Node;
  /** For `external`: what the data comes from, e.g. `request.args`, `sys.argv`, route parameter `name`. */
  source?: string;
}

/** Route decorator facts for a web handler: the URL parameters and their converters. */
export interface RouteInfo {
  /** parameter name → converter (`string`, `path`, `int`...). */
  params: Map<string, string>;
}

/** If `fn` is decorated as a Flask/FastAPI-style route (`@app.route('/x')`, `@bp.get('/x')`). */
export function routeInfo(module: PythonModule, fn: Node): RouteInfo | undefined {
  const decorated = fn.parent;
  if (!decorated || decorated.type !== 'decorated_definition') return undefined;
  for (const d of named(decorated)) {
    if (d.type !== 'decorator') continue;
    const expr = named(d)[0];
    if (!expr || expr.type !== 'call') continue;
    const call = module.call(expr);
    if (!call.method || !ROUTE_METHODS.has(call.method)) continue;
    const rule = call.arg(0, 'rule') ?? call.arg(0, 'path');
    const path = rule ? module.constantValue(rule) : undefined;
    if (typeof path !== 'string' || !path.startsWith('/')) continue;
    const params = new Map<string, string>();
    for (const m of path.matchAll(/<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>/g)) params.set(m[2]!, m[1] ?? 'string');
    for (const m of path.matchAll(/\{(\w+)(?::(\w+))?\}/g)) params.set(m[1]!, m[2] ?? 'string');
    return { params };
  }
  return undefined;
}

const INERT_CONVERTERS = new Set(['int', 'float', 'uuid', 'UUID', 'bool', 'uuid.UUID']);

/**
 * A route handler parameter that the framework has already converted to a number or UUID:
 * `<int:id>` in a Flask rule, `{id:int}` in Starlette, or `id: int` in a FastAPI handler.
 */
export function isNumericRouteParameter(module: PythonModule, identifier: Node): boolean {
  const bindings = bindingsOf(module, identifier);
  const param = bindings.length === 1 && bindings[0]!.kind === 'param' ? bindings[0]!.node : undefined;
  if (!param) return false;
  const fn = scopeOf(param);
  if (fn.type !== 'function_definition') return false;
  const route = routeInfo(module, fn);
  if (!route) return false;
  const converter = route.params.get(identifier.text);
  if (converter && INERT_CONVERTERS.has(converter)) return true;
  const typed = param.parent;
  if (typed && (typed.type === 'typed_parameter' || typed.type === 'typed_default_parameter')) {
    const type = typed.childForFieldName('type')?.text;
    return !!type && INERT_CONVERTERS.has(type);
  }
  return false;
}

/** A handler parameter filled by the framework, not the client: `db: Session = Depends(get_db)`. */
function isInjectedDependency(module: PythonModule, param: Node): boolean {
  const p = param.parent;
  if (!p || (p.type !== 'default_parameter' && p.type !== 'typed_default_parameter')) return false;
  const value = p.childForFieldName('value');
  if (!value || value.type !== 'call') return false;
  const callee = module.call(value);
  const name = callee.qname ?? module.dottedName(callee.callee) ?? '';
  return /(?:^|\.)(?:Depends|Security|Inject|Provide)$/.test(name);
}

/** A Django/DRF-style view: a function whose first parameter (after `self`) is `request`. */
function isRequestView(fn: Node): boolean {
  const names = parameterNames(fn);
  const i = names[0] === 'self' || names[0] === 'cls' ? 1 : 0;
  return names[i] === 'request';
}

/**
 * The external source visible in `node` itself or in the local assignments it comes from,
 * described for a message (`request.args`, `sys.argv`, route parameter `name`), or undefined.
 */
export function externalSource(module: PythonModule, node: Node, depth = 0, seen = new Set<number>()): string | undefined {
  if (depth > 8) return undefined;
  const stack = [module.unwrap(node)];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n.type === 'lambda' || n.type === 'function_definition') continue;
    if (n.type === 'call') {
      // The contents of a file are not the data its path was built from; numbers carry no payload.
      const q = module.call(n).qname ?? '';
      if (FILE_OPENERS.has(q) || NUMERIC.has(q)) continue;
    }
    if (n.type === 'attribute' || n.type === 'identifier') {
      const parent = n.parent;
      const isAttrName = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id;
      const isKeywordName = parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id;
      if (!isAttrName && !isKeywordName) {
        const q = module.resolve(n);
        if (q && EXTERNAL.some((e) => q === e || q.startsWith(`${e}.`))) return describe(n, parent);
        const dotted = module.dottedName(n);
        if (n.type === 'attribute' && (dotted === 'self.request' || dotted === 'cls.request')) return describe(n, parent);
        if (n.type === 'identifier' && !q) {
          if (n.text === 'raw_input' && parent?.type === 'call') return 'raw_input()';
          const bindings = bindingsOf(module, n);
          if (n.text === 'request' && !module.imports.has('request') &&
            (bindings.length === 0 || bindings.every((b) => b.kind === 'param'))) {
            return describe(n, parent);
          }
          for (const b of bindings) {
            if (b.kind === 'param') {
              const fn = scopeOf(b.node);
              if (fn.type !== 'function_definition') continue;
              const route = routeInfo(module, fn);
              if (route?.params.has(n.text)) return `route parameter \`${n.text}\``;
              // FastAPI-style handlers receive query and body fields as parameters too.
              if (route && !isInjectedDependency(module, b.node) && n.text !== 'self') return `request parameter \`${n.text}\``;
              if (!route && isRequestView(fn) && n.text !== 'self' && n.text !== 'request') return `view argument \`${n.text}\``;
              continue;
            }
            if (b.value && (b.kind === 'assign' || b.kind === 'augassign' || b.kind === 'with' || b.kind === 'for' || b.kind === 'comprehension')) {
              const found = externalSource(module, b.value, depth + 1, seen);
              if (found) return found;
            }
          }
        }
      }
    }
    for (const c of named(n)) stack.push(c);
  }
  return undefined;
}

function describe(n: Node, parent: Node | null): string {
  // `request.args.get('x')` reads better as `request.args`; `request` alone as `request.GET`.
  let top = n;
  if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === n.id) top = parent;
  const full = truncate(top.text, 40);
  const text = full.replace(/\.(?:get|getlist|get_json|get_data|pop|items|keys|values)$/, '');
  const called = text === full && top.parent?.type === 'call' && top.parent.childForFieldName('function')?.id === top.id;
  return called ? `\`${text}()\`` : `\`${text}\``;
}

/**
 * Which side of the process an external source is on: `request` data comes from remote
 * clients; `process` data (argv, environment, stdin) from whoever starts the program.
 */
export function sourceChannel(source: string): 'request' | 'process' {
  return /sys\.argv|environ|getenv|input|stdin|fileinput/.test(source) ? 'process' : 'request';
}

/** Where one non-constant piece comes from, as far as this function shows. */
export function originOf(module: PythonModule, part: Node): Origin {
  const source = externalSource(module, part);
  if (source) return { kind: 'external', node: part, source };
  return { kind: localKind(module, part, 0), node: part };
}

/** Names of configuration objects in an attribute chain (`CONF.x`, `self.conf.x`, `cfg.CONF.x`). */
const CONFIG_SEGMENTS = new Set(['CONF', 'conf', '_conf', 'config', '_config', 'settings']);
const CONFIG_QNAMES = /^(?:oslo_config\.cfg\.CONF|oslo\.config\.cfg\.CONF|django\.conf\.settings)(?:\.|$)/;

/** A read of the program's configuration: the chain goes through a configuration object. */
export function isConfigRead(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  const segments: string[] = [];
  let root = n;
  for (;;) {
    if (root.type === 'attribute') {
      segments.push(root.childForFieldName('attribute')?.text ?? '');
      root = module.unwrap(root.childForFieldName('object') ?? root);
    } else if (root.type === 'subscript') {
      root = module.unwrap(root.childForFieldName('value') ?? root);
    } else break;
  }
  if (root.type !== 'identifier' || (segments.length === 0 && root.id === n.id)) return false;
  const q = module.resolve(n) ?? module.resolve(root);
  if (q && CONFIG_QNAMES.test(q)) return true;
  // The configuration object itself is read, not one of its last attributes (`conf.x`, not `self.conf`).
  return CONFIG_SEGMENTS.has(root.text) || segments.slice(1).some((s) => CONFIG_SEGMENTS.has(s));
}

function localKind(module: PythonModule, node: Node, depth: number): OriginKind {
  if (depth > 6) return 'local';
  const n = module.unwrap(node);
  if (isConfigRead(module, n)) return 'config';
  let root = n;
  for (;;) {
    let next: Node | null = null;
    if (root.type === 'attribute') next = root.childForFieldName('object');
    else if (root.type === 'subscript') next = root.childForFieldName('value');
    else if (root.type === 'call') {
      const f = module.unwrap(root.childForFieldName('function') ?? root);
      next = f.type === 'attribute' ? f.childForFieldName('object') : null;
    }
    if (!next) break;
    root = module.unwrap(next);
  }
  if (root.type !== 'identifier') return 'local';
  if (root.text === 'self' || root.text === 'cls') return 'attribute';
  const bindings = bindingsOf(module, root);
  if (bindings.some((b) => b.kind === 'param')) return 'parameter';
  const value = singleAssignment(module, root);
  if (value) {
    const parts = valueFacts(module, value).parts;
    if (parts.length === 0) return 'attribute';
    return strongest(parts.map((p) => localKind(module, p, depth + 1)));
  }
  return 'local';
}

const RANK: Record<OriginKind, number> = { external: 3, parameter: 2, local: 1, attribute: 0, config: -1 };

export function strongest(kinds: readonly OriginKind[]): OriginKind {
  let best: OriginKind = kinds.length > 0 ? 'config' : 'attribute';
  for (const k of kinds) if (RANK[k] > RANK[best]) best = k;
  return best;
}

/** The most telling origin among several pieces (external first, then parameters). */
export function strongestOrigin(module: PythonModule, parts: readonly Node[]): Origin | undefined {
  let best: Origin | undefined;
  for (const p of parts) {
    const o = originOf(module, p);
    if (!best || RANK[o.kind] > RANK[best.kind]) best = o;
    if (best.kind === 'external') break;
  }
  return best;
}

/** `name`, `self.name`: how to refer to a piece in a message. */
export function pieceName(part: Node): string {
  return `\`${snippet(part, 40)}\``;
}
