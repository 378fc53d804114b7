import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, calledName, constantValue, enclosingFunction, isFunction, objectLiteral, property, unwrap } from '../syntax.js';

const HEADER_SETTERS = new Set(['setHeader', 'header', 'set', 'append']);
/** Reads of the request's Origin header. */
const ORIGIN_READ = /\b(?:req|request|ctx)\s*\.\s*(?:headers\s*(?:\.\s*origin|\[\s*['"]origin['"]\s*\])|get\(\s*['"]origin['"]\s*\)|header\(\s*['"]origin['"]\s*\))/i;

/** `origin: (origin, cb) => cb(null, true)`: a function that accepts every origin. */
function acceptsEveryOrigin(fn: Node): boolean {
  const params = fn.childForFieldName('parameters');
  const cbName = params?.namedChildren[1]?.text;
  let body = fn.childForFieldName('body');
  if (!body || !cbName) return false;
  if (body.type === 'statement_block') {
    const stmts = body.namedChildren.filter((c) => c.type !== 'comment');
    if (stmts.length !== 1 || stmts[0]!.type !== 'expression_statement') return false;
    body = stmts[0]!.namedChildren[0] ?? null;
  }
  if (body?.type !== 'call_expression' || body.childForFieldName('function')?.text !== cbName) return false;
  const a = argsOf(body);
  return a.length === 2 && a[1]!.type === 'true';
}

export default defineRule({
  id: 'javascript/cors-credentials-any-origin',
  language: 'javascript',
  title: 'CORS allows credentials from any origin (origin reflected)',
  cwe: [942, 346],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports the `cors` middleware configured with `credentials: true` and `origin: true` (reflect the request origin) or an ' +
    'origin function that accepts every origin, and handlers that set `Access-Control-Allow-Origin` to the request\'s own ' +
    '`Origin` header while also sending `Access-Control-Allow-Credentials: true`. `origin: "*"` with credentials is not reported ' +
    '(browsers refuse it), nor allow-lists.',
  whyItMatters: "Any website the victim visits reads authenticated responses from the API with the victim's cookies: profile data, tokens, CSRF tokens.",
  fix: {
    guidance: 'Allow a fixed list of trusted origins: `cors({ origin: ["https://app.example.com"], credentials: true })`.',
    before: 'app.use(cors({ origin: true, credentials: true }));',
    after: "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));",
  },
  references: ['https://github.com/expressjs/cors#configuration-options', 'https://portswigger.net/web-security/cors', 'https://cwe.mitre.org/data/definitions/942.html'],
  create({ module, report }) {
    function headerCall(call: Node): { name: string; value: Node } | undefined {
      const m = calledName(call);
      if (!m || !HEADER_SETTERS.has(m) || call.childForFieldName('function')?.type !== 'member_expression') return undefined;
      const [k, v] = argsOf(call);
      const key = k ? constantValue(module, k) : undefined;
      return typeof key === 'string' && v ? { name: key.toLowerCase(), value: v } : undefined;
    }
    return {
      nodes: {
        call_expression(call: Node) {
          if (calleeName(module, call) === 'cors') {
            const options = objectLiteral(module, argsOf(call)[0]);
            const creds = property(options, 'credentials');
            if (!creds || constantValue(module, creds) !== true) return;
            const origin = property(options, 'origin');
            if (!origin) return;
            const o = unwrap(origin);
            if (constantValue(module, o) === true || (isFunction(o) && acceptsEveryOrigin(o))) {
              report({ node: call, message: '`cors` reflects any origin and allows credentials: every site can read authenticated responses.' });
            }
            return;
          }
          const header = headerCall(call);
          if (!header || header.name !== 'access-control-allow-origin' || !ORIGIN_READ.test(header.value.text)) return;
          const scope = enclosingFunction(call) ?? module.root;
          const withCredentials = scope.descendantsOfType('call_expression').some((c) => {
            const h = headerCall(c);
            return h?.name === 'access-control-allow-credentials' && constantValue(module, h.value) === 'true';
          });
          if (withCredentials) report({ node: call, message: "The request's Origin is reflected in Access-Control-Allow-Origin together with Allow-Credentials: true." });
        },
      },
    };
  },
});
