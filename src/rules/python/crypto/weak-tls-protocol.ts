import type { Node } from '../../../parse/tree-sitter.js';
import type { Severity } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { calleeName, tableLookup } from './secret-context.js';

interface Protocol {
  label: string;
  severity: Severity;
}
const SSL2: Protocol = { label: 'SSL 2.0', severity: 'high' };
const SSL3: Protocol = { label: 'SSL 3.0', severity: 'high' };
const TLS10: Protocol = { label: 'TLS 1.0', severity: 'medium' };
const TLS11: Protocol = { label: 'TLS 1.1', severity: 'medium' };

/** Qualified names of protocol selectors for versions RFC 8996 / RFC 7568 / RFC 6176 retired. */
const WEAK: Record<string, Protocol> = {
  'ssl.PROTOCOL_SSLv2': SSL2,
  'ssl.PROTOCOL_SSLv3': SSL3,
  'ssl.PROTOCOL_TLSv1': TLS10,
  'ssl.PROTOCOL_TLSv1_1': TLS11,
  'ssl.TLSVersion.SSLv3': SSL3,
  'ssl.TLSVersion.TLSv1': TLS10,
  'ssl.TLSVersion.TLSv1_1': TLS11,
  'OpenSSL.SSL.SSLv2_METHOD': SSL2,
  'OpenSSL.SSL.SSLv3_METHOD': SSL3,
  'OpenSSL.SSL.TLSv1_METHOD': TLS10,
  'OpenSSL.SSL.TLSv1_1_METHOD': TLS11,
  'OpenSSL.SSL.SSL3_VERSION': SSL3,
  'OpenSSL.SSL.TLS1_VERSION': TLS10,
  'OpenSSL.SSL.TLS1_1_VERSION': TLS11,
};
const weakProtocol = tableLookup(WEAK);
/** Last name segments of the selectors above: an attribute ending otherwise cannot resolve to one. */
const SELECTOR_ATTRIBUTES = new Set([...Object.keys(WEAK), 'ssl.TLSVersion.MINIMUM_SUPPORTED'].map((q) => q.slice(q.lastIndexOf('.') + 1)));

/** Calls that merely mention a value (logging, introspection), so passing a protocol to them selects nothing. */
const NON_SELECTING_CALLS = new Set([
  'print', 'repr', 'str', 'hasattr', 'getattr', 'isinstance', 'id', 'hash', 'format',
  'debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log',
]);

export default defineRule({
  id: 'python/weak-tls-protocol',
  language: 'python',
  title: 'Obsolete SSL/TLS protocol version selected',
  cwe: [327, 757],
  severity: 'medium',
  confidence: 'high',
  description:
    'A TLS context, socket or pyOpenSSL context is pinned to, or allowed to fall back to, SSL 2.0, SSL 3.0, TLS 1.0 or ' +
    'TLS 1.1. Those versions are formally deprecated (RFC 6176, RFC 7568, RFC 8996) and rely on broken constructions ' +
    '(CBC padding oracles such as POODLE and BEAST, MD5/SHA-1 handshake hashes). The rule reports a protocol ' +
    'constant where it is passed to a call, assigned or used as a default, not where it is merely compared or listed.',
  whyItMatters:
    'An active attacker can force the connection down to the weakest version both sides accept and then decrypt or ' +
    'tamper with it; compliance regimes (PCI DSS, NIST SP 800-52r2) forbid these versions outright.',
  fix: {
    guidance:
      'Use `ssl.create_default_context()` (or `ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`) and, if a floor is needed, ' +
      'set `ctx.minimum_version = ssl.TLSVersion.TLSv1_2`. With pyOpenSSL, use `TLS_METHOD` plus ' +
      '`set_min_proto_version(TLS1_2_VERSION)`.',
    before: 'ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)',
    after: 'ctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1_2',
  },
  references: [
    'https://www.rfc-editor.org/rfc/rfc8996',
    'https://docs.python.org/3/library/ssl.html#ssl.SSLContext.minimum_version',
    'https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-52r2.pdf',
    'https://cwe.mitre.org/data/definitions/757.html',
  ],
  create({ module, report }) {
    /**
     * Where a protocol value ends up, climbing through `a if c else b` and `x or y`:
     * a description of the selecting site, or undefined when the value only is compared/listed.
     */
    function selectingSite(node: Node): { site: string; conditional: boolean; target?: string } | undefined {
      let child = node;
      let conditional = false;
      for (let p = node.parent; p; child = p, p = p.parent) {
        switch (p.type) {
          case 'parenthesized_expression':
            continue;
          case 'conditional_expression':
            // Only the two branches select; the condition is a test.
            if (p.namedChildren[1]?.id === child.id) return undefined;
            conditional = true;
            continue;
          case 'boolean_operator':
            conditional = true;
            continue;
          case 'keyword_argument':
            if (p.childForFieldName('value')?.id !== child.id) return undefined;
            continue;
          case 'argument_list': {
            const call = p.parent;
            if (call?.type !== 'call') return undefined;
            const name = calleeName(module, module.call(call));
            if (name && NON_SELECTING_CALLS.has(name)) return undefined;
            return { site: `passed to \`${name ?? 'a call'}()\``, conditional };
          }
          case 'assignment': {
            if (p.childForFieldName('right')?.id !== child.id) return undefined;
            const left = p.childForFieldName('left');
            // `_versions[ssl.PROTOCOL_SSLv3] = SSL.SSLv3_METHOD` fills a lookup table; it selects nothing.
            if (left?.type === 'subscript') return undefined;
            return { site: `assigned to \`${left?.text ?? '?'}\``, conditional, target: left?.text };
          }
          case 'default_parameter':
          case 'typed_default_parameter':
            if (p.childForFieldName('value')?.id !== child.id) return undefined;
            return { site: `the default of parameter \`${p.childForFieldName('name')?.text ?? '?'}\``, conditional };
          default:
            return undefined;
        }
      }
      return undefined;
    }

    /** Check the values an expression can evaluate to: both branches of `a if c else b`, `x or y`. */
    function checkValue(node: Node): void {
      const n = module.unwrap(node);
      if (n.type === 'attribute') {
        check(n);
      } else if (n.type === 'identifier') {
        if (module.imports.has(n.text)) check(n);
      } else if (n.type === 'conditional_expression') {
        const [body, , orelse] = n.namedChildren;
        if (body) checkValue(body);
        if (orelse) checkValue(orelse);
      } else if (n.type === 'boolean_operator') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left) checkValue(left);
        if (right) checkValue(right);
      }
    }

    function check(node: Node): void {
      // `x.y` resolves to `<...>.y`: skip building the name when `y` ends no selector.
      if (node.type === 'attribute' && !SELECTOR_ATTRIBUTES.has(node.childForFieldName('attribute')?.text ?? '')) return;
      const q = module.resolve(node);
      if (!q) return;
      let protocol = weakProtocol(q);
      const site = (protocol || q === 'ssl.TLSVersion.MINIMUM_SUPPORTED') ? selectingSite(node) : undefined;
      if (!site) return;
      if (!protocol) {
        // MINIMUM_SUPPORTED as a floor lets OpenSSL go as low as it was built to allow.
        if (!site.target || !/\.minimum_version$/.test(site.target)) return;
        protocol = { label: 'the oldest version OpenSSL supports (often TLS 1.0)', severity: 'medium' };
        report({
          node,
          message: `\`${site.target} = ${node.text}\` allows the handshake to fall back to ${protocol.label}.`,
          confidence: 'medium',
        });
        return;
      }
      report({
        node,
        message: `\`${node.text}\` (${protocol.label}) is ${site.site}${site.conditional ? ' on one branch' : ''}; ${protocol.label} is deprecated and open to downgrade and decryption attacks.`,
        severity: protocol.severity,
        confidence: site.conditional ? 'medium' : 'high',
      });
    }

    return {
      // Protocol values matter where they select something: call arguments, assignments and
      // parameter defaults. Visiting those sites (rather than every identifier) keeps it cheap.
      call(call) {
        for (const arg of call.positional) checkValue(arg);
        for (const arg of call.keywords.values()) checkValue(arg);
      },
      nodes: {
        assignment(node) {
          const right = node.childForFieldName('right');
          if (right) checkValue(right);
        },
        default_parameter(node) {
          const value = node.childForFieldName('value');
          if (value) checkValue(value);
        },
        typed_default_parameter(node) {
          const value = node.childForFieldName('value');
          if (value) checkValue(value);
        },
      },
    };
  },
});
