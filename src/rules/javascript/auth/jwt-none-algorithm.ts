import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property, unwrap } from '../syntax.js';

export default defineRule({
  id: 'javascript/jwt-none-algorithm',
  language: 'javascript',
  title: "JWT accepted or issued with the 'none' algorithm",
  cwe: [347],
  severity: 'critical',
  confidence: 'high',
  description:
    "Reports jsonwebtoken `jwt.verify` whose `algorithms` list contains `'none'`, and `jwt.sign` with `algorithm: 'none'`: " +
    'an unsigned token carries no proof of who issued it.',
  whyItMatters: 'Anyone writes a token with any claims (another user id, an admin role) and the server accepts it without a signature.',
  fix: {
    guidance: "Pin the algorithms you issue: `jwt.verify(token, key, { algorithms: ['RS256'] })`, and sign with a real key.",
    before: "jwt.verify(token, key, { algorithms: ['HS256', 'none'] });",
    after: "jwt.verify(token, key, { algorithms: ['HS256'] });",
  },
  references: ['https://auth0.com/blog/critical-vulnerabilities-in-json-web-token-libraries/', 'https://cwe.mitre.org/data/definitions/347.html'],
  create({ module, report }) {
    const isNone = (n: Node | undefined) => {
      const v = n ? constantValue(module, n) : undefined;
      return typeof v === 'string' && v.toLowerCase() === 'none';
    };
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          const args = argsOf(call);
          if (name === 'jsonwebtoken.verify') {
            const list = property(objectLiteral(module, args[2]), 'algorithms');
            if (list && unwrap(list).type === 'array' && unwrap(list).namedChildren.some((c) => isNone(c))) {
              report({ node: call, message: "`jwt.verify` accepts `'none'`: unsigned tokens pass." });
            }
          } else if (name === 'jsonwebtoken.sign') {
            if (isNone(property(objectLiteral(module, args[2]), 'algorithm'))) report({ node: call, message: "`jwt.sign` issues unsigned tokens (`algorithm: 'none'`)." });
          }
        },
      },
    };
  },
});
