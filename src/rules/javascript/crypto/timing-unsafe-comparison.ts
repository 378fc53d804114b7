import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { constantValue, memberName, nameWords, unwrap } from '../syntax.js';

const EQUALITY = new Set(['===', '==', '!==', '!=']);
/** Last words naming an authenticator compared against a secret. */
const SECRET_LAST = new Set(['signature', 'hmac', 'mac', 'apikey', 'secret']);
const SECRET_PAIRS = new Set(['csrf token', 'xsrf token', 'api key', 'secret key', 'access token', 'auth token', 'webhook secret', 'expected signature']);

function secretName(node: Node): string | undefined {
  const n = unwrap(node);
  const name = n.type === 'identifier' ? n.text : memberName(n);
  if (!name) return undefined;
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (!last) return undefined;
  if (SECRET_LAST.has(last)) return name;
  if (words.length > 1 && SECRET_PAIRS.has(`${words[words.length - 2]} ${last}`)) return name;
  return undefined;
}

export default defineRule({
  id: 'javascript/timing-unsafe-comparison',
  language: 'javascript',
  title: 'Signature, HMAC or API key compared with === (timing leak)',
  cwe: [208],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports `===`, `==`, `!==` and `!=` between two non-constant values where one is named as an authenticator: a signature, ' +
    'HMAC or MAC, an API key, a secret, or a CSRF, access or auth token. String comparison stops at the first differing ' +
    'character, so the time it takes tells how much of a guess is right. Comparisons with literals, `null`, `undefined` or ' +
    'lengths are not reported.',
  whyItMatters:
    'An attacker who can time many requests recovers a valid signature or key byte by byte, then forges webhooks or requests.',
  fix: {
    guidance: 'Compare with `crypto.timingSafeEqual` on buffers of equal length (check the lengths first).',
    before: "if (req.get('X-Signature') === expectedSignature) accept();",
    after: "const a = Buffer.from(req.get('X-Signature') ?? '');\nconst b = Buffer.from(expectedSignature);\nif (a.length === b.length && crypto.timingSafeEqual(a, b)) accept();",
  },
  references: ['https://nodejs.org/api/crypto.html#cryptotimingsafeequala-b', 'https://cwe.mitre.org/data/definitions/208.html'],
  create({ module, report }) {
    function comparable(node: Node): boolean {
      const n = unwrap(node);
      if (constantValue(module, n) !== undefined) return false;
      if (n.type === 'unary_expression' || n.type === 'binary_expression') return false;
      if (n.type === 'member_expression' && ['length', 'type', 'size'].includes(memberName(n) ?? '')) return false;
      return true;
    }
    return {
      nodes: {
        binary_expression(node: Node) {
          const op = node.childForFieldName('operator')?.text;
          if (!op || !EQUALITY.has(op)) return;
          const l = node.childForFieldName('left');
          const r = node.childForFieldName('right');
          if (!l || !r || !comparable(l) || !comparable(r)) return;
          const name = secretName(l) ?? secretName(r);
          if (name) report({ node, message: `\`${name}\` is compared with \`${op}\`, which leaks through timing how much of it matches.` });
        },
      },
    };
  },
});
