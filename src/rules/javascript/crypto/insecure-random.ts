import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { boundNames, calleeName, enclosingFunction, functionName } from '../syntax.js';
import { classifyNames } from './secret-words.js';

export default defineRule({
  id: 'javascript/insecure-random',
  language: 'javascript',
  title: 'Math.random() used for a token, password or other secret',
  cwe: [338],
  severity: 'high',
  confidence: 'medium',
  description:
    '`Math.random()` is a fast, non-cryptographic generator (xorshift128+ in V8) whose state can be recovered from a few ' +
    'outputs. The rule reports it where the names around the call say the value is a secret: the variable, property or ' +
    'function it is stored in or returned from, or the call it is passed to (a token, password, OTP, nonce, salt, session id, ' +
    'CSRF value, API key, cookie). Uses for jitter, sampling, animation or display are not reported. `crypto.pseudoRandomBytes` ' +
    '(deprecated, not cryptographic) is always reported.',
  whyItMatters:
    'An attacker who sees a few generated values predicts the next ones: password-reset tokens, session ids and one-time codes ' +
    'become guessable.',
  fix: {
    guidance:
      'Use the cryptographic generator: `crypto.randomBytes(32).toString("hex")`, `crypto.randomUUID()`, `crypto.randomInt(0, 10 ** 6)` ' +
      'in Node, `crypto.getRandomValues` in browsers.',
    before: 'const resetToken = Math.random().toString(36).slice(2);',
    after: "const resetToken = crypto.randomBytes(32).toString('hex');",
  },
  references: [
    'https://nodejs.org/api/crypto.html#cryptorandombytessize-callback',
    'https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Math/random',
    'https://cwe.mitre.org/data/definitions/338.html',
  ],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (name === 'crypto.pseudoRandomBytes') {
            report({ node: call, message: '`crypto.pseudoRandomBytes` is deprecated and not cryptographically strong; use `crypto.randomBytes`.' });
            return;
          }
          if (name !== 'Math.random') return;
          const names = boundNames(call);
          const fn = functionName(enclosingFunction(call));
          if (fn) names.push(fn);
          if (classifyNames(names) !== 'security') return;
          report({ node: call, message: `\`Math.random()\` is predictable, and its value is used as \`${names.join('`/`')}\`, a secret.` });
        },
      },
    };
  },
});
