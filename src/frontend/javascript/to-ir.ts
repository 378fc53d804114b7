import type { Node } from '../../parse/tree-sitter.js';
import type { ClassIR, Expr, FunctionIR, ModuleIR, Param, Stmt, Target } from '../../analysis/taint/ir.js';
import { SpanTableBuilder } from '../../analysis/taint/spans.js';
import { Budget } from '../../scheduling/budget.js';
import { jsModuleNameForPath, type JavaScriptModule } from './module.js';
import { JS_GLOBALS } from './globals.js';
import { ExpressionLowering } from './lower-expressions.js';

/**
 * Lower a parsed JavaScript/TypeScript module to the taint engine's IR. Statements follow the
 * Python front end's shapes (structured if/loops/try, functions, classes); what JavaScript adds
 * is mapped onto them: `const f = () => …` is a function definition, destructuring is a series
 * of attribute and subscript reads, template literals are `format` parts, `await` passes its
 * value through, a method's receiver is a first parameter `this`, and CommonJS/ES exports name
 * the functions they export (`module.exports = { run }` makes `run` callable as `mod.run`).
 */
export function javascriptToIR(module: JavaScriptModule, budget: Budget = Budget.none): ModuleIR {
  const moduleName = jsModuleNameForPath(module.path);
  const imports = new Map<string, string>(module.imports);
  // Globals the models speak of resolve to themselves (`eval`, `document`), unless shadowed.
  for (const g of JS_GLOBALS) if (!imports.has(g) && !module.topLevelNames.has(g)) imports.set(g, g);
  const functions: FunctionIR[] = [];
  const classes: ClassIR[] = [];
  const spans = new SpanTableBuilder(module.source, module.syntax.rowStarts());
  const lowering = new StatementLowering(module, moduleName, imports, functions, classes, spans, budget);
  const top: FunctionIR = {
    name: '<module>',
    qname: moduleName || '<module>',
    params: [],
    body: [],
    decorators: [],
    isStatic: false,
    isClassMethod: false,
    span: lowering.span(module.root),
    path: module.path,
    globals: new Set(),
  };
  top.body = lowering.topLevel(module.root);
  lowering.finishExports();
  return { path: module.path, moduleName, imports, top, functions, classes, spans: spans.finish(), language: 'javascript' };
}

/** Statements, functions, classes and exports (expressions are ExpressionLowering's). */
export class StatementLowering extends ExpressionLowering {
  /** Exported names that denote a top-level function under another local name: qualified name → local name. */
  private readonly aliases: { qname: string; local: string }[] = [];
  /** Top-level functions by local name. */
  private readonly topFunctions = new Map<string, FunctionIR>();

  topLevel(root: Node): Stmt[] {
    return this.block(root.namedChildren, this.moduleName, 0, true);
  }

  /** Make exported aliases callable by their exported names (`module.exports = { run: runCommand }`). */
  finishExports(): void {
    for (const { qname, local } of this.aliases) {
      const fn = this.topFunctions.get(local);
      if (!fn || fn.qname === qname || this.functions.some((f) => f.qname === qname)) continue;
      this.functions.push({ ...fn, qname, name: qname.slice(qname.lastIndexOf('.') + 1) || fn.name });
    }
  }

  /** Lower a list of statement nodes, flushing the statements their expressions hoisted. */
  block(nodes: readonly Node[], scope: string, depth: number, top = false): Stmt[] {
    const out: Stmt[] = [];
    const saved = this.pending;
    for (const node of nodes) {
      if (!node.isNamed || node.type === 'comment') continue;
      this.pending = [];
      const stmts: Stmt[] = [];
      this.statement(node, scope, depth + 1, stmts, top);
      out.push(...this.pending, ...stmts);
    }
    this.pending = saved;
    return out;
  }

  private body(node: Node | null, scope: string, depth: number): Stmt[] {
    if (!node) return [];
    if (node.type === 'statement_block') return this.block(node.namedChildren, scope, depth);
    return this.block([node], scope, depth);
  }

  private statement(node: Node, scope: string, depth: number, out: Stmt[], top: boolean): void {
    this.tick();
    const span = this.span(node);
    if (depth > this.maxDepth) {
      out.push({ k: 'expr', expr: { k: 'opaque', parts: [], span }, span });
      return;
    }
    switch (node.type) {
      case 'expression_statement': {
        const e = node.namedChildren.find((c) => c.type !== 'comment');
        if (!e) return;
        if (top && this.commonJsExport(e, scope, depth, out)) return;
        this.expressionStatement(e, scope, depth, out);
        return;
      }
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const d of node.namedChildren) if (d.type === 'variable_declarator') this.declarator(d, scope, depth, out, top);
        return;
      case 'function_declaration':
      case 'generator_function_declaration': {
        const name = node.childForFieldName('name')?.text ?? '<anonymous>';
        const fn = this.functionIR(node, name, `${scope}.${name}`, depth);
        this.declare(name);
        if (top) this.topFunctions.set(name, fn);
        out.push({ k: 'def', fn, span });
        return;
      }
      case 'class_declaration':
      case 'abstract_class_declaration': {
        const cls = this.classIR(node, scope, depth);
        this.declare(cls.name);
        out.push({ k: 'class', cls, span });
        return;
      }
      case 'if_statement': {
        const test = this.condition(node.childForFieldName('condition'), depth);
        const body = this.body(node.childForFieldName('consequence'), scope, depth);
        const alt = node.childForFieldName('alternative');
        const orelse = alt ? this.body(alt.namedChildren.find((c) => c.type !== 'comment') ?? null, scope, depth) : [];
        out.push({ k: 'if', test, body, orelse, span });
        return;
      }
      case 'for_statement': {
        const init = node.childForFieldName('initializer');
        if (init) this.statement(init, scope, depth, out, false);
        const cond = node.childForFieldName('condition');
        const test: Expr = cond && cond.type !== 'empty_statement' ? this.expr(cond.type === 'expression_statement' ? cond.namedChildren[0] ?? cond : cond, depth) : { k: 'opaque', parts: [], span };
        const body = this.body(node.childForFieldName('body'), scope, depth);
        const inc = node.childForFieldName('increment');
        if (inc) body.push({ k: 'expr', expr: this.expr(inc, depth), span: this.span(inc) });
        out.push({ k: 'while', test, body, orelse: [], span });
        return;
      }
      case 'for_in_statement': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const iter = right ? this.expr(right, depth) : { k: 'opaque' as const, parts: [], span };
        const pre: Stmt[] = [];
        const target = left ? this.loopTarget(left, depth, pre) : ({ k: 'opaque', span } as Target);
        const body = [...pre, ...this.body(node.childForFieldName('body'), scope, depth)];
        out.push({ k: 'for', target, iter, body, orelse: [], span });
        return;
      }
      case 'while_statement':
        out.push({ k: 'while', test: this.condition(node.childForFieldName('condition'), depth), body: this.body(node.childForFieldName('body'), scope, depth), orelse: [], span });
        return;
      case 'do_statement': {
        const body = this.body(node.childForFieldName('body'), scope, depth);
        out.push(...body);
        out.push({ k: 'while', test: this.condition(node.childForFieldName('condition'), depth), body: this.body(node.childForFieldName('body'), scope, depth), orelse: [], span });
        return;
      }
      case 'try_statement': {
        const body = this.body(node.childForFieldName('body'), scope, depth);
        const handler = node.childForFieldName('handler');
        const handlers: { name?: string; body: Stmt[] }[] = [];
        if (handler) {
          const param = handler.childForFieldName('parameter');
          handlers.push({ name: param?.type === 'identifier' ? param.text : undefined, body: this.body(handler.childForFieldName('body'), scope, depth) });
        }
        const fin = node.childForFieldName('finalizer');
        out.push({ k: 'try', body, handlers, orelse: [], finally: fin ? this.body(fin.childForFieldName('body'), scope, depth) : [], span });
        return;
      }
      case 'switch_statement': {
        const value = this.condition(node.childForFieldName('value'), depth);
        const cases = node.childForFieldName('body')?.namedChildren.filter((c) => c.type === 'switch_case' || c.type === 'switch_default') ?? [];
        let orelse: Stmt[] = [];
        for (const c of [...cases].reverse()) {
          const stmts = c.childrenForFieldName('body');
          const body = withoutSwitchBreaks(this.block(stmts.length > 0 ? stmts : c.namedChildren.slice(c.type === 'switch_case' ? 1 : 0), scope, depth));
          const v = c.childForFieldName('value');
          if (!v) orelse = [...body, ...orelse];
          else orelse = [{ k: 'if', test: { k: 'compare', ops: ['==='], operands: [value, this.expr(v, depth)], span: this.span(c) }, body, orelse, span: this.span(c) }];
        }
        out.push(...orelse);
        return;
      }
      case 'return_statement': {
        const v = node.namedChildren.find((c) => c.type !== 'comment');
        out.push(v ? { k: 'return', value: this.expr(v, depth), span } : { k: 'return', span });
        return;
      }
      case 'throw_statement': {
        const v = node.namedChildren.find((c) => c.type !== 'comment');
        out.push({ k: 'raise', value: v ? this.expr(v, depth) : undefined, span });
        return;
      }
      case 'break_statement':
        out.push({ k: 'break', span });
        return;
      case 'continue_statement':
        out.push({ k: 'continue', span });
        return;
      case 'statement_block':
        out.push(...this.block(node.namedChildren, scope, depth));
        return;
      case 'labeled_statement': {
        const b = node.childForFieldName('body');
        if (b) this.statement(b, scope, depth, out, top);
        return;
      }
      case 'export_statement':
        this.exportStatement(node, scope, depth, out, top);
        return;
      case 'import_statement':
      case 'empty_statement':
      case 'debugger_statement':
      case 'type_alias_declaration':
      case 'interface_declaration':
      case 'enum_declaration':
      case 'ambient_declaration':
      case 'function_signature':
      case 'import_alias':
        return;
      default: {
        // Namespaces and anything else: the statements inside, or the expression's parts.
        const inner = node.childForFieldName('body');
        if (inner?.type === 'statement_block') out.push(...this.block(inner.namedChildren, scope, depth));
        else out.push({ k: 'expr', expr: this.opaque(node, depth), span });
      }
    }
  }

  private expressionStatement(e: Node, scope: string, depth: number, out: Stmt[]): void {
    const span = this.span(e);
    if (e.type === 'assignment_expression') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (!left || !right) return;
      if (left.type === 'identifier' && isFunctionNode(right)) {
        const fn = this.functionIR(right, left.text, `${scope}.${left.text}`, depth);
        out.push({ k: 'def', fn, span });
        return;
      }
      this.assign(left, this.expr(right, depth), depth, out, span);
      return;
    }
    if (e.type === 'augmented_assignment_expression') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const op = e.childForFieldName('operator')?.text.replace('=', '') ?? '+';
      if (left && right) out.push({ k: 'augassign', target: this.target(left, depth, out), op, value: this.expr(right, depth), span });
      return;
    }
    out.push({ k: 'expr', expr: this.expr(e, depth), span });
  }

  private declarator(d: Node, scope: string, depth: number, out: Stmt[], top: boolean): void {
    const name = d.childForFieldName('name');
    const value = d.childForFieldName('value');
    if (!name) return;
    // `const cp = require('child_process')` is an import (the module's import table has it).
    if (value && this.module.requiredName(value) !== undefined) return;
    const span = this.span(d);
    if (name.type === 'identifier') {
      this.declare(name.text);
      if (value && isFunctionNode(value)) {
        const fn = this.functionIR(value, name.text, `${scope}.${name.text}`, depth);
        if (top) this.topFunctions.set(name.text, fn);
        out.push({ k: 'def', fn, span });
        return;
      }
      if (value && (value.type === 'class' )) {
        const cls = this.classIR(value, scope, depth, name.text);
        out.push({ k: 'class', cls, span });
        return;
      }
    }
    this.assign(name, value ? this.expr(value, depth) : { k: 'const', value: null, span }, depth, out, span);
  }

  /** `for (const x of xs)` / `for (const { a } of xs)`: the loop target, and destructuring reads before the body. */
  private loopTarget(left: Node, depth: number, pre: Stmt[]): Target {
    const pattern = left.type === 'lexical_declaration' || left.type === 'variable_declaration' ? left.namedChildren[0]?.childForFieldName('name') ?? left.namedChildren[0] : left;
    if (!pattern) return { k: 'opaque', span: this.span(left) };
    if (pattern.type === 'identifier') {
      this.declare(pattern.text);
      return { k: 'name', name: this.identifier(pattern), span: this.span(pattern) };
    }
    const tmp = this.temp();
    this.assign(pattern, { k: 'name', name: tmp, span: this.span(pattern) }, depth, pre, this.span(pattern));
    return { k: 'name', name: tmp, span: this.span(pattern) };
  }

  // ---- exports ------------------------------------------------------------------------------

  /** `module.exports = …`, `module.exports.x = …`, `exports.x = …` at the top level. */
  private commonJsExport(e: Node, scope: string, depth: number, out: Stmt[]): boolean {
    if (e.type !== 'assignment_expression') return false;
    const left = e.childForFieldName('left');
    let right = e.childForFieldName('right');
    if (!left || !right) return false;
    const exported = exportPath(left);
    if (exported === undefined) return false;
    // `exports = module.exports = x`
    while (right.type === 'assignment_expression' && exportPath(right.childForFieldName('left')!) !== undefined) right = right.childForFieldName('right')!;
    const span = this.span(e);
    const qname = exported ? `${this.moduleName}.${exported}` : this.moduleName;
    if (isFunctionNode(right)) {
      const fn = this.functionIR(right, exported || 'default', qname, depth);
      out.push({ k: 'def', fn, span });
      return true;
    }
    if (right.type === 'identifier') this.aliases.push({ qname, local: right.text });
    if (right.type === 'object' && !exported) {
      for (const p of right.namedChildren) {
        if (p.type === 'shorthand_property_identifier') this.aliases.push({ qname: `${this.moduleName}.${p.text}`, local: p.text });
        else if (p.type === 'pair') {
          const key = p.childForFieldName('key');
          const value = p.childForFieldName('value');
          if (!key || !value) continue;
          const k = key.type === 'string' ? key.text.slice(1, -1) : key.text;
          if (isFunctionNode(value)) out.push({ k: 'def', fn: this.functionIR(value, k, `${this.moduleName}.${k}`, depth), span: this.span(p) });
          else if (value.type === 'identifier') this.aliases.push({ qname: `${this.moduleName}.${k}`, local: value.text });
        } else if (p.type === 'method_definition') {
          const k = p.childForFieldName('name')?.text ?? '<anonymous>';
          out.push({ k: 'def', fn: this.functionIR(p, k, `${this.moduleName}.${k}`, depth), span: this.span(p) });
        }
      }
    }
    void scope;
    this.assign(left, this.expr(right, depth), depth, out, span);
    return true;
  }

  private exportStatement(node: Node, scope: string, depth: number, out: Stmt[], top: boolean): void {
    const span = this.span(node);
    const declaration = node.childForFieldName('declaration');
    if (declaration) {
      this.statement(declaration, scope, depth, out, top);
      return;
    }
    const value = node.childForFieldName('value');
    const isDefault = node.children.some((c) => c.type === 'default');
    if (value && isDefault) {
      if (isFunctionNode(value) || value.type === 'function_declaration' || value.type === 'generator_function_declaration') {
        const local = value.childForFieldName('name')?.text;
        const fn = this.functionIR(value, local ?? 'default', this.moduleName, depth);
        if (local) this.topFunctions.set(local, fn);
        out.push({ k: 'def', fn, span });
      } else if (value.type === 'identifier') {
        this.aliases.push({ qname: this.moduleName, local: value.text });
      } else out.push({ k: 'assign', targets: [{ k: 'name', name: 'default', span }], value: this.expr(value, depth), span });
      return;
    }
    const clause = node.namedChildren.find((c) => c.type === 'export_clause');
    const source = node.childForFieldName('source');
    if (!clause) return; // `export * from './x'`: the names are not known here
    for (const spec of clause.namedChildren) {
      if (spec.type !== 'export_specifier') continue;
      const name = spec.childForFieldName('name')?.text;
      const alias = spec.childForFieldName('alias')?.text ?? name;
      if (!name || !alias) continue;
      const qname = alias === 'default' ? this.moduleName : `${this.moduleName}.${alias}`;
      if (!source) {
        this.aliases.push({ qname, local: name });
        continue;
      }
      // A re-export: a function of this module's name that passes its arguments on.
      const target = `${this.resolveFrom(source)}${name === 'default' ? '' : `.${name}`}`;
      this.functions.push(this.forwarder(alias === 'default' ? 'default' : alias, qname, target, spec));
    }
  }

  /** `export { run } from './x'`: `function run(...args) { return x.run(...args) }` under this module's name. */
  private forwarder(name: string, qname: string, target: string, at: Node): FunctionIR {
    const span = this.span(at);
    const local = `$reexport$${name}`;
    this.imports.set(local, target);
    const args: Expr = { k: 'name', name: 'args', span };
    const call: Expr = { k: 'call', callee: { k: 'name', name: local, span }, args: [], kwargs: [], splats: [args], qname: target, span };
    return { name, qname, params: [{ name: 'args', kind: 'varargs', span }], body: [{ k: 'return', value: call, span }], decorators: [], isStatic: false, isClassMethod: false, span, path: this.module.path, globals: new Set() };
  }

  // ---- functions and classes ---------------------------------------------------------------

  functionIR(node: Node, name: string, qname: string, depth: number, className?: string, isStatic = false): FunctionIR {
    const fn: FunctionIR = {
      name,
      qname,
      params: [],
      body: [],
      decorators: [],
      className,
      isStatic,
      isClassMethod: false,
      span: this.span(node),
      path: this.module.path,
      globals: new Set(),
    };
    if (name !== '<lambda>') this.functions.push(fn);
    this.lowerFunction(fn, node, depth);
    return fn;
  }

  /** Parameters and body of a function node into `fn` (for functions and lambdas alike). */
  lowerFunction(fn: FunctionIR, node: Node, depth: number): void {
    this.scopes.push(new Set());
    const prologue: Stmt[] = [];
    const params: Param[] = [];
    if (fn.className !== undefined && !fn.isStatic) params.push({ name: 'this', kind: 'normal', span: fn.span });
    const single = node.childForFieldName('parameter');
    if (single) params.push(this.param(single, depth, prologue));
    const list = node.childForFieldName('parameters');
    // A route handler's destructured request (`({ body }, res) => …`) is read from a parameter `req`.
    const handler = this.routeHandlers.has(node);
    for (const p of list?.namedChildren ?? []) if (p.type !== 'comment') params.push(this.param(p, depth, prologue, handler && params.length === 0 ? 'req' : undefined));
    fn.params = params;
    const body = node.childForFieldName('body');
    const saved = this.pending;
    this.pending = [];
    let stmts: Stmt[];
    if (!body) stmts = [];
    else if (body.type === 'statement_block') stmts = this.block(body.namedChildren, fn.qname, depth);
    else {
      const value = this.expr(body, depth);
      stmts = [...this.pending, { k: 'return', value, span: this.span(body) }];
    }
    this.pending = saved;
    fn.body = [...prologue, ...stmts];
    this.scopes.pop();
  }

  private classIR(node: Node, scope: string, depth: number, givenName?: string): ClassIR {
    const name = givenName ?? node.childForFieldName('name')?.text ?? '<class>';
    const qname = `${scope}.${name}`;
    const bases: Expr[] = [];
    const heritage = node.namedChildren.find((c) => c.type === 'class_heritage');
    for (const h of heritage?.namedChildren ?? []) {
      if (h.type === 'extends_clause') for (const v of h.childrenForFieldName('value')) bases.push(this.expr(v, depth));
      else if (h.type !== 'implements_clause' && h.type !== 'comment') bases.push(this.expr(h, depth));
    }
    const cls: ClassIR = { name, qname, bases, methods: new Map(), span: this.span(node) };
    this.classes.push(cls);
    const fieldInits: Stmt[] = [];
    for (const member of node.childForFieldName('body')?.namedChildren ?? []) {
      if (member.type === 'method_definition') {
        const mname = member.childForFieldName('name')?.text ?? '<anonymous>';
        const isStatic = member.children.some((c) => c.type === 'static');
        const fn = this.functionIR(member, mname, `${qname}.${mname}`, depth, name, isStatic);
        // The engine initialises instances through `__init__` (see taint-semantics.ts).
        cls.methods.set(mname === 'constructor' ? '__init__' : mname, fn);
      } else if (member.type === 'field_definition' || member.type === 'public_field_definition') {
        const prop = member.childForFieldName('property') ?? member.childForFieldName('name');
        const value = member.childForFieldName('value');
        if (!prop || !value || member.children.some((c) => c.type === 'static')) continue;
        const span = this.span(member);
        fieldInits.push({ k: 'assign', targets: [{ k: 'attr', object: { k: 'name', name: 'this', span }, attr: prop.text, span }], value: this.expr(value, depth), span });
      }
    }
    if (fieldInits.length > 0) {
      const init = cls.methods.get('__init__');
      if (init) init.body = [...fieldInits, ...init.body];
      else {
        const fn: FunctionIR = { name: 'constructor', qname: `${qname}.constructor`, params: [{ name: 'this', kind: 'normal', span: cls.span }], body: fieldInits, decorators: [], className: name, isStatic: false, isClassMethod: false, span: cls.span, path: this.module.path, globals: new Set() };
        this.functions.push(fn);
        cls.methods.set('__init__', fn);
      }
    }
    return cls;
  }
}

/** A case body without the `break`s that leave the switch (those inside loops leave the loop). */
function withoutSwitchBreaks(stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const st of stmts) {
    if (st.k === 'break') continue;
    if (st.k === 'if') out.push({ ...st, body: withoutSwitchBreaks(st.body), orelse: withoutSwitchBreaks(st.orelse) });
    else if (st.k === 'try') out.push({ ...st, body: withoutSwitchBreaks(st.body), handlers: st.handlers.map((h) => ({ ...h, body: withoutSwitchBreaks(h.body) })), finally: withoutSwitchBreaks(st.finally) });
    else out.push(st);
  }
  return out;
}

/** Function and arrow expressions (what `const f = …` makes a function definition of). */
export function isFunctionNode(node: Node): boolean {
  return node.type === 'arrow_function' || node.type === 'function_expression' || node.type === 'function' || node.type === 'generator_function';
}

/** `module.exports` → '', `module.exports.x` / `exports.x` → 'x'; anything else undefined. */
function exportPath(left: Node): string | undefined {
  if (left.type === 'identifier') return left.text === 'exports' ? '' : undefined;
  if (left.type !== 'member_expression') return undefined;
  const object = left.childForFieldName('object');
  const prop = left.childForFieldName('property')?.text;
  if (!object || !prop) return undefined;
  if (object.type === 'identifier' && object.text === 'module' && prop === 'exports') return '';
  if (object.type === 'identifier' && object.text === 'exports') return prop;
  if (object.type === 'member_expression' && object.childForFieldName('object')?.text === 'module' && object.childForFieldName('property')?.text === 'exports') return prop;
  return undefined;
}
