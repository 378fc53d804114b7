import { Query, type Language } from 'web-tree-sitter';
import type { PythonModule } from './module.js';

/** Parents under which an identifier is a binding (a superset; see PythonModule.boundNames). */
const BINDING_PARENTS = [
  'parameters', 'lambda_parameters', 'default_parameter', 'typed_parameter', 'typed_default_parameter',
  'list_splat_pattern', 'dictionary_splat_pattern', 'pattern_list', 'tuple_pattern', 'list_pattern',
  'as_pattern_target', 'for_in_clause', 'for_statement', 'assignment', 'augmented_assignment',
  'named_expression', 'global_statement', 'nonlocal_statement', 'function_definition', 'class_definition',
];

const BOUND_PATTERNS = BINDING_PARENTS.map((p) => `(${p} (identifier) @bound)`).join('\n');
const queries = new WeakMap<Language, Query>();

/** Names the file binds other than by import, from one query run only when a rule asks. */
export function collectBoundNames(module: PythonModule): Set<string> {
  const language = module.tree.language;
  let query = queries.get(language);
  if (!query) {
    query = new Query(language, BOUND_PATTERNS);
    queries.set(language, query);
  }
  const names = new Set<string>();
  for (const { node } of query.captures(module.root)) names.add(node.text);
  return names;
}
