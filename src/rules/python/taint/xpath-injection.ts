import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/xpath-injection',
  language: 'python',
  title: 'Untrusted data reaches an XPath expression',
  cwe: [643],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'xpath-injection' },
  description:
    'Data from outside the program is built into an XPath expression (`element.xpath(...)`, `lxml.etree.XPath`), ' +
    'so quotes and operators in it change the query. XPath variables passed as keyword arguments ' +
    '(`tree.xpath("//user[@name=$name]", name=name)`) are bound safely and are not reported.',
  whyItMatters:
    'An attacker turns a lookup into a condition that always holds (`\' or \'1\'=\'1`), which bypasses checks ' +
    'made against an XML user store, and reads any part of the document.',
  fix: {
    guidance:
      'Use XPath variables: write `$name` in the expression and pass the value as a keyword argument of `xpath()` ' +
      '(or of a compiled `etree.XPath`). Never format values into the expression.',
    before: 'user = request.args["user"]\nnodes = tree.xpath(f"//user[@name=\'{user}\']")',
    after: 'user = request.args["user"]\nnodes = tree.xpath("//user[@name=$name]", name=user)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/643.html',
    'https://lxml.de/xpathxslt.html#the-xpath-method',
    'https://owasp.org/www-community/attacks/XPATH_Injection',
  ],
  create: () => ({}),
});
