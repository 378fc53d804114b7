import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, memberName, memberObject, nameWords, qualifiedName } from '../syntax.js';
import { isCredentialName } from '../crypto/secret-words.js';

const STORAGE = new Set(['localStorage', 'window.localStorage', 'globalThis.localStorage', 'sessionStorage', 'window.sessionStorage']);

function credentialKey(key: string): boolean {
  return isCredentialName(key) || nameWords(key).some((w) => w === 'jwt');
}

export default defineRule({
  id: 'javascript/token-in-web-storage',
  language: 'javascript',
  title: 'Token, password or secret stored in localStorage or sessionStorage',
  cwe: [922],
  severity: 'medium',
  confidence: 'medium',
  description:
    "Reports `localStorage.setItem(key, value)` / `sessionStorage.setItem` and `localStorage.key = value` where the key names a " +
    "credential (`token`, `authToken`, `access_token`, `jwt`, `password`, `apiKey`, `secret`…). Keys such as `tokenExpiry` or " +
    '`theme` are not reported.',
  whyItMatters:
    'Web storage is readable by every script on the origin, so one XSS or compromised third-party script exfiltrates the ' +
    'token; unlike an httpOnly cookie, nothing keeps scripts away from it, and localStorage survives the session.',
  fix: {
    guidance: 'Keep session tokens in `httpOnly`, `secure`, `sameSite` cookies set by the server, or in memory only; never store passwords client-side.',
    before: "localStorage.setItem('token', response.data.token);",
    after: "// the server sets: Set-Cookie: session=…; HttpOnly; Secure; SameSite=Lax",
  },
  references: ['https://cheatsheetseries.owasp.org/cheatsheets/HTML5_Security_Cheat_Sheet.html#local-storage', 'https://cwe.mitre.org/data/definitions/922.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name || !name.endsWith('.setItem') || !STORAGE.has(name.slice(0, -8))) return;
          const key = argsOf(call)[0];
          const k = key ? constantValue(module, key) : undefined;
          if (typeof k === 'string' && credentialKey(k)) report({ node: call, message: `\`${k}\` is stored in ${name.slice(0, -8)}, readable by every script on the origin.` });
        },
        assignment_expression(node: Node) {
          const left = node.childForFieldName('left');
          if (!left) return;
          const object = memberObject(left);
          const key = memberName(left);
          const store = object ? qualifiedName(module, object) : undefined;
          if (store && STORAGE.has(store) && key && credentialKey(key)) report({ node, message: `\`${key}\` is stored in ${store}, readable by every script on the origin.` });
        },
      },
    };
  },
});
