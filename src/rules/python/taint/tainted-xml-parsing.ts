import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/tainted-xml-parsing',
  language: 'python',
  title: 'Untrusted XML parsed with a parser that resolves external entities',
  cwe: [611],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'xxe', supersedes: ['python/xml-external-entities'] },
  description:
    'Data from outside the program is parsed by an XML parser that expands entities declared in the document, such ' +
    'as lxml\'s `fromstring`/`XML`/`parse` before lxml 5.0 (or with `resolve_entities=True`). A `<!DOCTYPE>` in the ' +
    'data can then declare an entity that reads a local file or a URL.',
  whyItMatters:
    'An attacker reads files from the server (`<!ENTITY x SYSTEM "file:///etc/passwd">`), makes the server send ' +
    'requests into the internal network, or exhausts memory with nested entities ("billion laughs").',
  fix: {
    guidance:
      'Parse untrusted XML with `defusedxml` (`defusedxml.lxml`/`defusedxml.ElementTree.fromstring`), or with an lxml ' +
      'parser built as `etree.XMLParser(resolve_entities=False, no_network=True)`, and reject documents that contain ' +
      'a DTD.',
    before: 'doc = etree.fromstring(request.data)',
    after: 'from defusedxml.ElementTree import fromstring\ndoc = fromstring(request.data)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/611.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html',
    'https://github.com/tiran/defusedxml',
  ],
  create: () => ({}),
});
