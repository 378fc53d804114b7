import type { Expr, SpanId, Stmt, Target } from '../../analysis/taint/ir.js';
import { ExpressionLowering } from './ir-expressions.js';
import { NONE } from './ir-tree.js';

/** Class patterns that only match instances of a builtin number type: what they capture is that number. */
const NUMBER_CLASSES = new Set(['int', 'float', 'bool', 'complex']);

/**
 * Lowering of `match` statements to the IR's branching: each `case` is an `if` whose `else` is
 * the next case. The names a pattern captures are assigned from the parts of the subject they
 * stand for (`case {"k": v}` → `v = subject["k"]`, `case [a, b]` → `a = subject[0]`,
 * `case Point(x=px)` → `px = subject.x`, a capture or `as` name → the subject itself), before the
 * case's test: Python may leave a failed pattern's captures bound, so binding them early is no
 * less exact. A case of literals (`case "a" | "b":`) is the test `subject in ("a", "b")`, so the
 * engine's allow-list refinement applies to its branch; a capture or `_` without a guard always
 * matches.
 */
export class PatternLowering extends ExpressionLowering {
  /** Counter for the names holding a subject that is not a plain variable. */
  private subjects = 0;

  protected matchStatement(node: number, depth: number, body: (block: number) => Stmt[]): Stmt[] {
    const span = this.span(node);
    const out: Stmt[] = [];
    const subjects: number[] = [];
    let cases = NONE;
    for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
      if (!this.named(c) || this.type(c) === 'comment') continue;
      if (this.type(c) === 'block') cases = c;
      else subjects.push(c);
    }
    let subject: Expr;
    if (subjects.length === 1 && this.type(subjects[0]!) === 'identifier') subject = this.expr(subjects[0]!, depth);
    else {
      const value: Expr =
        subjects.length === 1
          ? this.expr(subjects[0]!, depth)
          : { k: 'container', kind: 'tuple', elements: subjects.map((s) => this.expr(s, depth)), span };
      const name = `match subject ${++this.subjects}`;
      out.push({ k: 'assign', targets: [{ k: 'name', name, span }], value, span });
      subject = { k: 'name', name, span };
    }
    const clauses: number[] = [];
    for (let c = cases !== NONE ? this.first(cases) : NONE; c !== NONE; c = this.next[c]!) {
      if (this.named(c) && this.type(c) === 'case_clause') clauses.push(c);
    }
    out.push(...this.caseChain(clauses, 0, subject, depth, body));
    return out;
  }

  /** Case `at` and, as its else, the cases after it. */
  private caseChain(clauses: readonly number[], at: number, subject: Expr, depth: number, body: (block: number) => Stmt[]): Stmt[] {
    if (at >= clauses.length) return [];
    const clause = clauses[at]!;
    const span = this.span(clause);
    const patterns: number[] = [];
    let guard = NONE;
    let block = NONE;
    for (let c = this.first(clause); c !== NONE; c = this.next[c]!) {
      if (!this.named(c)) continue;
      const type = this.type(c);
      if (type === 'case_pattern') patterns.push(c);
      else if (type === 'if_clause') guard = this.firstNamed(c);
      else if (type === 'block') block = c;
    }
    const out: Stmt[] = [];
    // `case a, b:` (several patterns) is a sequence pattern.
    let test: Expr | 'always';
    if (patterns.length === 1) test = this.pattern(patterns[0]!, subject, depth, out);
    else {
      patterns.forEach((p, i) => this.pattern(p, this.item(subject, i, span), depth, out));
      test = this.unknown(span);
    }
    if (guard !== NONE) {
      const g = this.expr(guard, depth);
      test = test === 'always' ? g : { k: 'bool', op: 'and', left: test, right: g, span };
    }
    const consequence = body(block);
    if (test === 'always') {
      // Nothing after an irrefutable case can run.
      out.push(...consequence);
      return out;
    }
    out.push({ k: 'if', test, body: consequence, orelse: this.caseChain(clauses, at + 1, subject, depth + 1, body), span });
    return out;
  }

  /**
   * Bind what pattern `node` captures of `subject` (appending assignments to `out`) and return
   * the test for whether it matches: `always` for a capture or `_`, a membership test for
   * literals, an unknown condition otherwise.
   */
  private pattern(node: number, subject: Expr, depth: number, out: Stmt[]): Expr | 'always' {
    const span = this.span(node);
    if (depth > 200) return this.unknown(span);
    const type = this.type(node);
    switch (type) {
      case 'case_pattern': {
        const inner = this.firstNamed(node);
        return inner === NONE ? 'always' : this.pattern(inner, subject, depth + 1, out);
      }
      case 'dotted_name': {
        const parts: string[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c)) parts.push(this.identifier(c));
        if (parts.length === 1) {
          if (parts[0] !== '_') this.assign(parts[0]!, subject, span, out);
          return 'always';
        }
        // A value pattern (`Color.RED`): compared with the subject.
        let value: Expr = { k: 'name', name: parts[0]!, span };
        for (const attr of parts.slice(1)) value = { k: 'attr', object: value, attr, span };
        return this.member(subject, [value], span);
      }
      case 'identifier':
        if (this.text(node) !== '_') this.assign(this.identifier(node), subject, span, out);
        return 'always';
      case 'string':
      case 'concatenated_string':
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'unary_operator':
        return this.member(subject, [this.expr(node, depth)], span);
      case 'union_pattern': {
        const alternatives: number[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c)) alternatives.push(c);
        const literals = alternatives.map((a) => this.literal(a, depth));
        if (literals.every((l) => l !== undefined)) return this.member(subject, literals as Expr[], span);
        for (const a of alternatives) this.pattern(a, subject, depth + 1, out);
        return this.unknown(span);
      }
      case 'as_pattern': {
        let inner = NONE;
        let alias = NONE;
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (!this.named(c)) continue;
          if (inner === NONE) inner = c;
          else alias = c;
        }
        const test = inner !== NONE ? this.pattern(inner, subject, depth + 1, out) : 'always';
        if (alias !== NONE) {
          const name = this.type(alias) === 'identifier' ? alias : this.firstNamed(alias);
          if (name !== NONE && this.text(name) !== '_') this.assign(this.identifier(name), this.capturedBy(inner, subject, span), span, out);
        }
        return test;
      }
      case 'list_pattern':
      case 'tuple_pattern': {
        const items: number[] = [];
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) if (this.named(c) && this.type(c) !== 'comment') items.push(c);
        const star = items.findIndex((i) => this.isSplat(i));
        items.forEach((item, i) => {
          if (i === star) this.splat(item, subject, span, out);
          else this.pattern(item, this.item(subject, star >= 0 && i > star ? i - items.length : i, span), depth + 1, out);
        });
        return this.unknown(span);
      }
      case 'dict_pattern': {
        let key: Expr | undefined;
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (!this.named(c) || this.type(c) === 'comment') continue;
          if (this.type(c) === 'splat_pattern') this.splat(c, subject, span, out);
          else if (key === undefined && this.type(c) !== 'case_pattern') key = this.expr(c, depth + 1);
          else {
            const part: Expr = key ? { k: 'subscript', object: subject, index: key, span } : subject;
            this.pattern(c, part, depth + 1, out);
            key = undefined;
          }
        }
        return this.unknown(span);
      }
      case 'class_pattern': {
        let cls = NONE;
        for (let c = this.first(node); c !== NONE; c = this.next[c]!) {
          if (!this.named(c)) continue;
          if (cls === NONE && this.type(c) === 'dotted_name') {
            cls = c;
            continue;
          }
          const arg = this.type(c) === 'case_pattern' ? this.firstNamed(c) : c;
          if (arg !== NONE && this.type(arg) === 'keyword_pattern') {
            const attr = this.firstNamed(arg);
            const value = attr !== NONE ? this.next[attr]! : NONE;
            let valueNode = NONE;
            for (let v = value; v !== NONE; v = this.next[v]!) if (this.named(v)) { valueNode = v; break; }
            if (attr !== NONE && valueNode !== NONE) {
              this.pattern(valueNode, { k: 'attr', object: subject, attr: this.identifier(attr), span }, depth + 1, out);
            }
          } else if (arg !== NONE) {
            // Positional parts go through `__match_args__`, which is not followed: the part is the subject.
            this.pattern(arg, this.capturedBy(node, subject, span), depth + 1, out);
          }
        }
        return this.unknown(span);
      }
      default:
        return this.unknown(span);
    }
  }

  /** What a capture of `pattern` holds: the subject, or the number for `int()`-like class patterns. */
  private capturedBy(pattern: number, subject: Expr, span: SpanId): Expr {
    let p = pattern;
    while (p !== NONE && this.type(p) === 'case_pattern') p = this.firstNamed(p);
    if (p === NONE || this.type(p) !== 'class_pattern') return subject;
    const cls = this.firstNamed(p);
    const name = cls !== NONE ? this.text(cls) : '';
    if (!NUMBER_CLASSES.has(name)) return subject;
    return { k: 'call', callee: { k: 'name', name, span }, args: [subject], kwargs: [], splats: [], qname: name, span };
  }

  private isSplat(node: number): boolean {
    const inner = this.type(node) === 'case_pattern' ? this.firstNamed(node) : node;
    return inner !== NONE && this.type(inner) === 'splat_pattern';
  }

  /** `*rest` / `**rest`: the rest of the subject (kept whole). */
  private splat(node: number, subject: Expr, span: SpanId, out: Stmt[]): void {
    const inner = this.type(node) === 'case_pattern' ? this.firstNamed(node) : node;
    const name = inner !== NONE ? this.firstNamed(inner) : NONE;
    if (name !== NONE && this.text(name) !== '_') this.assign(this.identifier(name), subject, span, out);
  }

  private literal(node: number, depth: number): Expr | undefined {
    const inner = this.type(node) === 'case_pattern' ? this.firstNamed(node) : node;
    if (inner === NONE) return undefined;
    const e = this.expr(inner, depth);
    return e.k === 'const' ? e : undefined;
  }

  private item(subject: Expr, index: number, span: SpanId): Expr {
    return { k: 'subscript', object: subject, index: { k: 'const', value: index, span }, span };
  }

  private member(subject: Expr, values: Expr[], span: SpanId): Expr {
    return { k: 'compare', ops: ['in'], operands: [subject, { k: 'container', kind: 'tuple', elements: values, span }], span };
  }

  private unknown(span: SpanId): Expr {
    return { k: 'opaque', parts: [], span };
  }

  private assign(name: string, value: Expr, span: SpanId, out: Stmt[]): void {
    const target: Target = { k: 'name', name, span };
    out.push({ k: 'assign', targets: [target], value, span });
  }
}
