import type { CallExpr, Expr, SpanId, Stmt, Target } from '../../analysis/taint/ir.js';
import { regexCharacters, type RegexCharacters } from './regex-characters.js';

/**
 * Guards: a test whose passing shows a value cannot carry some sink's metacharacters. The front
 * end lowers each one to a sanitising step on the branch where the check passed,
 * `x = secreview.guards.<guard>(x)`, and the guard's sink kinds are model data
 * (models/python/guards.yml, sanitizers named `secreview.guards.*`): the engine only sees a
 * sanitiser call. A branch that ends in `return`, `raise`, `continue`, `break` or an exiting call
 * (`abort(400)`) guards what follows the `if`.
 *
 * Recognised here (Python syntax and library semantics):
 * - `re.fullmatch(P, x)`, `re.match(P, x)` / `re.search(P, x)` (or the methods of a pattern compiled
 *   into an UPPER_CASE name earlier in the module, or inline) with `P` anchored at the end by `\Z`
 *   or `$` (and `search` at the start by `^` / `\A`): the characters `P` can match decide the guard
 *   (regex-characters.ts); `$` lets a final line break through, so it counts as a character;
 * - `p.startswith(BASE)` where `p` was last assigned `os.path.realpath/abspath/normpath(...)` in the
 *   same block and nothing in between may reassign it: path traversal only;
 * - `n <= MAX`, `n < MAX` (and `n > MAX` failing) against a constant or an UPPER_CASE name: the size
 *   is bounded, which guards uncontrolled allocation only.
 * Tests are read through `not`, `and` (holding), `or` (failing) and `… is None` / `is not None`.
 */

export const GUARD_PREFIX = 'secreview.guards.';

/** Calls that never return (the branch ending in one does not reach what follows the `if`). */
const EXITING_CALLS = new Set(['sys.exit', 'exit', 'quit', 'os._exit', 'os.abort', 'flask.abort', 'quart.abort', 'werkzeug.exceptions.abort']);
const NORMALISING_CALLS = new Set(['os.path.realpath', 'os.path.abspath', 'os.path.normpath', 'posixpath.realpath', 'posixpath.abspath', 'posixpath.normpath']);
const CONSTANT_NAME = /^_*[A-Z][A-Z0-9_]*$/;

/** Whether a statement list never falls through to what follows it. */
export function alwaysExits(stmts: readonly Stmt[]): boolean {
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  switch (last.k) {
    case 'return':
    case 'raise':
    case 'continue':
    case 'break':
      return true;
    case 'expr':
      return last.expr.k === 'call' && last.expr.qname !== undefined && EXITING_CALLS.has(last.expr.qname);
    case 'if':
      return alwaysExits(last.body) && alwaysExits(last.orelse);
    default:
      return false;
  }
}

/**
 * The sanitising steps for the branch where `test` holds (`holds`) or fails. `before` holds the
 * statements of the enclosing block lowered so far (for the `startswith` check's normalisation).
 */
export function guardSteps(test: Expr, holds: boolean, before: readonly Stmt[], span: SpanId, patterns: CompiledPatterns = NO_PATTERNS): Stmt[] {
  const out: Stmt[] = [];
  collect(test, holds, before, span, patterns, out);
  return out;
}

/** UPPER_CASE names assigned `re.compile(...)` so far, with the call (for `PATTERN.fullmatch(x)`). */
export type CompiledPatterns = ReadonlyMap<string, CallExpr>;
const NO_PATTERNS: CompiledPatterns = new Map();

/** `NAME = re.compile("...")`: the name, when it is one a guard may use. */
export function compiledPattern(s: Stmt): { name: string; call: CallExpr } | undefined {
  if (s.k !== 'assign' || s.targets.length !== 1 || s.targets[0]!.k !== 'name') return undefined;
  const name = s.targets[0]!.name;
  if (!CONSTANT_NAME.test(name) || s.value.k !== 'call' || s.value.qname !== 're.compile') return undefined;
  return { name, call: s.value };
}

function collect(test: Expr, holds: boolean, before: readonly Stmt[], span: SpanId, patterns: CompiledPatterns, out: Stmt[]): void {
  if (test.k === 'not') return collect(test.operand, !holds, before, span, patterns, out);
  if (test.k === 'bool') {
    if ((test.op === 'and' && holds) || (test.op === 'or' && !holds)) {
      collect(test.left, holds, before, span, patterns, out);
      collect(test.right, holds, before, span, patterns, out);
    }
    return;
  }
  if (test.k === 'compare' && test.ops.length === 1 && test.operands.length === 2) {
    const [left, right] = test.operands as [Expr, Expr];
    const op = test.ops[0]!;
    // `re.match(...) is None`, `... is not None`.
    if (right.k === 'const' && right.value === null && (op === 'is' || op === 'is not' || op === '==' || op === '!=')) {
      return collect(left, op === 'is' || op === '==' ? !holds : holds, before, span, patterns, out);
    }
  }
  if (test.k === 'compare') return bounds(test, holds, span, out);
  if (test.k !== 'call' || !holds) return;
  const regex = regexGuard(asModuleCall(test, patterns));
  if (regex) {
    out.push(step(regex.target, regex.guard, span));
    return;
  }
  const callee = test.callee;
  if (callee.k === 'attr' && callee.attr === 'startswith' && test.args.length === 1 && isConstantish(test.args[0]!) && isNormalised(callee.object, before)) {
    out.push(step(callee.object, 'normalised_path_prefix', span));
  }
}

/** `n <= MAX`-style upper bounds: the bounded operand is guarded against uncontrolled allocation. */
function bounds(test: Extract<Expr, { k: 'compare' }>, holds: boolean, span: SpanId, out: Stmt[]): void {
  // A chain (`0 < n <= MAX`) says something only where it holds; a single comparison either way.
  if (!holds && test.ops.length !== 1) return;
  for (let i = 0; i < test.ops.length; i++) {
    const a = test.operands[i]!;
    const b = test.operands[i + 1]!;
    let op = test.ops[i]!;
    if (!holds) op = op === '>' ? '<=' : op === '>=' ? '<' : op === '<' ? '>=' : op === '<=' ? '>' : '';
    // `a < b` / `a <= b`: `a` bounded by `b`; `a > b` / `a >= b`: `b` bounded by `a`.
    if ((op === '<' || op === '<=') && isBound(b) && assignable(a)) out.push(step(a, 'upper_bound', span));
    else if ((op === '>' || op === '>=') && isBound(a) && assignable(b)) out.push(step(b, 'upper_bound', span));
  }
}

function isBound(e: Expr): boolean {
  if (e.k === 'const') return typeof e.value === 'number';
  return (e.k === 'name' && CONSTANT_NAME.test(e.name)) || (e.k === 'attr' && CONSTANT_NAME.test(e.attr));
}

/** `PATTERN.fullmatch(x)` / `re.compile(P).fullmatch(x)` as `re.fullmatch(P, x)` (and match, search). */
function asModuleCall(call: CallExpr, patterns: CompiledPatterns): CallExpr {
  const callee = call.callee;
  if (callee.k !== 'attr' || !['fullmatch', 'match', 'search'].includes(callee.attr) || call.args.length !== 1) return call;
  const owner = callee.object;
  const compiled = owner.k === 'name' ? patterns.get(owner.name) : owner.k === 'call' && owner.qname === 're.compile' ? owner : undefined;
  if (!compiled || compiled.kwargs.length > 0 || compiled.args.length === 0) return call;
  return { ...call, qname: `re.${callee.attr}`, args: [compiled.args[0]!, call.args[0]!, ...compiled.args.slice(1)] };
}

/** The guard a regex check is, and what it checks. */
function regexGuard(call: CallExpr): { target: Expr; guard: string } | undefined {
  const q = call.qname;
  if (q !== 're.fullmatch' && q !== 're.match' && q !== 're.search') return undefined;
  const pattern = call.args[0] ?? call.kwargs.find((k) => k.name === 'pattern')?.value;
  const target = call.args[1] ?? call.kwargs.find((k) => k.name === 'string')?.value;
  if (!pattern || pattern.k !== 'const' || typeof pattern.value !== 'string' || !target || !assignable(target)) return undefined;
  const flags = call.args[2] ?? call.kwargs.find((k) => k.name === 'flags')?.value;
  // Flags other than IGNORECASE / ASCII (MULTILINE moves `$`, VERBOSE changes the syntax) are not followed.
  if (flags && !knownFlags(flags)) return undefined;
  const chars = regexCharacters(pattern.value, q === 're.fullmatch' ? 'full' : q === 're.match' ? 'start' : 'none');
  const guard = chars && guardFor(chars);
  return guard ? { target, guard } : undefined;
}

function knownFlags(e: Expr): boolean {
  if (e.k === 'binop' && e.op === '|') return knownFlags(e.left) && knownFlags(e.right);
  return e.k === 'attr' && e.object.k === 'name' && e.object.name === 're' && ['I', 'IGNORECASE', 'A', 'ASCII'].includes(e.attr);
}

/** The narrowest guard whose character set holds everything the pattern can match. */
function guardFor(chars: RegexCharacters): string | undefined {
  const only = (allowed: string): boolean => [...chars.ascii].every((c) => allowed.includes(c));
  const DIGITS = '0123456789';
  const WORD = `${DIGITS}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_`;
  if (only(DIGITS) && !chars.otherLetters) return 'regex_digits';
  if (only(WORD)) return 'regex_word';
  if (only(`${WORD}-`)) return 'regex_word_dash';
  if (only(`${WORD}-.`)) return 'regex_word_dash_dot';
  if (!chars.ascii.has('\n') && !chars.ascii.has('\r') && !chars.otherAny) return 'regex_single_line';
  return undefined;
}

/** Whether `e` (a name) was last assigned a normalised path in `before`, with nothing after that may reassign it. */
function isNormalised(e: Expr, before: readonly Stmt[]): boolean {
  if (e.k !== 'name') return false;
  for (let i = before.length - 1; i >= 0; i--) {
    const s = before[i]!;
    if (s.k === 'assign' && s.targets.some((t) => t.k === 'name' && t.name === e.name)) {
      return s.targets.length === 1 && s.value.k === 'call' && s.value.qname !== undefined && NORMALISING_CALLS.has(s.value.qname);
    }
    if (mayAssign(s, e.name)) return false;
  }
  return false;
}

/** Whether a statement (or one nested in it) may bind `name`. */
function mayAssign(s: Stmt, name: string): boolean {
  const binds = (t: Target): boolean => (t.k === 'name' ? t.name === name : t.k === 'unpack' ? t.targets.some(binds) : t.k === 'starred' ? binds(t.target) : false);
  switch (s.k) {
    case 'assign':
      return s.targets.some(binds);
    case 'augassign':
      return binds(s.target);
    case 'for':
      return binds(s.target) || [...s.body, ...s.orelse].some((x) => mayAssign(x, name));
    case 'if':
    case 'while':
      return [...s.body, ...s.orelse].some((x) => mayAssign(x, name));
    case 'try':
      return [...s.body, ...s.handlers.flatMap((h) => h.body), ...s.orelse, ...s.finally].some((x) => mayAssign(x, name)) || s.handlers.some((h) => h.name === name);
    case 'with':
      return s.items.some((i) => i.target !== undefined && binds(i.target)) || s.body.some((x) => mayAssign(x, name));
    case 'expr':
      return s.expr.k === 'walrus';
    case 'def':
      return s.fn.name === name;
    case 'class':
      return s.cls.name === name;
    default:
      return false;
  }
}

function isConstantish(e: Expr): boolean {
  if (e.k === 'const') return typeof e.value === 'string';
  if (e.k === 'name') return CONSTANT_NAME.test(e.name);
  if (e.k === 'attr') return CONSTANT_NAME.test(e.attr) || (e.attr === 'sep' && e.object.k === 'name' && e.object.name === 'os');
  // `BASE + os.sep`
  if (e.k === 'binop' && e.op === '+') return isConstantish(e.left) && isConstantish(e.right);
  return false;
}

function assignable(e: Expr): boolean {
  return e.k === 'name' || (e.k === 'attr' && e.object.k === 'name');
}

/** `target = secreview.guards.<guard>(target)`. */
function step(target: Expr, guard: string, span: SpanId): Stmt {
  const qname = `${GUARD_PREFIX}${guard}`;
  const call: CallExpr = { k: 'call', callee: { k: 'name', name: qname, span }, args: [target], kwargs: [], splats: [], qname, span };
  const t: Target = target.k === 'name' ? { k: 'name', name: target.name, span } : { k: 'attr', object: (target as Extract<Expr, { k: 'attr' }>).object, attr: (target as Extract<Expr, { k: 'attr' }>).attr, span };
  return { k: 'assign', targets: [t], value: call, span };
}
