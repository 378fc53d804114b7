import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { replaceNode } from '../../autofix.js';
import { assignedFromCall, scopeOf, truncate } from './secret-context.js';

/** Libraries whose `verify=False` turns certificate validation off. */
const VERIFY_KW_ROOTS = ['requests.', 'httpx.', 'boto3.', 'botocore.', 'keystoneauth1.'];
/** Objects that carry `verify=` on their request methods. */
const HTTP_CLIENT_FACTORIES = new Set([
  'requests.Session', 'requests.session', 'requests.sessions.Session',
  'httpx.Client', 'httpx.AsyncClient', 'keystoneauth1.session.Session',
]);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send', 'stream']);
const SSL_CONTEXT_FACTORIES = new Set(['ssl.create_default_context', 'ssl.SSLContext', 'ssl._create_unverified_context']);
const CERT_NONE = new Set(['ssl.CERT_NONE', 'ssl.VerifyMode.CERT_NONE']);
const URLLIB3_POOLS = new Set(['PoolManager', 'ProxyManager', 'HTTPSConnectionPool', 'connection_from_url', 'proxy_from_url']);

export default defineRule({
  id: 'python/tls-verification-disabled',
  language: 'python',
  title: 'TLS certificate or host name verification disabled',
  cwe: [295, 297],
  severity: 'high',
  confidence: 'high',
  description:
    'An HTTPS client or TLS socket is configured not to validate the server certificate (`verify=False`, ' +
    '`CERT_NONE`, an unverified context) or not to check that the certificate belongs to the host ' +
    '(`check_hostname = False`). The connection is still encrypted, but to whoever answers.',
  whyItMatters:
    'Anyone on the network path (public Wi-Fi, a compromised router, DNS spoofing) can present their own ' +
    'certificate, read and alter the traffic, and harvest the credentials and tokens sent over it.',
  fix: {
    guidance:
      'Keep verification on. For a private CA, pass its bundle (`verify="/etc/ssl/private-ca.pem"`, ' +
      '`ctx.load_verify_locations(...)`) instead of turning checks off. Silencing `InsecureRequestWarning` hides ' +
      'the symptom, it does not fix it.',
    before: 'resp = requests.get(url, verify=False)',
    after: 'resp = requests.get(url, verify="/etc/ssl/certs/internal-ca.pem")',
  },
  references: [
    'https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification',
    'https://docs.python.org/3/library/ssl.html#security-considerations',
    'https://cwe.mitre.org/data/definitions/295.html',
  ],
  create({ module, report }) {
    const importsAny = (prefix: string): boolean =>
      [...module.imports.values()].some((q) => q === prefix || q.startsWith(`${prefix}.`));

    const isFalse = (n: Node | undefined): boolean => n !== undefined && module.constantValue(n) === false;
    const isCertNone = (n: Node | undefined): boolean => {
      if (!n) return false;
      const q = module.resolve(n);
      if (q && CERT_NONE.has(q)) return true;
      const v = module.constantValue(n);
      return v === 'CERT_NONE' || v === 'NONE';
    };
    const kwNode = (value: Node): Node => (value.parent?.type === 'keyword_argument' ? value.parent : value);

    /** Where a receiver expression came from: a factory call, directly or through a local variable. */
    const receiverFactory = (call: PyCall): string | undefined => {
      const r = call.receiver ? module.unwrap(call.receiver) : undefined;
      if (!r) return undefined;
      if (r.type === 'call') return module.call(r).qname;
      const name = module.dottedName(r);
      return name ? assignedFromCall(module, name, scopeOf(module, call.node)) : undefined;
    };

    function checkVerifyKeyword(call: PyCall): void {
      const verify = call.keywords.get('verify');
      if (!isFalse(verify) || !verify) return;
      // Only the literal `False`: a variable may be set elsewhere for a reason the fix cannot see.
      const autofix = verify.type === 'false' ? { description: 'Turn certificate verification back on (verify=True)', edits: [replaceNode(verify, 'True')] } : undefined;
      const q = call.qname;
      if (q && VERIFY_KW_ROOTS.some((root) => q.startsWith(root))) {
        report({ node: kwNode(verify), message: `\`${q}(..., verify=False)\` accepts any server certificate.`, autofix });
        return;
      }
      if (!call.method || !call.receiver) return;
      const factory = receiverFactory(call);
      if (factory && HTTP_CLIENT_FACTORIES.has(factory) && HTTP_METHODS.has(call.method)) {
        report({
          node: kwNode(verify),
          message: `\`${truncate(module.text(call.callee))}(..., verify=False)\` on a \`${factory}\` accepts any server certificate.`,
          autofix,
        });
        return;
      }
      // `self.session.get(url, verify=False)`: the receiver's type is unknown, but `verify=` on an
      // HTTP verb is the requests/httpx convention; boto3-style clients use it on `client()`/`resource()`.
      if (HTTP_METHODS.has(call.method) || call.method === 'client' || call.method === 'resource') {
        report({
          node: kwNode(verify),
          message: `\`${truncate(module.text(call.callee))}(..., verify=False)\` turns off certificate verification for this request.`,
          confidence: 'medium',
          autofix,
        });
      }
    }

    /** `<name>.verify_mode = ssl.CERT_NONE` somewhere in `scope`. */
    function alsoCertNone(name: string, scope: Node): boolean {
      return scope.descendantsOfType('assignment').some((a) => {
        const left = a.childForFieldName('left');
        return (
          left?.type === 'attribute' &&
          left.childForFieldName('attribute')?.text === 'verify_mode' &&
          module.dottedName(left.childForFieldName('object') ?? left) === name &&
          isCertNone(a.childForFieldName('right') ?? undefined)
        );
      });
    }

    function checkWrapSocket(call: PyCall): void {
      const serverSide = call.arg(3, 'server_side');
      if (serverSide && module.constantValue(serverSide) === true) return;
      const certReqs = call.arg(4, 'cert_reqs');
      if (certReqs) {
        if (isCertNone(certReqs)) {
          report({ node: kwNode(certReqs), message: '`ssl.wrap_socket(..., cert_reqs=ssl.CERT_NONE)` accepts any server certificate.' });
        }
        return;
      }
      if (call.hasStarKwargs) return;
      report({
        node: call.node,
        message: '`ssl.wrap_socket()` without `cert_reqs` defaults to `CERT_NONE`: the client side accepts any server certificate.',
        confidence: 'medium',
      });
    }

    return {
      call(call) {
        const q = call.qname;
        checkVerifyKeyword(call);
        if (!q) {
          // pyOpenSSL: ctx.set_verify(SSL.VERIFY_NONE, ...)
          if (call.method === 'set_verify') {
            const mode = call.arg(0, 'mode');
            if (mode && module.resolve(mode) === 'OpenSSL.SSL.VERIFY_NONE') {
              report({ node: call.node, message: '`set_verify(SSL.VERIFY_NONE)` makes this pyOpenSSL context accept any peer certificate.' });
            }
          }
          // aiohttp: session.get(url, ssl=False)
          const sslKw = call.keywords.get('ssl') ?? call.keywords.get('verify_ssl');
          if (sslKw && isFalse(sslKw) && call.method && HTTP_METHODS.has(call.method) && importsAny('aiohttp')) {
            report({
              node: kwNode(sslKw),
              message: `\`${truncate(module.text(call.callee))}(..., ${kwNode(sslKw).text})\` turns off certificate verification for this aiohttp request.`,
              confidence: 'medium',
            });
          }
          return;
        }
        if (q === 'ssl._create_unverified_context') {
          report({ node: call.node, message: '`ssl._create_unverified_context()` builds a context that checks neither the certificate nor the host name.' });
        } else if (q === 'ssl.wrap_socket') {
          checkWrapSocket(call);
        } else if (q.includes('urllib3') && URLLIB3_POOLS.has(q.slice(q.lastIndexOf('.') + 1))) {
          const certReqs = call.keywords.get('cert_reqs');
          if (certReqs && isCertNone(certReqs)) {
            report({ node: kwNode(certReqs), message: `\`${q}(cert_reqs=${certReqs.text})\` accepts any server certificate.` });
          }
          const assertHostname = call.keywords.get('assert_hostname');
          if (assertHostname && isFalse(assertHostname)) {
            report({ node: kwNode(assertHostname), message: `\`${q}(assert_hostname=False)\` accepts a valid certificate issued for any other host.` });
          }
        } else if (q === 'httplib2.Http') {
          const flag = call.keywords.get('disable_ssl_certificate_validation');
          if (flag && module.constantValue(flag) === true) {
            report({ node: kwNode(flag), message: '`httplib2.Http(disable_ssl_certificate_validation=True)` accepts any server certificate.' });
          }
        } else if (q === 'aiohttp.TCPConnector' || q === 'aiohttp.connector.TCPConnector') {
          const sslKw = call.keywords.get('ssl') ?? call.keywords.get('verify_ssl');
          if (sslKw && isFalse(sslKw)) {
            report({ node: kwNode(sslKw), message: `\`${q}(${kwNode(sslKw).text})\` accepts any server certificate on every connection.` });
          }
        }
      },
      nodes: {
        assignment(node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (!left || !right || left.type !== 'attribute') return;
          const attr = left.childForFieldName('attribute')?.text;
          const object = left.childForFieldName('object');
          if (!attr || !object) return;

          // ssl._create_default_https_context = ssl._create_unverified_context
          if (module.resolve(left) === 'ssl._create_default_https_context' && module.resolve(right) === 'ssl._create_unverified_context') {
            report({
              node,
              message: 'Replacing `ssl._create_default_https_context` with `ssl._create_unverified_context` turns certificate checks off for every HTTPS connection in the process.',
            });
            return;
          }
          const disabling = (attr === 'verify_mode' && isCertNone(right)) || ((attr === 'check_hostname' || attr === 'verify') && isFalse(right));
          if (!disabling) return;
          const objectName = module.dottedName(object);
          const origin = objectName ? assignedFromCall(module, objectName, scopeOf(module, node)) : undefined;
          const fromSsl = origin !== undefined && SSL_CONTEXT_FACTORIES.has(origin);

          // `self.verify_mode = ...` inside a class is an SSLContext look-alike setting its own defaults.
          const isSelf = object.type === 'identifier' && object.text === 'self';
          if (attr === 'verify_mode' && isCertNone(right)) {
            if (isSelf) return;
            report({ node, message: `\`${truncate(left.text)} = ${right.text}\` makes this TLS context accept any certificate.` });
          } else if (attr === 'check_hostname' && isFalse(right)) {
            if (isSelf || (!fromSsl && !importsAny('ssl'))) return;
            // Turning CERT_NONE on requires check_hostname off first: report that pair once, on CERT_NONE.
            if (objectName && alsoCertNone(objectName, scopeOf(module, node))) return;
            report({
              node,
              message: `\`${truncate(left.text)} = False\` accepts a valid certificate issued for any other host.`,
              confidence: fromSsl ? 'high' : 'medium',
            });
          } else if (attr === 'verify' && isFalse(right)) {
            const fromClient = origin !== undefined && HTTP_CLIENT_FACTORIES.has(origin);
            const sessionLike = /session|client/i.test(object.type === 'attribute' ? (object.childForFieldName('attribute')?.text ?? '') : object.text);
            if (!fromClient && !(sessionLike && (importsAny('requests') || importsAny('httpx')))) return;
            report({
              node,
              message: `\`${truncate(left.text)} = False\` turns off certificate verification for every request made through this session.`,
              confidence: fromClient ? 'high' : 'medium',
            });
          }
        },
      },
    };
  },
});
