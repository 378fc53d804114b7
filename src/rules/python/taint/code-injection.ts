import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/code-injection',
  language: 'python',
  title: 'Untrusted data evaluated as code or as a template',
  cwe: [95, 1336, 94],
  severity: 'critical',
  confidence: 'high',
  taint: { kind: 'code-injection', supersedes: ['python/eval-injection'] },
  description:
    'Data from outside the program reaches `eval`, `exec` or `compile`, or becomes the source of a template ' +
    '(`flask.render_template_string`, `jinja2.Template`, `Environment.from_string`, Mako and Django `Template`). ' +
    'Both run what the data says: Python directly, or template expressions that reach Python objects ' +
    '(`{{ cycler.__init__.__globals__.os.popen("id").read() }}`), which is server-side template injection.',
  whyItMatters:
    'This is remote code execution: the attacker\'s code runs inside the service with its privileges, reads its ' +
    'secrets and files, and can run commands. Restricting `globals` or `__builtins__` is not a sandbox.',
  fix: {
    guidance:
      'Never evaluate input. Parse data with `ast.literal_eval` or `json.loads`, dispatch through a dictionary of ' +
      'allowed functions, and keep templates fixed: pass user values as template variables ' +
      '(`render_template_string(TEMPLATE, name=name)`), never as the template text.',
    before: 'name = request.args["name"]\nreturn render_template_string(f"<h1>Hello {name}</h1>")',
    after: 'name = request.args["name"]\nreturn render_template_string("<h1>Hello {{ name }}</h1>", name=name)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/95.html',
    'https://cwe.mitre.org/data/definitions/1336.html',
    'https://docs.python.org/3/library/ast.html#ast.literal_eval',
    'https://portswigger.net/web-security/server-side-template-injection',
  ],
  create: () => ({}),
});
