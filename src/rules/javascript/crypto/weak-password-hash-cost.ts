import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue } from '../syntax.js';

const BCRYPT = /^(?:bcrypt|bcryptjs|bcrypt-nodejs)\.(?:hash|hashSync|genSalt|genSaltSync)$/;
const MIN_BCRYPT_ROUNDS = 10;
const MIN_PBKDF2_ITERATIONS = 100_000;

export default defineRule({
  id: 'javascript/weak-password-hash-cost',
  language: 'javascript',
  title: 'Password hash with too little work (bcrypt rounds < 10, PBKDF2 iterations < 100 000)',
  cwe: [916],
  severity: 'medium',
  confidence: 'high',
  description:
    `Reports bcrypt/bcryptjs \`hash\`, \`hashSync\`, \`genSalt\`, \`genSaltSync\` with a constant cost below ${MIN_BCRYPT_ROUNDS}, ` +
    '`crypto.pbkdf2`/`pbkdf2Sync` with a constant iteration count below 100 000, and PBKDF2 over MD5. OWASP recommends bcrypt ' +
    'cost 10 or more and 600 000 PBKDF2-HMAC-SHA256 iterations; the threshold here is deliberately lower, to report only the clearly weak.',
  whyItMatters: 'A leaked password table with a low work factor is brute-forced on GPUs at millions of guesses per second per account.',
  fix: { guidance: 'Use bcrypt cost 12, scrypt or Argon2id, or PBKDF2-HMAC-SHA256 with at least 600 000 iterations.', before: 'const hash = await bcrypt.hash(password, 4);', after: 'const hash = await bcrypt.hash(password, 12);' },
  references: ['https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html', 'https://cwe.mitre.org/data/definitions/916.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name) return;
          const args = argsOf(call);
          if (BCRYPT.test(name)) {
            const rounds = args[name.includes('genSalt') ? 0 : 1];
            const v = rounds ? constantValue(module, rounds) : undefined;
            if (typeof v === 'number' && v < MIN_BCRYPT_ROUNDS) report({ node: call, message: `bcrypt cost ${v} (2^${v} rounds) is too low; use 12.` });
          } else if (name === 'crypto.pbkdf2' || name === 'crypto.pbkdf2Sync') {
            const iterations = args[2] ? constantValue(module, args[2]) : undefined;
            const digest = args[4] ? constantValue(module, args[4]) : undefined;
            if (typeof iterations === 'number' && iterations < MIN_PBKDF2_ITERATIONS) report({ node: call, message: `PBKDF2 with ${iterations} iterations is too fast; use at least 600 000 (SHA-256).` });
            else if (typeof digest === 'string' && /^md[45]$/i.test(digest)) report({ node: call, message: `PBKDF2 over ${digest.toUpperCase()}; use SHA-256 or better.` });
          }
        },
      },
    };
  },
});
