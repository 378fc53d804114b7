import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';

/** Hosts that mean "every interface" in a socket address tuple. */
const ANY_HOST_IN_TUPLE = new Set(['', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);
/**
 * Outside a socket tuple an empty host is not "any": Flask's `app.run(host='')` falls back
 * to 127.0.0.1, so only the explicit wildcard spellings count there.
 */
const ANY_HOST_EXPLICIT = new Set(['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

/** Standard-library servers whose first argument is a `(host, port)` tuple. */
const ADDRESS_TUPLE_SERVERS = new Set([
  'http.server.HTTPServer',
  'http.server.ThreadingHTTPServer',
  'socketserver.TCPServer',
  'socketserver.UDPServer',
  'socketserver.ThreadingTCPServer',
  'socketserver.ThreadingUDPServer',
  'socketserver.ForkingTCPServer',
  'socketserver.ForkingUDPServer',
  'xmlrpc.server.SimpleXMLRPCServer',
  'xmlrpc.server.DocXMLRPCServer',
  'wsgiref.simple_server.WSGIServer',
  'socket.create_server',
  // Python 2 spellings, still found in old tools.
  'BaseHTTPServer.HTTPServer',
  'SocketServer.TCPServer',
  'SocketServer.ThreadingTCPServer',
  'SimpleXMLRPCServer.SimpleXMLRPCServer',
]);

/** Server entry points that take `host=` (Flask/Sanic/Dash `run`, uvicorn, aiohttp, waitress...). */
const SERVER_FUNCTION_NAMES = new Set([
  'run', 'run_app', 'run_server', 'serve', 'run_simple', 'make_server', 'start_server', 'create_server',
]);

/** ZeroMQ-style endpoints: `tcp://*:5555`, `tcp://0.0.0.0:5555`. */
const ANY_ENDPOINT = /^(tcp|udp|ws|wss|pgm|epgm):\/\/(\*|0\.0\.0\.0|\[::\])(:|$)/;

export default defineRule({
  id: 'python/bind-all-interfaces',
  language: 'python',
  title: 'Server bound to every network interface',
  cwe: [1327],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A listening socket or development server is bound to the wildcard address (`0.0.0.0`, `::` or an empty host in ' +
    'a socket address tuple), so it accepts connections on every interface of the machine, not just loopback or ' +
    'the one network it is meant to serve.',
  whyItMatters:
    'Anything on any attached network can reach the service: an internal admin endpoint, a debug server or an ' +
    'unauthenticated RPC port becomes reachable from the LAN, a VPN or the internet. Inside a container, binding ' +
    'to 0.0.0.0 is usually deliberate (the container network is the boundary), which is why this is a review ' +
    'point rather than a certain defect.',
  fix: {
    guidance:
      'Bind to 127.0.0.1 (or the one interface address that must serve the traffic) and make the host a ' +
      'configuration value; put a reverse proxy in front when the service must be public.',
    before: "app.run(host='0.0.0.0', port=5000)",
    after: "app.run(host=os.environ.get('BIND_HOST', '127.0.0.1'), port=5000)",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/1327.html',
    'https://docs.python.org/3/library/socket.html#socket-families',
  ],
  create({ module, report }) {
    const reportHost = (host: Node, value: string, what: string): void => {
      const literal = value === '' ? "''" : value;
      const shown = module.isStringLiteral(host) ? `\`${literal}\`` : `\`${module.text(host)}\` (\`${literal}\`)`;
      report({
        node: host,
        message: `${what} binds to ${shown}, which listens on every network interface of the host.`,
      });
    };

    return {
      call(call) {
        const name = call.method ?? lastSegment(call.qname ?? module.dottedName(call.callee));
        const calleeText = module.text(call.callee);

        // sock.bind((host, port)) on any receiver: a tuple address is specific to sockets.
        if (call.method === 'bind' && call.positional.length === 1 && call.keywords.size === 0) {
          const address = module.unwrap(call.positional[0]!);
          const tupleHost = anyHostInTuple(module, address);
          if (tupleHost) {
            reportHost(tupleHost.node, tupleHost.value, `\`${calleeText}\``);
            return;
          }
          const endpoint = module.constantValue(address);
          if (typeof endpoint === 'string' && ANY_ENDPOINT.test(endpoint)) {
            report({
              node: address,
              message: `\`${calleeText}\` binds to \`${endpoint}\`, which listens on every network interface of the host.`,
            });
          }
          return;
        }

        // HTTPServer(('', 8000), Handler) and custom *Server classes built the same way.
        const isTupleServer =
          (call.qname !== undefined && ADDRESS_TUPLE_SERVERS.has(call.qname)) || (name !== undefined && name.endsWith('Server'));
        if (isTupleServer) {
          const address = call.arg(0, 'server_address') ?? call.arg(undefined, 'address');
          const tupleHost = address ? anyHostInTuple(module, module.unwrap(address)) : undefined;
          if (tupleHost) reportHost(tupleHost.node, tupleHost.value, `\`${calleeText}\``);
          return;
        }

        if (!name || !SERVER_FUNCTION_NAMES.has(name)) return;
        // A resolved module function must be a web server (not asyncio.run and friends).
        if (call.qname !== undefined && !isKnownServerModule(call.qname)) return;
        const keyword = call.keywords.get('host');
        const positionalHost =
          name === 'make_server' || name === 'run_simple' || (name === 'run' && call.qname === undefined)
            ? call.positional[0]
            : undefined;
        const host = keyword ?? positionalHost;
        if (!host) return;
        const value = module.constantValue(host);
        if (typeof value !== 'string') return;
        const wildcard = name === 'make_server' ? ANY_HOST_IN_TUPLE : ANY_HOST_EXPLICIT;
        if (!wildcard.has(value)) return;
        reportHost(host, value, `\`${calleeText}\``);
      },
    };
  },
});

/** `a.b.c` → `c` (what `split('.').pop()` gives). */
function lastSegment(dotted: string | undefined): string | undefined {
  return dotted === undefined ? undefined : dotted.slice(dotted.lastIndexOf('.') + 1);
}

function isKnownServerModule(qname: string): boolean {
  return /^(uvicorn|hypercorn|waitress|aiohttp|werkzeug|wsgiref|flask|sanic|bottle|cherrypy|gevent|eventlet|tornado|asyncio\.start_server|socketio|flask_socketio)\b/.test(
    qname,
  );
}

/** `(host, port)` or `(host, port, flowinfo, scope_id)` with a wildcard host and a non-zero port. */
function anyHostInTuple(module: PythonModule, address: Node): { node: Node; value: string } | undefined {
  if (address.type !== 'tuple') return undefined;
  const items = address.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (items.length !== 2 && items.length !== 4) return undefined;
  const [hostNode, portNode] = items as [Node, Node];
  const host = module.constantValue(hostNode);
  if (typeof host !== 'string' || !ANY_HOST_IN_TUPLE.has(host)) return undefined;
  // Port 0 asks the kernel for a free port: the usual "find an unused port" probe.
  if (module.constantValue(portNode) === 0) return undefined;
  return { node: hostNode, value: host };
}
