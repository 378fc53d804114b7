import { type CallExpr, type ClassIR, type Expr, type FunctionIR, type ModuleIR, type SpanId, type Stmt, type Target } from '../../analysis/taint/ir.js';
import type { PythonModule } from './module.js';
import { Budget } from '../../scheduling/budget.js';
// Python's semantics for the taint engine, registered for the modules built here.
import './taint-semantics.js';
import { absoluteImport, moduleNameForPath } from './module-names.js';
import { exact, MAX_DEPTH, NONE } from './ir-tree.js';
import { PatternLowering } from './ir-match.js';
import { alwaysExits, compiledPattern, guardSteps } from './ir-guards.js';
import { caughtException, containerClass, containerStore } from './ir-synthetic.js';

export { absoluteImport, moduleNameForPath };

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
  const importedModules = module.importedModules.map((q) => absoluteImport(q, moduleName, isPackage));
  return { path: module.path, moduleName, imports, importedModules, top, functions, classes, spans: b.spans.finish(), language: 'python' };
}

/** Lowering of Python statements, definitions and classes (on top of the expression lowering). */
class Builder extends PatternLowering {
  constructor(
    module: PythonModule,
    imports: Map<string, string>,
    private readonly functions: FunctionIR[],
    private readonly classes: ClassIR[],
    budget: Budget,
  ) {
    super(module, imports, budget);
  }

  /** Patterns compiled into UPPER_CASE names so far (guards: `PATTERN.fullmatch(x)`). */
  private readonly patterns = new Map<string, CallExpr>();
  /** Names assigned a library container (`cp = configparser.ConfigParser()`), by class. */
  private readonly containers = new Map<string, string>();

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
          } else {
            const expr = this.expr(child, depth);
            out.push({ k: 'expr', expr, span });
            const stored = containerStore(expr, (name) => this.containers.get(name));
            if (stored) out.push({ k: 'assign', targets: [{ k: 'name', name: (stored.args[0] as { name: string }).name, span }], value: stored, span });
          }
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
        this.guardedIf(test, body, orelse, span, out);
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
            const handlerBody = this.block(blockNode, scope, className, depth);
            if (alias !== undefined && aliasNode !== NONE) {
              // The exception's text: a concern where it reaches the client (ir-synthetic.ts).
              const at = this.span(aliasNode);
              handlerBody.unshift({ k: 'assign', targets: [{ k: 'name', name: alias, span: at }], value: caughtException(at), span: at });
            }
            handlers.push({ name: alias, body: handlerBody });
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
        out.push(...this.matchStatement(node, depth, (block) => this.block(block, scope, className, depth)));
        return;
      default:
        // pass, import, future, type alias, errors: nothing flows.
        return;
    }
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
    const out: Stmt[] = [];
    this.guardedIf(test, body, orelse, span, out);
    return out;
  }

  /**
   * An `if` with its guards (ir-guards.ts): sanitising steps first in the branch where the check
   * passed, and after the `if` when the other branch never falls through (`if not ok: return`).
   */
  private guardedIf(test: Expr, body: Stmt[], orelse: Stmt[], span: SpanId, out: Stmt[]): void {
    const passed = guardSteps(test, true, out, span, this.patterns);
    const failed = guardSteps(test, false, out, span, this.patterns);
    const thenBody = passed.length > 0 ? [...passed, ...body] : body;
    const elseBody = failed.length > 0 && orelse.length > 0 ? [...failed, ...orelse] : orelse;
    out.push({ k: 'if', test, body: thenBody, orelse: elseBody, span });
    const bodyExits = alwaysExits(body);
    const elseExits = orelse.length > 0 && alwaysExits(orelse);
    if (bodyExits && !elseExits) out.push(...failed);
    else if (elseExits && !bodyExits) out.push(...passed);
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
    const stmt: Stmt = { k: 'assign', targets, value: this.expr(current, depth), span };
    out.push(stmt);
    const compiled = compiledPattern(stmt);
    if (compiled) this.patterns.set(compiled.name, compiled.call);
    for (const t of targets) {
      if (t.k !== 'name') continue;
      const cls = containerClass(stmt.value);
      if (cls) this.containers.set(t.name, cls);
      else this.containers.delete(t.name);
    }
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
