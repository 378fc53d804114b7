import type { ClassIR, Constant, Expr, FunctionIR, ModuleIR } from './ir.js';
import type { HandlerModel } from './models.js';
import type { Label, Value } from './values.js';

/**
 * What the taint engine must know of a language that the IR does not say: the language's own
 * rules (method resolution, `super`, the receiver parameter, operators and constant folding) and
 * its conventions (what a request handler is, which route parameters cannot carry text, how
 * model names name class members, which checks validate data). Each front end supplies one
 * (`registerTaintSemantics`, when its IR builder loads); every ModuleIR names its language, and
 * the engine asks that language's semantics about that module's code, so one program may mix
 * languages. The engine itself imports no front end.
 */
export interface TaintSemantics {
  /** The `language` of the modules it applies to (`ModuleIR.language`). */
  readonly language: string;

  // ---- request handlers --------------------------------------------------------------------

  /** Whether `fn` handles requests (its parameters are request data), given the handler models. */
  isRequestHandler(fn: FunctionIR, module: ModuleIR, handlers: readonly HandlerModel[]): boolean;
  /**
   * The parameters of a request handler that cannot carry text (a route converter that only lets
   * digits or a UUID through): clean rather than sources.
   */
  inertRouteParams(fn: FunctionIR): ReadonlySet<string>;

  // ---- classes -----------------------------------------------------------------------------

  /**
   * Whether a function has a receiver parameter (`self`), which is then its parameter 0: the
   * object a method is called on. `inClass`: the function is a method of a class.
   */
  hasReceiver(fn: FunctionIR, inClass: boolean): boolean;
  /** The class and the classes it inherits from, in the order methods are looked up; `basesOf` gives direct bases in the program. */
  resolutionOrder(cls: ClassIR, basesOf: (c: ClassIR) => readonly ClassIR[]): ClassIR[];
  /** Whether an expression is the receiver of a call to the next definition above the method's class (`super()`). */
  isSuperReceiver(e: Expr): boolean;
  /** The method `super().name` denotes in a method of the class whose resolution order is `order`. */
  superMethod(order: readonly ClassIR[], name: string): FunctionIR | undefined;
  /** The method a constructor call `Cls(...)` runs (`__init__`). */
  readonly constructorMethod: string;
  /** The method `x[k] = v` is a call of, for the models (`__setitem__`). */
  readonly subscriptStoreMethod: string;

  // ---- models ------------------------------------------------------------------------------

  /** The class a model's qualified name names a member of (`pkg.Class` for `pkg.Class.method`), by the language's naming convention. */
  modelMemberClass(name: string): string | undefined;

  // ---- validation and exits ----------------------------------------------------------------

  /** Qualified names of calls that end the program or the request (`sys.exit`): nothing after them runs. */
  readonly exitingCalls: ReadonlySet<string>;
  /** Methods whose truth means the receiver holds no injectable text (`x.isdigit()`). */
  readonly validatingMethods: ReadonlySet<string>;
  /** Whether a call's truth means its first argument is a safe redirect target (`url_has_allowed_host_and_scheme`). */
  isRedirectCheck(qname: string): boolean;
  /** Whether a name or attribute denotes a constant collection by convention (`ALLOWED_HOSTS`). */
  isConstantName(name: string): boolean;

  // ---- operators and constants ---------------------------------------------------------------

  /** Whether a constant is true in a test. */
  truthy(c: Constant): boolean;
  /** `a op b` on constants, when the language defines it without error. */
  foldBinary(op: string, a: Constant, b: Constant): Constant | undefined;
  /** `a op b` comparing constants, when the answer is known. */
  foldCompare(op: string, a: Constant, b: Constant): boolean | undefined;
  /** Binary operators whose result is a number when one operand is a number (so it carries no text). */
  readonly numericOperators: ReadonlySet<string>;
  /**
   * The labels reaching the result of `format op args` with a constant string `format`, when the
   * operator formats (Python's `"%d" % x`: a number conversion lets no text through); undefined
   * when `op` does not format strings in the language.
   */
  formatTaint(op: string, format: string, args: Value): Label[] | undefined;
}

// ---- conventions several languages share, for front ends to use ---------------------------

/** The first definition of `name` in the classes above the method's own (`order[0]`). */
export function firstDefinitionAbove(order: readonly ClassIR[], name: string): FunctionIR | undefined {
  for (let i = 1; i < order.length; i++) {
    const m = order[i]!.methods.get(name);
    if (m) return m;
  }
  return undefined;
}

/** `pkg.Class.method` names a member of `pkg.Class` when the part before the last is capitalised. */
export function capitalisedMemberClass(name: string): string | undefined {
  const parts = name.split('.');
  return parts.length >= 3 && /^[A-Z]/.test(parts[parts.length - 2]!) ? parts.slice(0, -1).join('.') : undefined;
}

const registered = new Map<string, TaintSemantics>();

/** Called by a front end when it loads: its modules are interpreted with these semantics. */
export function registerTaintSemantics(semantics: TaintSemantics): void {
  registered.set(semantics.language, semantics);
}

/** The semantics of a language; a clear error when no front end of it has registered one. */
export function taintSemanticsFor(language: string): TaintSemantics {
  const found = registered.get(language);
  if (!found) throw new Error(`no taint semantics for language '${language}': its front end (src/frontend/${language}/) registers them when it loads`);
  return found;
}
