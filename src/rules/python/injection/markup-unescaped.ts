import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { howBuilt, lineOf, pieceList, qualifiedName, snippet, strongestOrigin, valueFacts } from '../value-facts/index.js';

/** Constructors that declare their argument to be safe HTML, skipping autoescaping. */
const MARK_SAFE = new Set([
  'markupsafe.Markup',
  'flask.Markup',
  'jinja2.Markup',
  'jinja2.utils.Markup',
  'django.utils.safestring.mark_safe',
  'django.utils.safestring.SafeString',
  'django.utils.safestring.SafeText',
  'django.utils.html.mark_safe',
]);
/** Calls whose result is already escaped or sanitised HTML. */
const HTML_SAFE = new Set([
  'markupsafe.escape', 'flask.escape', 'jinja2.escape', 'html.escape', 'cgi.escape',
  'markupsafe.Markup.escape', 'flask.Markup.escape', 'jinja2.Markup.escape',
  'django.utils.html.escape', 'django.utils.html.conditional_escape', 'django.utils.html.format_html',
  'django.utils.html.format_html_join', 'django.utils.html.json_script', 'django.utils.html.linebreaks',
  'django.template.loader.render_to_string', 'django.shortcuts.render', 'flask.render_template',
  'flask.render_template_string', 'bleach.clean', 'bleach.linkify', 'nh3.clean',
  'markdown.markdown',
]);

export default defineRule({
  id: 'python/markup-unescaped',
  language: 'python',
  title: 'Untrusted text marked as safe HTML',
  cwe: [79],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A value that is not a constant is wrapped in `markupsafe.Markup` (also `flask.Markup`, `jinja2.Markup`) or ' +
    'Django\'s `mark_safe`/`SafeString`, which tells the template engine not to escape it. When the value holds ' +
    'user text, or is HTML built from it with `%`, `.format()`, an f-string or `+`, that text is rendered as HTML. ' +
    '`Markup("<b>%s</b>") % name` and `Markup("<b>{}</b>").format(name)` escape `name` and are fine, as are values ' +
    'passed through `escape()`, `format_html()`, `bleach.clean()` or a template render. A bare variable of unknown ' +
    'origin is reported at low confidence (it may be HTML the program produced itself); HTML built from data at ' +
    'medium, and from a request at high confidence. (`markdown.markdown` is treated as producing safe HTML ' +
    'only because this rule cannot judge its configuration.)',
  whyItMatters:
    'Text marked safe bypasses autoescaping: a `<script>` or an `onerror=` attribute in it runs in the browser of ' +
    'everyone who views the page (stored or reflected XSS).',
  fix: {
    guidance:
      'Escape the data, not the template: `Markup("<b>%s</b>") % name`, `format_html("<b>{}</b>", name)`, or pass ' +
      'the value to the template and let autoescaping handle it. Sanitise genuinely user-authored HTML with an ' +
      'allow-list sanitiser (`nh3`, `bleach`).',
    before: 'return Markup("<b>%s</b>" % user.name)',
    after: 'return Markup("<b>%s</b>") % user.name',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/79.html',
    'https://markupsafe.palletsprojects.com/en/stable/escaping/',
    'https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.safestring.mark_safe',
    'https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (!call.qname || !MARK_SAFE.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const value = call.arg(0, q.endsWith('mark_safe') ? 's' : 'base') ?? call.arg(undefined, 'object');
        if (!value) return;
        const facts = valueFacts(module, value, { sanitizers: HTML_SAFE });
        if (facts.parts.length === 0) return;
        const origin = strongestOrigin(module, facts.parts);
        if (!origin) return;
        const name = q.slice(q.lastIndexOf('.') + 1);
        const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
        let confidence: Confidence;
        let message: string;
        if (origin.kind === 'external') {
          confidence = 'high';
          message =
            `\`${name}\` marks \`${snippet(value, 50)}\`${where} as safe HTML, and \`${snippet(facts.built ? origin.node : value, 40)}\` ` +
            `comes from ${origin.source}: markup in it is rendered unescaped.`;
        } else if (facts.built && origin.kind !== 'attribute' && origin.kind !== 'config') {
          confidence = 'medium';
          message =
            `\`${name}\` marks HTML built by ${howBuilt(module, facts.via[0] ?? value)} from ${pieceList(facts.parts)}${where} ` +
            'as safe, so markup in those values is rendered unescaped; escape them first or use the `Markup` `%`/`format` API.';
        } else {
          confidence = 'low';
          message =
            `\`${name}\` marks \`${snippet(value, 50)}\` as safe HTML; if it can contain text from users, that text is ` +
            'rendered unescaped.';
        }
        report({ node: call.node, message, confidence });
      },
    };
  },
});
