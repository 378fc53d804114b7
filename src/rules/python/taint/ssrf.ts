import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/ssrf',
  language: 'python',
  title: 'Untrusted data chooses where the server sends a request',
  cwe: [918],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'ssrf' },
  description:
    'Data from outside the program becomes the URL or host of an outgoing request: `requests` (also through a ' +
    '`Session`), `httpx` (also through a `Client`), `urllib3`, `urllib.request.urlopen`, `http.client` connections, ' +
    '`socket.create_connection`. Query parameters and bodies passed separately (`params=`, `json=`) do not choose ' +
    'the destination and are not reported.',
  whyItMatters:
    'The server becomes the attacker\'s proxy inside the network: it reaches internal services and admin ' +
    'interfaces, cloud metadata endpoints that hand out credentials (`http://169.254.169.254/`), and with ' +
    '`urlopen` even local files (`file://`).',
  fix: {
    guidance:
      'Do not let input choose the destination. Pick the host from an allow-list (a dictionary from names to fixed ' +
      'URLs), or parse the URL and check the scheme and host against an allow-list; then pass user data only as ' +
      'query parameters or the body. Block redirects to other hosts.',
    before: 'url = request.args["url"]\nreturn requests.get(url, timeout=5).text',
    after:
      'feed = request.args["feed"]\nurl = FEEDS.get(feed)  # {"news": "https://news.example/rss", ...}\n' +
      'if url is None:\n    abort(404)\nreturn requests.get(url, timeout=5, allow_redirects=False).text',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/918.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
