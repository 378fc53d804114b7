/**
 * What a string value is built from (format strings, joins, concatenation) and list-form commands.
 * Intra-procedural only: a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';
import { named } from './node-text.js';
import { COMPREHENSIONS, bindingsOf, isConstant, isModuleScope, scopeOf, singleAssignment, stringAssignments } from './bindings.js';
import { isNumericRouteParameter } from './origins.js';

// ---- what a value is built from ---------------------------------------------------------

export interface ValueFacts {
  /** Non-constant pieces that reach the value without passing through a sanitiser. */
  parts: Node[];
  /** The value is a string composed at run time (formatting, concatenation, join, path join). */
  built: boolean;
  /** When the value was a variable: the assignments followed to reach its definition. */
  via: Node[];
}

export interface FactOptions {
  /** Qualified names whose result is safe for this sink (e.g. `shlex.quote`). */
  sanitizers?: ReadonlySet<string>;
  /** Method names whose result is safe for this sink (e.g. `mogrify`). */
  sanitizerMethods?: ReadonlySet<string>;
  /** `s.replace(from, to)` that escapes the sink's quote character (`'"'` → `'""'` in SQL). */
  escapes?: (from: string, to: string) => boolean;
  /** Whether `os.path.join` counts as building a string (default true). */
  pathJoinBuilds?: boolean;
}

/** SQL: a quote doubled or backslash-escaped. */
export function sqlQuoteEscape(from: string, to: string): boolean {
  return (from === "'" || from === '"' || from === '`') && (to === from + from || to === `\\${from}`);
}

/** POSIX shell: a single quote closed, escaped and reopened, for use inside '...'. */
export function shellQuoteEscape(from: string, to: string): boolean {
  return from === "'" && (to === "'\\''" || to === `'"'"'`);
}

/** Calls whose result is a number or otherwise carries no attacker-chosen text. */
export const NUMERIC = new Set([
  'int', 'float', 'len', 'bool', 'abs', 'round', 'ord', 'hex', 'oct', 'bin', 'hash', 'id', 'sum', 'max', 'min',
  'uuid.uuid1', 'uuid.uuid4', 'time.time', 'os.getpid', 'os.getuid', 'os.getgid',
]);
/** String methods whose result carries the receiver's text. */
const PASS_THROUGH_METHODS = new Set([
  'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'title', 'capitalize', 'casefold', 'replace', 'encode', 'decode',
  'zfill', 'ljust', 'rjust', 'center', 'expandtabs', 'removeprefix', 'removesuffix', 'swapcase',
]);
export const PATH_JOIN = new Set(['os.path.join', 'posixpath.join', 'ntpath.join']);
/** Values fixed by the interpreter or the OS, not by any user of the program. */
const PROCESS_CONSTANTS = new Set([
  'sys.executable', 'sys.prefix', 'sys.exec_prefix', 'sys.base_prefix', 'sys.platform', 'sys.version', 'sys.maxsize',
  'os.name', 'os.sep', 'os.pathsep', 'os.linesep', 'os.devnull', 'os.curdir', 'os.pardir', 'os.extsep',
  '__file__', '__name__', '__package__',
]);
/** Calls that return a fresh temporary path or a path derived only from their argument. */
const SAFE_PATH_CALLS = new Set(['tempfile.mkdtemp', 'tempfile.gettempdir', 'tempfile.mktemp', 'os.getcwd']);
const PATH_PASS_THROUGH = new Set([
  'os.path.dirname', 'os.path.abspath', 'os.path.realpath', 'os.path.normpath', 'os.path.expanduser', 'os.fspath',
]);
const NUMERIC_PERCENT = /^[diouxXeEfFgG]$/;
const NUMERIC_FORMAT_SPEC = /[dboxXneEfFgG%]$/;

/**
 * What a value is made of. A variable at the top is followed to its assignments in the same
 * function (`cmd = "ls " + p; os.system(cmd)`); variables inside a formatting expression are
 * followed only to check that they are constant or sanitised, and otherwise stay parts under
 * their own name, so messages name what the reader sees.
 */
export function valueFacts(module: PythonModule, node: Node, options: FactOptions = {}): ValueFacts {
  const n = module.unwrap(node);
  if (n.type === 'identifier' && !isConstant(module, n)) {
    const assignments = stringAssignments(module, n);
    if (assignments) {
      const facts: ValueFacts = { parts: [], built: false, via: [] };
      const quiet: Node[] = [];
      for (const a of assignments) {
        const f = partsOf(module, a.value!, options, 0);
        // `rv = " " + rv`: the earlier assignments already say what `rv` holds.
        const parts = f.parts.filter((p) => !(p.type === 'identifier' && p.text === n.text));
        facts.parts.push(...parts);
        facts.built ||= f.built || a.kind === 'augassign';
        (parts.length ? facts.via : quiet).push(a.value!);
      }
      facts.via.push(...quiet);
      return facts;
    }
  }
  const f = partsOf(module, n, options, 0);
  return { ...f, via: [] };
}

function partsOf(module: PythonModule, node: Node, options: FactOptions, depth: number): { parts: Node[]; built: boolean } {
  const n = module.unwrap(node);
  const opaque = { parts: [n], built: false };
  if (depth > 12) return opaque;
  if (isConstant(module, n)) return { parts: [], built: false };
  const union = (nodes: Node[], built: boolean): { parts: Node[]; built: boolean } => {
    const parts: Node[] = [];
    for (const c of nodes) parts.push(...partsOf(module, c, options, depth + 1).parts);
    return { parts, built };
  };
  switch (n.type) {
    case 'string': {
      const parts: Node[] = [];
      for (const c of named(n)) {
        if (c.type !== 'interpolation') continue;
        const expr = c.childForFieldName('expression');
        if (!expr) continue;
        const spec = c.childForFieldName('format_specifier')?.text ?? '';
        if (NUMERIC_FORMAT_SPEC.test(spec) && !c.childForFieldName('type_conversion')) continue;
        parts.push(...partsOf(module, expr, options, depth + 1).parts);
      }
      return { parts, built: true };
    }
    case 'concatenated_string':
      return union(named(n), true);
    case 'conditional_expression': {
      const [a, , b] = named(n);
      const fa = a ? partsOf(module, a, options, depth + 1) : { parts: [], built: false };
      const fb = b ? partsOf(module, b, options, depth + 1) : { parts: [], built: false };
      return { parts: [...fa.parts, ...fb.parts], built: fa.built || fb.built };
    }
    case 'binary_operator': {
      const op = n.childForFieldName('operator')?.text;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r) return opaque;
      if (op === '%') return percentParts(module, n, l, r, options, depth);
      if (op === '+') {
        const fl = partsOf(module, l, options, depth + 1);
        const fr = partsOf(module, r, options, depth + 1);
        const stringy = fl.built || fr.built || isStringish(module, l) || isStringish(module, r);
        return { parts: [...fl.parts, ...fr.parts], built: stringy };
      }
      if (op === '*') {
        // "?" * len(ids), ["%s"] * n: repetition of a constant is constant.
        if (isConstant(module, l) || isConstant(module, r)) {
          const other = isConstant(module, l) ? r : l;
          const fo = partsOf(module, other, options, depth + 1);
          return { parts: isStringish(module, other) ? fo.parts : [], built: false };
        }
      }
      if (op === '/') {
        // pathlib: Path(base) / name
        return union([l, r], isPathExpression(module, l));
      }
      return union([l, r], false);
    }
    case 'call':
      return callParts(module, module.call(n), options, depth);
    case 'attribute':
      return PROCESS_CONSTANTS.has(module.resolve(n) ?? '') ? { parts: [], built: false } : opaque;
    case 'identifier': {
      if (PROCESS_CONSTANTS.has(n.text) && bindingsOf(module, n).length === 0) return { parts: [], built: false };
      if (isNumericRouteParameter(module, n)) return { parts: [], built: false };
      const value = singleAssignment(module, n);
      if (value && partsOf(module, value, options, depth + 1).parts.length === 0) return { parts: [], built: false };
      // `for t in ("a", "b")`, `for n in NAMES`: a loop over constants.
      const bindings = bindingsOf(module, n);
      const loop = bindings.length === 1 && (bindings[0]!.kind === 'for' || bindings[0]!.kind === 'comprehension') ? bindings[0]!.value : undefined;
      if (loop && partsOf(module, loop, options, depth + 1).parts.length === 0) return { parts: [], built: false };
      return opaque;
    }
    case 'list':
    case 'tuple':
    case 'set':
      return union(named(n), false);
    case 'subscript': {
      // TABLE[key]: an entry of a constant table (an allow-list), whatever the key.
      const value = n.childForFieldName('value');
      return value && isConstant(module, value) ? { parts: [], built: false } : opaque;
    }
    default:
      return opaque;
  }
}

/** Depth bound for the recursive value helpers: generated code nests thousands deep. */
const MAX_VALUE_DEPTH = 50;

function isStringish(module: PythonModule, node: Node, depth = 0): boolean {
  if (depth > MAX_VALUE_DEPTH) return false;
  const n = module.unwrap(node);
  if (n.type === 'string' || n.type === 'concatenated_string') return true;
  if (typeof module.constantValue(n) === 'string') return true;
  if (n.type === 'identifier') {
    const v = singleAssignment(module, n);
    return !!v && isStringish(module, v, depth + 1);
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const l = n.childForFieldName('left');
    return (op === '%' || op === '+') && !!l && isStringish(module, l, depth + 1);
  }
  if (n.type === 'call') {
    const c = module.call(n);
    return (c.method === 'format' || c.method === 'join') && !!c.receiver && isStringish(module, c.receiver, depth + 1);
  }
  return false;
}

function isPathExpression(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  if (n.type === 'call') {
    const q = module.call(n).qname;
    return q === 'pathlib.Path' || q === 'pathlib.PurePath' || q === 'pathlib.PosixPath';
  }
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '/') {
    const l = n.childForFieldName('left');
    return !!l && isPathExpression(module, l);
  }
  if (n.type === 'identifier') {
    const v = singleAssignment(module, n);
    return !!v && isPathExpression(module, v);
  }
  return false;
}

function percentParts(
  module: PythonModule, n: Node, l: Node, r: Node, options: FactOptions, depth: number,
): { parts: Node[]; built: boolean } {
  const template = stringTemplate(module, l);
  const fl = partsOf(module, l, options, depth + 1);
  if (template === undefined && !fl.built) {
    // `a % b` on numbers, or a format string we cannot see.
    return { parts: [...fl.parts, ...partsOf(module, r, options, depth + 1).parts], built: false };
  }
  const specs = template === undefined ? undefined : percentSpecs(template);
  const right = module.unwrap(r);
  const parts = [...fl.parts];
  const valueParts = (v: Node): Node[] => partsOf(module, v, options, depth + 1).parts;
  if (specs && specs.every((s) => s.numeric)) return { parts, built: true };
  if (specs && right.type === 'tuple') {
    named(right).forEach((v, i) => {
      if (!specs[i]?.numeric) parts.push(...valueParts(v));
    });
  } else if (specs && right.type === 'dictionary') {
    for (const pair of named(right)) {
      if (pair.type !== 'pair') {
        parts.push(pair);
        continue;
      }
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      const k = key ? module.constantValue(key) : undefined;
      if (!value) continue;
      const used = specs.filter((s) => s.key === k);
      if (typeof k === 'string' && specs.some((s) => s.key !== undefined) && (used.length === 0 || used.every((s) => s.numeric))) continue;
      parts.push(...valueParts(value));
    }
  } else {
    parts.push(...valueParts(right));
  }
  void n;
  return { parts, built: true };
}

interface PercentSpec {
  key?: string;
  numeric: boolean;
}

/** The `%` conversions of a printf-style template, or undefined when `*` widths make mapping unsure. */
function percentSpecs(template: string): PercentSpec[] | undefined {
  const out: PercentSpec[] = [];
  const re = /%(?:\(([^)]*)\))?([#0 +-]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])/g;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m[5] === '%') continue;
    if (m[3] === '*' || m[4] === '*') return undefined;
    out.push({ key: m[1], numeric: NUMERIC_PERCENT.test(m[5]!) });
  }
  return out;
}

function callParts(module: PythonModule, call: PyCall, options: FactOptions, depth: number): { parts: Node[]; built: boolean } {
  const n = call.node;
  const opaque = { parts: [n], built: false };
  const q = call.qname;
  if (q && (NUMERIC.has(q) || SAFE_PATH_CALLS.has(q) || options.sanitizers?.has(q))) return { parts: [], built: false };
  if (q && PATH_PASS_THROUGH.has(q) && call.positional.length === 1 && !call.hasStarArgs) {
    const inner = partsOf(module, call.positional[0]!, options, depth + 1);
    return inner.parts.length === 0 ? inner : opaque;
  }
  if (call.method && options.sanitizerMethods?.has(call.method)) return { parts: [], built: false };
  const argNodes = [...call.positional, ...call.keywords.values()];
  if (call.hasStarArgs || call.hasStarKwargs) return opaque;
  if (q === 'str' && call.positional.length === 1) return partsOf(module, call.positional[0]!, options, depth + 1);
  if (q && PATH_JOIN.has(q)) {
    const parts: Node[] = [];
    for (const a of argNodes) parts.push(...partsOf(module, a, options, depth + 1).parts);
    return { parts, built: options.pathJoinBuilds !== false };
  }
  if (!call.receiver || !call.method) return opaque;
  if (call.method === 'replace' && options.escapes && call.positional.length === 2) {
    const from = module.constantValue(call.positional[0]!);
    const to = module.constantValue(call.positional[1]!);
    if (typeof from === 'string' && typeof to === 'string' && options.escapes(from, to)) return { parts: [], built: false };
  }
  if (call.method === 'get' && isConstant(module, call.receiver)) {
    // TABLE.get(key, default): an entry of a constant table, or the default.
    const fallback = call.arg(1, 'default');
    return fallback ? partsOf(module, fallback, options, depth + 1) : { parts: [], built: false };
  }
  if (call.method === 'format' && isStringish(module, call.receiver)) {
    const parts = [...partsOf(module, call.receiver, options, depth + 1).parts];
    for (const a of argNodes) parts.push(...partsOf(module, a, options, depth + 1).parts);
    return { parts, built: true };
  }
  if (call.method === 'join' && isStringish(module, call.receiver) && call.positional.length === 1) {
    const parts = [...partsOf(module, call.receiver, options, depth + 1).parts];
    const it = module.unwrap(call.positional[0]!);
    if (it.type === 'list' || it.type === 'tuple' || it.type === 'set') {
      for (const e of named(it)) parts.push(...partsOf(module, e, options, depth + 1).parts);
    } else if (COMPREHENSIONS.has(it.type)) {
      const body = it.childForFieldName('body');
      if (body) parts.push(...partsOf(module, body, options, depth + 1).parts);
    } else {
      // A local list built from literals and appends: look at what was put in it.
      const elements = it.type === 'identifier' ? listElements(module, it) : undefined;
      if (elements) for (const e of elements) parts.push(...partsOf(module, e, options, depth + 1).parts);
      else parts.push(...partsOf(module, it, options, depth + 1).parts);
    }
    return { parts, built: true };
  }
  if (PASS_THROUGH_METHODS.has(call.method) && isStringish(module, call.receiver)) {
    return partsOf(module, call.receiver, options, depth + 1);
  }
  if (PASS_THROUGH_METHODS.has(call.method)) {
    const inner = partsOf(module, call.receiver, options, depth + 1);
    if (inner.parts.length === 0) return { parts: [], built: inner.built };
  }
  return opaque;
}

/**
 * The constant text of a string-building expression with `{}` where run-time values go, or
 * undefined when no constant text is visible. Used to recognise SQL and shell programs.
 */
export function stringTemplate(module: PythonModule, node: Node, depth = 0): string | undefined {
  if (depth > 12) return undefined;
  const n = module.unwrap(node);
  const c = module.constantValue(n);
  if (typeof c === 'string') return c;
  switch (n.type) {
    case 'string': {
      if (n.namedChildren[0]?.text.toLowerCase().includes('b')) return undefined;
      let out = '';
      for (const part of named(n)) {
        if (part.type === 'string_content' || part.type === 'escape_sequence') out += part.text;
        else if (part.type === 'interpolation') out += '{}';
      }
      return out;
    }
    case 'concatenated_string': {
      let out = '';
      for (const part of named(n)) out += stringTemplate(module, part, depth + 1) ?? '{}';
      return out;
    }
    case 'binary_operator': {
      const op = n.childForFieldName('operator')?.text;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r) return undefined;
      if (op === '%') return stringTemplate(module, l, depth + 1);
      if (op === '+') {
        const a = stringTemplate(module, l, depth + 1);
        const b = stringTemplate(module, r, depth + 1);
        if (a === undefined && b === undefined) return undefined;
        return (a ?? '{}') + (b ?? '{}');
      }
      return undefined;
    }
    case 'call': {
      const call = module.call(n);
      if ((call.method === 'format' || call.method === 'strip') && call.receiver) return stringTemplate(module, call.receiver, depth + 1);
      return undefined;
    }
    case 'identifier': {
      const assignments = stringAssignments(module, n);
      if (!assignments) return undefined;
      let out = '';
      let any = false;
      for (const a of assignments) {
        const t = stringTemplate(module, a.value!, depth + 1);
        if (t !== undefined) any = true;
        out += t ?? '{}';
      }
      return any ? out : undefined;
    }
    default:
      return undefined;
  }
}

// ---- list-form commands -----------------------------------------------------------------

/**
 * The elements of an argument list: a list/tuple literal, or a local variable assigned one
 * list literal and then only extended with literals (`cmd += [...]`, `cmd.append(x)`,
 * `cmd.extend([...])`). Undefined when the list's content is not visible.
 */
export function listElements(module: PythonModule, node: Node, depth = 0): Node[] | undefined {
  if (depth > 6) return undefined;
  const n = module.unwrap(node);
  if (n.type === 'list' || n.type === 'tuple') return named(n);
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const a = l ? listElements(module, l, depth + 1) : undefined;
    const b = r ? listElements(module, r, depth + 1) : undefined;
    if (!a || !b) return undefined;
    return [...a, ...b];
  }
  if (n.type !== 'identifier') return undefined;
  const bindings = bindingsOf(module, n);
  if (!bindings.length) return undefined;
  const first = bindings[0]!;
  if (first.kind !== 'assign' || !first.value) return undefined;
  const base = listElements(module, first.value, depth + 1);
  if (!base) return undefined;
  const out = [...base];
  for (const b of bindings.slice(1)) {
    if (b.kind !== 'augassign' || b.operator !== '+=' || !b.value) return undefined;
    const more = listElements(module, b.value, depth + 1);
    if (!more) return undefined;
    out.push(...more);
  }
  // cmd.append(x) / cmd.extend([...]) / cmd.insert(i, x) in the same scope.
  const scope = scopeOf(first.node);
  const stack: Node[] = [isModuleScope(scope) ? scope : (scope.childForFieldName('body') ?? scope)];
  while (stack.length) {
    const c = stack.pop()!;
    if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') continue;
    if (c.type === 'call') {
      const call = module.call(c);
      if (call.receiver && module.unwrap(call.receiver).type === 'identifier' && call.receiver.text === n.text) {
        if (call.method === 'append' && call.positional[0]) out.push(call.positional[0]);
        else if (call.method === 'insert' && call.positional[1]) out.push(call.positional[1]);
        else if (call.method === 'extend' && call.positional[0]) {
          const more = listElements(module, call.positional[0], depth + 1);
          if (more) out.push(...more);
        }
      }
    }
    for (const child of named(c)) stack.push(child);
  }
  return out;
}

const SHELLS = /^(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:sh|bash|dash|zsh|ksh|ash|csh|tcsh|fish)$/;

/**
 * For `['/bin/sh', '-c', script, ...]`: the index of `script`, the element a shell parses.
 * Also recognises `['env', 'bash', '-c', ...]`.
 */
export function shellScriptIndex(module: PythonModule, elements: readonly Node[]): number | undefined {
  let i = 0;
  const first = elements[0] ? module.constantValue(elements[0]) : undefined;
  if (first === 'env' || first === '/usr/bin/env') i = 1;
  const program = elements[i] ? module.constantValue(elements[i]!) : undefined;
  if (typeof program !== 'string' || !SHELLS.test(program)) return undefined;
  for (let j = i + 1; j < elements.length; j++) {
    const v = module.constantValue(elements[j]!);
    if (typeof v !== 'string' || !v.startsWith('-')) return undefined;
    // -c, -lc, -ec, -xc...
    if (/^-[a-z]*c[a-z]*$/.test(v)) return j + 1 < elements.length ? j + 1 : undefined;
  }
  return undefined;
}
