import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { callsIn, describeCallee, scopeOf, tableLookup } from './secret-context.js';

/** HTTP client calls and the argument that carries the URL. */
const URL_ARGUMENT: Record<string, { index: number; keyword: string }> = {};
for (const lib of ['requests', 'requests.api', 'httpx']) {
  for (const verb of ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']) URL_ARGUMENT[`${lib}.${verb}`] = { index: 0, keyword: 'url' };
  URL_ARGUMENT[`${lib}.request`] = { index: 1, keyword: 'url' };
  URL_ARGUMENT[`${lib}.stream`] = { index: 1, keyword: 'url' };
}
URL_ARGUMENT['urllib.request.urlopen'] = { index: 0, keyword: 'url' };
URL_ARGUMENT['urllib.request.Request'] = { index: 0, keyword: 'url' };
URL_ARGUMENT['urllib2.urlopen'] = { index: 0, keyword: 'url' };
URL_ARGUMENT['urllib2.Request'] = { index: 0, keyword: 'url' };
URL_ARGUMENT['xmlrpc.client.ServerProxy'] = { index: 0, keyword: 'uri' };
URL_ARGUMENT['xmlrpclib.ServerProxy'] = { index: 0, keyword: 'uri' };
const urlArgument = tableLookup(URL_ARGUMENT);

/**
 * Hosts where cleartext does not cross a network an attacker can sit on, or that are not real:
 * loopback, link-local (including the 169.254.169.254 cloud metadata service, which only speaks HTTP),
 * mDNS `.local`, cloud-internal names, RFC 1918 private ranges, single-label intranet names, and RFC 2606/6761
 * reserved example names.
 */
const EXEMPT_HOST =
  /^(?:localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|169\.254\.\d+\.\d+|metadata\.google\.internal|.*\.local|.*\.internal|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|(?:.*\.)?example(?:\.com|\.org|\.net)?|.*\.test|.*\.invalid)$/i;

/** Signals that the request carries credentials or other secrets. */
const SENSITIVE_PATH = /login|signin|sign-in|auth|token|password|passwd|oauth|session|account|payment|checkout/i;
const SENSITIVE_KEYWORDS = new Set(['auth', 'cert', 'cookies']);
const SENSITIVE_TEXT = /authorization|password|passwd|token|api[_-]?key|secret|cookie/i;

export default defineRule({
  id: 'python/insecure-transport',
  language: 'python',
  title: 'Cleartext network protocol (HTTP, FTP, Telnet, SMTP without STARTTLS)',
  cwe: [319],
  severity: 'medium',
  confidence: 'medium',
  description:
    'The code talks to a remote host over a protocol that sends everything in clear text: FTP (`ftplib.FTP`), ' +
    'Telnet (`telnetlib.Telnet`), SMTP with no `starttls()` in the same function, or HTTP requests and XML-RPC ' +
    'proxies to a literal `http://` URL. Loopback, link-local (cloud metadata), `.local`/`.internal` names, ' +
    'private RFC 1918 addresses, single-label intranet names and reserved example domains are not reported; URLs whose host is computed are ' +
    'not reported either.',
  whyItMatters:
    'Anyone on the path (shared Wi-Fi, an ISP, a compromised router) reads the passwords, tokens and data sent, ' +
    'and can change responses, for example to inject code into a downloaded script.',
  fix: {
    guidance:
      'Use the TLS variant: `https://` URLs, `ftplib.FTP_TLS` (then `prot_p()`), `smtplib.SMTP_SSL` or ' +
      '`smtp.starttls()` before `login()`, and SSH instead of Telnet.',
    before: "resp = requests.post('http://api.partner.com/v1/login', data=creds)",
    after: "resp = requests.post('https://api.partner.com/v1/login', data=creds)",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/319.html',
    'https://docs.python.org/3/library/ftplib.html#ftplib.FTP_TLS',
    'https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.starttls',
  ],
  create({ module, report }) {
    /** The literal text at the start of a URL expression: whole constants, f-string heads, `'...' + x` heads. */
    function urlPrefix(node: Node): { text: string; complete: boolean } | undefined {
      const n = module.unwrap(node);
      const v = module.constantValue(n);
      if (typeof v === 'string') return { text: v, complete: true };
      if (n.type === 'string') {
        let text = '';
        for (const c of n.namedChildren) {
          if (!c || c.type === 'string_start') continue;
          if (c.type !== 'string_content') break;
          text += c.text;
        }
        return { text, complete: false };
      }
      if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
        const left = n.childForFieldName('left');
        const head = left ? urlPrefix(left) : undefined;
        return head ? { text: head.text, complete: false } : undefined;
      }
      return undefined;
    }

    /** The remote host of a literal `http://` URL, when the literal spells it out in full. */
    function cleartextHost(node: Node): string | undefined {
      const prefix = urlPrefix(node);
      if (!prefix) return undefined;
      const m = /^http:\/\/(?:[^@/?#\s]*@)?(\[[^\]]+\]|[^/:?#\s]+)([/:?#]|$)/i.exec(prefix.text);
      if (!m) return undefined;
      // `'http://api.' + region + '.example'`: the host continues past the literal.
      if (m[2] === '' && !prefix.complete) return undefined;
      const host = m[1]!;
      // Single-label names (`http://inventory/`, a docker-compose service) only resolve inside a private network.
      if (EXEMPT_HOST.test(host) || !host.includes('.')) return undefined;
      return host;
    }

    function looksSensitive(call: PyCall, url: Node): boolean {
      if (SENSITIVE_PATH.test(module.text(url))) return true;
      for (const [k, v] of call.keywords) {
        if (SENSITIVE_KEYWORDS.has(k)) return true;
        if ((k === 'headers' || k === 'data' || k === 'json') && SENSITIVE_TEXT.test(module.text(v))) return true;
      }
      return false;
    }

    /** Whether some call in the same function (or module) invokes `method`, e.g. `starttls`, `login(user, pw)`. */
    function scopeCalls(node: Node, method: string, withArguments = false): boolean {
      return callsIn(module, scopeOf(module, node)).some(
        (c) => c.method === method && (!withArguments || c.positional.length > 0 || c.keywords.size > 0 || c.hasStarArgs),
      );
    }

    function hostIsLocal(arg: Node | undefined): boolean {
      if (!arg) return false;
      const v = module.constantValue(arg);
      return typeof v === 'string' && (v === '' || EXEMPT_HOST.test(v));
    }

    return {
      call(call) {
        const q = call.qname;
        if (!q) return;

        const urlArg = urlArgument(q);
        if (urlArg) {
          const url = call.arg(urlArg.index, urlArg.keyword);
          const host = url ? cleartextHost(url) : undefined;
          if (!url || !host) return;
          const sensitive = looksSensitive(call, url) || /^http:\/\/[^@/]*:[^@/]*@/i.test(urlPrefix(url)?.text ?? '');
          report({
            node: url,
            message: `${describeCallee(module, call)} sends ${sensitive ? 'credentials or session data' : 'its request'} to \`${host}\` over plain \`http://\`.`,
            confidence: sensitive ? 'high' : 'medium',
          });
          return;
        }

        if (q === 'ftplib.FTP') {
          if (hostIsLocal(call.arg(0, 'host'))) return;
          const login = scopeCalls(call.node, 'login', true);
          report({
            node: call.node,
            message: `${describeCallee(module, call)} opens a cleartext FTP session${login ? '; the password given to `login()` crosses the network unencrypted' : ''}. Use \`ftplib.FTP_TLS\`.`,
            confidence: login ? 'high' : 'medium',
          });
        } else if (q === 'telnetlib.Telnet') {
          if (hostIsLocal(call.arg(0, 'host'))) return;
          report({
            node: call.node,
            message: `${describeCallee(module, call)} opens a Telnet session: everything typed, passwords included, crosses the network unencrypted.`,
            confidence: 'high',
          });
        } else if (q === 'smtplib.SMTP' || q === 'smtplib.LMTP') {
          if (hostIsLocal(call.arg(0, 'host'))) return;
          if (scopeCalls(call.node, 'starttls')) return;
          const login = scopeCalls(call.node, 'login');
          report({
            node: call.node,
            message: `${describeCallee(module, call)} is used without \`starttls()\` in this function, so mail${login ? ' and the `login()` password' : ''} travel in clear text.`,
            confidence: login ? 'high' : 'low',
          });
        }
      },
    };
  },
});
