import type { Node } from '../../parse/tree-sitter.js';
import type { FrontEnd } from '../types.js';
import { PythonModule } from './module.js';

export { PythonModule, isConstantName } from './module.js';
export type { PyCall, PyConstant } from './module.js';

/**
 * The Python front end: one iterative walk over the tree (no recursion, so deeply nested
 * code cannot overflow the stack) that records imports, module-level definitions and
 * comments, and collects the nodes the rules asked for.
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
    const cursor = module.tree.walk();
    try {
      let descend = true;
      for (;;) {
        if (descend) {
          const type = cursor.nodeType;
          const own = type === 'import_statement' || type === 'import_from_statement' || type === 'comment';
          if (own || wantedTypes.has(type)) {
            const node = cursor.currentNode;
            if (type === 'comment') module.comments.push(node);
            else if (own) module.addImport(node);
            if (wantedTypes.has(type)) collected.push(node);
          }
          if (cursor.nodeType === 'module') {
            for (const statement of cursor.currentNode.namedChildren) {
              if (statement) module.addModuleDefinition(statement);
            }
          }
          if (cursor.gotoFirstChild()) continue;
        }
        if (cursor.gotoNextSibling()) {
          descend = true;
          continue;
        }
        if (!cursor.gotoParent()) break;
        descend = false;
      }
    } finally {
      cursor.delete();
    }
    return collected;
  },
};
