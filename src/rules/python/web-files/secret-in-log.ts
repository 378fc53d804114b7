import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { nameParts } from './app-context.js';

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);
/** `LOG`, `log`, `logger`, `_LOGGER`, `self.log`, `audit_logger`, `access_log`... */
const LOGGER_NAME = /^_*(log|logger|logging)$|_(log|logger)$/i;

/** Single name parts that denote a secret value. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials',
  'cookie', 'cookies', 'sessionid', 'authorization', 'privatekey', 'authheader',
]);
/** Two consecutive parts that denote a secret value. */
const SECRET_PAIRS = new Set(['api_key', 'private_key', 'secret_key', 'auth_header', 'session_id', 'auth_token']);
/** Parts after the secret word that keep it a secret value: `password_plain`, `token_b64`. */
const VALUE_SUFFIXES = new Set(['value', 'str', 'string', 'text', 'plain', 'plaintext', 'raw', 'b64', 'encoded', 'bytes', 'data', 'hex']);
/** Leading parts that make the name about the secret, not the secret: `has_password`, `num_tokens`. */
const META_PREFIXES = new Set(['is', 'has', 'should', 'use', 'uses', 'need', 'needs', 'require', 'requires', 'num', 'len', 'no', 'count', 'max', 'min']);
/** Words for which a match is weaker evidence: lexer tokens, cookie jars, session ids. */
const WEAKER = new Set(['token', 'cookie', 'cookies', 'sessionid', 'session_id']);
/** Often a credentials *object* or an error about credentials rather than the secret itself. */
const WEAKEST = new Set(['credential', 'credentials', 'pwd']);
/**
 * `cookie` is an HTTP secret only in code that speaks HTTP. Elsewhere it is most often an
 * identifier: OpenFlow flow cookies (Neutron's `msg.cookie`, `reserved_cookies`), memcached
 * CAS cookies, magic cookies. So these words count only in modules importing an HTTP
 * framework or client; `import http.cookies` leaves just `http` in the imports table.
 */
const COOKIE_WORDS = new Set(['cookie', 'cookies']);
const HTTP_IMPORT =
  /^(?:flask|django|werkzeug|starlette|fastapi|quart|sanic|tornado|aiohttp|pyramid|webob|bottle|falcon|cherrypy|pecan|requests|httpx|urllib3|http\.(?:cookies|cookiejar|client|server)|urllib\.request)(?:\.|$)|^http$/;
const speaksHttpCache = new WeakMap<PythonModule, boolean>();
/** `next_token`, `page_token`, `starting_token`, `acquire_token`: paging cursors and sync handles. */
const NON_SECRET_TOKEN_QUALIFIERS = new Set([
  'next', 'starting', 'start', 'page', 'paging', 'pagination', 'continuation', 'marker', 'sync', 'acquire',
  'cancel', 'cancellation', 'idempotency', 'client', 'resume', 'prev', 'previous', 'last', 'first', 'end', 'stop',
  'lexer', 'parser', 'parse', 'cursor', 'offset', 'batch', 'change', 'unique', 'current', 'lex',
]);

export default defineRule({
  id: 'python/secret-in-log',
  language: 'python',
  title: 'Secret value written to a log',
  cwe: [532],
  severity: 'medium',
  confidence: 'high',
  description:
    'A logging call formats a value whose name says it is a secret (password, token, secret, API key, private key, ' +
    'credentials, session id, auth header) into the message, through `%` arguments, an f-string, `.format()` or ' +
    'concatenation, without masking it. Cookies count only in modules that import an HTTP framework or client; ' +
    'elsewhere a cookie is usually an identifier (OpenFlow flow cookies, memcached cookies). Names that only mention ' +
    'the secret (`password_length`, `token_url`, `has_password`) and the word in the message text itself are not ' +
    'reported.',
  whyItMatters:
    'Logs are copied to log servers, tickets, backups and support bundles and are read by far more people than the ' +
    'secret was meant for. A password or token in a log line is a leaked credential that stays valid until rotated.',
  fix: {
    guidance:
      'Log the fact, not the value: the user or key id, a fixed `***`, or a masked form ' +
      '(`oslo_utils.strutils.mask_password()`, a `redact()` helper). Never log request bodies, headers or cookies ' +
      'without masking.',
    before: 'LOG.debug("Authenticating %s with password %s", user, password)',
    after: 'LOG.debug("Authenticating %s", user)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/532.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (!call.method || !LOG_METHODS.has(call.method) || !isLogger(module, call)) return;
        const first = call.method === 'log' ? 1 : 0;
        const args = call.positional.slice(first);
        if (args.length === 0) return;
        const hits: Node[] = [];
        for (const arg of args) collectSecrets(module, arg, hits);
        const hit = hits[0];
        if (!hit) return;
        const names = [...new Set(hits.map((h) => module.text(h)))].map((t) => `\`${t}\``).join(', ');
        const words = hits.map((h) => secretWord(hitName(module, h)) ?? '');
        const confidence = words.every((w) => WEAKEST.has(w))
          ? 'low'
          : words.every((w) => WEAKER.has(w) || WEAKEST.has(w))
            ? 'medium'
            : 'high';
        report({
          node: hit,
          confidence,
          message: `\`${module.text(call.callee)}\` writes ${names} to the log unmasked.`,
        });
      },
    };
  },
});

/** `logging.info(...)`, a logger-named receiver, or `logging.getLogger(...).info(...)`. */
function isLogger(module: PythonModule, call: PyCall): boolean {
  if (call.qname !== undefined) {
    // `logging.info`, oslo_log's `log.info`, loguru's imported `logger.info`, an imported `LOG`.
    const segments = call.qname.split('.');
    return LOGGER_NAME.test(segments[segments.length - 2] ?? '');
  }
  const receiver = call.receiver ? module.unwrap(call.receiver) : undefined;
  if (!receiver) return false;
  if (receiver.type === 'call') {
    const fn = receiver.childForFieldName('function');
    const q = fn ? module.resolve(fn) : undefined;
    return q !== undefined && /\.(getLogger|get_logger)$/.test(q);
  }
  const dotted = module.dottedName(receiver);
  if (!dotted) return false;
  const last = dotted.split('.').pop() ?? '';
  if (LOGGER_NAME.test(last)) return true;
  // A module-level name bound to logging.getLogger(...).
  const value = module.moduleConstants.get(dotted);
  if (value?.type === 'call') {
    const fn = value.childForFieldName('function');
    const q = fn ? module.resolve(fn) : undefined;
    return q !== undefined && /\.(getLogger|get_logger)$/.test(q);
  }
  return false;
}

/**
 * Collect the sub-expressions of a log argument whose value is a secret. Descends only where
 * the value flows into the message unchanged: f-string interpolations, `%`, `+`,
 * `.format()`, `str()`/`repr()`, tuples, lists, dict values and conditional branches.
 */
function collectSecrets(module: PythonModule, node: Node, out: Node[], depth = 0): void {
  if (depth > 12) return;
  const n = module.unwrap(node);
  switch (n.type) {
    case 'identifier':
    case 'attribute':
    case 'subscript': {
      const name = exposedName(module, n);
      if (name !== undefined && isSecretName(module, name) && !isModuleReference(module, n)) out.push(n);
      return;
    }
    case 'string':
      for (const c of n.namedChildren) {
        if (c?.type !== 'interpolation') continue;
        const e = c.childForFieldName('expression');
        if (e) collectSecrets(module, e, out, depth + 1);
      }
      return;
    case 'concatenated_string':
    case 'tuple':
    case 'list':
    case 'expression_list':
      for (const c of n.namedChildren) if (c) collectSecrets(module, c, out, depth + 1);
      return;
    case 'binary_operator': {
      const op = n.childForFieldName('operator')?.text;
      if (op !== '%' && op !== '+') return;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (l) collectSecrets(module, l, out, depth + 1);
      if (r) collectSecrets(module, r, out, depth + 1);
      return;
    }
    case 'dictionary':
      for (const pair of n.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const k = pair.childForFieldName('key');
        const v = pair.childForFieldName('value');
        if (!v) continue;
        const key = k ? module.constantValue(k) : undefined;
        const vv = module.unwrap(v);
        // {'password': pw}: the key names the value, unless the value is a constant or masked.
        if (typeof key === 'string' && isSecretName(module, key) && !module.isConstantExpression(vv) && vv.type !== 'call') out.push(v);
        else collectSecrets(module, v, out, depth + 1);
      }
      return;
    case 'conditional_expression': {
      const parts = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (parts[0]) collectSecrets(module, parts[0], out, depth + 1);
      if (parts[2]) collectSecrets(module, parts[2], out, depth + 1);
      return;
    }
    case 'call': {
      // Any other call (mask_password(x), len(x), hash(x)...) transforms the value: not followed.
      const call = module.call(n);
      // headers.get('Authorization'), body.get('password'): a lookup by a secret key.
      if (call.method === 'get' && call.positional.length >= 1 && call.positional.length <= 2) {
        const key = module.constantValue(call.positional[0]!);
        if (typeof key === 'string' && isSecretName(module, key)) out.push(n);
        return;
      }
      if (call.qname === 'str' || call.qname === 'repr') {
        for (const a of call.positional) collectSecrets(module, a, out, depth + 1);
        return;
      }
      if (call.method === 'format' && call.receiver && module.isStringLiteral(call.receiver)) {
        for (const a of call.positional) collectSecrets(module, a, out, depth + 1);
        for (const [k, v] of call.keywords) {
          if (isSecretName(module, k) && !module.isConstantExpression(v) && module.unwrap(v).type !== 'call') out.push(v);
          else collectSecrets(module, v, out, depth + 1);
        }
      }
      return;
    }
    default:
      return;
  }
}

/** The name a value is known by: the identifier, the last attribute, or a constant subscript key. */
function exposedName(module: PythonModule, node: Node): string | undefined {
  const n = module.unwrap(node);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text;
  if (n.type === 'subscript') {
    const key = n.childForFieldName('subscript');
    const v = key ? module.constantValue(key) : undefined;
    return typeof v === 'string' ? v : undefined;
  }
  if (n.type === 'call') {
    const call = module.call(n);
    const v = call.method === 'get' && call.positional[0] ? module.constantValue(call.positional[0]) : undefined;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** `pwd` the module, `secrets` the module...: a reference to an import is not a value. */
function isModuleReference(module: PythonModule, node: Node): boolean {
  return node.type === 'identifier' && module.imports.has(node.text);
}

/** The secret word a name is about, when the name denotes the secret value itself. */
function secretWord(name: string): string | undefined {
  const parts = nameParts(name);
  if (parts.length === 0 || META_PREFIXES.has(parts[0]!)) return undefined;
  // Find the last secret word or pair, then require only value-like parts after it.
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    const pair = i > 0 ? `${parts[i - 1]}_${part}` : '';
    const word = SECRET_PAIRS.has(pair) ? pair : SECRET_WORDS.has(part) ? part : undefined;
    if (!word) continue;
    if (part === 'token' && i > 0 && NON_SECRET_TOKEN_QUALIFIERS.has(parts[i - 1]!)) return undefined;
    const rest = parts.slice(i + 1);
    const tokenId = word.endsWith('token') && rest.length === 1 && rest[0] === 'id';
    return rest.every((r) => VALUE_SUFFIXES.has(r)) || tokenId ? word : undefined;
  }
  return undefined;
}

function isSecretName(module: PythonModule, name: string): boolean {
  const word = secretWord(name);
  return word !== undefined && (!COOKIE_WORDS.has(word) || speaksHttp(module));
}

function speaksHttp(module: PythonModule): boolean {
  let v = speaksHttpCache.get(module);
  if (v === undefined) {
    v = [...module.imports.values()].some((q) => HTTP_IMPORT.test(q));
    speaksHttpCache.set(module, v);
  }
  return v;
}

/** The name that made a hit secret: its own name, or the dict key / format keyword naming it. */
function hitName(module: PythonModule, hit: Node): string {
  const own = exposedName(module, hit);
  if (own !== undefined && isSecretName(module, own)) return own;
  const parent = hit.parent;
  if (parent?.type === 'pair') {
    const k = parent.childForFieldName('key');
    const v = k ? module.constantValue(k) : undefined;
    if (typeof v === 'string') return v;
  }
  if (parent?.type === 'keyword_argument') return parent.childForFieldName('name')?.text ?? '';
  return own ?? '';
}
