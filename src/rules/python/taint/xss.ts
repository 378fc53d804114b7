import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/xss',
  language: 'python',
  title: 'Untrusted data written into an HTML response without escaping',
  cwe: [79],
  severity: 'medium',
  confidence: 'high',
  taint: { kind: 'xss', supersedes: ['python/markup-unescaped'] },
  description:
    'Data from outside the program becomes part of an HTML response body built by hand (a string returned from a ' +
    'Flask route, `flask.Response`, `make_response`, Django `HttpResponse`, aiohttp `web.Response(content_type=' +
    '"text/html")`, `HTMLResponse`, http.server\'s `self.wfile.write`), is marked as safe HTML (`Markup`, ' +
    '`mark_safe`, `format_html`\'s format string), or is passed to a Jinja2/Django template that outputs it ' +
    'unescaped (`|safe`, `{% autoescape off %}`, a file the engine does not autoescape); the finding is then at ' +
    'the template\'s line, with the path from the request through the view. Neither the framework nor the ' +
    'template engine escapes it.',
  whyItMatters:
    'An attacker who gets a victim to open a crafted link runs script in the victim\'s browser on this site: it ' +
    'reads what the page shows, acts with the victim\'s session, and can steal credentials typed into the page.',
  fix: {
    guidance:
      'Render HTML through templates with autoescaping on, and pass user values as template variables. When HTML ' +
      'must be built in code, escape every untrusted piece with `markupsafe.escape`/`html.escape` (or Django\'s ' +
      '`format_html`), or return JSON with `jsonify`. In templates, drop `|safe` and `{% autoescape off %}` around ' +
      'user data (clean rich text with `bleach.clean`/`nh3.clean` before marking it safe), and give Flask templates an ' +
      '`.html` name so they are autoescaped.',
    before: 'name = request.args["name"]\nreturn make_response(f"<p>Hello {name}</p>")',
    after: 'name = request.args["name"]\nreturn make_response(f"<p>Hello {escape(name)}</p>")',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/79.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
    'https://flask.palletsprojects.com/en/stable/web-security/#cross-site-scripting-xss',
  ],
  create: () => ({}),
});
