import type { Node } from '../../parse/tree-sitter.js';
import type { PythonModule } from './module.js';

const MOCK_CALL = new Set(['unittest.mock.call', 'mock.call']);

/**
 * `mock.call(...)`, `mock.call().x.y(...)`, `call.y[0](...)` (unittest.mock's `call`, or the
 * `mock` package's) only describe an expected call for `assert_has_calls`: they run nothing, so
 * rules about what a call does skip them. Resolved through the module's imports.
 */
export function isMockCallDescription(module: PythonModule, callee: Node): boolean {
  for (let n: Node | null = module.unwrap(callee); n; ) {
    if (MOCK_CALL.has(module.resolve(n) ?? '')) return true;
    const next: Node | null =
      n.type === 'attribute' ? n.childForFieldName('object')
      : n.type === 'call' ? n.childForFieldName('function')
      : n.type === 'subscript' ? n.childForFieldName('value')
      : null;
    n = next && module.unwrap(next);
  }
  return false;
}
