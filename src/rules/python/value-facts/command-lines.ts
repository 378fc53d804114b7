/**
 * Qualified call names, and the command line a process-running call executes.
 * Intra-procedural only: a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';
import { bindingsOf, isModuleScope, scopeOf } from './bindings.js';
import { PATH_JOIN, listElements } from './value-parts.js';
import { pieceName } from './origins.js';

// ---- misc -------------------------------------------------------------------------------

/**
 * True when the root name of `callee` (`yaml` in `yaml.load`, `eval`) is rebound by a
 * parameter, assignment, loop... in an enclosing function or class, so that the module-level
 * import or builtin it would resolve to is not what is called. Imports inside a function do
 * not count: `resolve` already knows them.
 */
export function isShadowedLocally(module: PythonModule, callee: Node): boolean {
  let n = module.unwrap(callee);
  while (n.type === 'attribute') {
    const object = n.childForFieldName('object');
    if (!object) return false;
    n = module.unwrap(object);
  }
  if (n.type !== 'identifier') return false;
  // Fast path: most imported names are never bound any other way in the file.
  if (!module.mayRebind(n.text)) return false;
  const bindings = bindingsOf(module, n);
  const first = bindings[0];
  if (!first) return false;
  if (first.kind !== 'comprehension' && isModuleScope(scopeOf(first.node))) return false;
  return bindings.some((b) => b.kind !== 'import');
}

const qualifiedNames = new WeakMap<PyCall, string | null>();

/**
 * The call's qualified name, unless its root name is shadowed locally (see
 * `isShadowedLocally`). Every rule of the family asks this of every call, so it is cached.
 */
export function qualifiedName(module: PythonModule, call: PyCall): string | undefined {
  if (!call.qname) return undefined;
  let q = qualifiedNames.get(call);
  if (q === undefined) {
    q = isShadowedLocally(module, call.callee) ? null : call.qname;
    qualifiedNames.set(call, q);
  }
  return q ?? undefined;
}

// ---- command execution sinks ------------------------------------------------------------

const SUBPROCESS_LIST = new Set(['subprocess.Popen', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.run']);
const EXEC_L = new Set(['os.execl', 'os.execle', 'os.execlp', 'os.execlpe']);
const EXEC_V = new Set(['os.execv', 'os.execve', 'os.execvp', 'os.execvpe', 'os.posix_spawn', 'os.posix_spawnp']);
const SPAWN_L = new Set(['os.spawnl', 'os.spawnle', 'os.spawnlp', 'os.spawnlpe']);
const SPAWN_V = new Set(['os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe']);
/** OpenStack-style helpers that run a command given as a list or as varargs. */
const EXECUTE_METHODS = new Set(['execute', '_execute', 'trycmd']);
const PROGRAM = /^[\w./+-]+$/;

export interface CommandLine {
  /** argv as written: program first. */
  elements: Node[];
  /** How to name the sink in messages, e.g. `subprocess.run`, `ip_wrapper.netns.execute`. */
  sink: string;
}

/**
 * The argv of a list-form command execution (no shell involved unless argv itself starts a
 * shell): `subprocess.run([...])`, `os.execv(path, [...])`, `os.spawnl(mode, path, a0, a1)`,
 * `utils.execute([...])`, `processutils.execute('prog', a1, ...)`.
 */
export function commandLine(module: PythonModule, call: PyCall): CommandLine | undefined {
  // Two rules ask this of every call. Neither a known sink nor an execute-style name: no
  // command line, whatever shadows what. Otherwise answer once per call.
  const callee = module.unwrap(call.callee);
  const name = callee.type === 'identifier' ? callee.text : call.method;
  if (!(call.qname && COMMAND_QNAMES.has(call.qname)) && !(name && EXECUTE_METHODS.has(name))) return undefined;
  let line = commandLines.get(call);
  if (line === undefined) {
    line = (!isMockCallDescription(module, call.callee) && findCommandLine(module, call)) || null;
    commandLines.set(call, line);
  }
  return line ?? undefined;
}

const commandLines = new WeakMap<PyCall, CommandLine | null>();
/** Every qualified name `findCommandLine` looks for. */
const COMMAND_QNAMES = new Set([
  ...SUBPROCESS_LIST, ...EXEC_L, ...EXEC_V, ...SPAWN_L, ...SPAWN_V, 'asyncio.create_subprocess_exec', 'pty.spawn',
]);

function findCommandLine(module: PythonModule, call: PyCall): CommandLine | undefined {
  const q = qualifiedName(module, call);
  if (!q && (!call.method || !EXECUTE_METHODS.has(call.method)) && module.unwrap(call.callee).type !== 'identifier') return undefined;
  const sink = q ?? (module.dottedName(call.callee) ?? call.callee.text);
  const list = (node: Node | undefined): CommandLine | undefined => {
    const elements = node ? listElements(module, node) : undefined;
    return elements && elements.length ? { elements, sink } : undefined;
  };
  if (q && SUBPROCESS_LIST.has(q)) {
    const shell = call.keywords.get('shell');
    if (shell && module.constantValue(shell) !== false) return undefined;
    return list(call.arg(0, 'args'));
  }
  if (q === 'asyncio.create_subprocess_exec') return call.positional.length ? { elements: [...call.positional], sink } : undefined;
  if (q && EXEC_L.has(q)) return call.positional.length > 1 ? { elements: call.positional.slice(1), sink } : undefined;
  if (q && EXEC_V.has(q)) return list(call.positional[1]);
  if (q && SPAWN_L.has(q)) return call.positional.length > 2 ? { elements: call.positional.slice(2), sink } : undefined;
  if (q && SPAWN_V.has(q)) return list(call.positional[2]);
  if (q === 'pty.spawn') return list(call.arg(0, 'argv'));
  const calleeName = module.unwrap(call.callee).type === 'identifier' ? call.callee.text : call.method;
  if (!calleeName || !EXECUTE_METHODS.has(calleeName)) return undefined;
  const first = call.positional[0];
  if (!first) return undefined;
  const elements = listElements(module, first);
  if (elements) {
    const program = elements[0] ? module.constantValue(elements[0]) : undefined;
    return typeof program === 'string' && PROGRAM.test(program) ? { elements, sink } : undefined;
  }
  // processutils.execute('ip', 'link', ...): varargs, only for the known helper modules.
  const owner = q ?? module.dottedName(call.receiver ?? call.callee) ?? '';
  const helper = /(?:^|\.)(?:processutils|\w*utils)(?:\.(?:execute|_execute|trycmd))?$/.test(owner);
  const program = module.constantValue(first);
  if (helper && typeof program === 'string' && PROGRAM.test(program) && call.positional.length > 1) {
    return { elements: [...call.positional], sink };
  }
  return undefined;
}

/** The program a command line runs, for messages: skips `sudo`/`env` prefixes. */
export function programName(module: PythonModule, elements: readonly Node[]): string | undefined {
  for (const e of elements) {
    const v = module.constantValue(e);
    if (typeof v !== 'string') return undefined;
    if (v === 'sudo' || v === 'env' || v.startsWith('-')) continue;
    return v;
  }
  return undefined;
}

/** How a string was put together, for messages. */
export function howBuilt(module: PythonModule, node: Node): string {
  const n = module.unwrap(node);
  if (n.type === 'string') return 'an f-string';
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    if (op === '%') return '`%` formatting';
    if (op === '+') return 'concatenation';
  }
  if (n.type === 'call') {
    const c = module.call(n);
    if (c.method === 'format') return '`.format()`';
    if (c.method === 'join') return c.qname && PATH_JOIN.has(c.qname) ? '`os.path.join`' : '`join`';
  }
  return 'string building';
}

/** Names the distinct pieces (at most two) for a message: "`a`", "`a` and `b`". */
export function pieceList(parts: readonly Node[]): string {
  const names = [...new Set(parts.map((p) => pieceName(p)))];
  if (names.length <= 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names[0]}, ${names[1]} and others`;
}
