/**
 * Local bindings inside one function or module scope, and constant expressions.
 * Intra-procedural only: a value that crosses a call boundary is "of unknown origin", never assumed tainted.
 */
import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { isMockCallDescription } from '../../../frontend/python/mock-call.js';
import { named, pushNamedReversed } from './node-text.js';
import { externalSource } from './origins.js';

// ---- scopes and bindings ----------------------------------------------------------------

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
export const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

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
