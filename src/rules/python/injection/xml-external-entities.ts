import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { externalSource, isConstant, qualifiedName, snippet } from '../value-facts/index.js';

const LXML = ['lxml.etree', 'lxml.objectify'];
/** Parser constructors that take `resolve_entities` / `no_network`. */
const PARSER_CLASSES = new Set(['lxml.etree.XMLParser', 'lxml.etree.ETCompatXMLParser', 'lxml.etree.XMLPullParser', 'lxml.etree.iterparse']);
/** Parse functions that use lxml's default parser unless given one: name → index of `parser`. */
const PARSE_FUNCTIONS = new Map<string, number>(
  LXML.flatMap((m): [string, number][] => [
    [`${m}.parse`, 1],
    [`${m}.fromstring`, 1],
    [`${m}.XML`, 1],
    [`${m}.fromstringlist`, 1],
    [`${m}.XMLID`, 1],
  ]),
);
const SAX_EXTERNAL_FEATURES = new Set([
  'xml.sax.handler.feature_external_ges',
  'xml.sax.handler.feature_external_pes',
]);
const SAX_EXTERNAL_URIS = new Set([
  'http://xml.org/sax/features/external-general-entities',
  'http://xml.org/sax/features/external-parameter-entities',
]);

export default defineRule({
  id: 'python/xml-external-entities',
  language: 'python',
  title: 'XML parser resolves external entities',
  cwe: [611],
  severity: 'high',
  confidence: 'high',
  description:
    'An XML parser is configured, or left at a default, that replaces `<!ENTITY x SYSTEM "file:///etc/passwd">` ' +
    'references with the content of the file or URL. What each library does: ' +
    '(1) lxml `XMLParser(resolve_entities=True)` always loads external entities (local files; URLs too with ' +
    '`no_network=False`): reported at high confidence. ' +
    '(2) lxml `XMLParser(no_network=False)` without `resolve_entities=False`: network entities on lxml < 5.0; ' +
    'medium confidence. ' +
    '(3) lxml `etree.parse/fromstring/XML` with no `parser`, `iterparse()` and `ETCompatXMLParser()` without ' +
    '`resolve_entities`: lxml before 5.0 resolves external entities from local files by default ' +
    '(`no_network=True` only blocks network fetches); lxml 5.0 made `resolve_entities="internal"` the default of ' +
    '`XMLParser`, and `iterparse`/`ETCompatXMLParser` followed later (CVE-2026-41066). Reported at low confidence ' +
    'when the input is not a constant, because it depends on the installed lxml. ' +
    '(4) `xml.sax` parsers with `setFeature(feature_external_ges/feature_external_pes, True)`: the standard ' +
    'library then fetches files and URLs (the default is off since Python 3.7.1). ' +
    'The standard library\'s `xml.etree.ElementTree`, `minidom` and default `sax`/`pulldom` do not load external ' +
    'entities and are not reported; neither is `defusedxml`.',
  whyItMatters:
    'An attacker who submits XML can read local files (configuration, keys, `/proc/self/environ`) through the ' +
    'parsed text, make the server fetch internal URLs (SSRF), or hang it on a slow or endless resource.',
  fix: {
    guidance:
      'Parse untrusted XML with `defusedxml`, or give lxml an explicit parser with `resolve_entities=False` ' +
      '(and keep `no_network=True`); never enable the SAX external-entity features for untrusted input.',
    before: 'parser = etree.XMLParser(resolve_entities=True)\ntree = etree.fromstring(body, parser)',
    after: 'parser = etree.XMLParser(resolve_entities=False, no_network=True)\ntree = etree.fromstring(body, parser)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/611.html',
    'https://lxml.de/apidoc/lxml.etree.html#lxml.etree.XMLParser',
    'https://docs.python.org/3/library/xml.html#xml-vulnerabilities',
    'https://pypi.org/project/defusedxml/',
  ],
  create({ module, report }) {
    function input(node: Node | undefined): string {
      if (!node) return '';
      const source = externalSource(module, node);
      if (!source) return '';
      return source === `\`${snippet(node, 40)}\`` ? ' (external input)' : ` (the XML comes from ${source})`;
    }

    return {
      call(call) {
        if (call.method === 'setFeature' && call.positional.length >= 2) {
          const feature = call.positional[0]!;
          const fq = module.resolve(feature);
          const fv = module.constantValue(feature);
          const external = (fq && SAX_EXTERNAL_FEATURES.has(fq)) || (typeof fv === 'string' && SAX_EXTERNAL_URIS.has(fv));
          const on = module.constantValue(call.positional[1]!);
          if (external && (on === true || on === 1)) {
            report({
              node: call.node,
              message:
                `\`${snippet(call.node, 70)}\` turns on external entities: this SAX parser will read files and URLs ` +
                'named in the document\'s DTD.',
            });
          }
          return;
        }
        if (!call.qname || !(PARSER_CLASSES.has(call.qname) || PARSE_FUNCTIONS.has(call.qname))) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        if (PARSER_CLASSES.has(q)) {
          if (call.hasStarKwargs) return;
          const resolve = call.keywords.get('resolve_entities');
          const noNetwork = call.keywords.get('no_network');
          const resolveValue = resolve ? module.constantValue(resolve) : undefined;
          const source = q === 'lxml.etree.iterparse' ? input(call.arg(0, 'source')) : '';
          if (resolve && resolveValue === true) {
            report({
              node: resolve.parent ?? resolve,
              message:
                `\`${q}\` is created with \`resolve_entities=True\`${source}: documents it parses can pull in local ` +
                'files (and URLs if networking is allowed) through external entities.',
            });
            return;
          }
          if (resolve) return; // False, 'internal', or a value we cannot see
          if (noNetwork && module.constantValue(noNetwork) === false) {
            report({
              node: noNetwork.parent ?? noNetwork,
              confidence: 'medium',
              message:
                `\`${q}\` is created with \`no_network=False\` and without \`resolve_entities=False\`${source}: on ` +
                "lxml < 5.0 its documents' external entities are fetched from files and URLs.",
            });
            return;
          }
          if (q === 'lxml.etree.iterparse' || q === 'lxml.etree.ETCompatXMLParser') {
            const src = call.arg(0, 'source');
            if (q === 'lxml.etree.iterparse' && (!src || isConstant(module, src))) return;
            report({
              node: call.node,
              confidence: source ? 'medium' : 'low',
              message:
                `\`${q}\` without \`resolve_entities=False\`${source} resolves external entities from local files on ` +
                'lxml versions that predate the fix for CVE-2026-41066.',
            });
          }
          return;
        }
        const parserIndex = PARSE_FUNCTIONS.get(q);
        if (parserIndex === undefined) return;
        if (call.hasStarArgs || call.hasStarKwargs) return;
        if (call.arg(parserIndex, 'parser')) return;
        const doc = call.positional[0] ?? call.keywords.get('source') ?? call.keywords.get('text');
        if (!doc || isConstant(module, doc)) return;
        const source = input(doc);
        report({
          node: call.node,
          confidence: source ? 'medium' : 'low',
          message:
            `\`${q}\` parses \`${snippet(doc, 40)}\`${source} with lxml's default parser, which on lxml < 5.0 ` +
            'replaces external entities with local file contents; pass `parser=etree.XMLParser(resolve_entities=False)`.',
        });
      },
    };
  },
});
