import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/mass-assignment',
  language: 'python',
  title: 'Request data chooses which attributes of an object are set',
  cwe: [915],
  severity: 'medium',
  confidence: 'medium',
  taint: { kind: 'mass-assignment', sourcesOnly: true },
  description:
    'The keys of a request\'s data decide which attributes of an object are written: a class called with ' +
    '`**request.json`, `Model.objects.create(**request.POST.dict())`, `obj.__dict__.update(request.json)`, or ' +
    '`setattr(obj, key, value)` with a key from the request. Any attribute the model has can be set, not only ' +
    'the ones the form shows. A class named in CapWords called with `**data` is taken to be a model; one that ' +
    'declares and validates its own fields (a pydantic model) is a false positive. Only flows from request data are reported, not a ' +
    'parameter of a function no scanned code calls (building objects from a mapping, or sizing from a number, is ' +
    'what such functions are for).',
  whyItMatters:
    'An attacker adds `is_admin=true`, `owner_id=…` or `balance=…` to the request and the application stores it ' +
    '(CWE-915): privilege escalation or data tampering without any other flaw.',
  fix: {
    guidance:
      'Copy only the fields the user may change, by name (an allow-list), or validate the data with a schema ' +
      'that lists its fields (a form, a serializer, a pydantic model) and build the object from the validated ' +
      'result.',
    before: 'user = User(**request.json)',
    after: 'data = request.json\nuser = User(name=data["name"], email=data["email"])',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/915.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html',
  ],
  create: () => ({}),
});
