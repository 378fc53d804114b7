import type { Expr } from '../ir.js';
import { dottedOf, qnameOf } from '../expr-names.js';
import { CLEAN, allLabels, constant, flatten, fromLabels, join, mergeLabels, with_, type Label, type Value } from '../values.js';
import { CallAnalysis } from './calls.js';
import type { Env } from './env.js';
import type { SpanId } from '../ir.js';

/**
 * Expressions: names (locals, closures, module variables, imports), attributes and fields,
 * subscripts, operators with constant folding, containers with their elements, comprehensions,
 * sources read by access; calls are calls.ts's.
 */
export abstract class ExpressionAnalysis extends CallAnalysis {
  override lookupName(name: string, env: Env, span: SpanId): Value | undefined {
    const local = env.get(name);
    if (local) return local;
    const closure = this.closureEnv?.get(name);
    if (closure) return closure;
    if (this.fn !== this.module.top) {
      const g = this.engine.readGlobal(this.module, name);
      if (g) return g;
    }
    const imported = this.module.imports.get(name);
    if (imported) {
      // `from config import CMD`: a variable of another scanned module.
      const g = this.engine.importedGlobal(imported);
      if (g) return g;
    }
    // A module-level function or class of this module, used as a value.
    const found = this.engine.moduleLevel(this.module, name);
    if (found && 'params' in found) return { labels: [], fn: found };
    void span;
    return undefined;
  }

  override eval(e: Expr, env: Env): Value {
    // The larger cases are methods of their own: smaller units for the JIT to compile and re-compile.
    switch (e.k) {
      case 'const':
        return constant(e.value);
      case 'name':
        return this.evalName(e, env);
      case 'attr':
        return this.evalAttr(e, env);
      case 'subscript':
        return this.evalSubscript(e, env);
      case 'call':
        return this.evalCall(e, env);
      case 'binop':
        return this.evalBinop(e, env);
      case 'compare':
        return this.evalCompare(e, env);
      case 'bool': {
        const l = this.eval(e.left, env);
        if (l.const !== undefined) {
          const t = this.lang.truthy(l.const);
          if (e.op === 'and') return t ? this.eval(e.right, env) : l;
          return t ? l : this.eval(e.right, env);
        }
        return join(l, this.eval(e.right, env));
      }
      case 'not': {
        const v = this.eval(e.operand, env);
        return v.const !== undefined ? constant(!this.lang.truthy(v.const)) : CLEAN;
      }
      case 'unary': {
        const v = this.eval(e.operand, env);
        if (typeof v.const === 'number') return constant(e.op === '-' ? -v.const : e.op === '~' ? ~v.const : v.const);
        // -x, +x, ~x are numbers (or a TypeError).
        return CLEAN;
      }
      case 'format': {
        let labels: Label[] = [];
        for (const p of e.parts) labels = mergeLabels(labels, allLabels(this.eval(p, env)));
        return fromLabels(labels);
      }
      case 'container':
        return this.evalContainer(e, env);
      case 'cond': {
        const test = this.eval(e.test, env);
        if (test.const !== undefined) return this.eval(this.lang.truthy(test.const) ? e.body : e.orelse, env);
        return join(this.eval(e.body, env), this.eval(e.orelse, env));
      }
      case 'lambda':
        this.closures.set(e.fn, env);
        return { labels: [], fn: e.fn };
      case 'walrus': {
        const v = this.eval(e.value, env);
        this.bind(e.target, v, env, e.value);
        return v;
      }
      case 'comprehension':
        return this.evalComprehension(e, env);
      case 'opaque': {
        let labels: Label[] = [];
        for (const p of e.parts) labels = mergeLabels(labels, allLabels(this.eval(p, env)));
        return fromLabels(labels);
      }
    }
  }

  protected evalName(e: Extract<Expr, { k: 'name' }>, env: Env): Value {
    const v = this.lookupName(e.name, env, e.span);
    if (v) return v;
    const q = this.module.imports.get(e.name);
    if (q) {
      const source = this.engine.models.accessSource(q);
      if (source) return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
    }
    return CLEAN;
  }

  protected evalAttr(e: Extract<Expr, { k: 'attr' }>, env: Env): Value {
    const q = qnameOf(e, this.module);
    if (q) {
      const source = this.engine.models.accessSource(q);
      if (source) return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
      if (e.object.k === 'name' && !env.has(e.object.name)) {
        // `import config; config.CMD`: a variable of another scanned module.
        const g = this.engine.importedGlobal(q);
        if (g) return g;
      }
    }
    const dotted = this.hasParameterSources('access') ? dottedOf(e) : undefined;
    if (dotted) {
      const source = this.engine.parameterSource(dotted, this.fn, 'access');
      if (source && !env.has(dotted)) {
        return this.sourceValue(source.description, source.threat, e.span, `\`${this.text(e.span)}\` (${source.description})`);
      }
    }
    const object = this.eval(e.object, env);
    return this.attrOf(object, e.attr);
  }

  protected evalSubscript(e: Extract<Expr, { k: 'subscript' }>, env: Env): Value {
    const object = this.eval(e.object, env);
    const index = this.eval(e.index, env);
    if (index.const !== undefined && index.const !== null) {
      if (object.elems && typeof index.const === 'number') {
        const i = index.const < 0 ? object.elems.length + index.const : index.const;
        return object.elems[i] ?? CLEAN;
      }
      const field = object.fields?.get(`[${String(index.const)}]`);
      if (field) return field;
      if (object.fields && object.labels.length === 0 && object.paramBase === undefined) return CLEAN;
    }
    return flatten(object);
  }

  protected evalBinop(e: Extract<Expr, { k: 'binop' }>, env: Env): Value {
    const l = this.eval(e.left, env);
    const r = this.eval(e.right, env);
    if (l.const !== undefined && r.const !== undefined) {
      const folded = this.lang.foldBinary(e.op, l.const, r.const);
      if (folded !== undefined) return constant(folded);
    }
    if (e.op === '+' && l.elems && r.elems) return { labels: [], elems: [...l.elems, ...r.elems] };
    // Arithmetic with a number gives a number (a string operand would raise TypeError);
    // `*` repeats and `%` formats strings, so they keep the taint.
    if (this.lang.numericOperators.has(e.op) && (typeof l.const === 'number' || typeof r.const === 'number')) return CLEAN;
    if (typeof l.const === 'string') {
      // A formatting operator (`"%d" % x`): what the format lets through.
      const formatted = this.lang.formatTaint(e.op, l.const, r);
      if (formatted) return fromLabels(mergeLabels(allLabels(l), formatted));
    }
    return fromLabels(mergeLabels(allLabels(l), allLabels(r)));
  }

  protected evalCompare(e: Extract<Expr, { k: 'compare' }>, env: Env): Value {
    const values = e.operands.map((o) => this.eval(o, env));
    if (values.every((v) => v.const !== undefined) && e.ops.length === values.length - 1) {
      let result = true;
      for (let i = 0; i < e.ops.length; i++) {
        const r = this.lang.foldCompare(e.ops[i]!, values[i]!.const!, values[i + 1]!.const!);
        if (r === undefined) return CLEAN;
        result &&= r;
      }
      return constant(result);
    }
    return CLEAN; // a comparison yields a boolean: it carries no injectable data
  }

  protected evalContainer(e: Extract<Expr, { k: 'container' }>, env: Env): Value {
    const values = e.elements.map((x) => this.eval(x, env));
    if (e.kind === 'dict') {
      const fields = new Map<string, Value>();
      let labels: Label[] = [];
      values.forEach((v, i) => {
        const keyExpr = e.keys?.[i];
        const key = keyExpr ? this.eval(keyExpr, env) : undefined;
        if (key && key.const !== undefined && key.const !== null) fields.set(`[${String(key.const)}]`, v);
        else labels = mergeLabels(labels, allLabels(v));
      });
      return { labels, fields };
    }
    if (e.kind === 'set') return fromLabels(values.reduce<Label[]>((acc, v) => mergeLabels(acc, allLabels(v)), []));
    return { labels: [], elems: values };
  }

  protected evalComprehension(e: Extract<Expr, { k: 'comprehension' }>, env: Env): Value {
    const inner = new Map(env);
    for (const b of e.bindings) this.bind(b.target, this.elementOf(this.eval(b.iter, inner)), inner, b.iter);
    for (const c of e.conditions) this.eval(c, inner);
    return fromLabels(allLabels(this.eval(e.element, inner)));
  }
  /** What iterating over a value yields: the join of its known elements, or its flattened taint. */
  protected elementOf(iter: Value): Value {
    if (iter.elems) {
      let v: Value = CLEAN;
      for (const e of iter.elems) v = join(v, e);
      return v;
    }
    return flatten(iter);
  }

  protected override attrOf(object: Value, attr: string): Value {
    const field = object.fields?.get(`.${attr}`);
    if (field) return field;
    if (object.cls) {
      const method = this.engine.method(object.cls, attr);
      if (method) return { labels: [], fn: method, self: object };
      const classTaint = this.engine.classFieldsOf(object.cls)?.get(attr) ?? [];
      return withType(fromLabels(mergeLabels(object.labels, classTaint)), this.engine.fieldType(object.cls, attr));
    }
    if (object.paramBase !== undefined) {
      const base = object.labels.find((l) => l.origin === 'param' && l.param === object.paramBase && !l.field);
      const labels: Label[] = base ? [this.engine.fieldLabel(base, attr)] : [];
      const cls = object.paramBase === 0 ? this.engine.classOfMethod.get(this.fn) : undefined;
      if (cls) {
        const method = this.engine.method(cls, attr);
        if (method) return { labels: [], fn: method, self: object };
        return withType(fromLabels(mergeLabels(labels, this.engine.classFieldsOf(cls)?.get(attr) ?? [])), this.engine.fieldType(cls, attr));
      }
      return fromLabels(labels);
    }
    return flatten(object);
  }
}

function withType(v: Value, type: string | undefined): Value {
  return type ? with_(v, { type }) : v;
}

