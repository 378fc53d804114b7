import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { sameNode, walk } from './app-context.js';

/** Calls that return an OS-level handle the caller must close. */
const OPENERS: ReadonlyMap<string, string> = new Map([
  ['open', 'file'],
  ['io.open', 'file'],
  ['codecs.open', 'file'],
  ['socket.socket', 'socket'],
  ['socket.create_connection', 'socket'],
  ['urllib.request.urlopen', 'HTTP response'],
  ['urllib2.urlopen', 'HTTP response'],
]);

/**
 * Functions that read from or write to a handle passed to them and return without keeping
 * or closing it: `json.load(open(p))` leaves the file to the garbage collector.
 */
const CONSUMERS = new Set([
  'json.load', 'json.dump', 'pickle.load', 'pickle.dump', 'marshal.load', 'marshal.dump',
  'yaml.load', 'yaml.safe_load', 'yaml.full_load', 'yaml.unsafe_load', 'yaml.load_all', 'yaml.safe_load_all',
  'yaml.dump', 'yaml.safe_dump', 'toml.load', 'toml.dump', 'tomllib.load', 'plistlib.load', 'plistlib.dump',
  'csv.reader', 'csv.writer', 'csv.DictReader', 'csv.DictWriter', 'shutil.copyfileobj',
  'list', 'sorted', 'tuple', 'set', 'len', 'enumerate', 'sum', 'max', 'min', 'any', 'all', 'zip', 'print',
  'repr', 'str', 'isinstance', 'os.fstat', 'os.fsync', 'fcntl.flock', 'fcntl.lockf', 'fcntl.fcntl',
]);

/** Passing a file as a child's stdio does not close the parent's copy. */
const SUBPROCESS = new Set(['subprocess.Popen', 'subprocess.call', 'subprocess.run', 'subprocess.check_call', 'subprocess.check_output']);
const STDIO_KEYWORDS = new Set(['stdin', 'stdout', 'stderr']);

/** Methods that release the handle (or hand it to a context manager). */
const RELEASING = new Set(['close', '__exit__', 'detach', '__enter__']);

export default defineRule({
  id: 'python/resource-not-closed',
  language: 'python',
  title: 'File, socket or HTTP response never closed',
  cwe: [775],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A file, socket or `urlopen` response is opened without `with` and never closed: used inline ' +
    '(`open(p).read()`, `json.load(open(p))`, `for line in open(p)`), or kept in a local variable that the ' +
    'function neither closes, returns, stores elsewhere nor hands to a context manager.',
  whyItMatters:
    'The descriptor stays open until the garbage collector happens to finalise the object (never guaranteed, and ' +
    'late on PyPy or with reference cycles). Under load a long-running service runs out of descriptors and fails ' +
    'every new connection or file; written data may also stay unflushed, and open handles keep files locked on ' +
    'Windows.',
  fix: {
    guidance:
      'Open it in a `with` statement (`with open(p) as f:`; `with socket.create_connection(...) as s:`; ' +
      '`with urlopen(url, timeout=10) as resp:`), or close it in a `finally` block; use `pathlib.Path.read_text()` ' +
      'for one-shot reads.',
    before: 'config = json.load(open(path))',
    after: 'with open(path) as f:\n    config = json.load(f)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/775.html',
    'https://docs.python.org/3/reference/compound_stmts.html#the-with-statement',
    'https://docs.python.org/3/library/devmode.html#resourcewarning-example',
  ],
  create({ module, report }) {
    return {
      call(call) {
        const kind = call.qname !== undefined ? OPENERS.get(call.qname) : undefined;
        if (!kind) return;
        const site = usageSite(module, call.node);
        const opened = `\`${shortCall(module, call)}\``;
        if (site.kind === 'inline') {
          report({
            node: call.node,
            message: `The ${kind} from ${opened} ${site.where} and is never closed.`,
          });
          return;
        }
        if (site.kind !== 'local') return;
        const fn = module.enclosingFunction(call.node);
        if (!fn) return;
        if (!leaks(module, fn, site.name, site.assignment, kind)) return;
        const fnName = fn.childForFieldName('name')?.text ?? 'this function';
        report({
          node: call.node,
          message: `The ${kind} opened into \`${site.name}\` by ${opened} is never closed in \`${fnName}\` (no \`close()\`, \`with\`, return or hand-off).`,
        });
      },
    };
  },
});

type Site =
  | { kind: 'inline'; where: string }
  | { kind: 'local'; name: string; assignment: Node }
  | { kind: 'other' };

/** How the opened object is used, looking through parentheses and conditional branches. */
function usageSite(module: PythonModule, callNode: Node): Site {
  let node = callNode;
  let parent = node.parent;
  while (parent && (parent.type === 'parenthesized_expression' || (parent.type === 'conditional_expression' && !isCondition(parent, node)))) {
    node = parent;
    parent = parent.parent;
  }
  if (!parent) return { kind: 'other' };
  switch (parent.type) {
    case 'assignment': {
      const left = parent.childForFieldName('left');
      if (!sameNode(parent.childForFieldName('right'), node) || left?.type !== 'identifier') return { kind: 'other' };
      if (parent.parent?.type !== 'expression_statement') return { kind: 'other' };
      return { kind: 'local', name: left.text, assignment: parent };
    }
    case 'attribute': {
      // open(p).read(): the handle is used once and dropped.
      if (!sameNode(parent.childForFieldName('object'), node)) return { kind: 'other' };
      const method = parent.childForFieldName('attribute')?.text ?? '';
      if (RELEASING.has(method)) return { kind: 'other' };
      return { kind: 'inline', where: `is used once through \`.${method}\`` };
    }
    case 'argument_list': {
      const outer = parent.parent;
      if (outer?.type !== 'call') return { kind: 'other' };
      const q = module.call(outer).qname;
      return q !== undefined && CONSUMERS.has(q) ? { kind: 'inline', where: `is passed straight to \`${q}()\`` } : { kind: 'other' };
    }
    case 'keyword_argument': {
      const name = parent.childForFieldName('name')?.text ?? '';
      const outer = parent.parent?.parent;
      if (outer?.type !== 'call' || !STDIO_KEYWORDS.has(name)) return { kind: 'other' };
      const q = module.call(outer).qname;
      return q !== undefined && SUBPROCESS.has(q)
        ? { kind: 'inline', where: `is passed as \`${name}=\` to \`${q}()\`, which does not close the parent's copy,` }
        : { kind: 'other' };
    }
    case 'for_statement':
    case 'for_in_clause':
      return sameNode(parent.childForFieldName('right'), node) ? { kind: 'inline', where: 'is iterated directly' } : { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

function isCondition(conditional: Node, child: Node): boolean {
  // `a if cond else b`: named children are [a, cond, b].
  const parts = conditional.namedChildren.filter((c) => c && c.type !== 'comment');
  return sameNode(parts[1], child);
}

/**
 * True when `name`, assigned the handle at `assignment`, is never released in `fn`: no
 * `name.close()` (or reference to `name.close`), no `with name`, and no escape (returned,
 * yielded, stored, aliased, passed to a function that may keep it, captured by a closure).
 */
function leaks(module: PythonModule, fn: Node, name: string, assignment: Node, kind: string): boolean {
  let released = false;
  walk(fn, (n) => {
    if (released) return false;
    if (n.type !== 'identifier' || n.text !== name) return;
    if (sameNode(n, assignment.childForFieldName('left'))) return;
    if (escapesOrReleases(module, fn, n, kind)) released = true;
  });
  return !released;
}

function escapesOrReleases(module: PythonModule, fn: Node, occurrence: Node, kind: string): boolean {
  // Captured by a nested function, lambda or class: its lifetime is no longer local.
  for (let p = occurrence.parent; p && !sameNode(p, fn); p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return true;
  }
  // Otherwise judge by the direct parent: `return f`, `yield f`, `[f]`, `g(f)`... fall to the default (escape).
  let node = occurrence;
  let parent = node.parent;
  while (parent && parent.type === 'parenthesized_expression') {
    node = parent;
    parent = parent.parent;
  }
  if (!parent) return true;
  switch (parent.type) {
    case 'attribute': {
      if (!sameNode(parent.childForFieldName('object'), node)) return true;
      const attr = parent.childForFieldName('attribute')?.text ?? '';
      if (RELEASING.has(attr)) return true;
      // A listening socket lives as long as the server loop; that is its intended lifetime.
      if (kind === 'socket' && (attr === 'listen' || attr === 'serve_forever')) return true;
      return false;
    }
    case 'with_item':
    case 'as_pattern':
      return true;
    case 'argument_list': {
      const outer = parent.parent;
      if (outer?.type !== 'call') return true;
      const call = module.call(outer);
      if (call.qname !== undefined && CONSUMERS.has(call.qname)) return false;
      return true;
    }
    case 'keyword_argument': {
      const outer = parent.parent?.parent;
      if (outer?.type === 'call') {
        const q = module.call(outer).qname;
        if (q === 'print' && parent.childForFieldName('name')?.text === 'file') return false;
      }
      return true;
    }
    case 'assignment':
      // Reassigned (left) is neutral; assigned elsewhere (right) is an alias or a store.
      return !sameNode(parent.childForFieldName('left'), node);
    case 'for_statement':
    case 'for_in_clause':
      return !sameNode(parent.childForFieldName('right'), node);
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
    case 'not_operator':
    case 'boolean_operator':
    case 'comparison_operator':
    case 'delete_statement':
    case 'expression_statement':
      return false;
    default:
      return true;
  }
}

function shortCall(module: PythonModule, call: PyCall): string {
  const text = module.text(call.node).replace(/\s+/g, ' ');
  return text.length > 50 ? `${module.text(call.callee)}(...)` : text;
}
