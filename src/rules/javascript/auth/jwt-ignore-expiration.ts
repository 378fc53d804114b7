import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property } from '../syntax.js';

export default defineRule({
  id: 'javascript/jwt-ignore-expiration',
  language: 'javascript',
  title: 'JWT verification ignores the expiry (ignoreExpiration: true)',
  cwe: [613],
  severity: 'medium',
  confidence: 'high',
  description:
    'Reports jsonwebtoken `jwt.verify(token, key, { ignoreExpiration: true })` and express-jwt with `ignoreExpiration: true`: ' +
    'the `exp` claim is not checked, so a token stays valid for ever.',
  whyItMatters:
    'A token stolen once (from a log, a proxy, a shared machine) keeps working after logout, password change or its planned end of life.',
  fix: {
    guidance: 'Leave expiry checks on and issue short-lived tokens with a refresh flow; allow clock skew with `clockTolerance` instead.',
    before: 'jwt.verify(token, key, { ignoreExpiration: true });',
    after: 'jwt.verify(token, key, { clockTolerance: 30 });',
  },
  references: ['https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback', 'https://cwe.mitre.org/data/definitions/613.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          const args = argsOf(call);
          const options = name === 'jsonwebtoken.verify' ? args[2] : name === 'express-jwt' || name === 'express-jwt.expressjwt' ? args[0] : undefined;
          const flag = property(objectLiteral(module, options), 'ignoreExpiration');
          if (flag && constantValue(module, flag) === true) report({ node: call, message: 'Token expiry is not checked (`ignoreExpiration: true`).' });
        },
      },
    };
  },
});
