import type { Node } from '../../parse/tree-sitter.js';
import { NO_SPAN, type CallExpr, type ClassIR, type Expr, type FunctionIR, type ModuleIR, type Param, type SpanId, type Stmt, type Target } from '../../analysis/taint/ir.js';
import { SpanTableBuilder } from '../../analysis/taint/spans.js';
import type { SyntaxTree } from '../../parse/syntax-tree.js';
import type { PythonModule } from './module.js';
import { Budget } from '../../scheduling/budget.js';
// Python's semantics for the taint engine, registered for the modules built here.
import './taint-semantics.js';

/** Deeper nesting than this is summarised as opaque (keeps the converter's stack bounded). */
const MAX_DEPTH = 400;

/** `pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`. */
export function moduleNameForPath(path: string): string {
  const parts = path.replace(/\\/g, '/').replace(/\.pyi?$|\.pyw$/, '').split('/').filter((p) => p && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

/** Resolve `.x` / `..x.y` imports against the importing module's package. */
export function absoluteImport(qname: string, moduleName: string, isPackage: boolean): string {
  const m = /^(\.+)(.*)$/.exec(qname);
  if (!m) return qname;
  const pkg = moduleName.split('.').filter(Boolean);
  if (!isPackage) pkg.pop();
  for (let i = 1; i < m[1]!.length; i++) pkg.pop();
  return [...pkg, m[2]].filter(Boolean).join('.');
}

/**
 * Lower a parsed Python module to the taint engine's IR. Call qualified names come from
 * the module's import table, so `sp.run` and `from subprocess import run` both read
 * `subprocess.run`; relative imports are made absolute against the module's package.
 */
/** The module's data-flow IR; throws `BudgetExceeded` when building it outlasts `budget`. */
export function pythonToIR(module: PythonModule, budget: Budget = Budget.none): ModuleIR {
  const moduleName = moduleNameForPath(module.path);
  const isPackage = /(^|\/)__init__\.pyi?$/.test(module.path);
  const imports = new Map<string, string>();
  for (const [local, q] of module.imports) imports.set(local, absoluteImport(q, moduleName, isPackage));
  const functions: FunctionIR[] = [];
  const classes: ClassIR[] = [];
  const b = new Builder(module, imports, functions, classes, budget);
  const top: FunctionIR = {
    name: '<module>',
    qname: moduleName || '<module>',
    params: [],
    body: b.block(module.root.id, moduleName, undefined, 0),
    decorators: [],
    isStatic: false,
    isClassMethod: false,
    span: b.span(module.root.id),
    path: module.path,
    globals: new Set(),
  };
  return { path: module.path, moduleName, imports, top, functions, classes, spans: b.spans.finish(), language: 'python' };
}

/**
 * The list without the spare capacity `push` leaves behind: most IR lists hold one to three
 * items, and a pushed-to array keeps room for seventeen.
 */
function exact<T>(items: T[]): T[] {
  return items.length === 0 ? items : items.slice();
}

/** No node (a missing field or child). */
const NONE = -1;
const ERROR_SYMBOL = 65535;

/**
 * Works on the module's tree copy by node index (SyntaxTree) rather than through SyntaxNode
 * objects: the IR visits nearly every named node once, and objects for all of them (with
 * their child arrays) cost more to allocate and collect than the IR itself. The results are
 * those of the Node API: `field` is `childForFieldName`, the named-child loops are
 * `namedChildren`.
 */
class Builder {
  private readonly syntax: SyntaxTree;
  private readonly source: string;
  private readonly next: Int32Array;
  private readonly fieldIds: ReadonlyMap<string, number>;
  private readonly f: Record<FieldName, number | undefined>;
  readonly spans: SpanTableBuilder;

  constructor(
    private readonly module: PythonModule,
    private readonly imports: Map<string, string>,
    private readonly functions: FunctionIR[],
    private readonly classes: ClassIR[],
    private readonly budget: Budget,
  ) {
    this.syntax = module.syntax;
    this.source = module.source;
    this.next = this.syntax.nextSiblings;
    this.spans = new SpanTableBuilder(this.source, this.syntax.rowStarts());
    this.fieldIds = this.syntax.language.fieldIds;
    const f = {} as Record<FieldName, number | undefined>;
    for (const name of FIELD_NAMES) f[name] = this.fieldIds.get(name);
    this.f = f;
  }

  // ---- the tree by index (the Node API's answers) ----------------------------------------

  private type(i: number): string {
    return this.syntax.typeName(i);
  }

  private text(i: number): string {
    return this.source.slice(this.syntax.starts[i]!, this.syntax.ends[i]!);
  }

  /** An identifier's text, one string per distinct name in the module (`self` occurs thousands of times). */
  private identifier(i: number): string {
    const text = this.text(i);
    const known = this.identifiers.get(text);
    if (known !== undefined) return known;
    this.identifiers.set(text, text);
    return text;
  }

  private readonly identifiers = new Map<string, string>();

  private first(i: number): number {
    return this.syntax.subtreeEnds[i]! > i + 1 ? i + 1 : NONE;
  }

  private named(i: number): boolean {
    return this.syntax.isNamed(i);
  }

  /** `childForFieldName`: the first child with the field (ERROR nodes have no fields). */
  private field(i: number, field: number | undefined): number {
    if (i === NONE || field === undefined || this.syntax.symbols[i] === ERROR_SYMBOL) return NONE;
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.syntax.fieldIds[c] === field) return c;
    return NONE;
  }

  /** `namedChildren[0]`. */
  private firstNamed(i: number): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c)) return c;
    return NONE;
  }

  /** `namedChildren.find((c) => c.type !== 'comment')`. */
  private firstNamedNotComment(i: number): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) !== 'comment') return c;
    return NONE;
  }

  /** `namedChildren.find((c) => c.type === type)`. */
  private namedOfType(i: number, type: string): number {
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) === type) return c;
    return NONE;
  }

  private node(i: number): Node {
    return this.syntax.node(i);
  }

  span(i: number): SpanId {
    return this.spans.add(this.syntax.starts[i]!, this.syntax.ends[i]!);
  }

  // ---- statements ---------------------------------------------------------------------------

  /** Statements of a block-like node (module, block, clause bodies). */
  block(node: number, scope: string, className: string | undefined, depth: number): Stmt[] {
    const out: Stmt[] = [];
    if (node === NONE) return out;
    for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
      if (!this.named(c) || this.type(c) === 'comment') continue;
      this.statement(c, scope, className, depth + 1, out);
    }
    return exact(out);
  }

  /** Statements and expressions built so far, to look at the clock every so often. */
  private steps = 0;

  private tick(): void {
    if ((++this.steps & 1023) === 0) this.budget.check('the data-flow model');
  }

  private statement(node: number, scope: string, className: string | undefined, depth: number, out: Stmt[]): void {
    this.tick();
    const span = this.span(node);
    if (depth > MAX_DEPTH) {
      out.push({ k: 'expr', expr: { k: 'opaque', parts: [], span }, span });
      return;
    }
    const f = this.f;
    switch (this.type(node)) {
      case 'expression_statement': {
        for (let child = this.first(node); child !== NONE; child = this.next[child]!) {
          if (!this.named(child)) continue;
          const type = this.type(child);
          if (type === 'assignment') this.assignment(child, depth, out);
          else if (type === 'augmented_assignment') {
            const left = this.field(child, f.left);
            const right = this.field(child, f.right);
            const operator = this.field(child, f.operator);
            const op = operator !== NONE ? this.text(operator).replace('=', '') : '+';
            if (left !== NONE && right !== NONE) out.push({ k: 'augassign', target: this.target(left, depth), op, value: this.expr(right, depth), span });
          } else out.push({ k: 'expr', expr: this.expr(child, depth), span });
        }
        return;
      }
      case 'if_statement':
      case 'elif_clause': {
        const test = this.expr(this.field(node, f.condition), depth);
        const body = this.block(this.field(node, f.consequence), scope, className, depth);
        let orelse: Stmt[] = [];
        const alternatives = this.fieldChildren(node, f.alternative);
        if (alternatives.length > 0) {
          // Chain elif/else clauses as nested ifs.
          orelse = this.alternative(alternatives, 0, scope, className, depth);
        }
        out.push({ k: 'if', test, body, orelse, span });
        return;
      }
      case 'for_statement': {
        const left = this.field(node, f.left);
        out.push({
          k: 'for',
          target: left !== NONE ? this.target(left, depth) : { k: 'opaque', span },
          iter: this.expr(this.field(node, f.right), depth),
          body: this.block(this.field(node, f.body), scope, className, depth),
          orelse: this.block(this.field(this.field(node, f.alternative), f.body), scope, className, depth),
          span,
        });
        return;
      }
      case 'while_statement':
        out.push({
          k: 'while',
          test: this.expr(this.field(node, f.condition), depth),
          body: this.block(this.field(node, f.body), scope, className, depth),
          orelse: this.block(this.field(this.field(node, f.alternative), f.body), scope, className, depth),
          span,
        });
        return;
      case 'try_statement': {
        const handlers: { name?: string; body: Stmt[] }[] = [];
        let orelse: Stmt[] = [];
        let fin: Stmt[] = [];
        for (let child = this.first(node); child !== NONE; child = this.next[child]!) {
          if (!this.named(child)) continue;
          const type = this.type(child);
          if (type === 'except_clause' || type === 'except_group_clause') {
            let value = this.field(child, f.value);
            if (value === NONE) value = this.namedOfType(child, 'as_pattern');
            const aliasNode = value !== NONE && this.type(value) === 'as_pattern' ? this.field(value, f.alias) : NONE;
            const alias = aliasNode !== NONE ? this.text(aliasNode) : undefined;
            const blockNode = this.namedOfType(child, 'block');
            handlers.push({ name: alias, body: this.block(blockNode, scope, className, depth) });
          } else if (type === 'else_clause') {
            orelse = this.block(this.field(child, f.body), scope, className, depth);
          } else if (type === 'finally_clause') {
            fin = this.block(this.namedOfType(child, 'block'), scope, className, depth);
          }
        }
        out.push({ k: 'try', body: this.block(this.field(node, f.body), scope, className, depth), handlers, orelse, finally: fin, span });
        return;
      }
      case 'with_statement': {
        const items: { value: Expr; target?: Target }[] = [];
        const clause = this.namedOfType(node, 'with_clause');
        for (let item = clause !== NONE ? this.first(clause) : NONE; item !== NONE; item = this.next[item]!) {
          if (!this.named(item) || this.type(item) !== 'with_item') continue;
          const value = this.field(item, f.value);
          if (value === NONE) continue;
          if (this.type(value) === 'as_pattern') {
            const inner = this.firstNamed(value);
            const alias = this.field(value, f.alias);
            const aliasFirst = alias !== NONE ? this.firstNamed(alias) : NONE;
            const targetNode = aliasFirst !== NONE ? aliasFirst : alias;
            items.push({ value: this.expr(inner, depth), target: targetNode !== NONE ? this.target(targetNode, depth) : undefined });
          } else items.push({ value: this.expr(value, depth) });
        }
        out.push({ k: 'with', items, body: this.block(this.field(node, f.body), scope, className, depth), span });
        return;
      }
      case 'decorated_definition': {
        const def = this.field(node, f.definition);
        const decorators: Expr[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (!this.named(c) || this.type(c) !== 'decorator') continue;
          const expr = this.firstNamed(c);
          // `@mock.patch('x')` / `@mock.patch.object(...)` fill parameters with test doubles: never a
          // request handler's decorator (`*.patch` is one for `@app.patch('/x')`), so they are left out.
          if (this.isMockPatch(expr)) continue;
          decorators.push(this.expr(expr, depth));
        }
        const defType = def !== NONE ? this.type(def) : undefined;
        if (defType === 'function_definition') {
          const fn = this.functionDef(def, scope, className, decorators, depth);
          out.push({ k: 'def', fn, span });
        } else if (defType === 'class_definition') {
          out.push({ k: 'class', cls: this.classDef(def, scope, depth), span });
        }
        return;
      }
      case 'function_definition':
        out.push({ k: 'def', fn: this.functionDef(node, scope, className, [], depth), span });
        return;
      case 'class_definition':
        out.push({ k: 'class', cls: this.classDef(node, scope, depth), span });
        return;
      case 'return_statement': {
        const value = this.firstNamed(node);
        out.push({ k: 'return', value: value !== NONE ? this.expr(value, depth) : undefined, span });
        return;
      }
      case 'raise_statement': {
        const value = this.firstNamed(node);
        out.push({ k: 'raise', value: value !== NONE ? this.expr(value, depth) : undefined, span });
        return;
      }
      case 'break_statement':
        out.push({ k: 'break', span });
        return;
      case 'continue_statement':
        out.push({ k: 'continue', span });
        return;
      case 'nonlocal_statement':
        // Closures see the enclosing variables already; nothing to record.
        return;
      case 'global_statement': {
        const names: string[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) === 'identifier') names.push(this.text(c));
        out.push({ k: 'global', names, span });
        return;
      }
      case 'delete_statement': {
        const targets: Target[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c)) targets.push(this.target(c, depth));
        out.push({ k: 'delete', targets, span });
        return;
      }
      case 'assert_statement':
      case 'print_statement':
      case 'exec_statement': {
        const parts: Expr[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c)) parts.push(this.expr(c, depth));
        out.push({ k: 'expr', expr: { k: 'opaque', parts, span }, span });
        return;
      }
      case 'match_statement':
        // Patterns bind names in ways we do not model; keep the subject's calls visible.
        out.push({ k: 'expr', expr: this.expr(this.field(node, f.subject), depth), span });
        for (const block of this.node(node).descendantsOfType('block')) {
          out.push(...this.block(block.id, scope, className, depth));
        }
        return;
      default:
        // pass, import, future, type alias, errors: nothing flows.
        return;
    }
  }

  /** `childrenForFieldName`. */
  private fieldChildren(i: number, field: number | undefined): number[] {
    const out: number[] = [];
    if (field === undefined) return out;
    for (let c = this.first(i); c !== NONE; c = this.next[c]!) if (this.syntax.fieldIds[c] === field) out.push(c);
    return out;
  }

  /** The `at`th of an if's else/elif clauses, with the rest as its else. */
  private alternative(clauses: readonly number[], at: number, scope: string, className: string | undefined, depth: number): Stmt[] {
    const node = clauses[at]!;
    if (this.type(node) === 'else_clause') return this.block(this.field(node, this.f.body), scope, className, depth);
    // elif: an if whose else is the remaining clauses.
    const span = this.span(node);
    const test = this.expr(this.field(node, this.f.condition), depth);
    const body = this.block(this.field(node, this.f.consequence), scope, className, depth);
    const orelse = at + 1 < clauses.length ? this.alternative(clauses, at + 1, scope, className, depth + 1) : [];
    return [{ k: 'if', test, body, orelse, span }];
  }

  private assignment(node: number, depth: number, out: Stmt[]): void {
    const span = this.span(node);
    // a = b = value parses as assignment(a, assignment(b, value)).
    const targets: Target[] = [];
    let current = node;
    while (current !== NONE && this.type(current) === 'assignment') {
      const left = this.field(current, this.f.left);
      if (left !== NONE) targets.push(this.target(left, depth));
      const right = this.field(current, this.f.right);
      if (right === NONE) return; // annotation only: `x: int`
      current = right;
    }
    if (current === NONE) return;
    out.push({ k: 'assign', targets, value: this.expr(current, depth), span });
  }

  target(node: number, depth: number): Target {
    const span = this.span(node);
    const f = this.f;
    switch (this.type(node)) {
      case 'identifier':
        return { k: 'name', name: this.identifier(node), span };
      case 'attribute': {
        const object = this.field(node, f.object);
        const attr = this.field(node, f.attribute);
        if (object !== NONE && attr !== NONE) return { k: 'attr', object: this.expr(object, depth + 1), attr: this.identifier(attr), span };
        return { k: 'opaque', span };
      }
      case 'subscript': {
        const value = this.field(node, f.value);
        const index = this.field(node, f.subscript);
        if (value !== NONE) return { k: 'subscript', object: this.expr(value, depth + 1), index: this.expr(index, depth + 1), span };
        return { k: 'opaque', span };
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets: Target[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (this.named(c) && this.type(c) !== 'comment') targets.push(this.target(c, depth + 1));
        }
        return { k: 'unpack', targets, span };
      }
      case 'list_splat_pattern':
      case 'list_splat': {
        const inner = this.firstNamed(node);
        return inner !== NONE ? { k: 'starred', target: this.target(inner, depth + 1), span } : { k: 'opaque', span };
      }
      case 'parenthesized_expression': {
        const inner = this.firstNamedNotComment(node);
        return inner !== NONE ? this.target(inner, depth + 1) : { k: 'opaque', span };
      }
      default:
        return { k: 'opaque', span };
    }
  }

  /** The text of the first named child, or '' (`namedChildren[0]?.text ?? ''`). */
  private firstNamedText(i: number): string {
    const c = this.firstNamed(i);
    return c !== NONE ? this.text(c) : '';
  }

  private params(node: number, depth: number): Param[] {
    const out: Param[] = [];
    if (node === NONE) return out;
    for (let p = this.first(node); p !== NONE; p = this.next[p]!) {
      if (!this.named(p)) continue;
      const span = this.span(p);
      switch (this.type(p)) {
        case 'identifier':
          out.push({ name: this.identifier(p), kind: 'normal', span });
          break;
        case 'typed_parameter': {
          const inner = this.firstNamed(p);
          const innerType = inner !== NONE ? this.type(inner) : undefined;
          if (innerType === 'list_splat_pattern') out.push({ name: this.firstNamedText(inner), kind: 'varargs', span });
          else if (innerType === 'dictionary_splat_pattern') out.push({ name: this.firstNamedText(inner), kind: 'kwargs', span });
          else if (inner !== NONE) out.push({ name: this.identifier(inner), kind: 'normal', span: this.span(inner) });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const nameNode = this.field(p, this.f.name);
          const value = this.field(p, this.f.value);
          if (nameNode !== NONE) {
            out.push({ name: this.identifier(nameNode), kind: 'normal', default: value !== NONE ? this.expr(value, depth) : undefined, span: this.span(nameNode) });
          }
          break;
        }
        case 'list_splat_pattern':
          out.push({ name: this.firstNamedText(p), kind: 'varargs', span });
          break;
        case 'dictionary_splat_pattern':
          out.push({ name: this.firstNamedText(p), kind: 'kwargs', span });
          break;
        default:
          break; // `*` and `/` separators
      }
    }
    return out;
  }

  private functionDef(node: number, scope: string, className: string | undefined, decorators: Expr[], depth: number): FunctionIR {
    const nameNode = this.field(node, this.f.name);
    const name = nameNode !== NONE ? this.text(nameNode) : '<anonymous>';
    const qname = scope ? `${scope}.${name}` : name;
    const decoratorNames = decorators.map((d) => (d.k === 'name' ? d.name : d.k === 'attr' ? d.attr : ''));
    const fn: FunctionIR = {
      name,
      qname,
      params: this.params(this.field(node, this.f.parameters), depth),
      body: [],
      decorators,
      className,
      isStatic: decoratorNames.includes('staticmethod'),
      isClassMethod: decoratorNames.includes('classmethod'),
      span: this.span(node),
      path: this.module.path,
      globals: new Set(),
    };
    this.functions.push(fn);
    fn.body = this.block(this.field(node, this.f.body), qname, undefined, depth);
    collectGlobals(fn.body, fn.globals);
    return fn;
  }

  private classDef(node: number, scope: string, depth: number): ClassIR {
    const nameNode = this.field(node, this.f.name);
    const name = nameNode !== NONE ? this.text(nameNode) : '<class>';
    const qname = scope ? `${scope}.${name}` : name;
    const bases: Expr[] = [];
    const superclasses = this.field(node, this.f.superclasses);
    for (let c = superclasses !== NONE ? this.first(superclasses) : NONE; c !== NONE; c = this.next[c]!) {
      if (!this.named(c)) continue;
      const type = this.type(c);
      if (type !== 'keyword_argument' && type !== 'comment') bases.push(this.expr(c, depth));
    }
    const cls: ClassIR = { name, qname, bases, methods: new Map(), span: this.span(node) };
    this.classes.push(cls);
    const body = this.block(this.field(node, this.f.body), qname, name, depth);
    for (const s of body) if (s.k === 'def') cls.methods.set(s.fn.name, s.fn);
    return cls;
  }

  // ---- expressions --------------------------------------------------------------------------

  /** Every named child except comments, as expressions. */
  private namedExprs(node: number, depth: number): Expr[] {
    const out: Expr[] = [];
    for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
      if (this.named(c) && this.type(c) !== 'comment') out.push(this.expr(c, depth));
    }
    return exact(out);
  }

  expr(node: number, depth: number): Expr {
    this.tick();
    if (node === NONE) return { k: 'opaque', parts: [], span: NO_SPAN };
    const span = this.span(node);
    if (depth > MAX_DEPTH) return { k: 'opaque', parts: [], span };
    const d = depth + 1;
    const m = this.module;
    const f = this.f;
    const type = this.type(node);
    switch (type) {
      case 'identifier':
        return { k: 'name', name: this.identifier(node), span };
      case 'string':
      case 'concatenated_string': {
        const value = m.constantValue(this.node(node));
        if (value !== undefined) return { k: 'const', value, span };
        const parts: Expr[] = [];
        const addInterpolations = (s: number): void => {
          for (let c = this.first(s); c !== NONE; c = this.next[c]!) {
            if (this.named(c) && this.type(c) === 'interpolation') parts.push(this.expr(this.field(c, f.expression), d));
          }
        };
        if (type === 'string') addInterpolations(node);
        else {
          for (let s = this.first(node); s !== NONE; s = this.next[s]!) if (this.named(s) && this.type(s) === 'string') addInterpolations(s);
        }
        return { k: 'format', parts, span };
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none': {
        const value = m.constantValue(this.node(node));
        return value === undefined ? { k: 'opaque', parts: [], span } : { k: 'const', value, span };
      }
      case 'parenthesized_expression': {
        const inner = this.firstNamedNotComment(node);
        return inner !== NONE ? this.expr(inner, d) : { k: 'opaque', parts: [], span };
      }
      case 'attribute': {
        const object = this.field(node, f.object);
        const attr = this.field(node, f.attribute);
        if (object === NONE || attr === NONE) return { k: 'opaque', parts: [], span };
        return { k: 'attr', object: this.expr(object, d), attr: this.identifier(attr), span };
      }
      case 'subscript': {
        const value = this.field(node, f.value);
        const indexes = this.fieldChildren(node, f.subscript);
        const index = indexes.length === 1 ? this.expr(indexes[0]!, d) : { k: 'opaque' as const, parts: indexes.map((i) => this.expr(i, d)), span };
        return { k: 'subscript', object: this.expr(value, d), index, span };
      }
      case 'call':
        return this.call(node, d, span);
      case 'binary_operator': {
        const operator = this.field(node, f.operator);
        const op = operator !== NONE ? this.text(operator) : '?';
        return { k: 'binop', op, left: this.expr(this.field(node, f.left), d), right: this.expr(this.field(node, f.right), d), span };
      }
      case 'unary_operator': {
        const value = m.constantValue(this.node(node));
        if (value !== undefined) return { k: 'const', value, span };
        const operator = this.field(node, f.operator);
        return { k: 'unary', op: operator !== NONE ? this.text(operator) : '?', operand: this.expr(this.field(node, f.argument), d), span };
      }
      case 'not_operator':
        return { k: 'not', operand: this.expr(this.field(node, f.argument), d), span };
      case 'boolean_operator': {
        const operator = this.field(node, f.operator);
        const op = operator !== NONE && this.text(operator) === 'and' ? 'and' : 'or';
        return { k: 'bool', op, left: this.expr(this.field(node, f.left), d), right: this.expr(this.field(node, f.right), d), span };
      }
      case 'comparison_operator': {
        const operands: Expr[] = [];
        const ops: string[] = [];
        let pending = '';
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (this.named(c)) {
            if (this.type(c) === 'comment') continue;
            if (pending) ops.push(pending.trim());
            pending = '';
            operands.push(this.expr(c, d));
          } else pending += ` ${this.type(c)}`;
        }
        return { k: 'compare', ops, operands, span };
      }
      case 'conditional_expression': {
        const parts: number[] = [];
        for (let c = this.first(node); c !== NONE && parts.length < 3; c = this.next[c]!) {
          if (this.named(c) && this.type(c) !== 'comment') parts.push(c);
        }
        const [body = NONE, test = NONE, orelse = NONE] = parts;
        return { k: 'cond', test: this.expr(test, d), body: this.expr(body, d), orelse: this.expr(orelse, d), span };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return {
          k: 'container',
          kind: type === 'expression_list' ? 'tuple' : (type as 'list' | 'tuple' | 'set'),
          elements: this.namedExprs(node, d),
          span,
        };
      case 'dictionary': {
        const elements: Expr[] = [];
        const keys: (Expr | null)[] = [];
        for (let pair = this.first(node); pair !== NONE; pair = this.next[pair]!) {
          if (!this.named(pair)) continue;
          const pairType = this.type(pair);
          if (pairType === 'comment') continue;
          if (pairType === 'pair') {
            keys.push(this.expr(this.field(pair, f.key), d));
            elements.push(this.expr(this.field(pair, f.value), d));
          } else {
            keys.push(null);
            elements.push(this.expr(this.firstNamed(pair), d));
          }
        }
        return { k: 'container', kind: 'dict', elements: exact(elements), keys: exact(keys), span };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension': {
        const bodyNode = this.field(node, f.body);
        let element: Expr;
        if (bodyNode !== NONE && this.type(bodyNode) === 'pair') {
          element = { k: 'opaque', parts: [this.expr(this.field(bodyNode, f.key), d), this.expr(this.field(bodyNode, f.value), d)], span: this.span(bodyNode) };
        } else element = this.expr(bodyNode, d);
        const bindings: { target: Target; iter: Expr }[] = [];
        const conditions: Expr[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (!this.named(c)) continue;
          const clauseType = this.type(c);
          if (clauseType === 'for_in_clause') {
            const left = this.field(c, f.left);
            const right = this.field(c, f.right);
            bindings.push({ target: left !== NONE ? this.target(left, d) : { k: 'opaque', span }, iter: this.expr(right, d) });
          } else if (clauseType === 'if_clause') {
            conditions.push(this.expr(this.firstNamed(c), d));
          }
        }
        return { k: 'comprehension', bindings, element, conditions, span };
      }
      case 'lambda': {
        const at = this.syntax.point(this.syntax.starts[node]!);
        const fn: FunctionIR = {
          name: '<lambda>',
          qname: `${moduleNameForPath(m.path)}.<lambda>@${at.row + 1}:${at.column + 1}`,
          params: this.params(this.field(node, f.parameters), d),
          body: [],
          decorators: [],
          isStatic: false,
          isClassMethod: false,
          span,
          path: m.path,
          globals: new Set(),
        };
        const body = this.field(node, f.body);
        fn.body = body !== NONE ? [{ k: 'return', value: this.expr(body, d), span: this.span(body) }] : [];
        return { k: 'lambda', fn, span };
      }
      default: {
        if (type === 'named_expression') {
          // (x := value): an assignment inside an expression.
          const name = this.field(node, f.name);
          const value = this.expr(this.field(node, f.value), d);
          return name !== NONE ? { k: 'walrus', target: this.target(name, d), value, span } : value;
        }
        if (type === 'await') return this.expr(this.firstNamed(node), d);
        return { k: 'opaque', parts: this.namedExprs(node, d), span };
      }
    }
  }

  /** A `unittest.mock.patch` decorator (also `.object`, `.dict`, `.multiple`, and the `mock` backport). */
  private isMockPatch(node: number): boolean {
    const callee = this.type(node) === 'call' ? this.field(node, this.f.function) : node;
    const q = callee === NONE ? undefined : this.qnameOf(callee);
    return q !== undefined && /^(?:unittest\.)?mock\.patch(?:\.\w+)?$/.test(q);
  }

  /** Like PythonModule.resolve, but with relative imports made absolute. */
  private qnameOf(node: number): string | undefined {
    let n = node;
    while (this.type(n) === 'parenthesized_expression') {
      const inner = this.firstNamedNotComment(n);
      if (inner === NONE) break;
      n = inner;
    }
    const type = this.type(n);
    if (type === 'identifier') return this.imports.get(this.text(n)) ?? this.module.resolve(this.node(n));
    if (type === 'attribute') {
      const object = this.field(n, this.f.object);
      const attr = this.field(n, this.f.attribute);
      if (object === NONE || attr === NONE) return undefined;
      const base = this.qnameOf(object);
      return base === undefined ? undefined : `${base}.${this.text(attr)}`;
    }
    return undefined;
  }

  private call(node: number, depth: number, span: SpanId): CallExpr {
    const f = this.f;
    const calleeNode = this.field(node, f.function);
    const callee = this.expr(calleeNode, depth);
    const args: Expr[] = [];
    const kwargs: { name: string; value: Expr }[] = [];
    const splats: Expr[] = [];
    const argNode = this.field(node, f.arguments);
    if (argNode !== NONE && this.type(argNode) === 'argument_list') {
      for (let a = this.first(argNode); a !== NONE; a = this.next[a]!) {
        if (!this.named(a)) continue;
        const type = this.type(a);
        if (type === 'comment') continue;
        if (type === 'keyword_argument') {
          const nameNode = this.field(a, f.name);
          const name = nameNode !== NONE ? this.text(nameNode) : undefined;
          if (name) kwargs.push({ name, value: this.expr(this.field(a, f.value), depth) });
        } else if (type === 'list_splat' || type === 'dictionary_splat') {
          splats.push(this.expr(this.firstNamed(a), depth));
        } else args.push(this.expr(a, depth));
      }
    } else if (argNode !== NONE) args.push(this.expr(argNode, depth));
    const qname = calleeNode !== NONE ? this.qnameOf(calleeNode) : undefined;
    return { k: 'call', callee, args: exact(args), kwargs: exact(kwargs), splats: exact(splats), qname, span };
  }
}

const FIELD_NAMES = [
  'alias', 'alternative', 'argument', 'arguments', 'attribute', 'body', 'condition', 'consequence', 'definition',
  'expression', 'function', 'key', 'left', 'name', 'object', 'operator', 'parameters', 'right', 'subject',
  'subscript', 'superclasses', 'value',
] as const;
type FieldName = (typeof FIELD_NAMES)[number];

/** Names declared `global` anywhere in a function body (not in nested functions). */
function collectGlobals(stmts: readonly Stmt[], out: Set<string>): void {
  for (const s of stmts) {
    switch (s.k) {
      case 'global':
        for (const n of s.names) out.add(n);
        break;
      case 'if':
      case 'while':
      case 'for':
        collectGlobals(s.body, out);
        collectGlobals(s.orelse, out);
        break;
      case 'try':
        collectGlobals(s.body, out);
        for (const h of s.handlers) collectGlobals(h.body, out);
        collectGlobals(s.orelse, out);
        collectGlobals(s.finally, out);
        break;
      case 'with':
        collectGlobals(s.body, out);
        break;
      default:
        break;
    }
  }
}
