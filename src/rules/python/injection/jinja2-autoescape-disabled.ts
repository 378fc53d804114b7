import { defineRule } from '../../define-rule.js';
import { qualifiedName } from '../value-facts/index.js';

const JINJA_CLASSES = new Set([
  'jinja2.Environment',
  'jinja2.environment.Environment',
  'jinja2.Template',
  'jinja2.environment.Template',
  'jinja2.sandbox.SandboxedEnvironment',
  'jinja2.sandbox.ImmutableSandboxedEnvironment',
]);
/** Imports that show the file serves web pages. */
const WEB_FRAMEWORKS = /^(?:flask|django|werkzeug|starlette|fastapi|aiohttp|pyramid|bottle|tornado|quart|sanic|falcon|cherrypy)(?:\.|$)/;

export default defineRule({
  id: 'python/jinja2-autoescape-disabled',
  language: 'python',
  title: 'Jinja2 environment without HTML autoescaping',
  cwe: [79],
  severity: 'medium',
  confidence: 'high',
  description:
    'A Jinja2 `Environment`, `SandboxedEnvironment` or `Template` is created with `autoescape=False`, or without ' +
    '`autoescape` (whose default is False). Every `{{ value }}` is then inserted into the output verbatim. When the ' +
    'file shows it serves HTML (a web framework import or `.html` templates), an explicit `False` is reported at ' +
    'high and a missing argument at medium confidence; otherwise both are low confidence, because Jinja2 is also ' +
    'used for configuration files, e-mails and code generation where HTML escaping would be wrong. ' +
    '`autoescape=True` and `autoescape=select_autoescape(...)` are fine. For aiohttp, `aiohttp_jinja2.setup(app, ' +
    '..., autoescape=False)` is reported (its default is True).  Flask\'s own `render_template` ' +
    'environment autoescapes `.html` templates and is not affected.',
  whyItMatters:
    'Without escaping, any value that reaches a template (a user name, a comment, a query parameter) can carry ' +
    '`<script>` and run in other users\' browsers: session theft, actions on their behalf, defacement.',
  fix: {
    guidance:
      'Create the environment with `autoescape=select_autoescape(["html", "htm", "xml"])` (or `True`), and mark ' +
      'the few trusted HTML fragments with `Markup` explicitly.',
    before: 'env = Environment(loader=FileSystemLoader("templates"))',
    after: 'env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/79.html',
    'https://jinja.palletsprojects.com/en/stable/api/#autoescaping',
    'https://jinja.palletsprojects.com/en/stable/api/#jinja2.select_autoescape',
  ],
  create({ module, report }) {
    let servesHtml: boolean | undefined;
    const htmlEvidence = (): boolean => {
      servesHtml ??= [...module.imports.values()].some((q) => WEB_FRAMEWORKS.test(q)) || /\.html?\b/.test(module.source);
      return servesHtml;
    };

    return {
      call(call) {
        // aiohttp_jinja2.setup(app, loader=..., autoescape=False): the default there is True.
        if (call.qname === 'aiohttp_jinja2.setup') {
          const autoescape = call.keywords.get('autoescape');
          if (autoescape && module.constantValue(autoescape) === false) {
            report({
              node: autoescape.parent ?? autoescape,
              message:
                '`aiohttp_jinja2.setup` is given `autoescape=False`: values rendered into this aiohttp application\'s ' +
                'templates are not escaped, so markup or `<script>` in a variable reaches the page as code.',
            });
          }
          return;
        }
        if (!call.qname || !JINJA_CLASSES.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const name = q.replace(/^jinja2\.(?:environment\.|sandbox\.)?/, '');
        const autoescape = call.keywords.get('autoescape');
        if (autoescape) {
          if (module.constantValue(autoescape) !== false) return;
          // An explicit False is deliberate; it is a defect where the output is HTML.
          const html = htmlEvidence();
          report({
            node: autoescape.parent ?? autoescape,
            confidence: html ? 'high' : 'low',
            message: html
              ? `\`${name}\` is created with \`autoescape=False\` in a web application: values rendered into its HTML are ` +
                'not escaped, so markup or `<script>` in a variable reaches the page as code.'
              : `\`${name}\` is created with \`autoescape=False\`: if these templates produce HTML, values rendered into ` +
                'them are not escaped and markup in a variable reaches the page as code.',
          });
          return;
        }
        if (call.hasStarKwargs || call.positional.length > 10) return;
        const html = htmlEvidence();
        report({
          node: call.node,
          confidence: html ? 'medium' : 'low',
          message:
            `\`${name}\` is created without \`autoescape\`, which defaults to False: ` +
            (html
              ? 'templates rendered for this web application do not escape `{{ values }}`, so markup in them reaches the page as code.'
              : 'if these templates produce HTML, `{{ values }}` are not escaped and markup in them reaches the page as code.'),
        });
      },
    };
  },
});
