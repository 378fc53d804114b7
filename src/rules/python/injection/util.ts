/**
 * Helpers shared by the injection family: local bindings inside one function, what a
 * string value is built from, and where those pieces come from. Intra-procedural only:
 * a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';

// ---- text -------------------------------------------------------------------------------

export function truncate(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** One-line, shortened source text of a node, for messages. */
export function snippet(node: Node, max = 60): string {
  return truncate(node.text, max);
}

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** Push `named(node)` so that popping yields them in document order (without the filtered copy). */
function pushNamedReversed(stack: Node[], node: Node): void {
  const children = node.namedChildren;
  for (let i = children.length - 1; i >= 0; i--) {
    const c = children[i];
    if (c && c.type !== 'comment') stack.push(c);
  }
}

// ---- scopes and bindings ----------------------------------------------------------------

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

export type BindingKind = 'assign' | 'augassign' | 'param' | 'for' | 'with' | 'comprehension' | 'import' | 'other';

export interface Binding {
  kind: BindingKind;
  /** The bound identifier (or the statement binding it). */
  node: Node;
  /** assign/augassign: the right-hand side; for/comprehension: the iterable; with: the context expression. */
  value?: Node;
  /** augassign: `+=`, `|=`... */
  operator?: string;
}

/** The function, lambda, class body or module whose namespace `node` is evaluated in. */
export function scopeOf(node: Node): Node {
  for (let p = node.parent; p; p = p.parent) {
    // Parameter defaults and decorators belong to the outer scope; close enough to ignore.
    // The tree's root is the module scope even when a broken file makes it an ERROR node.
    if (SCOPE_TYPES.has(p.type) || !p.parent) return p;
  }
  return node;
}

/** The module (top-level) scope: the tree's root, whatever its node type. */
export function isModuleScope(scope: Node): boolean {
  return scope.type === 'module' || !scope.parent;
}

const bindingCache = new WeakMap<PythonModule, Map<number, Map<string, Binding[]>>>();

function scopeBindings(module: PythonModule, scope: Node): Map<string, Binding[]> {
  let perModule = bindingCache.get(module);
  if (!perModule) {
    perModule = new Map();
    bindingCache.set(module, perModule);
  }
  const cached = perModule.get(scope.id);
  if (cached) return cached;
  const out = new Map<string, Binding[]>();
  const add = (name: string, b: Binding): void => {
    const list = out.get(name);
    if (list) list.push(b);
    else out.set(name, [b]);
  };
  const addTargets = (target: Node, kind: BindingKind, value?: Node): void => {
    const t = unwrapTarget(target);
    if (t.type === 'identifier') {
      add(t.text, { kind, node: t, value });
      return;
    }
    // Destructuring: we do not track which element goes where.
    for (const id of identifiersIn(t)) add(id.text, { kind: 'other', node: id });
  };

  if (scope.type === 'function_definition' || scope.type === 'lambda') {
    const params = scope.childForFieldName('parameters');
    if (params) {
      for (const p of named(params)) {
        const name = parameterName(p);
        if (name) add(name.text, { kind: 'param', node: name });
      }
    }
  }
  const body = isModuleScope(scope) ? scope : scope.childForFieldName('body');
  const stack: Node[] = [];
  if (body) pushNamedReversed(stack, body);
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'function_definition':
      case 'class_definition': {
        const name = n.childForFieldName('name');
        if (name) add(name.text, { kind: 'other', node: name });
        // Decorators and defaults are evaluated here, the body is not.
        continue;
      }
      case 'lambda':
        continue;
      case 'assignment': {
        const left = n.childForFieldName('left');
        let right = n.childForFieldName('right');
        while (right && right.type === 'assignment') right = right.childForFieldName('right');
        if (left && right) addTargets(left, 'assign', right);
        break;
      }
      case 'augmented_assignment': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text;
        if (left && unwrapTarget(left).type === 'identifier' && right) {
          add(unwrapTarget(left).text, { kind: 'augassign', node: unwrapTarget(left), value: right, operator: op });
        }
        break;
      }
      case 'for_statement': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left) addTargets(left, 'for', right ?? undefined);
        break;
      }
      case 'named_expression': {
        const name = n.childForFieldName('name');
        const value = n.childForFieldName('value');
        if (name) add(name.text, { kind: 'assign', node: name, value: value ?? undefined });
        break;
      }
      case 'as_pattern': {
        const alias = n.childForFieldName('alias');
        const value = named(n)[0];
        if (alias) {
          const kind: BindingKind = n.parent?.type === 'with_item' ? 'with' : 'other';
          for (const id of identifiersIn(alias)) add(id.text, { kind, node: id, value: kind === 'with' ? value : undefined });
        }
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        for (const id of importedNames(n)) add(id.text, { kind: 'import', node: id });
        continue;
      case 'global_statement':
      case 'nonlocal_statement':
      case 'delete_statement':
        for (const id of identifiersIn(n)) add(id.text, { kind: 'other', node: id });
        continue;
      case 'for_in_clause': {
        // Comprehension variables live in the comprehension's own scope.
        const right = n.childForFieldName('right');
        if (right) stack.push(right);
        continue;
      }
      default:
        break;
    }
    pushNamedReversed(stack, n);
  }
  perModule.set(scope.id, out);
  return out;
}

function unwrapTarget(node: Node): Node {
  let n = node;
  while ((n.type === 'parenthesized_expression' || n.type === 'as_pattern_target') && named(n).length === 1) n = named(n)[0]!;
  return n;
}

function identifiersIn(node: Node): Node[] {
  const out: Node[] = [];
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      out.push(n);
      continue;
    }
    if (n.type === 'attribute' || n.type === 'subscript') continue;
    for (const c of n.namedChildren) if (c && c.type !== 'comment') stack.push(c);
  }
  return out;
}

/** The names an import statement binds: `import a.b` → `a`, `import a as b` / `from m import a as b` → `b`. */
function importedNames(n: Node): Node[] {
  const out: Node[] = [];
  const names = n.type === 'import_from_statement' ? n.childrenForFieldName('name') : named(n);
  for (const c of names) {
    if (!c) continue;
    if (c.type === 'aliased_import') {
      const alias = c.childForFieldName('alias');
      if (alias) out.push(alias);
    } else if (c.type === 'dotted_name') {
      const first = named(c)[0];
      if (first) out.push(n.type === 'import_from_statement' ? named(c)[named(c).length - 1]! : first);
    }
  }
  return out;
}

function parameterName(p: Node): Node | undefined {
  switch (p.type) {
    case 'identifier':
      return p;
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name') ?? undefined;
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return named(p).find((c) => c.type === 'identifier');
    default:
      return undefined;
  }
}

/** The parameter names of a function definition, in order. */
export function parameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  return named(params).map(parameterName).filter((n): n is Node => !!n).map((n) => n.text);
}

/**
 * How the name `identifier` is bound where it is used: in an enclosing comprehension, in its
 * own scope, or (for a free variable) in the nearest enclosing scope that binds it.
 */
export function bindingsOf(module: PythonModule, identifier: Node): Binding[] {
  const name = identifier.text;
  for (let p = identifier.parent; p && !SCOPE_TYPES.has(p.type); p = p.parent) {
    if (!COMPREHENSIONS.has(p.type)) continue;
    for (const clause of named(p)) {
      if (clause.type !== 'for_in_clause') continue;
      const left = clause.childForFieldName('left');
      if (left && identifiersIn(left).some((i) => i.text === name)) {
        return [{ kind: 'comprehension', node: left, value: clause.childForFieldName('right') ?? undefined }];
      }
    }
  }
  let scope = scopeOf(identifier);
  for (;;) {
    const found = scopeBindings(module, scope).get(name);
    if (found) return found;
    if (isModuleScope(scope)) return [];
    let next = scopeOf(scope);
    // Class bodies are not visible from their methods.
    while (next.type === 'class_definition' && !isModuleScope(next)) next = scopeOf(next);
    scope = next;
  }
}

/**
 * The right-hand side when `identifier` is a local (or module) name bound exactly once by a
 * plain assignment that comes before this use.
 */
export function singleAssignment(module: PythonModule, identifier: Node): Node | undefined {
  const n = module.unwrap(identifier);
  if (n.type !== 'identifier') return undefined;
  const bindings = bindingsOf(module, n);
  if (bindings.length !== 1) return undefined;
  const b = bindings[0]!;
  if (b.kind !== 'assign' || !b.value) return undefined;
  if (sameScope(b.node, n) && !precedes(b, n)) return undefined;
  return b.value;
}

/** The binding happens before `use` and does not contain it (`x = f(x)` does not define the inner `x`). */
function precedes(b: Binding, use: Node): boolean {
  if (b.node.startIndex >= use.startIndex) return false;
  return !b.value || use.startIndex < b.value.startIndex || use.startIndex >= b.value.endIndex;
}

function sameScope(a: Node, b: Node): boolean {
  return scopeOf(a).id === scopeOf(b).id;
}

/** Every `x = ...` and `x += ...` of a string variable before this use, or undefined if bound otherwise. */
export function stringAssignments(module: PythonModule, identifier: Node): Binding[] | undefined {
  const n = module.unwrap(identifier);
  if (n.type !== 'identifier') return undefined;
  const bindings = bindingsOf(module, n);
  if (!bindings.length) return undefined;
  if (!bindings.every((b) => (b.kind === 'assign' || (b.kind === 'augassign' && b.operator === '+=')) && b.value)) return undefined;
  const before = bindings.filter((b) => !sameScope(b.node, n) || precedes(b, n));
  if (!before.length || before[0]!.kind !== 'assign') return undefined;
  return before;
}

// ---- constants ------------------------------------------------------------------------

/**
 * `module.isConstantExpression`, except that request containers spelled in upper case
 * (Django's `request.GET`, `request.POST`, `request.COOKIES`, `request.META`) are not
 * constants even though PEP 8 naming would say so.
 */
export function isConstant(module: PythonModule, node: Node): boolean {
  if (!module.isConstantExpression(node)) return false;
  const stack = [module.unwrap(node)];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      if (object && externalSource(module, object)) return false;
    }
    for (const c of named(n)) stack.push(c);
  }
  return true;
}

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
const NUMERIC = new Set([
  'int', 'float', 'len', 'bool', 'abs', 'round', 'ord', 'hex', 'oct', 'bin', 'hash', 'id', 'sum', 'max', 'min',
  'uuid.uuid1', 'uuid.uuid4', 'time.time', 'os.getpid', 'os.getuid', 'os.getgid',
]);
/** String methods whose result carries the receiver's text. */
const PASS_THROUGH_METHODS = new Set([
  'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'title', 'capitalize', 'casefold', 'replace', 'encode', 'decode',
  'zfill', 'ljust', 'rjust', 'center', 'expandtabs', 'removeprefix', 'removesuffix', 'swapcase',
]);
const PATH_JOIN = new Set(['os.path.join', 'posixpath.join', 'ntpath.join']);
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

// ---- where values come from -------------------------------------------------------------

/** Qualified names (and their sub-attributes) whose data comes from outside the program. */
const EXTERNAL = [
  'flask.request', 'flask.globals.request', 'bottle.request', 'sys.argv', 'sys.stdin', 'os.environ', 'os.environb',
  'os.getenv', 'os.getenvb', 'input', 'fileinput.input', 'cgi.FieldStorage',
];
const FILE_OPENERS = new Set(['open', 'io.open', 'builtins.open', 'codecs.open', 'gzip.open', 'bz2.open', 'lzma.open', 'os.fdopen']);
const ROUTE_METHODS = new Set(['route', 'get', 'post', 'put', 'patch', 'delete', 'api_route', 'websocket']);

/**
 * `config`: the program's own configuration (oslo.config `CONF.x` / `cfg.CONF.x`, Django `settings.X`,
 * `self.conf.x`), set by whoever deploys it: the weakest evidence of all, below `attribute`.
 */
export type OriginKind = 'external' | 'parameter' | 'local' | 'attribute' | 'config';

export interface Origin {
  kind: OriginKind;
  /** The piece this origin describes, as written where it is interpolated. */
  node: Node;
  /** For `external`: what the data comes from, e.g. `request.args`, `sys.argv`, route parameter `name`. */
  source?: string;
}

/** Route decorator facts for a web handler: the URL parameters and their converters. */
export interface RouteInfo {
  /** parameter name → converter (`string`, `path`, `int`...). */
  params: Map<string, string>;
}

/** If `fn` is decorated as a Flask/FastAPI-style route (`@app.route('/x')`, `@bp.get('/x')`). */
export function routeInfo(module: PythonModule, fn: Node): RouteInfo | undefined {
  const decorated = fn.parent;
  if (!decorated || decorated.type !== 'decorated_definition') return undefined;
  for (const d of named(decorated)) {
    if (d.type !== 'decorator') continue;
    const expr = named(d)[0];
    if (!expr || expr.type !== 'call') continue;
    const call = module.call(expr);
    if (!call.method || !ROUTE_METHODS.has(call.method)) continue;
    const rule = call.arg(0, 'rule') ?? call.arg(0, 'path');
    const path = rule ? module.constantValue(rule) : undefined;
    if (typeof path !== 'string' || !path.startsWith('/')) continue;
    const params = new Map<string, string>();
    for (const m of path.matchAll(/<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>/g)) params.set(m[2]!, m[1] ?? 'string');
    for (const m of path.matchAll(/\{(\w+)(?::(\w+))?\}/g)) params.set(m[1]!, m[2] ?? 'string');
    return { params };
  }
  return undefined;
}

const INERT_CONVERTERS = new Set(['int', 'float', 'uuid', 'UUID', 'bool', 'uuid.UUID']);

/**
 * A route handler parameter that the framework has already converted to a number or UUID:
 * `<int:id>` in a Flask rule, `{id:int}` in Starlette, or `id: int` in a FastAPI handler.
 */
export function isNumericRouteParameter(module: PythonModule, identifier: Node): boolean {
  const bindings = bindingsOf(module, identifier);
  const param = bindings.length === 1 && bindings[0]!.kind === 'param' ? bindings[0]!.node : undefined;
  if (!param) return false;
  const fn = scopeOf(param);
  if (fn.type !== 'function_definition') return false;
  const route = routeInfo(module, fn);
  if (!route) return false;
  const converter = route.params.get(identifier.text);
  if (converter && INERT_CONVERTERS.has(converter)) return true;
  const typed = param.parent;
  if (typed && (typed.type === 'typed_parameter' || typed.type === 'typed_default_parameter')) {
    const type = typed.childForFieldName('type')?.text;
    return !!type && INERT_CONVERTERS.has(type);
  }
  return false;
}

/** A handler parameter filled by the framework, not the client: `db: Session = Depends(get_db)`. */
function isInjectedDependency(module: PythonModule, param: Node): boolean {
  const p = param.parent;
  if (!p || (p.type !== 'default_parameter' && p.type !== 'typed_default_parameter')) return false;
  const value = p.childForFieldName('value');
  if (!value || value.type !== 'call') return false;
  const callee = module.call(value);
  const name = callee.qname ?? module.dottedName(callee.callee) ?? '';
  return /(?:^|\.)(?:Depends|Security|Inject|Provide)$/.test(name);
}

/** A Django/DRF-style view: a function whose first parameter (after `self`) is `request`. */
function isRequestView(fn: Node): boolean {
  const names = parameterNames(fn);
  const i = names[0] === 'self' || names[0] === 'cls' ? 1 : 0;
  return names[i] === 'request';
}

/**
 * The external source visible in `node` itself or in the local assignments it comes from,
 * described for a message (`request.args`, `sys.argv`, route parameter `name`), or undefined.
 */
export function externalSource(module: PythonModule, node: Node, depth = 0, seen = new Set<number>()): string | undefined {
  if (depth > 8) return undefined;
  const stack = [module.unwrap(node)];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n.type === 'lambda' || n.type === 'function_definition') continue;
    if (n.type === 'call') {
      // The contents of a file are not the data its path was built from; numbers carry no payload.
      const q = module.call(n).qname ?? '';
      if (FILE_OPENERS.has(q) || NUMERIC.has(q)) continue;
    }
    if (n.type === 'attribute' || n.type === 'identifier') {
      const parent = n.parent;
      const isAttrName = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id;
      const isKeywordName = parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id;
      if (!isAttrName && !isKeywordName) {
        const q = module.resolve(n);
        if (q && EXTERNAL.some((e) => q === e || q.startsWith(`${e}.`))) return describe(n, parent);
        const dotted = module.dottedName(n);
        if (n.type === 'attribute' && (dotted === 'self.request' || dotted === 'cls.request')) return describe(n, parent);
        if (n.type === 'identifier' && !q) {
          if (n.text === 'raw_input' && parent?.type === 'call') return 'raw_input()';
          const bindings = bindingsOf(module, n);
          if (n.text === 'request' && !module.imports.has('request') &&
            (bindings.length === 0 || bindings.every((b) => b.kind === 'param'))) {
            return describe(n, parent);
          }
          for (const b of bindings) {
            if (b.kind === 'param') {
              const fn = scopeOf(b.node);
              if (fn.type !== 'function_definition') continue;
              const route = routeInfo(module, fn);
              if (route?.params.has(n.text)) return `route parameter \`${n.text}\``;
              // FastAPI-style handlers receive query and body fields as parameters too.
              if (route && !isInjectedDependency(module, b.node) && n.text !== 'self') return `request parameter \`${n.text}\``;
              if (!route && isRequestView(fn) && n.text !== 'self' && n.text !== 'request') return `view argument \`${n.text}\``;
              continue;
            }
            if (b.value && (b.kind === 'assign' || b.kind === 'augassign' || b.kind === 'with' || b.kind === 'for' || b.kind === 'comprehension')) {
              const found = externalSource(module, b.value, depth + 1, seen);
              if (found) return found;
            }
          }
        }
      }
    }
    for (const c of named(n)) stack.push(c);
  }
  return undefined;
}

function describe(n: Node, parent: Node | null): string {
  // `request.args.get('x')` reads better as `request.args`; `request` alone as `request.GET`.
  let top = n;
  if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === n.id) top = parent;
  const full = truncate(top.text, 40);
  const text = full.replace(/\.(?:get|getlist|get_json|get_data|pop|items|keys|values)$/, '');
  const called = text === full && top.parent?.type === 'call' && top.parent.childForFieldName('function')?.id === top.id;
  return called ? `\`${text}()\`` : `\`${text}\``;
}

/**
 * Which side of the process an external source is on: `request` data comes from remote
 * clients; `process` data (argv, environment, stdin) from whoever starts the program.
 */
export function sourceChannel(source: string): 'request' | 'process' {
  return /sys\.argv|environ|getenv|input|stdin|fileinput/.test(source) ? 'process' : 'request';
}

/** Where one non-constant piece comes from, as far as this function shows. */
export function originOf(module: PythonModule, part: Node): Origin {
  const source = externalSource(module, part);
  if (source) return { kind: 'external', node: part, source };
  return { kind: localKind(module, part, 0), node: part };
}

/** Names of configuration objects in an attribute chain (`CONF.x`, `self.conf.x`, `cfg.CONF.x`). */
const CONFIG_SEGMENTS = new Set(['CONF', 'conf', '_conf', 'config', '_config', 'settings']);
const CONFIG_QNAMES = /^(?:oslo_config\.cfg\.CONF|oslo\.config\.cfg\.CONF|django\.conf\.settings)(?:\.|$)/;

/** A read of the program's configuration: the chain goes through a configuration object. */
export function isConfigRead(module: PythonModule, node: Node): boolean {
  const n = module.unwrap(node);
  const segments: string[] = [];
  let root = n;
  for (;;) {
    if (root.type === 'attribute') {
      segments.push(root.childForFieldName('attribute')?.text ?? '');
      root = module.unwrap(root.childForFieldName('object') ?? root);
    } else if (root.type === 'subscript') {
      root = module.unwrap(root.childForFieldName('value') ?? root);
    } else break;
  }
  if (root.type !== 'identifier' || (segments.length === 0 && root.id === n.id)) return false;
  const q = module.resolve(n) ?? module.resolve(root);
  if (q && CONFIG_QNAMES.test(q)) return true;
  // The configuration object itself is read, not one of its last attributes (`conf.x`, not `self.conf`).
  return CONFIG_SEGMENTS.has(root.text) || segments.slice(1).some((s) => CONFIG_SEGMENTS.has(s));
}

function localKind(module: PythonModule, node: Node, depth: number): OriginKind {
  if (depth > 6) return 'local';
  const n = module.unwrap(node);
  if (isConfigRead(module, n)) return 'config';
  let root = n;
  for (;;) {
    let next: Node | null = null;
    if (root.type === 'attribute') next = root.childForFieldName('object');
    else if (root.type === 'subscript') next = root.childForFieldName('value');
    else if (root.type === 'call') {
      const f = module.unwrap(root.childForFieldName('function') ?? root);
      next = f.type === 'attribute' ? f.childForFieldName('object') : null;
    }
    if (!next) break;
    root = module.unwrap(next);
  }
  if (root.type !== 'identifier') return 'local';
  if (root.text === 'self' || root.text === 'cls') return 'attribute';
  const bindings = bindingsOf(module, root);
  if (bindings.some((b) => b.kind === 'param')) return 'parameter';
  const value = singleAssignment(module, root);
  if (value) {
    const parts = valueFacts(module, value).parts;
    if (parts.length === 0) return 'attribute';
    return strongest(parts.map((p) => localKind(module, p, depth + 1)));
  }
  return 'local';
}

const RANK: Record<OriginKind, number> = { external: 3, parameter: 2, local: 1, attribute: 0, config: -1 };

export function strongest(kinds: readonly OriginKind[]): OriginKind {
  let best: OriginKind = kinds.length > 0 ? 'config' : 'attribute';
  for (const k of kinds) if (RANK[k] > RANK[best]) best = k;
  return best;
}

/** The most telling origin among several pieces (external first, then parameters). */
export function strongestOrigin(module: PythonModule, parts: readonly Node[]): Origin | undefined {
  let best: Origin | undefined;
  for (const p of parts) {
    const o = originOf(module, p);
    if (!best || RANK[o.kind] > RANK[best.kind]) best = o;
    if (best.kind === 'external') break;
  }
  return best;
}

/** `name`, `self.name`: how to refer to a piece in a message. */
export function pieceName(part: Node): string {
  return `\`${snippet(part, 40)}\``;
}

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
