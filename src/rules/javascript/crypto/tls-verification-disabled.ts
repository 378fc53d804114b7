import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { constantValue, isFunction, memberName, pairKey, unwrap } from '../syntax.js';

/** Options that turn certificate checks off when false. */
const CHECK_WHEN_TRUE = new Set(['rejectUnauthorized', 'strictSSL']);

/** Whether a function does nothing and returns nothing (`() => undefined`, `() => {}`). */
function acceptsAll(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  if (body.type === 'statement_block') return body.namedChildren.every((c) => c.type === 'comment' || (c.type === 'return_statement' && (c.namedChildren.length === 0 || ['undefined', 'null'].includes(c.namedChildren[0]!.type))));
  return body.type === 'undefined' || body.type === 'null';
}

export default defineRule({
  id: 'javascript/tls-verification-disabled',
  language: 'javascript',
  title: 'TLS certificate verification turned off (rejectUnauthorized: false)',
  cwe: [295],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `rejectUnauthorized: false` (and `strictSSL: false` of the request library) in an object literal or assigned to an ' +
    'options object, and `checkServerIdentity` given a function that accepts every certificate. These keys belong to Node TLS ' +
    'contexts (`https.request`, `https.Agent`, `tls.connect`, axios and got agents, database drivers). Non-constant values ' +
    '(`rejectUnauthorized: !isDev`) are not reported.',
  whyItMatters:
    'Without certificate checks anyone on the network path (public Wi-Fi, a compromised router, a cloud neighbour) impersonates ' +
    'the server and reads or changes the traffic, credentials included.',
  fix: {
    guidance: 'Keep verification on. For an internal CA, pass its certificate as `ca: fs.readFileSync("ca.pem")` instead of turning checks off.',
    before: 'const agent = new https.Agent({ rejectUnauthorized: false });',
    after: "const agent = new https.Agent({ ca: fs.readFileSync('internal-ca.pem') });",
  },
  references: ['https://nodejs.org/api/tls.html#tlsconnectoptions-callback', 'https://cwe.mitre.org/data/definitions/295.html'],
  create({ module, report }) {
    function falsy(value: Node | null): boolean {
      if (!value) return false;
      const v = constantValue(module, value);
      return v === false || v === 0 || v === 'false';
    }
    return {
      nodes: {
        pair(pair: Node) {
          const key = pairKey(pair);
          const value = pair.childForFieldName('value');
          if (key && CHECK_WHEN_TRUE.has(key) && falsy(value)) report({ node: pair, message: `\`${key}: false\` accepts any certificate.` });
          else if (key === 'checkServerIdentity' && value && isFunction(unwrap(value)) && acceptsAll(unwrap(value))) {
            report({ node: pair, message: '`checkServerIdentity` accepts every certificate, whatever host it names.' });
          }
        },
        assignment_expression(node: Node) {
          const left = node.childForFieldName('left');
          const name = left ? memberName(left) : undefined;
          if (name && CHECK_WHEN_TRUE.has(name) && falsy(node.childForFieldName('right'))) report({ node, message: `\`${name} = false\` accepts any certificate.` });
        },
      },
    };
  },
});
