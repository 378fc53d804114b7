import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property, unwrap } from '../syntax.js';

export default defineRule({
  id: 'javascript/jwt-hardcoded-secret',
  language: 'javascript',
  title: 'JWT signed or verified with a secret written in the source',
  cwe: [321, 798],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports jsonwebtoken `jwt.sign(payload, secret)` and `jwt.verify(token, secret)` whose secret is a string literal or a ' +
    '`const` holding one, and express-jwt middleware whose `secret` option is one. A key read from the environment or a file is ' +
    'not reported.',
  whyItMatters:
    'Anyone who reads the code (or the bundle, or a leaked backup) signs tokens of their own choosing: any user id, any role, ' +
    'no expiry. Rotating the secret needs a release.',
  fix: {
    guidance: 'Load the signing key from the environment or a secret manager, and prefer asymmetric keys (RS256/ES256) so verifiers hold no signing secret.',
    before: "const token = jwt.sign({ sub: user.id }, 'supersecret');",
    after: "const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });",
  },
  references: ['https://github.com/auth0/node-jsonwebtoken#jwtsignpayload-secretorprivatekey-options-callback', 'https://cwe.mitre.org/data/definitions/321.html'],
  create({ module, report }) {
    function literal(node: Node | undefined): boolean {
      if (!node) return false;
      const v = constantValue(module, unwrap(node));
      return typeof v === 'string' && v.length > 0;
    }
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          const args = argsOf(call);
          if (name === 'jsonwebtoken.sign' || name === 'jsonwebtoken.verify') {
            if (literal(args[1])) report({ node: call, message: `\`${name.slice(13)}\` uses a literal secret; anyone who reads it forges tokens.` });
          } else if (name === 'express-jwt' || name === 'express-jwt.expressjwt') {
            const secret = property(objectLiteral(module, args[0]), 'secret');
            if (literal(secret)) report({ node: call, message: 'express-jwt verifies tokens with a literal secret.' });
          }
        },
      },
    };
  },
});
