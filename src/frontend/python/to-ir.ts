import type { Node } from '../../parse/tree-sitter.js';
import type { CallExpr, ClassIR, Expr, FunctionIR, ModuleIR, Param, Span, Stmt, Target } from '../../analysis/taint/ir.js';
import type { PythonModule } from './module.js';

/** Deeper nesting than this is summarised as opaque (keeps the converter's stack bounded). */
const MAX_DEPTH = 400;
const SPAN_TEXT_MAX = 120;

/** `pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`. */
export function moduleNameForPath(path: string): string {
  const parts = path.replace(/\\/g, '/').replace(/\.pyi?$|\.pyw$/, '').split('/').filter((p) => p && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

/** Resolve `.x` / `..x.y` imports against the importing module's package. */
function absoluteImport(qname: string, moduleName: string, isPackage: boolean): string {
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
export function pythonToIR(module: PythonModule): ModuleIR {
  const moduleName = moduleNameForPath(module.path);
  const isPackage = /(^|\/)__init__\.pyi?$/.test(module.path);
  const imports = new Map<string, string>();
  for (const [local, q] of module.imports) imports.set(local, absoluteImport(q, moduleName, isPackage));
  const functions: FunctionIR[] = [];
  const classes: ClassIR[] = [];
  const b = new Builder(module, imports, functions, classes);
  const top: FunctionIR = {
    name: '<module>',
    qname: moduleName || '<module>',
    params: [],
    body: b.block(module.root, moduleName, undefined, 0),
    decorators: [],
    isStatic: false,
    isClassMethod: false,
    span: b.span(module.root),
    path: module.path,
    globals: new Set(),
  };
  return { path: module.path, moduleName, imports, top, functions, classes };
}

class Builder {
  constructor(
    private readonly module: PythonModule,
    private readonly imports: Map<string, string>,
    private readonly functions: FunctionIR[],
    private readonly classes: ClassIR[],
  ) {}

  span(node: Node): Span {
    const s = node.startPosition;
    const e = node.endPosition;
    let text = node.text;
    if (text.length > SPAN_TEXT_MAX) text = `${text.slice(0, SPAN_TEXT_MAX - 1)}…`;
    return { line: s.row + 1, column: s.column + 1, endLine: e.row + 1, endColumn: e.column + 1, text };
  }

  /** Statements of a block-like node (module, block, clause bodies). */
  block(node: Node | null, scope: string, className: string | undefined, depth: number): Stmt[] {
    const out: Stmt[] = [];
    if (!node) return out;
    for (const child of node.namedChildren) {
      if (!child || child.type === 'comment') continue;
      this.statement(child, scope, className, depth + 1, out);
    }
    return out;
  }

  private statement(node: Node, scope: string, className: string | undefined, depth: number, out: Stmt[]): void {
    const span = this.span(node);
    if (depth > MAX_DEPTH) {
      out.push({ k: 'expr', expr: { k: 'opaque', parts: [], span }, span });
      return;
    }
    switch (node.type) {
      case 'expression_statement': {
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'assignment') this.assignment(child, depth, out);
          else if (child.type === 'augmented_assignment') {
            const left = child.childForFieldName('left');
            const right = child.childForFieldName('right');
            const op = child.childForFieldName('operator')?.text.replace('=', '') ?? '+';
            if (left && right) out.push({ k: 'augassign', target: this.target(left, depth), op, value: this.expr(right, depth), span });
          } else out.push({ k: 'expr', expr: this.expr(child, depth), span });
        }
        return;
      }
      case 'if_statement':
      case 'elif_clause': {
        const test = this.expr(node.childForFieldName('condition'), depth);
        const body = this.block(node.childForFieldName('consequence'), scope, className, depth);
        let orelse: Stmt[] = [];
        const alternatives = node.childrenForFieldName('alternative').filter((n): n is Node => !!n);
        if (alternatives.length > 0) {
          // Chain elif/else clauses as nested ifs.
          const [first, ...rest] = alternatives;
          orelse = this.alternative(first!, rest, scope, className, depth);
        }
        out.push({ k: 'if', test, body, orelse, span });
        return;
      }
      case 'for_statement': {
        const left = node.childForFieldName('left');
        out.push({
          k: 'for',
          target: left ? this.target(left, depth) : { k: 'opaque', span },
          iter: this.expr(node.childForFieldName('right'), depth),
          body: this.block(node.childForFieldName('body'), scope, className, depth),
          orelse: this.block(node.childForFieldName('alternative')?.childForFieldName('body') ?? null, scope, className, depth),
          span,
        });
        return;
      }
      case 'while_statement':
        out.push({
          k: 'while',
          test: this.expr(node.childForFieldName('condition'), depth),
          body: this.block(node.childForFieldName('body'), scope, className, depth),
          orelse: this.block(node.childForFieldName('alternative')?.childForFieldName('body') ?? null, scope, className, depth),
          span,
        });
        return;
      case 'try_statement': {
        const handlers: { name?: string; body: Stmt[] }[] = [];
        let orelse: Stmt[] = [];
        let fin: Stmt[] = [];
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'except_clause' || child.type === 'except_group_clause') {
            const value = child.childForFieldName('value') ?? child.namedChildren.find((c) => c?.type === 'as_pattern');
            const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.text : undefined;
            const blockNode = child.namedChildren.find((c) => c?.type === 'block') ?? null;
            handlers.push({ name: alias, body: this.block(blockNode, scope, className, depth) });
          } else if (child.type === 'else_clause') {
            orelse = this.block(child.childForFieldName('body'), scope, className, depth);
          } else if (child.type === 'finally_clause') {
            fin = this.block(child.namedChildren.find((c) => c?.type === 'block') ?? null, scope, className, depth);
          }
        }
        out.push({ k: 'try', body: this.block(node.childForFieldName('body'), scope, className, depth), handlers, orelse, finally: fin, span });
        return;
      }
      case 'with_statement': {
        const items: { value: Expr; target?: Target }[] = [];
        const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
        for (const item of clause?.namedChildren ?? []) {
          if (!item || item.type !== 'with_item') continue;
          const value = item.childForFieldName('value');
          if (!value) continue;
          if (value.type === 'as_pattern') {
            const inner = value.namedChildren[0];
            const alias = value.childForFieldName('alias');
            const targetNode = alias?.namedChildren[0] ?? alias;
            items.push({ value: this.expr(inner ?? null, depth), target: targetNode ? this.target(targetNode, depth) : undefined });
          } else items.push({ value: this.expr(value, depth) });
        }
        out.push({ k: 'with', items, body: this.block(node.childForFieldName('body'), scope, className, depth), span });
        return;
      }
      case 'decorated_definition': {
        const def = node.childForFieldName('definition');
        const decorators = node.namedChildren
          .filter((c): c is Node => c?.type === 'decorator')
          .map((d) => this.expr(d.namedChildren[0] ?? null, depth));
        if (def?.type === 'function_definition') {
          const fn = this.functionDef(def, scope, className, decorators, depth);
          out.push({ k: 'def', fn, span });
        } else if (def?.type === 'class_definition') {
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
        const value = node.namedChildren[0];
        out.push({ k: 'return', value: value ? this.expr(value, depth) : undefined, span });
        return;
      }
      case 'raise_statement': {
        const value = node.namedChildren[0];
        out.push({ k: 'raise', value: value ? this.expr(value, depth) : undefined, span });
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
      case 'global_statement':
        out.push({ k: 'global', names: node.namedChildren.filter((c): c is Node => c?.type === 'identifier').map((c) => c.text), span });
        return;
      case 'delete_statement':
        out.push({ k: 'delete', targets: node.namedChildren.filter((c): c is Node => !!c).map((c) => this.target(c, depth)), span });
        return;
      case 'assert_statement':
      case 'print_statement':
      case 'exec_statement':
        out.push({ k: 'expr', expr: { k: 'opaque', parts: node.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c, depth)), span }, span });
        return;
      case 'match_statement':
        // Patterns bind names in ways we do not model; keep the subject's calls visible.
        out.push({ k: 'expr', expr: this.expr(node.childForFieldName('subject'), depth), span });
        for (const block of node.descendantsOfType('block')) {
          if (block) out.push(...this.block(block, scope, className, depth));
        }
        return;
      default:
        // pass, import, future, type alias, errors: nothing flows.
        return;
    }
  }

  private alternative(node: Node, rest: Node[], scope: string, className: string | undefined, depth: number): Stmt[] {
    if (node.type === 'else_clause') return this.block(node.childForFieldName('body'), scope, className, depth);
    // elif: an if whose else is the remaining clauses.
    const span = this.span(node);
    const test = this.expr(node.childForFieldName('condition'), depth);
    const body = this.block(node.childForFieldName('consequence'), scope, className, depth);
    const [next, ...others] = rest;
    const orelse = next ? this.alternative(next, others, scope, className, depth + 1) : [];
    return [{ k: 'if', test, body, orelse, span }];
  }

  private assignment(node: Node, depth: number, out: Stmt[]): void {
    const span = this.span(node);
    // a = b = value parses as assignment(a, assignment(b, value)).
    const targets: Target[] = [];
    let current: Node | null = node;
    while (current && current.type === 'assignment') {
      const left = current.childForFieldName('left');
      if (left) targets.push(this.target(left, depth));
      const right = current.childForFieldName('right');
      if (!right) return; // annotation only: `x: int`
      current = right;
    }
    if (!current) return;
    out.push({ k: 'assign', targets, value: this.expr(current, depth), span });
  }

  target(node: Node, depth: number): Target {
    const span = this.span(node);
    switch (node.type) {
      case 'identifier':
        return { k: 'name', name: node.text, span };
      case 'attribute': {
        const object = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (object && attr) return { k: 'attr', object: this.expr(object, depth + 1), attr: attr.text, span };
        return { k: 'opaque', span };
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        const index = node.childForFieldName('subscript');
        if (value) return { k: 'subscript', object: this.expr(value, depth + 1), index: this.expr(index, depth + 1), span };
        return { k: 'opaque', span };
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
        return { k: 'unpack', targets: node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.target(c, depth + 1)), span };
      case 'list_splat_pattern':
      case 'list_splat': {
        const inner = node.namedChildren[0];
        return inner ? { k: 'starred', target: this.target(inner, depth + 1), span } : { k: 'opaque', span };
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.target(inner, depth + 1) : { k: 'opaque', span };
      }
      default:
        return { k: 'opaque', span };
    }
  }

  private params(node: Node | null, depth: number): Param[] {
    const out: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      if (!p) continue;
      const span = this.span(p);
      switch (p.type) {
        case 'identifier':
          out.push({ name: p.text, kind: 'normal', span });
          break;
        case 'typed_parameter': {
          const inner = p.namedChildren[0];
          if (inner?.type === 'list_splat_pattern') out.push({ name: inner.namedChildren[0]?.text ?? '', kind: 'varargs', span });
          else if (inner?.type === 'dictionary_splat_pattern') out.push({ name: inner.namedChildren[0]?.text ?? '', kind: 'kwargs', span });
          else if (inner) out.push({ name: inner.text, kind: 'normal', span: this.span(inner) });
          break;
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          const nameNode = p.childForFieldName('name');
          const value = p.childForFieldName('value');
          if (nameNode) out.push({ name: nameNode.text, kind: 'normal', default: value ? this.expr(value, depth) : undefined, span: this.span(nameNode) });
          break;
        }
        case 'list_splat_pattern':
          out.push({ name: p.namedChildren[0]?.text ?? '', kind: 'varargs', span });
          break;
        case 'dictionary_splat_pattern':
          out.push({ name: p.namedChildren[0]?.text ?? '', kind: 'kwargs', span });
          break;
        default:
          break; // `*` and `/` separators
      }
    }
    return out;
  }

  private functionDef(node: Node, scope: string, className: string | undefined, decorators: Expr[], depth: number): FunctionIR {
    const name = node.childForFieldName('name')?.text ?? '<anonymous>';
    const qname = scope ? `${scope}.${name}` : name;
    const decoratorNames = decorators.map((d) => (d.k === 'name' ? d.name : d.k === 'attr' ? d.attr : ''));
    const fn: FunctionIR = {
      name,
      qname,
      params: this.params(node.childForFieldName('parameters'), depth),
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
    fn.body = this.block(node.childForFieldName('body'), qname, undefined, depth);
    collectGlobals(fn.body, fn.globals);
    return fn;
  }

  private classDef(node: Node, scope: string, depth: number): ClassIR {
    const name = node.childForFieldName('name')?.text ?? '<class>';
    const qname = scope ? `${scope}.${name}` : name;
    const bases = (node.childForFieldName('superclasses')?.namedChildren ?? [])
      .filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment')
      .map((c) => this.expr(c, depth));
    const cls: ClassIR = { name, qname, bases, methods: new Map(), span: this.span(node) };
    this.classes.push(cls);
    const body = this.block(node.childForFieldName('body'), qname, name, depth);
    for (const s of body) if (s.k === 'def') cls.methods.set(s.fn.name, s.fn);
    return cls;
  }

  expr(node: Node | null | undefined, depth: number): Expr {
    if (!node) return { k: 'opaque', parts: [], span: { line: 0, column: 0, endLine: 0, endColumn: 0, text: '' } };
    const span = this.span(node);
    if (depth > MAX_DEPTH) return { k: 'opaque', parts: [], span };
    const d = depth + 1;
    const m = this.module;
    switch (node.type) {
      case 'identifier':
        return { k: 'name', name: node.text, span };
      case 'string':
      case 'concatenated_string': {
        const value = m.constantValue(node);
        if (value !== undefined) return { k: 'const', value, span };
        const parts: Expr[] = [];
        const strings = node.type === 'string' ? [node] : node.namedChildren.filter((c): c is Node => c?.type === 'string');
        for (const s of strings) {
          for (const c of s.namedChildren) {
            if (c?.type === 'interpolation') parts.push(this.expr(c.childForFieldName('expression'), d));
          }
        }
        return { k: 'format', parts, span };
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none': {
        const value = m.constantValue(node);
        return value === undefined ? { k: 'opaque', parts: [], span } : { k: 'const', value, span };
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expr(inner, d) : { k: 'opaque', parts: [], span };
      }
      case 'attribute': {
        const object = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!object || !attr) return { k: 'opaque', parts: [], span };
        return { k: 'attr', object: this.expr(object, d), attr: attr.text, span };
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        const indexes = node.childrenForFieldName('subscript').filter((c): c is Node => !!c);
        const index = indexes.length === 1 ? this.expr(indexes[0], d) : { k: 'opaque' as const, parts: indexes.map((i) => this.expr(i, d)), span };
        return { k: 'subscript', object: this.expr(value, d), index, span };
      }
      case 'call':
        return this.call(node, d, span);
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.text ?? '?';
        return { k: 'binop', op, left: this.expr(node.childForFieldName('left'), d), right: this.expr(node.childForFieldName('right'), d), span };
      }
      case 'unary_operator': {
        const value = m.constantValue(node);
        if (value !== undefined) return { k: 'const', value, span };
        return { k: 'unary', op: node.childForFieldName('operator')?.text ?? '?', operand: this.expr(node.childForFieldName('argument'), d), span };
      }
      case 'not_operator':
        return { k: 'not', operand: this.expr(node.childForFieldName('argument'), d), span };
      case 'boolean_operator': {
        const op = node.childForFieldName('operator')?.text === 'and' ? 'and' : 'or';
        return { k: 'bool', op, left: this.expr(node.childForFieldName('left'), d), right: this.expr(node.childForFieldName('right'), d), span };
      }
      case 'comparison_operator': {
        const operands: Expr[] = [];
        const ops: string[] = [];
        let pending = '';
        for (let i = 0; i < node.childCount; i++) {
          const c = node.child(i);
          if (!c) continue;
          if (c.isNamed) {
            if (c.type === 'comment') continue;
            if (pending) ops.push(pending.trim());
            pending = '';
            operands.push(this.expr(c, d));
          } else pending += ` ${c.type}`;
        }
        return { k: 'compare', ops, operands, span };
      }
      case 'conditional_expression': {
        const [body, test, orelse] = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        return { k: 'cond', test: this.expr(test, d), body: this.expr(body, d), orelse: this.expr(orelse, d), span };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return {
          k: 'container',
          kind: node.type === 'expression_list' ? 'tuple' : (node.type as 'list' | 'tuple' | 'set'),
          elements: node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c, d)),
          span,
        };
      case 'dictionary': {
        const elements: Expr[] = [];
        const keys: (Expr | null)[] = [];
        for (const pair of node.namedChildren) {
          if (!pair || pair.type === 'comment') continue;
          if (pair.type === 'pair') {
            keys.push(this.expr(pair.childForFieldName('key'), d));
            elements.push(this.expr(pair.childForFieldName('value'), d));
          } else {
            keys.push(null);
            elements.push(this.expr(pair.namedChildren[0] ?? null, d));
          }
        }
        return { k: 'container', kind: 'dict', elements, keys, span };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension': {
        const bodyNode = node.childForFieldName('body');
        let element: Expr;
        if (bodyNode?.type === 'pair') {
          element = { k: 'opaque', parts: [this.expr(bodyNode.childForFieldName('key'), d), this.expr(bodyNode.childForFieldName('value'), d)], span: this.span(bodyNode) };
        } else element = this.expr(bodyNode, d);
        const bindings: { target: Target; iter: Expr }[] = [];
        const conditions: Expr[] = [];
        for (const c of node.namedChildren) {
          if (c?.type === 'for_in_clause') {
            const left = c.childForFieldName('left');
            const right = c.childForFieldName('right');
            bindings.push({ target: left ? this.target(left, d) : { k: 'opaque', span }, iter: this.expr(right, d) });
          } else if (c?.type === 'if_clause') {
            conditions.push(this.expr(c.namedChildren[0] ?? null, d));
          }
        }
        return { k: 'comprehension', bindings, element, conditions, span };
      }
      case 'lambda': {
        const fn: FunctionIR = {
          name: '<lambda>',
          qname: `${moduleNameForPath(m.path)}.<lambda>@${span.line}:${span.column}`,
          params: this.params(node.childForFieldName('parameters'), d),
          body: [],
          decorators: [],
          isStatic: false,
          isClassMethod: false,
          span,
          path: m.path,
          globals: new Set(),
        };
        const body = node.childForFieldName('body');
        fn.body = body ? [{ k: 'return', value: this.expr(body, d), span: this.span(body) }] : [];
        return { k: 'lambda', fn, span };
      }
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'keyword_argument':
      case 'named_expression':
      case 'slice':
      case 'yield':
      case 'as_pattern':
      default: {
        if (node.type === 'named_expression') {
          // (x := value): an assignment inside an expression.
          const name = node.childForFieldName('name');
          const value = this.expr(node.childForFieldName('value'), d);
          return name ? { k: 'walrus', target: this.target(name, d), value, span } : value;
        }
        if (node.type === 'await') return this.expr(node.namedChildren[0] ?? null, d);
        return { k: 'opaque', parts: node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c, d)), span };
      }
    }
  }

  /** Like PythonModule.resolve, but with relative imports made absolute. */
  private qnameOf(node: Node): string | undefined {
    const n = this.module.unwrap(node);
    if (n.type === 'identifier') return this.imports.get(n.text) ?? this.module.resolve(n);
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute');
      if (!object || !attr) return undefined;
      const base = this.qnameOf(object);
      return base === undefined ? undefined : `${base}.${attr.text}`;
    }
    return undefined;
  }

  private call(node: Node, depth: number, span: Span): CallExpr {
    const m = this.module;
    const calleeNode = node.childForFieldName('function');
    const callee = this.expr(calleeNode, depth);
    const args: Expr[] = [];
    const kwargs: { name: string; value: Expr }[] = [];
    const splats: Expr[] = [];
    const argNode = node.childForFieldName('arguments');
    if (argNode?.type === 'argument_list') {
      for (const a of argNode.namedChildren) {
        if (!a || a.type === 'comment') continue;
        if (a.type === 'keyword_argument') {
          const name = a.childForFieldName('name')?.text;
          if (name) kwargs.push({ name, value: this.expr(a.childForFieldName('value'), depth) });
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
          splats.push(this.expr(a.namedChildren[0] ?? null, depth));
        } else args.push(this.expr(a, depth));
      }
    } else if (argNode) args.push(this.expr(argNode, depth));
    const qname = calleeNode ? this.qnameOf(calleeNode) : undefined;
    return { k: 'call', callee, args, kwargs, splats, qname, span };
  }
}

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
