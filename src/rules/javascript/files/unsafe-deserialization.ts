import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, isConstant, objectLiteral, property, qualifiedName } from '../syntax.js';

/** Deserialisers that rebuild functions from their input (and so run code). */
const CODE_REVIVERS = new Set(['node-serialize.unserialize', 'serialize-to-js.deserialize', 'funcster.deepDeserialize', 'cryo.parse']);
const YAML_LOADS = new Set(['js-yaml.load', 'js-yaml.loadAll']);
const UNSAFE_SCHEMAS = new Set(['js-yaml.DEFAULT_FULL_SCHEMA']);

export default defineRule({
  id: 'javascript/unsafe-deserialization',
  language: 'javascript',
  title: 'Data deserialised with a library that rebuilds functions (node-serialize, js-yaml full schema)',
  cwe: [502],
  severity: 'critical',
  confidence: 'high',
  description:
    'Reports `node-serialize` `unserialize`, `serialize-to-js` `deserialize`, `funcster` `deepDeserialize` and `cryo.parse` of ' +
    'non-constant input, and js-yaml `load`/`loadAll` with `schema: DEFAULT_FULL_SCHEMA` (js-yaml 3), which builds JavaScript ' +
    'functions from `!!js/function` tags. `JSON.parse` and js-yaml with the default schema are not reported.',
  whyItMatters: 'These formats carry functions: `{"x":"_$$ND_FUNC$$_function(){…}()"}` runs the attacker\'s code during deserialisation.',
  fix: { guidance: 'Exchange data as JSON (`JSON.parse`) or YAML with the default safe schema; never deserialise functions from input.', before: "const obj = serialize.unserialize(req.cookies.profile);", after: "const obj = JSON.parse(req.cookies.profile);" },
  references: ['https://github.com/nodeca/js-yaml#load-string---options-', 'https://cwe.mitre.org/data/definitions/502.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name) return;
          const args = argsOf(call);
          if (CODE_REVIVERS.has(name)) {
            if (args[0] && !isConstant(module, args[0])) report({ node: call, message: `\`${name}\` rebuilds functions from its input and runs them.` });
          } else if (YAML_LOADS.has(name)) {
            const schema = property(objectLiteral(module, args[1]), 'schema');
            const s = schema ? qualifiedName(module, schema) : undefined;
            if (s && UNSAFE_SCHEMAS.has(s)) report({ node: call, message: `\`${name}\` with the full schema builds functions from \`!!js/function\` tags.` });
          }
        },
      },
    };
  },
});
