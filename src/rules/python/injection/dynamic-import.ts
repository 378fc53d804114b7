import { defineRule } from '../../define-rule.js';
import { howBuilt, pieceList, qualifiedName, snippet, strongestOrigin, valueFacts } from '../value-facts/index.js';

/** Functions that import a module (or a dotted object path) named at run time: name → keyword. */
const IMPORTERS = new Map<string, string>([
  ['importlib.import_module', 'name'],
  ['importlib.__import__', 'name'],
  ['__import__', 'name'],
  ['builtins.__import__', 'name'],
  ['django.utils.module_loading.import_string', 'dotted_path'],
  ['werkzeug.utils.import_string', 'import_name'],
  ['werkzeug.import_string', 'import_name'],
  ['oslo_utils.importutils.import_module', 'import_str'],
  ['oslo_utils.importutils.import_class', 'import_str'],
  ['oslo_utils.importutils.import_object', 'import_str'],
  ['pydoc.locate', 'path'],
]);

export default defineRule({
  id: 'python/dynamic-import',
  language: 'python',
  title: 'Module imported by a name chosen at run time',
  cwe: [470],
  severity: 'medium',
  confidence: 'low',
  description:
    'A module or class is imported by a name that is not a constant: `importlib.import_module(name)`, ' +
    '`__import__(name)`, Django/Werkzeug `import_string`, oslo `importutils.import_class/import_object`, ' +
    '`pydoc.locate`. Importing runs the module\'s top-level code and hands back whatever the name designates, so ' +
    'whoever chooses the name chooses code to run. Plugin and driver loading from configuration is a legitimate ' +
    'use, so this is reported at low confidence (hidden by default), and at medium confidence when the name ' +
    'visibly comes from a request, `sys.argv`, `input()` or the environment in the same function.',
  whyItMatters:
    'An attacker who picks the imported name can load any installed module or object (`os.system`, a debug ' +
    'console, a module with import-time side effects) and often call it with their own arguments.',
  fix: {
    guidance:
      'Map the external value to an allow-list of known modules or classes (a dict, or entry points registered ' +
      'by installed packages) instead of importing whatever name arrives.',
    before: 'backend = importlib.import_module("app.backends." + request.args["backend"])',
    after: 'backend = BACKENDS[request.args["backend"]]  # {"s3": s3_backend, "local": local_backend}',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/470.html',
    'https://docs.python.org/3/library/importlib.html#importlib.import_module',
    'https://packaging.python.org/en/latest/specifications/entry-points/',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (!call.qname || !IMPORTERS.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const name = call.arg(0, IMPORTERS.get(q));
        if (!name) return;
        const facts = valueFacts(module, name);
        if (facts.parts.length === 0) return;
        const origin = strongestOrigin(module, facts.parts);
        if (!origin) return;
        const shown = `\`${snippet(name, 50)}\``;
        if (origin.kind === 'external') {
          report({
            node: name,
            confidence: 'medium',
            message:
              `\`${q}\` imports the name ${shown}, and \`${snippet(facts.built ? origin.node : name, 40)}\` comes from ` +
              `${origin.source}: whoever supplies it chooses which module is imported and run.`,
          });
          return;
        }
        const what = facts.built
          ? `a name built by ${howBuilt(module, facts.via[0] ?? name)} from ${pieceList(facts.parts)}`
          : `the name ${shown}`;
        report({
          node: name,
          message:
            `\`${q}\` imports ${what}; if that can come from an untrusted source, it chooses which module is ` +
            'imported and run. Restrict it to an allow-list.',
        });
      },
    };
  },
});
