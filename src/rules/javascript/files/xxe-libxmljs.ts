import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property } from '../syntax.js';

const PARSERS = /^(?:libxmljs2?|libxmljs)\.(?:parseXml|parseXmlString|parseXmlAsync|parseHtml|parseHtmlString|SaxParser|SaxPushParser)$/;

export default defineRule({
  id: 'javascript/xxe-libxmljs',
  language: 'javascript',
  title: 'XML parsed with external entities expanded (libxmljs noent: true)',
  cwe: [611],
  severity: 'high',
  confidence: 'high',
  description:
    'Reports libxmljs and libxmljs2 `parseXml`/`parseXmlString` (and the HTML and async forms) with `noent: true`, which ' +
    'substitutes entities, external ones included, or `dtdload: true`. The defaults, and parsers that never resolve external ' +
    'entities (xml2js, fast-xml-parser, @xmldom/xmldom), are not reported.',
  whyItMatters: 'A document with `<!ENTITY x SYSTEM "file:///etc/passwd">` reads local files into the result, or makes the server fetch internal URLs (SSRF).',
  fix: { guidance: 'Parse without `noent` (and without `dtdload`); if entities are needed, expand only internal ones in your own code.', before: 'const doc = libxmljs.parseXml(body, { noent: true });', after: 'const doc = libxmljs.parseXml(body);' },
  references: ['https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html', 'https://cwe.mitre.org/data/definitions/611.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name || !PARSERS.test(name)) return;
          const options = objectLiteral(module, argsOf(call)[1]);
          for (const key of ['noent', 'dtdload']) {
            const v = property(options, key);
            if (v && constantValue(module, v) === true) {
              report({ node: call, message: `\`${name}\` with \`${key}: true\` resolves external entities.` });
              return;
            }
          }
        },
      },
    };
  },
});
