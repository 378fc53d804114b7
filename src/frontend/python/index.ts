import { Query, type Language } from 'web-tree-sitter';
import type { Node } from '../../parse/tree-sitter.js';
import type { FrontEnd } from '../types.js';
import { PythonModule } from './module.js';

export { PythonModule, isConstantName } from './module.js';
export type { PyCall, PyConstant } from './module.js';

const OWN_PATTERNS = ['(import_statement) @import', '(import_from_statement) @import', '(comment) @comment'];
/** Compiled queries per language object and wanted-type set (a handful per run). */
const queries = new WeakMap<Language, Map<string, Query>>();

function queryFor(language: Language, wanted: ReadonlySet<string>): Query {
  let perLanguage = queries.get(language);
  if (!perLanguage) {
    perLanguage = new Map();
    queries.set(language, perLanguage);
  }
  const types = [...wanted].sort();
  const key = types.join(',');
  let query = perLanguage.get(key);
  if (!query) {
    for (const t of types) {
      if (!/^[a-z_]+$/.test(t) || language.idForNodeType(t, true) === null) {
        throw new Error(`a rule subscribed to unknown Python node type "${t}"`);
      }
    }
    query = new Query(language, [...OWN_PATTERNS, ...types.map((t) => `(${t}) @wanted`)].join('\n'));
    perLanguage.set(key, query);
  }
  return query;
}

/**
 * The Python front end. Collection runs one tree-sitter query (matched inside the WASM
 * runtime, ~2.5x faster than walking the tree from JavaScript, and with no recursion that
 * deep nesting could overflow): imports, comments, binding names, and every node type the
 * rules subscribed to, in document order.
 */
export const pythonFrontEnd: FrontEnd<PythonModule> = {
  language: 'python',
  grammar: 'python',
  extensions: ['.py', '.pyw', '.pyi'],
  createModule(path, source, tree) {
    return new PythonModule(path, source, tree);
  },
  collect(module, wantedTypes) {
    const collected: Node[] = [];
    const language = module.tree.language;
    for (const statement of module.root.namedChildren) {
      if (statement) module.addModuleDefinition(statement);
    }
    const captures = queryFor(language, wantedTypes).captures(module.root);
    const seen = new Set<number>();
    for (const { name, node } of captures) {
      switch (name) {
        case 'import':
          module.addImport(node);
          break;
        case 'comment':
          module.comments.push(node);
          break;
        default:
          break;
      }
      // A node can match a wanted pattern and an own one; hand it to the rules once.
      if ((name === 'wanted' || wantedTypes.has(node.type)) && !seen.has(node.id)) {
        seen.add(node.id);
        collected.push(node);
      }
    }
    return collected;
  },
};
