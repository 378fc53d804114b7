/**
 * The data-flow IR: what a language front end hands the taint engine. Structured (if,
 * loop, try stay nested) so the engine can interpret it abstractly with constant folding
 * and dead-branch pruning; plain objects, so trees can be freed once it is built.
 * Nothing here is Python-specific: a JavaScript front end lowers to the same shapes, and what
 * the IR cannot say of a language (method resolution, request handlers...) is its TaintSemantics
 * (language.ts), chosen by `ModuleIR.language`.
 */

/** A source range, resolved (trace steps and sinks hold these). */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Short source text of the expression, for traces. */
  text: string;
}

/**
 * Where an IR node is: an index into its module's SpanTable (see spans.ts), so that nodes
 * carry a small integer rather than an object. NO_SPAN (0) is no place at all.
 */
export type SpanId = number;
export const NO_SPAN: SpanId = 0;

/** A module's spans: the file's text and line starts, and two text indices (start, end) per span. */
export interface SpanTable {
  source: string;
  /** UTF-16 index where each line starts; lines end at \n only. */
  lineStarts: Int32Array;
  offsets: Int32Array;
}

export type Constant = string | number | boolean | null;

export type Expr =
  | { k: 'const'; value: Constant; span: SpanId }
  | { k: 'name'; name: string; span: SpanId }
  | { k: 'attr'; object: Expr; attr: string; span: SpanId }
  | { k: 'subscript'; object: Expr; index: Expr; span: SpanId }
  | CallExpr
  | { k: 'binop'; op: string; left: Expr; right: Expr; span: SpanId }
  | { k: 'compare'; ops: string[]; operands: Expr[]; span: SpanId }
  | { k: 'bool'; op: 'and' | 'or'; left: Expr; right: Expr; span: SpanId }
  | { k: 'not'; operand: Expr; span: SpanId }
  | { k: 'unary'; op: string; operand: Expr; span: SpanId }
  /** String interpolation (f-strings, template literals): the parts, constant or not. */
  | { k: 'format'; parts: Expr[]; span: SpanId }
  | { k: 'container'; kind: 'list' | 'tuple' | 'set' | 'dict'; elements: Expr[]; keys?: (Expr | null)[]; span: SpanId }
  | { k: 'cond'; test: Expr; body: Expr; orelse: Expr; span: SpanId }
  | { k: 'lambda'; fn: FunctionIR; span: SpanId }
  /** An assignment inside an expression (`(x := value)`): binds the target, yields the value. */
  | { k: 'walrus'; target: Target; value: Expr; span: SpanId }
  /** Comprehensions: bind `targets` from `iterables`, then yield `element`. */
  | { k: 'comprehension'; bindings: { target: Target; iter: Expr }[]; element: Expr; conditions: Expr[]; span: SpanId }
  /** Anything the front end does not model: taint is the union of its parts. */
  | { k: 'opaque'; parts: Expr[]; span: SpanId };

export interface CallExpr {
  k: 'call';
  callee: Expr;
  args: Expr[];
  kwargs: { name: string; value: Expr }[];
  /** `*x` / `**x` arguments: their taint reaches every parameter. */
  splats: Expr[];
  /** Qualified name of the callee through imports, when the front end could tell. */
  qname?: string;
  span: SpanId;
}

export type Target =
  | { k: 'name'; name: string; span: SpanId }
  | { k: 'attr'; object: Expr; attr: string; span: SpanId }
  | { k: 'subscript'; object: Expr; index: Expr; span: SpanId }
  | { k: 'unpack'; targets: Target[]; span: SpanId }
  | { k: 'starred'; target: Target; span: SpanId }
  | { k: 'opaque'; span: SpanId };

export type Stmt =
  | { k: 'assign'; targets: Target[]; value: Expr; span: SpanId }
  | { k: 'augassign'; target: Target; op: string; value: Expr; span: SpanId }
  | { k: 'expr'; expr: Expr; span: SpanId }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; span: SpanId }
  | { k: 'while'; test: Expr; body: Stmt[]; orelse: Stmt[]; span: SpanId }
  | { k: 'for'; target: Target; iter: Expr; body: Stmt[]; orelse: Stmt[]; span: SpanId }
  | { k: 'return'; value?: Expr; span: SpanId }
  | { k: 'raise'; value?: Expr; span: SpanId }
  | { k: 'break'; span: SpanId }
  | { k: 'continue'; span: SpanId }
  | { k: 'try'; body: Stmt[]; handlers: { name?: string; body: Stmt[] }[]; orelse: Stmt[]; finally: Stmt[]; span: SpanId }
  | { k: 'with'; items: { value: Expr; target?: Target }[]; body: Stmt[]; span: SpanId }
  | { k: 'def'; fn: FunctionIR; span: SpanId }
  | { k: 'class'; cls: ClassIR; span: SpanId }
  | { k: 'global'; names: string[]; span: SpanId }
  | { k: 'delete'; targets: Target[]; span: SpanId };

export interface Param {
  name: string;
  /** `*args` / `**kwargs` */
  kind: 'normal' | 'varargs' | 'kwargs';
  default?: Expr;
  /** Where the parameter is declared (traces point at it rather than at the whole function). */
  span?: SpanId;
}

export interface FunctionIR {
  /** Short name (`run`), `<lambda>` or `<module>` for a module's top level. */
  name: string;
  /** Dotted: `pkg.mod.Class.method`. */
  qname: string;
  params: Param[];
  body: Stmt[];
  decorators: Expr[];
  /** Class holding the method, when it is one. */
  className?: string;
  isStatic: boolean;
  isClassMethod: boolean;
  span: SpanId;
  path: string;
  /** Names declared `global` inside. */
  globals: Set<string>;
}

export interface ClassIR {
  name: string;
  qname: string;
  bases: Expr[];
  methods: Map<string, FunctionIR>;
  span: SpanId;
}

export interface ModuleIR {
  path: string;
  /** Dotted module name derived from the path (`pkg/sub/mod.py` → `pkg.sub.mod`). */
  moduleName: string;
  /** Local name → qualified name (imports, resolved against the module's package). */
  imports: Map<string, string>;
  /**
   * Modules named in full by statements that bind only a prefix (Python's `import a.b.c` binds
   * `a`): with `imports`' targets, every name the module's imports mention (see import-reach.ts).
   */
  importedModules?: string[];
  /** The module's top-level statements as a function. */
  top: FunctionIR;
  /** Every function and method, nested ones included. */
  functions: FunctionIR[];
  classes: ClassIR[];
  /** Where every SpanId of this module points. */
  spans: SpanTable;
  /** The front end's language (`python`): the engine interprets the module with its semantics (language.ts). */
  language: string;
}

/** The statement lists nested directly in a statement (branches, loop bodies, handlers...). */
export function blocksOf(s: Stmt): Stmt[][] {
  switch (s.k) {
    case 'if':
    case 'while':
    case 'for':
      return [s.body, s.orelse];
    case 'try':
      return [s.body, ...s.handlers.map((h) => h.body), s.orelse, s.finally];
    case 'with':
      return [s.body];
    default:
      return [];
  }
}
