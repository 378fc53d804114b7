import { NO_SPAN, type CallExpr, type Expr, type FunctionIR, type Param, type SpanId, type Target } from '../../analysis/taint/ir.js';
import { moduleNameForPath } from './module-names.js';
import { exact, MAX_DEPTH, NONE, TreeReader } from './ir-tree.js';
import { rewriteCall, sequenceRepeat } from './ir-synthetic.js';

/** Lowering of Python expressions, assignment targets and parameter lists to the IR. */
export class ExpressionLowering extends TreeReader {
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

  protected params(node: number, depth: number): Param[] {
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

  // ---- expressions --------------------------------------------------------------------------

  /** Every named child except comments, as expressions. */
  protected namedExprs(node: number, depth: number): Expr[] {
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
        const left = this.expr(this.field(node, f.left), d);
        const right = this.expr(this.field(node, f.right), d);
        return (op === '*' && sequenceRepeat(left, right, span)) || { k: 'binop', op, left, right, span };
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
  protected isMockPatch(node: number): boolean {
    const callee = this.type(node) === 'call' ? this.field(node, this.f.function) : node;
    const q = callee === NONE ? undefined : this.qnameOf(callee);
    return q !== undefined && /^(?:unittest\.)?mock\.patch(?:\.\w+)?$/.test(q);
  }

  /** Like PythonModule.resolve, but with relative imports made absolute. */
  protected qnameOf(node: number): string | undefined {
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

  protected call(node: number, depth: number, span: SpanId): Expr {
    const f = this.f;
    const calleeNode = this.field(node, f.function);
    const callee = this.expr(calleeNode, depth);
    const args: Expr[] = [];
    const kwargs: { name: string; value: Expr }[] = [];
    const splats: Expr[] = [];
    const keywordSplats = new Set<Expr>();
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
          const splat = this.expr(this.firstNamed(a), depth);
          splats.push(splat);
          if (type === 'dictionary_splat') keywordSplats.add(splat);
        } else args.push(this.expr(a, depth));
      }
    } else if (argNode !== NONE) args.push(this.expr(argNode, depth));
    const qname = calleeNode !== NONE ? this.qnameOf(calleeNode) : undefined;
    return rewriteCall({ k: 'call', callee, args: exact(args), kwargs: exact(kwargs), splats: exact(splats), qname, span }, keywordSplats);
  }
}
