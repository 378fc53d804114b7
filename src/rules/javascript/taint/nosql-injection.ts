import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/nosql-injection',
  language: 'javascript',
  title: "Untrusted data is used as a MongoDB query filter",
  cwe: [943],
  severity: 'high',
  confidence: 'medium',
  taint: { kind: 'nosql-injection' },
  description:
    "A request value (often the whole `req.body` or one of its fields) is passed as a MongoDB/Mongoose filter (`find`, `findOne`, `updateOne`, `deleteMany`\u2026) or to `$where`. JSON bodies and `qs`-parsed query strings can carry objects, so `{\"password\": {\"$ne\": \"\"}}` arrives as an operator.",
  whyItMatters:
    "Query operators in the data change what the query matches: `$ne` and `$gt` bypass password checks, `$regex` leaks data, `$where` runs JavaScript on the database server.",
  fix: {
    guidance:
      "Build the filter from values converted to the expected type (`String(req.body.name)`), reject objects, or strip keys starting with `$` (`mongo-sanitize`); never pass request objects as filters.",
    before: "const user = await User.findOne({ name: req.body.name, password: req.body.password });",
    after: "const user = await User.findOne({ name: String(req.body.name) });\nconst ok = user && (await bcrypt.compare(String(req.body.password), user.hash));",
  },
  references: ["https://cwe.mitre.org/data/definitions/943.html", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection"],
  create: () => ({}),
});
