import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { constantValue, qualifiedName } from '../syntax.js';

export default defineRule({
  id: 'javascript/tls-env-disabled',
  language: 'javascript',
  title: 'NODE_TLS_REJECT_UNAUTHORIZED set to 0 turns TLS verification off process-wide',
  cwe: [295],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"` (or `0`, `false`, or through `process.env["…"]`): from then on ' +
    'every HTTPS and TLS connection the process opens, in every library, accepts any certificate. Setting it to `"1"` is not reported.',
  whyItMatters:
    'One line in a start-up script or helper silently removes server authentication from all outgoing connections: API calls, ' +
    'database links, webhooks. Anyone on the path can impersonate those servers.',
  fix: {
    guidance: 'Delete the assignment. For a private CA, set `NODE_EXTRA_CA_CERTS=/path/ca.pem` in the environment, or pass `ca` to the one client that needs it.',
    before: "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';",
    after: '// NODE_EXTRA_CA_CERTS=/etc/ssl/internal-ca.pem node server.js',
  },
  references: ['https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue', 'https://cwe.mitre.org/data/definitions/295.html'],
  create({ module, report }) {
    return {
      nodes: {
        assignment_expression(node: Node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (!left || !right || qualifiedName(module, left) !== 'process.env.NODE_TLS_REJECT_UNAUTHORIZED') return;
          const v = constantValue(module, right);
          if (v === '0' || v === 0 || v === false || v === 'false' || v === '') {
            report({ node, message: '`NODE_TLS_REJECT_UNAUTHORIZED` = 0 disables certificate checks for every TLS connection of the process.' });
          }
        },
      },
    };
  },
});
