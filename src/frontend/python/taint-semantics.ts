import type { ClassIR, Constant, Expr, FunctionIR, ModuleIR } from '../../analysis/taint/ir.js';
import type { HandlerModel } from '../../analysis/taint/models.js';
import { qnameOf } from '../../analysis/taint/expr-names.js';
import { capitalisedMemberClass, firstDefinitionAbove, registerTaintSemantics, type TaintSemantics } from '../../analysis/taint/language.js';
import { allLabels, mergeLabels, type Label, type Value } from '../../analysis/taint/values.js';

/**
 * Python's semantics for the taint engine (see src/analysis/taint/language.ts): request handlers
 * by decorator, Flask/Werkzeug/Quart/Sanic route converters, `self` as parameter 0 of a method
 * that is not a `@staticmethod`, the order methods are looked up in and `super()`, `__init__` and
 * `__setitem__`, capitalised class names in model names, Python's validators and exits, its
 * operators (`//`, `**`, a modulo with the divisor's sign, `"%d" % x` formatting) and truth.
 */
export const pythonTaintSemantics: TaintSemantics = {
  language: 'python',

  isRequestHandler(fn: FunctionIR, module: ModuleIR, handlers: readonly HandlerModel[]): boolean {
    if (fn.decorators.length === 0) return false;
    for (const d of fn.decorators) {
      const callee = d.k === 'call' ? d.callee : d;
      const method = callee.k === 'attr' ? callee.attr : undefined;
      const q = qnameOf(callee, module);
      for (const h of handlers) {
        if (h.decorator.startsWith('*.') ? method === h.decorator.slice(2) : q === h.decorator) return true;
      }
    }
    return false;
  },

  inertRouteParams: numericRouteParams,

  hasReceiver(fn: FunctionIR, inClass: boolean): boolean {
    return inClass && !fn.isStatic;
  },

  resolutionOrder(cls: ClassIR, basesOf: (c: ClassIR) => readonly ClassIR[]): ClassIR[] {
    // Depth first, left to right, each class once (an approximation of the C3 order that agrees
    // with it wherever no class is reached twice).
    const out: ClassIR[] = [];
    const seen = new Set<ClassIR>();
    const visit = (c: ClassIR): void => {
      if (seen.has(c)) return;
      seen.add(c);
      out.push(c);
      for (const base of basesOf(c)) visit(base);
    };
    visit(cls);
    return out;
  },

  isSuperReceiver(e: Expr): boolean {
    return e.k === 'call' && e.callee.k === 'name' && e.callee.name === 'super';
  },

  superMethod: firstDefinitionAbove,

  constructorMethod: '__init__',
  subscriptStoreMethod: '__setitem__',

  // `pkg.Class.method`: a member of a class (capitalised, by Python convention).
  modelMemberClass: capitalisedMemberClass,

  exitingCalls: new Set(['sys.exit', 'exit', 'quit', 'flask.abort', 'os._exit', 'os.abort']),
  validatingMethods: new Set(['isdigit', 'isdecimal', 'isnumeric', 'isalnum', 'isalpha', 'isidentifier']),
  isRedirectCheck: (qname: string): boolean => qname.endsWith('url_has_allowed_host_and_scheme'),
  isConstantName: (name: string): boolean => /^_*[A-Z][A-Z0-9_]*$/.test(name),

  truthy,
  foldBinary,
  foldCompare,
  numericOperators: new Set(['+', '-', '/', '//', '**', '<<', '>>', '&', '|', '^', '@']),
  formatTaint: (op: string, format: string, args: Value): Label[] | undefined => (op === '%' ? percentFormatTaint(format, args) : undefined),
};

registerTaintSemantics(pythonTaintSemantics);

/**
 * Path parameters of a route whose converter only matches numbers or UUIDs (`<int:id>`,
 * `<float:x>`, `<uuid:u>` in Flask, Werkzeug and Quart; `<id:int>` in Sanic): the framework
 * rejects any other text, so they cannot carry an injection.
 */
function numericRouteParams(fn: FunctionIR): ReadonlySet<string> {
  let found = numericParamsOf.get(fn);
  if (!found) {
    const names = new Set<string>();
    for (const d of fn.decorators) {
      const path = d.k === 'call' ? d.args[0] : undefined;
      if (path?.k !== 'const' || typeof path.value !== 'string') continue;
      for (const [, first, second] of path.value.matchAll(ROUTE_VARIABLE)) {
        if (NUMERIC_CONVERTERS.has(first!)) names.add(second!);
        else if (NUMERIC_CONVERTERS.has(second!)) names.add(first!);
      }
    }
    found = names;
    numericParamsOf.set(fn, found);
  }
  return found;
}

const NUMERIC_CONVERTERS = new Set(['int', 'float', 'uuid', 'number']);
/** `<converter:name>` or `<converter(args):name>` (Flask), `<name:type>` (Sanic). */
const ROUTE_VARIABLE = /<(\w+)(?:\([^)>]*\))?:(\w+)>/g;
const numericParamsOf = new WeakMap<FunctionIR, ReadonlySet<string>>();

function truthy(c: Constant): boolean {
  return !(c === null || c === false || c === 0 || c === '');
}

function foldBinary(op: string, a: Constant, b: Constant): Constant | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return b === 0 ? undefined : a / b;
      case '//': return b === 0 ? undefined : Math.floor(a / b);
      case '%': return b === 0 ? undefined : ((a % b) + b) % b;
      case '**': return a ** b;
      default: return undefined;
    }
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  if (typeof a === 'string' && typeof b === 'number' && op === '*') return a.repeat(Math.max(0, Math.min(b, 1000)));
  return undefined;
}

function foldCompare(op: string, a: Constant, b: Constant): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case 'is': return a === b && (a === null || typeof a === 'boolean') ? true : a === null || b === null ? a === b : undefined;
    case 'is not': return a === null || b === null ? a !== b : undefined;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      case 'in': return b.includes(a);
      case 'not in': return !b.includes(a);
    }
  }
  return undefined;
}

/** Conversions of `%` formatting whose output is a number whatever the argument was. */
const NUMERIC_CONVERSIONS = new Set(['d', 'i', 'o', 'u', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G']);
const PERCENT_SPEC = /%(?:\(([^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/**
 * Taint of the arguments of `"fmt" % args` that reach the result: an argument formatted by
 * `%d`, `%x`, `%f`... becomes digits (or raises), so it cannot inject text.
 */
function percentFormatTaint(format: string, args: Value): Label[] {
  const conversions: string[] = [];
  for (const m of format.matchAll(PERCENT_SPEC)) {
    if (m[2] === '%') continue;
    if (m[1] !== undefined) return allLabels(args); // `%(name)s` with a mapping: keep it simple
    conversions.push(m[2]!);
  }
  const parts = args.elems ?? [args];
  if (conversions.length !== parts.length) return allLabels(args);
  let labels: Label[] = [];
  parts.forEach((part, i) => {
    if (!NUMERIC_CONVERSIONS.has(conversions[i]!)) labels = mergeLabels(labels, allLabels(part));
  });
  return labels;
}

