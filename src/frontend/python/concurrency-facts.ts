import type { Node } from '../../parse/tree-sitter.js';
import type { PythonModule } from './module.js';
import type { CalleeRef, ConcurrencyFacts } from '../../analysis/concurrency/facts.js';
import type { ConcurrencyModel } from '../../analysis/concurrency/model.js';
import { MUTATORS, awaitBetween, exits, usesName, worthLinking } from './concurrency-syntax.js';
import { ExtractorBase, type FnCtx } from './concurrency-walk.js';
import { blockingCallsBetween, mayYield, type YieldContext } from './concurrency-yield.js';

/** The concurrency facts of one Python file (see concurrency-walk.ts for what they hold). */
export function pythonConcurrencyFacts(module: PythonModule, model: ConcurrencyModel): ConcurrencyFacts {
  return new Extractor(module, model).run();
}

/** The walk plus checks of shared state followed by acts on it. */
class Extractor extends ExtractorBase {
  // ---- may a call block (green threads switch only there) -------------------------------------------

  protected yieldContext(ctx: FnCtx): YieldContext {
    return {
      qname: (n) => this.qname(n),
      isContainer: (n) => {
        const u = this.module.unwrap(n);
        if (u.type === 'subscript') return true;
        const field = u.type === 'attribute' && u.childForFieldName('object')?.text === ctx.selfName ? u.childForFieldName('attribute')?.text : undefined;
        if (field !== undefined) return !!ctx.cls?.containers.has(field);
        return u.type === 'identifier' && this.globalCandidates.has(u.text);
      },
      linkable: (call) => {
        const ref = this.calleeRef(call, ctx);
        return ref !== undefined && worthLinking(ref) ? ref : undefined;
      },
    };
  }

  /**
   * The walk's call, plus what it may do under green threads: a call site the program may resolve
   * is marked pure when it cannot block (`self.d.get(k)`, `LOG.debug(...)`); a call it cannot
   * resolve that may block (`ip_lib.add_veth(...)`) is kept as a blocking site of the function.
   * Calls of `self` methods are left to the program, which knows what they do.
   */
  protected override callExpression(e: Node, ctx: FnCtx, held: string[], depth: number): void {
    super.callExpression(e, ctx, held, depth);
    const yields = mayYield(e, this.yieldContext(ctx));
    const ref = this.calleeRef(e, ctx);
    if (ref !== undefined && worthLinking(ref)) {
      const site = ctx.facts.calls[ctx.facts.calls.length - 1];
      if (!yields && ref.k !== 'self' && site) site.pure = true;
    } else if (yields) {
      (ctx.facts.blocks ??= []).push({ line: e.startPosition.row + 1, locks: held.length ? [...new Set(held)].sort() : [] });
    }
  }

  // ---- check-then-act -------------------------------------------------------------------------------

  /** Resources a check expression reads, and the `self` methods it calls. */
  protected checkReads(expr: Node, ctx: FnCtx): { reads: string[]; calls: CalleeRef[] } {
    const reads = new Set<string>();
    const calls: CalleeRef[] = [];
    const visit = (n: Node, depth: number): void => {
      if (depth > 50) return;
      if (n.type === 'lambda') return;
      if (n.type === 'call') {
        const fn = n.childForFieldName('function');
        const ref = this.calleeRef(n, ctx);
        if (ref?.k === 'self' && ctx.cls?.methods.has(ref.method)) calls.push(ref);
        if (fn?.type === 'attribute') {
          const res = this.resourceOf(fn.childForFieldName('object')!, ctx);
          const method = fn.childForFieldName('attribute')?.text ?? '';
          // `self.d.get(k)`, `len(self.s)`: reads; a mutator in a condition is already an act.
          if (res && !MUTATORS.has(method)) reads.add(res);
        }
        for (const c of n.namedChildren) if (c !== fn) visit(c, depth + 1);
        return;
      }
      const res = n.type === 'attribute' || n.type === 'identifier' ? this.resourceOf(n, ctx) : undefined;
      if (res && (n.type === 'attribute' || this.globalCandidates.has(n.text) || ctx.globalsDeclared.has(n.text))) {
        reads.add(res);
        return;
      }
      for (const c of n.namedChildren) visit(c, depth + 1);
    };
    visit(expr, 0);
    return { reads: [...reads], calls };
  }

  protected checkIf(s: Node, condition: Node, consequence: Node | null, ctx: FnCtx, held: string[], siblings?: readonly Node[], index?: number): void {
    const { reads, calls } = this.checkReads(condition, ctx);
    if (reads.length === 0 && calls.length === 0) return;
    const ranges: [number, number][] = [];
    if (consequence) ranges.push([consequence.startIndex, consequence.endIndex]);
    // `if k in self.d: return self.d[k]` then `self.d[k] = v`: the statements after an exiting
    // body act on the check too.
    if (consequence && exits(consequence) && siblings && index !== undefined && index + 1 < siblings.length) {
      ranges.push([siblings[index + 1]!.startIndex, siblings[siblings.length - 1]!.endIndex]);
    }
    for (const alt of s.childrenForFieldName('alternative')) if (alt.type === 'else_clause') ranges.push([alt.startIndex, alt.endIndex]);
    const check = { span: this.span(condition), code: this.code(s), locks: [...new Set(held)].sort() };
    ctx.pending.push({ ranges, reads, calls, check, shape: 'if', from: s });
  }

  /** `first = not self.s` …`self.s.add(x)` … `return first` / `if first:`. */
  protected checkFlag(name: string, value: Node, statement: Node, ctx: FnCtx, held: string[], siblings?: readonly Node[], index?: number): void {
    if (!siblings || index === undefined || index + 1 >= siblings.length) return;
    const v = this.module.unwrap(value);
    if (v.type === 'call') {
      const fn = v.childForFieldName('function');
      if (!(fn?.type === 'identifier' && (fn.text === 'len' || fn.text === 'bool'))) {
        // A plain call result is not a check (only a boolean view of state is).
        const ref = this.calleeRef(v, ctx);
        if (!(ref?.k === 'self' && /^(has|is|contains|exists)/.test(ref.method))) return;
      }
    } else if (v.type !== 'not_operator' && v.type !== 'comparison_operator' && v.type !== 'boolean_operator') return;
    const { reads, calls } = this.checkReads(v, ctx);
    if (reads.length === 0 && calls.length === 0) return;
    const rest = siblings.slice(index + 1);
    ctx.pending.push({
      ranges: [[rest[0]!.startIndex, rest[rest.length - 1]!.endIndex]],
      reads, calls,
      check: { span: this.span(statement), code: this.code(statement), locks: [...new Set(held)].sort() },
      shape: 'flag', from: statement, flag: { name, rest },
    });
  }

  /** Pair each check of a function with the first write of what it read, in its scope (after the walk). */
  protected resolveChecks(ctx: FnCtx): void {
    const yieldCtx = this.yieldContext(ctx);
    for (const p of ctx.pending) {
      let scope: Node = p.from;
      while (scope.parent && scope.type !== 'function_definition') scope = scope.parent;
      const seen = new Set<string>();
      for (const w of ctx.writes) {
        if (seen.has(w.resource) || !p.ranges.some(([a, b]) => w.at >= a && w.at < b)) continue;
        // `if self.fullsync: self.fullsync = False`: resetting a flag to a constant is idempotent.
        if (w.constant) continue;
        seen.add(w.resource);
        if (!p.reads.includes(w.resource) && p.calls.length === 0) continue;
        const act = { resource: w.resource, span: w.span, code: w.code, locks: w.locks };
        if (p.flag) {
          const { name, rest } = p.flag;
          if (!rest.some((r) => r.endPosition.row + 1 >= act.span.line && usesName(r, name, act.span.line))) continue;
        }
        const between = blockingCallsBetween(scope, p.from.startIndex, w.end, yieldCtx);
        const noYield = between !== 'blocks' && between.length === 0;
        ctx.facts.checks.push({
          reads: p.reads, calls: p.calls, check: p.check, act, shape: p.shape,
          ...(ctx.facts.async ? { awaitBetween: awaitBetween(p.from, act.span) } : {}),
          ...(noYield ? { noYield } : {}),
          ...(between !== 'blocks' && between.length > 0 ? { yieldCalls: between } : {}),
          ...(w.rebind ? { rebind: true } : {}),
          ...(w.empty ? { reset: true } : {}),
          ...(w.clock ? { clock: true } : {}),
          ...(w.tolerant ? { tolerant: true } : {}),
        });
      }
    }
    ctx.pending.length = 0;
  }
}
