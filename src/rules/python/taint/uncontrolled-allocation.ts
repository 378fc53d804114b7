import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/uncontrolled-allocation',
  language: 'python',
  title: 'Allocation sized by a number from the request without an upper bound',
  cwe: [789, 770],
  severity: 'medium',
  confidence: 'medium',
  taint: { kind: 'uncontrolled-allocation', sourcesOnly: true },
  description:
    'A size or count taken from the request decides how much memory or work a call takes: ' +
    '`bytearray(int(request.args["n"]))`, `"x" * n`, `[0] * n`, `range(n)`, `os.urandom(n)`, ' +
    '`request.stream.read(n)`. `int()` does not help: a number is what these calls take. A `min(n, MAX)` or an ' +
    '`if n > MAX: abort(400)` before the call bounds it. Only flows from request data are reported, not a ' +
    'parameter of a function no scanned code calls (building objects from a mapping, or sizing from a number, is ' +
    'what such functions are for).',
  whyItMatters:
    'One request with `n=10000000000` makes the process allocate gigabytes or loop for minutes: a denial of ' +
    'service that takes no more than a query parameter (CWE-789, CWE-770).',
  fix: {
    guidance: 'Bound the number before using it: `n = min(int(request.args["n"]), MAX_ITEMS)`, or reject larger values with a 400.',
    before: 'n = int(request.args["n"])\nbuf = bytearray(n)',
    after: 'n = int(request.args["n"])\nif n > MAX_BUFFER:\n    abort(400)\nbuf = bytearray(n)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/789.html',
    'https://cwe.mitre.org/data/definitions/770.html',
  ],
  create: () => ({}),
});
