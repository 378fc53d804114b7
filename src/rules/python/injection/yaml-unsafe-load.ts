import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { replaceNode } from '../../autofix.js';
import { externalSource, fromOwnFile, isConstant, qualifiedName, snippet } from '../value-facts/index.js';

const SAFE_LOADERS = new Set(['SafeLoader', 'CSafeLoader', 'BaseLoader', 'CBaseLoader']);
const UNSAFE_LOADERS = new Set(['Loader', 'UnsafeLoader', 'CLoader', 'CUnsafeLoader']);
const FULL_LOADERS = new Set(['FullLoader', 'CFullLoader']);
const LOAD_FUNCTIONS = new Set(['yaml.load', 'yaml.load_all', 'ruamel.yaml.load', 'ruamel.yaml.load_all']);
/** The other calls the rule looks at. */
const OTHER_CALLS = new Set(['yaml.unsafe_load', 'yaml.unsafe_load_all', 'yaml.full_load', 'yaml.full_load_all', 'ruamel.yaml.YAML']);

export default defineRule({
  id: 'python/yaml-unsafe-load',
  language: 'python',
  title: 'YAML loaded with a loader that builds Python objects',
  cwe: [502],
  severity: 'high',
  confidence: 'high',
  description:
    'PyYAML is asked to load YAML with a loader that honours `!!python/object/apply:` and related tags: ' +
    '`yaml.unsafe_load`, `yaml.load(..., Loader=yaml.Loader | UnsafeLoader | CLoader)`, or `yaml.load`/`load_all` ' +
    'without a `Loader` (PyYAML before 5.1 used the unsafe `Loader`; 5.1 to 5.4 use `FullLoader`, which allowed ' +
    'code execution until 5.4 (CVE-2020-14343); 6.0 makes `Loader` mandatory). `yaml.full_load` and `FullLoader` ' +
    'are reported with lower severity: since 5.4 they no longer run code, but they still build Python objects ' +
    'from tags. The old `ruamel.yaml.load` without `Loader` and `ruamel.yaml.YAML(typ="unsafe")` are covered too. ' +
    '`yaml.safe_load` and `Loader=SafeLoader/CSafeLoader/BaseLoader` are safe. Constant YAML text is not reported.',
  whyItMatters:
    'A YAML document containing `!!python/object/apply:os.system ["..."]` runs that command while it is parsed, ' +
    'so whoever controls the document (an upload, a config pulled from a repository, an API body) controls the ' +
    'process.',
  fix: {
    guidance: 'Use `yaml.safe_load()` (or `Loader=yaml.CSafeLoader` for speed); map the plain data to objects yourself.',
    before: 'config = yaml.load(stream, Loader=yaml.Loader)',
    after: 'config = yaml.safe_load(stream)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/502.html',
    'https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation',
    'https://nvd.nist.gov/vuln/detail/CVE-2020-14343',
  ],
  create({ module, report }) {
    function loaderName(node: Node): string | undefined {
      const q = module.resolve(node);
      if (!q || !(q.startsWith('yaml.') || q.startsWith('ruamel.yaml.'))) return undefined;
      return q.slice(q.lastIndexOf('.') + 1);
    }

    /** ` (from `request.data`)` when the document visibly comes from outside, else ''. */
    function origin(stream: Node | undefined): string {
      if (!stream) return '';
      const source = externalSource(module, stream);
      if (!source) return '';
      return source === `\`${snippet(stream, 50)}\`` ? ' (external input)' : ` (from ${source})`;
    }

    /**
     * `yaml.load(stream[, Loader=...])` → `yaml.safe_load(stream)`: only for PyYAML called through its
     * module name with nothing but the stream and a loader (other arguments may mean something).
     */
    function safeLoadFix(call: PyCall, q: string): { description: string; edits: ReturnType<typeof replaceNode>[] } | undefined {
      if (!q.startsWith('yaml.') || call.callee.type !== 'attribute') return undefined;
      const object = call.callee.childForFieldName('object');
      if (!object || module.resolve(object) !== 'yaml') return undefined;
      const stream = call.arg(0, 'stream');
      const args = call.node.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
      const loader = call.arg(1, 'Loader');
      if (!stream || args.length > (loader ? 2 : 1)) return undefined;
      const target = q.endsWith('_all') ? 'safe_load_all' : 'safe_load';
      return { description: `Use yaml.${target}`, edits: [replaceNode(call.node, `${module.text(object)}.${target}(${module.text(stream)})`)] };
    }

    function constantStream(call: PyCall): boolean {
      const stream = call.arg(0, 'stream');
      return !!stream && isConstant(module, stream);
    }

    return {
      call(call) {
        if (!call.qname || !(LOAD_FUNCTIONS.has(call.qname) || OTHER_CALLS.has(call.qname))) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const stream = call.arg(0, 'stream');
        const shown = stream ? `\`${snippet(stream, 50)}\`` : 'the document';

        if (q === 'yaml.unsafe_load' || q === 'yaml.unsafe_load_all') {
          if (constantStream(call)) return;
          report({
            node: call.node,
            autofix: safeLoadFix(call, q),
            message:
              `\`${q}\` parses ${shown}${origin(stream)} with the unsafe loader: a \`!!python/object/apply\` tag in ` +
              'it runs arbitrary code.',
          });
          return;
        }
        if (q === 'yaml.full_load' || q === 'yaml.full_load_all') {
          if (constantStream(call)) return;
          report({
            node: call.node,
            severity: 'medium',
            confidence: 'medium',
            autofix: safeLoadFix(call, q),
            message:
              `\`${q}\` parses ${shown}${origin(stream)} with \`FullLoader\`, which builds Python objects from tags ` +
              '(and runs code on PyYAML < 5.4); use `yaml.safe_load`.',
          });
          return;
        }
        if (q === 'ruamel.yaml.YAML') {
          const typ = call.arg(undefined, 'typ');
          const value = typ ? module.constantValue(typ) : undefined;
          if (value === 'unsafe') {
            report({
              node: call.node,
              message:
                '`ruamel.yaml.YAML(typ="unsafe")` creates a loader that builds arbitrary Python objects from tags, ' +
                'which runs code from the document.',
            });
          }
          return;
        }
        if (!LOAD_FUNCTIONS.has(q) || constantStream(call)) return;
        if (call.hasStarKwargs) return;
        const loader = call.arg(1, 'Loader');
        if (!loader) {
          const ruamel = q.startsWith('ruamel.');
          report({
            node: call.node,
            // The program's own file (a constant or configured path) is as trusted as its code.
            confidence: origin(stream) ? 'high' : stream && fromOwnFile(module, stream) ? 'low' : 'medium',
            autofix: safeLoadFix(call, q),
            message: ruamel
              ? `\`${q}\` parses ${shown}${origin(stream)} without a \`Loader\`, which in ruamel.yaml's old API means the unsafe loader.`
              : `\`${q}\` parses ${shown}${origin(stream)} without a \`Loader\`: PyYAML < 5.1 then uses the unsafe loader and ` +
                '5.1–5.3 `FullLoader`, both able to run code from tags; pass `Loader=yaml.SafeLoader` or use `yaml.safe_load`.',
          });
          return;
        }
        const name = loaderName(loader);
        if (!name || SAFE_LOADERS.has(name)) return;
        if (UNSAFE_LOADERS.has(name)) {
          report({
            node: call.node,
            autofix: safeLoadFix(call, q),
            message:
              `\`${q}\` parses ${shown}${origin(stream)} with \`${name}\`, which honours \`!!python/object/apply\` ` +
              'tags and so runs code from the document.',
          });
        } else if (FULL_LOADERS.has(name)) {
          report({
            node: call.node,
            severity: 'medium',
            confidence: 'medium',
            autofix: safeLoadFix(call, q),
            message:
              `\`${q}\` parses ${shown}${origin(stream)} with \`${name}\`, which builds Python objects from tags ` +
              '(and runs code on PyYAML < 5.4); use `SafeLoader`.',
          });
        }
      },
    };
  },
});
