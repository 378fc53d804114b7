import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { constantValue, pairKey } from '../syntax.js';

const OLD_METHODS = new Set(['SSLv2_method', 'SSLv3_method', 'TLSv1_method', 'TLSv1_1_method', 'SSLv3_client_method', 'SSLv3_server_method', 'TLSv1_client_method', 'TLSv1_server_method', 'TLSv1_1_client_method', 'TLSv1_1_server_method']);
const OLD_VERSIONS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

export default defineRule({
  id: 'javascript/weak-tls-protocol',
  language: 'javascript',
  title: 'TLS options allow SSLv3, TLS 1.0 or TLS 1.1',
  cwe: [327, 757],
  severity: 'medium',
  confidence: 'high',
  description:
    'Reports TLS options (`tls.connect`, `https.Agent`, `tls.createServer`, `https.createServer` and anything that passes them ' +
    'on) with `secureProtocol` set to an SSLv3, TLS 1.0 or TLS 1.1 method, or `minVersion`/`maxVersion` set to `SSLv3`, `TLSv1` ' +
    'or `TLSv1.1`. These option names are specific to Node TLS contexts.',
  whyItMatters:
    'SSLv3, TLS 1.0 and 1.1 are deprecated (RFC 8996) and open to downgrade and padding-oracle attacks (POODLE, BEAST); a peer ' +
    'that allows them lets an active attacker pick the weakest.',
  fix: { guidance: "Leave the defaults (TLS 1.2 and 1.3) or set `minVersion: 'TLSv1.2'`.", before: "tls.connect({ host, port, minVersion: 'TLSv1' });", after: "tls.connect({ host, port, minVersion: 'TLSv1.2' });" },
  references: ['https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions', 'https://www.rfc-editor.org/rfc/rfc8996', 'https://cwe.mitre.org/data/definitions/327.html'],
  create({ module, report }) {
    return {
      nodes: {
        pair(pair: Node) {
          const key = pairKey(pair);
          if (key !== 'secureProtocol' && key !== 'minVersion' && key !== 'maxVersion') return;
          const value = pair.childForFieldName('value');
          const v = value ? constantValue(module, value) : undefined;
          if (typeof v !== 'string') return;
          if (key === 'secureProtocol' ? OLD_METHODS.has(v) : OLD_VERSIONS.has(v)) report({ node: pair, message: `\`${key}: '${v}'\` allows a deprecated protocol version.` });
        },
      },
    };
  },
});
