import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { bindingsOf, isConstant } from './bindings.js';
import { isConfigRead } from './origins.js';

const OPENERS = new Set(['open', 'io.open', 'builtins.open', 'codecs.open', 'gzip.open', 'bz2.open', 'lzma.open', 'pathlib.Path.open']);
const PATH_BUILDERS = new Set(['os.path.join', 'os.path.abspath', 'os.path.realpath', 'os.path.normpath', 'os.path.expanduser', 'pathlib.Path', 'str']);

/**
 * A path built only from constants and the program's configuration: `'/etc/app/x.yml'`,
 * `CONFIG_PATH`, `CONF.policy_file`, `os.path.join(CONF.state_path, 'x.pkl')`.
 */
export function isOwnPath(module: PythonModule, node: Node, depth = 0): boolean {
  if (depth > 6) return false;
  const n = module.unwrap(node);
  if (isConstant(module, n) || isConfigRead(module, n)) return true;
  if (n.type === 'call') {
    const call = module.call(n);
    if (call.hasStarArgs || call.hasStarKwargs) return false;
    if (call.qname && PATH_BUILDERS.has(call.qname)) {
      return call.positional.length > 0 && call.positional.every((a) => isOwnPath(module, a, depth + 1));
    }
    return false;
  }
  if (n.type === 'binary_operator') {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    return !!l && !!r && isOwnPath(module, l, depth + 1) && isOwnPath(module, r, depth + 1);
  }
  if (n.type === 'string') {
    return n.namedChildren.every((c) => !c || c.type !== 'interpolation' || isOwnPath(module, c.childForFieldName('expression') ?? c, depth + 1));
  }
  if (n.type === 'identifier') {
    const bindings = bindingsOf(module, n);
    const b = bindings[0];
    return bindings.length === 1 && !!b && b.kind === 'assign' && !!b.value && isOwnPath(module, b.value, depth + 1);
  }
  return false;
}

/**
 * Data read from the program's own file: a path as `isOwnPath`, `open(<such a path>)`, a
 * `with open(...) as f` handle, `f.read()`, `Path(...).read_bytes()`. The file is installed or
 * configured by whoever deploys the program, so what it holds is as trusted as the code.
 */
export function fromOwnFile(module: PythonModule, node: Node, depth = 0): boolean {
  if (depth > 4) return false;
  const n = module.unwrap(node);
  if (isConstant(module, n)) return true;
  if (n.type === 'identifier') {
    const bindings = bindingsOf(module, n);
    const b = bindings[0];
    return bindings.length === 1 && !!b && !!b.value && (b.kind === 'with' || b.kind === 'assign') && fromOwnFile(module, b.value, depth + 1);
  }
  if (n.type === 'call') {
    const call = module.call(n);
    if (call.qname && OPENERS.has(call.qname)) {
      const path = call.arg(0, 'file') ?? call.arg(0, 'filename');
      return !!path && isOwnPath(module, path);
    }
    if ((call.method === 'read' || call.method === 'read_bytes' || call.method === 'read_text' || call.method === 'open') && call.receiver) {
      const r = module.unwrap(call.receiver);
      if (r.type === 'call' && module.call(r).qname === 'pathlib.Path') return isOwnPath(module, r);
      return fromOwnFile(module, call.receiver, depth + 1);
    }
  }
  return false;
}
