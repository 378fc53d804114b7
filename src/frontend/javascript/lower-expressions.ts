import type { Node } from '../../parse/tree-sitter.js';
import type { CallExpr, ClassIR, Expr, FunctionIR, Param, SpanId, Stmt, Target } from '../../analysis/taint/ir.js';
import type { SpanTableBuilder } from '../../analysis/taint/spans.js';
import type { Budget } from '../../scheduling/budget.js';
import { resolveSpecifier, stringValue, type JavaScriptModule } from './module.js';
import { javascriptTaintSemantics, RECEIVER_CALLBACK_METHODS, SINK_GLOBALS, SINK_PROPERTIES } from './taint-semantics.js';
import { carriesNoText } from './types.js';

const COMPARISONS = new Set(['==', '===', '!=', '!==', '<', '>', '<=', '>=', 'instanceof', 'in']);
/** TypeScript wrappers that do not change the value. */
const TYPE_WRAPPERS = new Set(['as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion', 'parenthesized_expression']);

/**
 * Expressions, assignment targets and parameters of the JavaScript lowering. Statements that an
 * expression needs before it (a callback turned into a function, an assignment inside an
 * expression) are hoisted into `pending`, which the statement lowering flushes first.
 */
export abstract class ExpressionLowering {
  /** Statements hoisted out of the expressions of the statement being lowered. */
  protected pending: Stmt[] = [];
  /** Names declared in the enclosing functions, innermost last (they shadow imports and globals). */
  protected readonly scopes: Set<string>[] = [];
  protected readonly maxDepth = 400;
  private steps = 0;
  private temps = 0;
  private readonly identifiers = new Map<string, string>();
  /** Function nodes passed to a route registration (`app.post('/p', (req, res) => …)`). */
  protected readonly routeHandlers = new Set<Node>();

  constructor(
    protected readonly module: JavaScriptModule,
    protected readonly moduleName: string,
    protected readonly imports: Map<string, string>,
    protected readonly functions: FunctionIR[],
    protected readonly classes: ClassIR[],
    private readonly spans: SpanTableBuilder,
    private readonly budget: Budget,
  ) {}

  abstract lowerFunction(fn: FunctionIR, node: Node, depth: number): void;
  abstract functionIR(node: Node, name: string, qname: string, depth: number): FunctionIR;

  span(node: Node): SpanId {
    return this.spans.add(node.startIndex, node.endIndex);
  }

  protected tick(): void {
    if ((++this.steps & 1023) === 0) this.budget.check('the data-flow model');
  }

  protected identifier(node: Node): string {
    const text = node.text;
    const known = this.identifiers.get(text);
    if (known !== undefined) return known;
    this.identifiers.set(text, text);
    return text;
  }

  protected temp(): string {
    return `$t${++this.temps}`;
  }

  protected declare(name: string): void {
    this.scopes[this.scopes.length - 1]?.add(name);
  }

  private isLocal(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  protected resolveFrom(source: Node): string {
    return resolveSpecifier(stringValue(source), this.module.path);
  }

  /** The qualified name of a dotted expression through imports and globals (`cp.exec` → `child_process.exec`). */
  private qualified(e: Expr): string | undefined {
    if (e.k === 'name') return this.isLocal(e.name) ? undefined : this.imports.get(e.name);
    if (e.k === 'attr') {
      const base = this.qualified(e.object);
      return base === undefined ? undefined : `${base}.${e.attr}`;
    }
    return undefined;
  }

  /** Whether the head of a dotted expression is a library (a bare module specifier or a global), not a module of the scan. */
  private libraryHead(e: Expr): boolean {
    while (e.k === 'attr') e = e.object;
    if (e.k !== 'name' || this.isLocal(e.name)) return false;
    const spec = this.module.imports.has(e.name) ? this.module.imports.get(e.name)! : this.imports.get(e.name);
    if (spec === undefined) return false;
    return !this.module.importedLocally.has(e.name);
  }

  protected condition(node: Node | null, depth: number): Expr {
    if (!node) return { k: 'opaque', parts: [], span: 0 };
    return this.expr(node, depth);
  }

  protected opaque(node: Node, depth: number): Expr {
    const parts: Expr[] = [];
    for (const c of node.namedChildren) if (c.type !== 'comment') parts.push(this.expr(c, depth + 1));
    return { k: 'opaque', parts, span: this.span(node) };
  }

  expr(node: Node, depth: number): Expr {
    this.tick();
    const span = this.span(node);
    const d = depth + 1;
    if (d > this.maxDepth) return { k: 'opaque', parts: [], span };
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier':
        if (node.text === 'undefined') return { k: 'const', value: null, span };
        return { k: 'name', name: this.identifier(node), span };
      case 'this':
        return { k: 'name', name: 'this', span };
      case 'super':
        return { k: 'name', name: 'super', span };
      case 'number': {
        const n = Number(node.text.replace(/_/g, ''));
        return { k: 'const', value: Number.isFinite(n) ? n : node.text, span };
      }
      case 'string':
        return { k: 'const', value: stringValue(node), span };
      case 'regex':
        return { k: 'const', value: node.text, span };
      case 'true':
        return { k: 'const', value: true, span };
      case 'false':
        return { k: 'const', value: false, span };
      case 'null':
      case 'undefined':
        return { k: 'const', value: null, span };
      case 'template_string':
        return this.template(node, d);
      case 'member_expression': {
        const object = node.childForFieldName('object');
        const prop = node.childForFieldName('property');
        if (!object || !prop) return this.opaque(node, d);
        return { k: 'attr', object: this.expr(object, d), attr: this.identifier(prop), span };
      }
      case 'subscript_expression': {
        const object = node.childForFieldName('object');
        const index = node.childForFieldName('index');
        if (!object || !index) return this.opaque(node, d);
        return { k: 'subscript', object: this.expr(object, d), index: this.expr(index, d), span };
      }
      case 'call_expression':
        return this.call(node, node.childForFieldName('function'), node.childForFieldName('arguments'), d);
      case 'new_expression':
        return this.call(node, node.childForFieldName('constructor'), node.childForFieldName('arguments'), d);
      case 'await_expression':
      case 'spread_element': {
        // `await p` is what `p` resolves to: its taint passes through.
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.expr(inner, d) : { k: 'opaque', parts: [], span };
      }
      case 'sequence_expression': {
        const parts = node.namedChildren.filter((c) => c.type !== 'comment');
        for (const p of parts.slice(0, -1)) this.pending.push({ k: 'expr', expr: this.expr(p, d), span: this.span(p) });
        return parts.length > 0 ? this.expr(parts[parts.length - 1]!, d) : { k: 'opaque', parts: [], span };
      }
      case 'binary_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? '';
        if (!left || !right) return this.opaque(node, d);
        const l = this.expr(left, d);
        const r = this.expr(right, d);
        if (op === '&&') return { k: 'bool', op: 'and', left: l, right: r, span };
        if (op === '||' || op === '??') return { k: 'bool', op: 'or', left: l, right: r, span };
        if (COMPARISONS.has(op)) return { k: 'compare', ops: [op], operands: [l, r], span };
        return { k: 'binop', op, left: l, right: r, span };
      }
      case 'unary_expression': {
        const op = node.childForFieldName('operator')?.text ?? '';
        const arg = node.childForFieldName('argument');
        if (!arg) return this.opaque(node, d);
        if (op === '!') return { k: 'not', operand: this.expr(arg, d), span };
        // `typeof x` is a type name and `void x` undefined: no text of `x` passes.
        if (op === 'typeof' || op === 'void' || op === 'delete') return { k: 'opaque', parts: [], span };
        return { k: 'unary', op, operand: this.expr(arg, d), span };
      }
      case 'update_expression':
        return { k: 'opaque', parts: [], span };
      case 'ternary_expression': {
        const c = node.childForFieldName('condition');
        const t = node.childForFieldName('consequence');
        const f = node.childForFieldName('alternative');
        if (!c || !t || !f) return this.opaque(node, d);
        return { k: 'cond', test: this.expr(c, d), body: this.expr(t, d), orelse: this.expr(f, d), span };
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return this.opaque(node, d);
        const value = this.expr(right, d);
        if (left.type === 'identifier') return { k: 'walrus', target: { k: 'name', name: this.identifier(left), span: this.span(left) }, value, span };
        this.assign(left, value, d, this.pending, span);
        return this.expr(left, d);
      }
      case 'augmented_assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return this.opaque(node, d);
        const op = node.childForFieldName('operator')?.text.replace('=', '') ?? '+';
        this.pending.push({ k: 'augassign', target: this.target(left, d, this.pending), op, value: this.expr(right, d), span });
        return this.expr(left, d);
      }
      case 'object':
        return this.object(node, d);
      case 'array': {
        const elements = node.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.expr(c, d));
        return { k: 'container', kind: 'list', elements, span };
      }
      case 'arrow_function':
      case 'function_expression':
      case 'function':
      case 'generator_function':
        return { k: 'lambda', fn: this.lambda(node, d), span };
      case 'class': {
        // A class expression: defined where it is used.
        return { k: 'opaque', parts: [], span };
      }
      case 'jsx_element':
      case 'jsx_self_closing_element':
      case 'jsx_fragment':
        return this.jsx(node, d);
      default:
        if (TYPE_WRAPPERS.has(node.type)) {
          const inner = node.namedChildren.find((c) => c.type !== 'comment' && !c.type.endsWith('type') && c.type !== 'type_annotation');
          return inner ? this.expr(inner, d) : { k: 'opaque', parts: [], span };
        }
        return this.opaque(node, d);
    }
  }

  private template(node: Node, d: number): Expr {
    const span = this.span(node);
    const subs = node.namedChildren.filter((c) => c.type === 'template_substitution');
    if (subs.length === 0) return { k: 'const', value: node.text.slice(1, -1), span };
    const parts: Expr[] = [];
    for (const c of node.namedChildren) {
      if (c.type === 'template_substitution') {
        const inner = c.namedChildren.find((x) => x.type !== 'comment');
        if (inner) parts.push(this.expr(inner, d));
      } else if (c.type === 'string_fragment' || c.type === 'escape_sequence') parts.push({ k: 'const', value: c.text, span: this.span(c) });
    }
    return { k: 'format', parts, span };
  }

  private object(node: Node, d: number): Expr {
    const span = this.span(node);
    const elements: Expr[] = [];
    const keys: (Expr | null)[] = [];
    for (const p of node.namedChildren) {
      if (p.type === 'pair') {
        const key = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        if (!key || !value) continue;
        keys.push(this.key(key, d));
        elements.push(this.expr(value, d));
      } else if (p.type === 'shorthand_property_identifier') {
        keys.push({ k: 'const', value: p.text, span: this.span(p) });
        elements.push(this.expr(p, d));
      } else if (p.type === 'spread_element') {
        keys.push(null);
        elements.push(this.expr(p, d));
      } else if (p.type === 'method_definition') {
        const name = p.childForFieldName('name');
        keys.push(name ? this.key(name, d) : null);
        elements.push({ k: 'lambda', fn: this.lambda(p, d), span: this.span(p) });
      }
    }
    return { k: 'container', kind: 'dict', elements, keys, span };
  }

  private key(key: Node, d: number): Expr {
    if (key.type === 'computed_property_name') {
      const inner = key.namedChildren[0];
      return inner ? this.expr(inner, d) : { k: 'opaque', parts: [], span: this.span(key) };
    }
    if (key.type === 'number') return this.expr(key, d);
    return { k: 'const', value: key.type === 'string' ? stringValue(key) : key.text, span: this.span(key) };
  }

  protected lambda(node: Node, d: number): FunctionIR {
    const at = node.startPosition;
    const fn: FunctionIR = {
      name: '<lambda>',
      qname: `${this.moduleName}.<lambda>@${at.row + 1}:${at.column + 1}`,
      params: [],
      body: [],
      decorators: [],
      isStatic: false,
      isClassMethod: false,
      span: this.span(node),
      path: this.module.path,
      globals: new Set(),
    };
    this.lowerFunction(fn, node, d);
    return fn;
  }

  /** JSX: the embedded expressions' taint; `dangerouslySetInnerHTML={…}` is a setter call (a sink in the models). */
  private jsx(node: Node, d: number): Expr {
    const span = this.span(node);
    const parts: Expr[] = [];
    const visit = (n: Node): void => {
      for (const c of n.namedChildren) {
        if (c.type === 'jsx_expression') {
          const inner = c.namedChildren.find((x) => x.type !== 'comment');
          if (inner) parts.push(this.expr(inner, d));
        } else if (c.type === 'jsx_attribute') {
          const name = c.namedChildren[0]?.text;
          const value = c.namedChildren[1];
          const valueExpr = value?.type === 'jsx_expression' ? value.namedChildren.find((x) => x.type !== 'comment') : undefined;
          if ((name === 'dangerouslySetInnerHTML' || name === 'href' || name === 'src') && valueExpr) {
            const callee: Expr = { k: 'name', name: `${name}=`, span: this.span(c) };
            this.pending.push({ k: 'expr', expr: { k: 'call', callee, args: [this.expr(valueExpr, d)], kwargs: [], splats: [], qname: `jsx.${name}=`, span: this.span(c) }, span: this.span(c) });
          } else visit(c);
        } else if (c.type.startsWith('jsx_')) visit(c);
      }
    };
    visit(node);
    return { k: 'opaque', parts, span };
  }

  private call(node: Node, fnNode: Node | null, argsNode: Node | null, d: number): Expr {
    const span = this.span(node);
    if (!fnNode) return this.opaque(node, d);
    if (fnNode.type === 'import') return { k: 'opaque', parts: [], span }; // `import('m')`
    const callee = this.expr(fnNode, d);
    const args: Expr[] = [];
    const splats: Expr[] = [];
    const argNodes = argsNode ? (argsNode.type === 'template_string' ? [argsNode] : argsNode.namedChildren.filter((c) => c.type !== 'comment')) : [];
    // `p.then(v => …)`, `xs.map(x => …)`: the callback receives the receiver's data.
    if (callee.k === 'attr' && RECEIVER_CALLBACK_METHODS.has(callee.attr) && argNodes[0] && isFunction(argNodes[0])) {
      const name = this.temp();
      const fn = this.functionIR(argNodes[0], name, `${this.moduleName}.${name}`, d);
      this.pending.push({ k: 'def', fn, span: this.span(argNodes[0]) });
      this.declare(name);
      const rest = argNodes.slice(1).map((a) => this.expr(a, d));
      const forwarded: CallExpr = { k: 'call', callee: { k: 'name', name, span }, args: [callee.object], kwargs: [], splats: [], span };
      return rest.length > 0 ? { k: 'opaque', parts: [forwarded, ...rest], span } : forwarded;
    }
    if (callee.k === 'attr') {
      const first = argNodes[0]?.type === 'string' ? stringValue(argNodes[0]) : undefined;
      if (javascriptTaintSemantics.isRouteRegistration(callee.attr, first)) for (const a of argNodes) if (isFunction(a)) this.routeHandlers.add(a);
    }
    for (const a of argNodes) {
      if (a.type === 'spread_element') splats.push(this.expr(a, d));
      else args.push(this.expr(a, d));
    }
    const qname = this.qualified(callee);
    // A library call's trailing options object also gives keywords (`spawn(cmd, args, { shell: true })`).
    const kwargs: { name: string; value: Expr }[] = [];
    const last = args[args.length - 1];
    if (qname !== undefined && last?.k === 'container' && last.kind === 'dict' && this.libraryHead(callee)) {
      last.elements.forEach((value, i) => {
        const key = last.keys?.[i];
        if (key?.k === 'const' && typeof key.value === 'string') kwargs.push({ name: key.value, value });
      });
    }
    const call: CallExpr = { k: 'call', callee, args, kwargs, splats, span };
    if (qname !== undefined) call.qname = qname;
    return call;
  }

  // ---- targets -------------------------------------------------------------------------------

  /** Assign `value` to a target or destructuring pattern; appends to `out`. */
  assign(pattern: Node, value: Expr, d: number, out: Stmt[], span: SpanId): void {
    switch (pattern.type) {
      case 'identifier':
        this.declare(pattern.text);
        out.push({ k: 'assign', targets: [{ k: 'name', name: this.identifier(pattern), span: this.span(pattern) }], value, span });
        if (SINK_GLOBALS.has(pattern.text) && !this.isLocal(pattern.text)) out.push(this.setter({ k: 'name', name: pattern.text, span: this.span(pattern) }, value, span));
        return;
      case 'object_pattern':
      case 'array_pattern': {
        let source = value;
        if (value.k !== 'name') {
          const tmp = this.temp();
          out.push({ k: 'assign', targets: [{ k: 'name', name: tmp, span }], value, span });
          source = { k: 'name', name: tmp, span };
        }
        this.destructure(pattern, source, d, out, span);
        return;
      }
      case 'assignment_pattern': {
        const left = pattern.childForFieldName('left');
        const right = pattern.childForFieldName('right');
        if (left) this.assign(left, right ? { k: 'bool', op: 'or', left: value, right: this.expr(right, d), span } : value, d, out, span);
        return;
      }
      case 'rest_pattern': {
        const inner = pattern.namedChildren[0];
        if (inner) this.assign(inner, value, d, out, span);
        return;
      }
      default: {
        const target = this.target(pattern, d, out);
        out.push({ k: 'assign', targets: [target], value, span });
        if (target.k === 'attr' && SINK_PROPERTIES.has(target.attr)) out.push(this.setter({ k: 'attr', object: target.object, attr: target.attr, span: target.span }, value, span));
      }
    }
  }

  /** `el.innerHTML = v` also calls the setter `innerHTML=` (a sink in the models). */
  private setter(at: Expr, value: Expr, span: SpanId): Stmt {
    const callee: Expr = at.k === 'attr' ? { k: 'attr', object: at.object, attr: `${at.attr}=`, span: at.span } : { k: 'name', name: `${(at as { name: string }).name}=`, span: at.span };
    const base = this.qualified(at);
    const call: CallExpr = { k: 'call', callee, args: [value], kwargs: [], splats: [], span };
    if (base !== undefined) call.qname = `${base}=`;
    return { k: 'expr', expr: call, span };
  }

  private destructure(pattern: Node, source: Expr, d: number, out: Stmt[], span: SpanId): void {
    let index = 0;
    for (const p of pattern.namedChildren) {
      if (p.type === 'comment') continue;
      if (pattern.type === 'array_pattern') {
        const at = index++;
        if (p.type === 'rest_pattern') this.assign(p, source, d, out, span);
        else this.assign(p, { k: 'subscript', object: source, index: { k: 'const', value: at, span }, span: this.span(p) }, d, out, span);
        continue;
      }
      if (p.type === 'shorthand_property_identifier_pattern') {
        this.declare(p.text);
        out.push({ k: 'assign', targets: [{ k: 'name', name: this.identifier(p), span: this.span(p) }], value: { k: 'attr', object: source, attr: this.identifier(p), span: this.span(p) }, span });
      } else if (p.type === 'pair_pattern') {
        const key = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        if (!key || !value) continue;
        const read: Expr = key.type === 'computed_property_name' ? { k: 'subscript', object: source, index: this.key(key, d), span: this.span(p) } : { k: 'attr', object: source, attr: key.type === 'string' ? stringValue(key) : key.text, span: this.span(p) };
        this.assign(value, read, d, out, span);
      } else if (p.type === 'object_assignment_pattern') {
        const left = p.childForFieldName('left');
        const right = p.childForFieldName('right');
        if (!left) continue;
        const read: Expr = { k: 'attr', object: source, attr: left.text, span: this.span(p) };
        const value: Expr = right ? { k: 'bool', op: 'or', left: read, right: this.expr(right, d), span } : read;
        if (left.type === 'shorthand_property_identifier_pattern') {
          this.declare(left.text);
          out.push({ k: 'assign', targets: [{ k: 'name', name: this.identifier(left), span: this.span(left) }], value, span });
        } else this.assign(left, value, d, out, span);
      } else if (p.type === 'rest_pattern') this.assign(p, source, d, out, span);
    }
  }

  target(node: Node, d: number, out: Stmt[]): Target {
    const span = this.span(node);
    switch (node.type) {
      case 'identifier':
        this.declare(node.text);
        return { k: 'name', name: this.identifier(node), span };
      case 'member_expression': {
        const object = node.childForFieldName('object');
        const prop = node.childForFieldName('property');
        if (!object || !prop) return { k: 'opaque', span };
        return { k: 'attr', object: this.expr(object, d), attr: this.identifier(prop), span };
      }
      case 'subscript_expression': {
        const object = node.childForFieldName('object');
        const index = node.childForFieldName('index');
        if (!object || !index) return { k: 'opaque', span };
        return { k: 'subscript', object: this.expr(object, d), index: this.expr(index, d), span };
      }
      case 'parenthesized_expression':
      case 'non_null_expression':
      case 'as_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.target(inner, d, out) : { k: 'opaque', span };
      }
      default:
        return { k: 'opaque', span };
    }
  }

  // ---- parameters ----------------------------------------------------------------------------

  /**
   * One parameter. A destructured one gets a name of its own and the reads in `prologue`; one
   * whose TypeScript type carries no text (`number`, `boolean`, an enum, a literal union) is
   * converted with `Number()` at entry, which the models know as a sanitiser for every kind.
   */
  protected param(p: Node, d: number, prologue: Stmt[], patternName?: string): Param {
    const span = this.span(p);
    let pattern: Node = p;
    let type: Node | null = null;
    let defaultValue: Node | null = null;
    if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
      pattern = p.childForFieldName('pattern') ?? p;
      type = p.childForFieldName('type');
      defaultValue = p.childForFieldName('value');
    }
    if (pattern.type === 'assignment_pattern') {
      defaultValue = pattern.childForFieldName('right');
      pattern = pattern.childForFieldName('left') ?? pattern;
    }
    let param: Param;
    if (pattern.type === 'rest_pattern') {
      const inner = pattern.namedChildren[0];
      const name = inner?.type === 'identifier' ? inner.text : this.temp();
      this.declare(name);
      if (inner && inner.type !== 'identifier') this.assign(inner, { k: 'name', name, span }, d, prologue, span);
      return { name, kind: 'varargs', span };
    }
    if (pattern.type === 'identifier' || pattern.type === 'this') {
      this.declare(pattern.text);
      param = { name: this.identifier(pattern), kind: 'normal', span: this.span(pattern) };
    } else {
      const name = patternName ?? this.temp();
      this.declare(name);
      param = { name, kind: 'normal', span };
      this.assign(pattern, { k: 'name', name, span }, d, prologue, span);
    }
    if (defaultValue) param.default = this.expr(defaultValue, d);
    if (type && this.module.typed && carriesNoText(type, this.module.enums)) {
      const at = param.span ?? span;
      prologue.unshift({
        k: 'assign',
        targets: [{ k: 'name', name: param.name, span: at }],
        value: { k: 'call', callee: { k: 'name', name: 'Number', span: at }, args: [{ k: 'name', name: param.name, span: at }], kwargs: [], splats: [], qname: 'Number', span: at },
        span: at,
      });
    }
    return param;
  }
}

function isFunction(node: Node): boolean {
  return node.type === 'arrow_function' || node.type === 'function_expression' || node.type === 'function';
}
