import type { Node } from '../../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../../frontend/javascript/module.js';
import { defineRule } from '../../define-rule.js';
import { constantValue, isBuiltString, unwrap } from '../syntax.js';

/** The constant text a built string starts with. */
function prefix(module: JavaScriptModule, node: Node): string {
  const n = unwrap(node);
  if (n.type === 'template_string') {
    let out = '';
    for (const c of n.namedChildren) {
      if (c.type === 'template_substitution') break;
      out += c.text;
    }
    return out;
  }
  if (n.type === 'binary_expression') {
    const l = n.childForFieldName('left');
    if (!l) return '';
    const v = constantValue(module, l);
    return typeof v === 'string' ? v : prefix(module, l);
  }
  return '';
}

export default defineRule({
  id: 'javascript/javascript-url',
  language: 'javascript',
  title: 'javascript: URL built from non-constant parts',
  cwe: [83, 79],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports a `javascript:` URL assembled at run time (a template with substitutions or a concatenation that starts with ' +
    '`javascript:`) used anywhere: a JSX `href`/`src`/`action`, an assignment to `href` or `location`, a `setAttribute` call. ' +
    'The part after `javascript:` is run as code when the link is followed. Constant `javascript:void(0)` is not reported.',
  whyItMatters: 'Whatever reaches the substituted part becomes script in the page: quotes close the string and the rest runs with the user\'s session.',
  fix: {
    guidance: 'Attach behaviour with an event handler (`onClick`) and pass data as data; never put values inside `javascript:` URLs.',
    before: '<a href={`javascript:openItem("${item.id}")`}>open</a>',
    after: '<a href="#" onClick={() => openItem(item.id)}>open</a>',
  },
  references: ['https://developer.mozilla.org/en-US/docs/Web/URI/Schemes/javascript', 'https://cwe.mitre.org/data/definitions/83.html'],
  create({ module, report }) {
    function check(node: Node): void {
      // Only the outermost `+` of a chain.
      if (node.type === 'binary_expression' && node.parent?.type === 'binary_expression') return;
      if (!isBuiltString(module, node)) return;
      if (/^\s*javascript:/i.test(prefix(module, node))) report({ node, message: 'A `javascript:` URL is built from values: they run as code when it is followed.' });
    }
    return { nodes: { template_string: check, binary_expression: check } };
  },
});
