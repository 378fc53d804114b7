import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'javascript/path-traversal',
  language: 'javascript',
  title: "Untrusted data chooses a file path",
  cwe: [22],
  severity: 'high',
  confidence: 'medium',
  taint: { kind: 'path-injection' },
  description:
    "Data from outside the program becomes a path given to `fs` (`readFile`, `writeFile`, `createReadStream`, `unlink`\u2026) or to `res.sendFile`/`res.download`; `path.join` and `path.resolve` keep `..` segments and absolute paths.",
  whyItMatters:
    "`../` sequences or an absolute path let the client read or overwrite files outside the intended folder: configuration, keys, source code.",
  fix: {
    guidance:
      "Reduce the input to a file name (`path.basename`), or resolve it against a base folder and check that the result still starts with that folder; use `res.sendFile(name, { root })`.",
    before: "const name = req.query.file;\nres.sendFile(path.join(__dirname, 'files', name));",
    after: "const name = path.basename(String(req.query.file));\nres.sendFile(name, { root: path.join(__dirname, 'files') });",
  },
  references: ["https://cwe.mitre.org/data/definitions/22.html", "https://expressjs.com/en/api.html#res.sendFile"],
  create: () => ({}),
});
