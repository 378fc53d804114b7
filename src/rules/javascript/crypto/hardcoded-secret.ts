import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { boundNames, calleeName, constantValue } from '../syntax.js';
import { isCredentialName } from './secret-words.js';
import { SIGNING_SECRET_CALLS } from '../auth/signing-calls.js';

/** Credential formats recognisable by their shape alone. */
const FORMATS: { name: string; pattern: RegExp }[] = [
  { name: 'an AWS access key id', pattern: /^(?:AKIA|ASIA)[0-9A-Z]{16}$/ },
  { name: 'a private key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----[\s\S]{40,}/ },
  { name: 'a GitHub token', pattern: /^(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})$/ },
  { name: 'a Slack token', pattern: /^xox[abprs]-[0-9A-Za-z-]{10,}$/ },
  { name: 'a Stripe live key', pattern: /^(?:sk|rk)_live_[0-9A-Za-z]{20,}$/ },
  { name: 'a Google API key', pattern: /^AIza[0-9A-Za-z_-]{35}$/ },
];

/** Values that are placeholders, messages, names or references, not secrets. */
function looksLikeSecret(v: string): boolean {
  if (v.length < 8 || v.length > 200) return false;
  if (/\s/.test(v)) return false; // messages, labels
  if (/^[a-z][a-z_.:-]*$/.test(v) || /^[A-Z][A-Z0-9_]*$/.test(v)) return false; // field names, env var names
  if (/^(?:https?:|\/|\.\/|\$\{|<|\{\{|%)/.test(v)) return false; // URLs, paths, templates
  if (/(?:x{4,}|\*{3,}|changeme|change_me|your[_-]?|example|placeholder|dummy|redacted|sample|<|>|todo)/i.test(v)) return false;
  if (/^(.)\1+$/.test(v)) return false;
  return true;
}

export default defineRule({
  id: 'javascript/hardcoded-secret',
  language: 'javascript',
  title: 'Credential or private key written in the source',
  cwe: [798],
  severity: 'high',
  confidence: 'medium',
  inTests: true,
  description:
    'Reports string literals that are credentials by their format (AWS access key ids, PEM private keys, GitHub, Slack, Stripe ' +
    'live and Google API keys) anywhere, and literals stored under a credential name (`password`, `apiKey`, `clientSecret`, ' +
    '`authToken`… by the last word of the variable, property or key) when the value looks like a secret: no spaces, not a ' +
    'field or environment-variable name, not a URL, path or placeholder. Literal signing secrets passed to jsonwebtoken, ' +
    'express-session and similar are reported by their own rules.',
  whyItMatters:
    'Secrets in the source are in every clone, fork, backup and build log; anyone with read access to the code can use them, ' +
    'and rotating them means a release.',
  fix: {
    guidance: 'Read secrets from the environment or a secret manager at start-up (`process.env.API_KEY`), and rotate the leaked value.',
    before: "const apiKey = 'sk_live_51H8xYzAbCdEfGhIjKlMnOpQr';",
    after: 'const apiKey = process.env.STRIPE_API_KEY;',
  },
  references: ['https://cwe.mitre.org/data/definitions/798.html', 'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html'],
  create({ module, report }) {
    function check(node: Node): void {
      if (node.parent?.type === 'import_statement' || node.parent?.type === 'export_statement') return;
      const v = constantValue(module, node);
      if (typeof v !== 'string' || v.length < 8) return;
      const format = FORMATS.find((f) => f.pattern.test(v));
      if (format) {
        report({ node, message: `The literal is ${format.name}.`, confidence: 'high' });
        return;
      }
      // Direct arguments of signing-secret calls belong to their rules.
      const holder = node.parent?.type === 'arguments' ? node.parent.parent : node.parent?.type === 'pair' ? node.parent.parent?.parent?.parent : undefined;
      if (holder && (holder.type === 'call_expression' || holder.type === 'new_expression')) {
        const name = calleeName(module, holder);
        if (name && SIGNING_SECRET_CALLS.has(name)) return;
      }
      const names = boundNames(node);
      const name = names[0];
      if (!name || !isCredentialName(name) || !looksLikeSecret(v)) return;
      // Comparisons and defaults in test code are fixture values.
      report({ node, message: `\`${name}\` is set to a literal credential in the source.`, inTests: false });
    }
    return { nodes: { string: check, template_string: check } };
  },
});
