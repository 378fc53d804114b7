import type { Node } from '../../parse/tree-sitter.js';
import type { GrammarId } from '../../parse/tree-sitter.js';
import type { FrontEnd } from '../types.js';
import { JavaScriptModule, JS_EXTENSIONS, TS_EXTENSIONS, TSX_EXTENSIONS } from './module.js';

export { JavaScriptModule, jsModuleNameForPath, resolveSpecifier } from './module.js';

/** Top-level declarations whose names shadow globals. */
const DECLARATIONS = new Set(['function_declaration', 'generator_function_declaration', 'class_declaration', 'lexical_declaration', 'variable_declaration']);

/**
 * Walk the module's tree copy once: comments, imports and requires, top-level names, enums,
 * and every named node of a type the rules subscribed to, in document order.
 */
function collect(module: JavaScriptModule, wantedTypes: ReadonlySet<string>): Node[] {
  const collected: Node[] = [];
  const syntax = module.syntax;
  for (const statement of syntax.root.namedChildren) addTopLevelNames(module, statement);
  const { count } = syntax;
  for (let i = 0; i < count; i++) {
    if (!syntax.isNamed(i)) continue;
    const type = syntax.typeName(i);
    const wanted = wantedTypes.has(type);
    if (!wanted && type !== 'comment' && type !== 'import_statement' && type !== 'variable_declarator' && type !== 'enum_declaration') continue;
    const node = syntax.node(i);
    if (type === 'comment') module.comments.push(node);
    else if (type === 'import_statement') module.addImport(node);
    else if (type === 'variable_declarator') module.addRequire(node);
    else if (type === 'enum_declaration') {
      const name = node.childForFieldName('name');
      if (name) module.enums.add(name.text);
    }
    if (wanted) collected.push(node);
  }
  return collected;
}

function addTopLevelNames(module: JavaScriptModule, statement: Node): void {
  let node = statement;
  if (node.type === 'export_statement') {
    const declaration = node.childForFieldName('declaration');
    if (!declaration) return;
    node = declaration;
  }
  if (!DECLARATIONS.has(node.type)) return;
  if (node.type === 'lexical_declaration' || node.type === 'variable_declaration') {
    for (const d of node.namedChildren) {
      const name = d.type === 'variable_declarator' ? d.childForFieldName('name') : null;
      // `const fetch = require('node-fetch')` is an import, not a shadowing definition.
      if (name?.type === 'identifier' && !module.requiredName(d.childForFieldName('value') ?? name)) module.topLevelNames.add(name.text);
    }
    return;
  }
  const name = node.childForFieldName('name');
  if (name) module.topLevelNames.add(name.text);
}

function frontEnd(grammar: GrammarId, extensions: readonly string[]): FrontEnd<JavaScriptModule> {
  return {
    language: 'javascript',
    grammar,
    extensions,
    createModule(path, source, tree) {
      return new JavaScriptModule(path, source, tree, grammar);
    },
    collect,
  };
}

/** `.js .mjs .cjs .jsx` (the JavaScript grammar parses JSX). */
export const javascriptFrontEnd = frontEnd('javascript', JS_EXTENSIONS);
/** `.ts .mts .cts` (`.d.ts` files are skipped by discovery: declarations, no code). */
export const typescriptFrontEnd = frontEnd('typescript', TS_EXTENSIONS);
/** `.tsx`: TypeScript with JSX. */
export const tsxFrontEnd = frontEnd('tsx', TSX_EXTENSIONS);
