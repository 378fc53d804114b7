import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, isConstant, objectLiteral, property, unwrap } from '../syntax.js';

const SESSION_OPTIONS = new Set(['express-session', 'cookie-session', 'koa-session', '@fastify/session', '@fastify/cookie']);

export default defineRule({
  id: 'javascript/session-secret-hardcoded',
  language: 'javascript',
  title: 'Session or cookie signing secret written in the source',
  cwe: [798, 321],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports express-session, cookie-session, koa-session and Fastify session/cookie plugins whose `secret` (or `keys`) option ' +
    'is a literal or an array of literals, and `cookieParser("literal")`. These secrets sign the session id cookie.',
  whyItMatters:
    'With the signing secret, anyone forges signed cookies: with cookie-session that is the whole session (any user, any role); ' +
    'with express-session it defeats the check that the session id was issued by the server.',
  fix: {
    guidance: 'Read the secret from the environment or a secret manager, and rotate it through the array form (`secret: [current, previous]`).',
    before: "app.use(session({ secret: 'keyboard cat', resave: false }));",
    after: 'app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));',
  },
  references: ['https://github.com/expressjs/session#secret', 'https://cwe.mitre.org/data/definitions/798.html'],
  create({ module, report }) {
    function literal(node: Node | undefined): boolean {
      if (!node) return false;
      const n = unwrap(node);
      if (n.type === 'array') return n.namedChildren.length > 0 && isConstant(module, n);
      const v = constantValue(module, n);
      return typeof v === 'string' && v.length > 0;
    }
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name) return;
          const args = argsOf(call);
          if (name === 'cookie-parser') {
            if (literal(args[0])) report({ node: call, message: '`cookieParser` signs cookies with a literal secret.' });
            return;
          }
          if (!SESSION_OPTIONS.has(name)) return;
          const options = objectLiteral(module, name === 'koa-session' ? args[0] : args[0]);
          for (const key of ['secret', 'keys']) {
            if (literal(property(options, key))) {
              report({ node: call, message: `${name} signs its cookie with a literal \`${key}\`.` });
              return;
            }
          }
        },
      },
    };
  },
});
