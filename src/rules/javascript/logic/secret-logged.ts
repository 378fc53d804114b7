import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, memberName, memberObject, pairKey, unwrap } from '../syntax.js';
import { isCredentialName } from '../crypto/secret-words.js';

const LOG_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace', 'verbose', 'silly', 'fatal']);
const LOGGERS = /^(?:console|logger|log|winston|pino|bunyan|this\.logger|this\.log|fastify\.log|req\.log|request\.log|app\.log)$/;

/** The credential-named value an argument logs: `password`, `user.apiKey`, `${token}`, `{ secret }`. */
function loggedSecret(node: Node): string | undefined {
  const n = unwrap(node);
  if (n.type === 'identifier') return isCredentialName(n.text) ? n.text : undefined;
  if (n.type === 'member_expression') {
    const name = memberName(n);
    return name && isCredentialName(name) ? n.text : undefined;
  }
  if (n.type === 'template_string') {
    for (const c of n.namedChildren) if (c.type === 'template_substitution' && c.namedChildren[0]) {
      const s = loggedSecret(c.namedChildren[0]);
      if (s) return s;
    }
    return undefined;
  }
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') return loggedSecret(n.childForFieldName('left')!) ?? loggedSecret(n.childForFieldName('right')!);
  if (n.type === 'object') {
    for (const c of n.namedChildren) {
      if (c.type === 'shorthand_property_identifier' && isCredentialName(c.text)) return c.text;
      if (c.type === 'pair') {
        const v = c.childForFieldName('value');
        const s = v ? loggedSecret(v) : undefined;
        if (s) return s;
        const k = pairKey(c);
        if (k && isCredentialName(k) && v && (unwrap(v).type === 'identifier' || unwrap(v).type === 'member_expression')) return `${k}: ${v.text}`;
      }
    }
  }
  return undefined;
}

export default defineRule({
  id: 'javascript/secret-logged',
  language: 'javascript',
  title: 'Password, token or secret written to a log',
  cwe: [532],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports `console.log`/`info`/`warn`/`error`/`debug` and logger calls (`logger`, `log`, winston, pino, `req.log`, ' +
    '`fastify.log`) whose arguments contain a value named as a credential (`password`, `apiKey`, `clientSecret`, `authToken`, ' +
    '`user.password`…): directly, in a template or concatenation, or in an object. Derived values (`password.length`, ' +
    '`hasPassword`, `tokenExpiry`) are not reported.',
  whyItMatters: 'Logs are copied to files, aggregators and support tickets and kept for months, readable by far more people than the credential was meant for.',
  fix: { guidance: 'Log that the event happened and who it concerns, never the secret; redact credential fields in the logger configuration (pino `redact`).', before: "console.log('login', username, password);", after: "console.log('login', username);" },
  references: ['https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude', 'https://cwe.mitre.org/data/definitions/532.html'],
  create({ report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const callee = call.childForFieldName('function');
          if (!callee || unwrap(callee).type !== 'member_expression') return;
          const method = memberName(callee);
          const recv = memberObject(callee);
          if (!method || !LOG_METHODS.has(method) || !recv || !LOGGERS.test(unwrap(recv).text)) return;
          for (const arg of argsOf(call)) {
            const s = loggedSecret(arg);
            if (s) {
              report({ node: call, message: `\`${s}\` is written to the log.` });
              return;
            }
          }
        },
      },
    };
  },
});
