import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/tainted-deserialization',
  language: 'python',
  title: 'Untrusted data deserialised with a format that can run code',
  cwe: [502],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'unsafe-deserialization', supersedes: ['python/unsafe-deserialization', 'python/yaml-unsafe-load'] },
  description:
    'Data from outside the program (a request body, a cookie, an upload) is deserialised with `pickle`, ' +
    '`marshal`, `shelve`, `dill`, `jsonpickle`, `joblib`, `torch.load`, `pandas.read_pickle` or `yaml.load` with an ' +
    'object-building loader. These formats describe objects to construct and functions to call, not just data.',
  whyItMatters:
    'A crafted payload runs arbitrary code during loading (pickle\'s `__reduce__`, YAML `!!python/object/apply`), ' +
    'before the application looks at the result: remote code execution with the service\'s privileges.',
  fix: {
    guidance:
      'Exchange data in a format that only describes data: `json.loads`, `yaml.safe_load`, or a schema library. If ' +
      'serialised objects must travel through the client, sign them with `hmac` and verify the signature before ' +
      'loading, or keep them server-side and hand out an identifier.',
    before: 'state = pickle.loads(base64.b64decode(request.cookies["state"]))',
    after: 'state = json.loads(base64.b64decode(request.cookies["state"]))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/502.html',
    'https://docs.python.org/3/library/pickle.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
