import type { Node } from '../../parse/tree-sitter.js';
import type { LanguageInfo } from '../../parse/syntax-tree.js';
import type { FrontEnd } from '../types.js';
import { PythonModule } from './module.js';

export { PythonModule, isConstantName } from './module.js';
export type { PyCall, PyConstant } from './module.js';

const IMPORT = 1;
const COMMENT = 2;
const WANTED = 4;

/** What collection does with each symbol; only named symbols, as the query patterns this replaced matched. */
function rolesFor(language: LanguageInfo, wantedTypes: ReadonlySet<string>): Uint8Array {
  // Every file of a scan wants the same types: keep the last table per language.
  const key = [...wantedTypes].join(',');
  const last = lastRoles.get(language);
  if (last?.key === key) return last.roles;
  const roles = computeRoles(language, wantedTypes);
  lastRoles.set(language, { key, roles });
  return roles;
}

const lastRoles = new WeakMap<LanguageInfo, { key: string; roles: Uint8Array }>();

function computeRoles(language: LanguageInfo, wantedTypes: ReadonlySet<string>): Uint8Array {
  const roles = new Uint8Array(language.names.length);
  const known = new Set<string>();
  language.names.forEach((name, symbol) => {
    if (!language.named[symbol]) return;
    known.add(name);
    if (name === 'import_statement' || name === 'import_from_statement') roles[symbol]! |= IMPORT;
    else if (name === 'comment') roles[symbol]! |= COMMENT;
    if (wantedTypes.has(name)) roles[symbol]! |= WANTED;
  });
  for (const t of wantedTypes) {
    if (!/^[a-z_]+$/.test(t) || !known.has(t)) throw new Error(`a rule subscribed to unknown Python node type "${t}"`);
  }
  return roles;
}

/**
 * The Python front end. Collection is one pass over the module's tree copy: imports,
 * comments, module-level bindings, and every named node of a type the rules subscribed to,
 * in document order.
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
    const syntax = module.syntax;
    for (const statement of syntax.root.namedChildren) module.addModuleDefinition(statement);
    const roles = rolesFor(syntax.language, wantedTypes);
    const { symbols, count } = syntax;
    for (let i = 0; i < count; i++) {
      const role = roles[symbols[i]!] ?? 0;
      if (role === 0) continue;
      const node = syntax.node(i);
      if (role & IMPORT) module.addImport(node);
      else if (role & COMMENT) module.comments.push(node);
      if (role & WANTED) collected.push(node);
    }
    return collected;
  },
};
