/**
 * The data-flow IR: what a language front end hands the taint engine. Structured (if,
 * loop, try stay nested) so the engine can interpret it abstractly with constant folding
 * and dead-branch pruning; plain objects, so trees can be freed once it is built.
 * Nothing here is Python-specific: a JavaScript front end lowers to the same shapes.
 */

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Short source text of the expression, for traces. */
  text: string;
}

export type Constant = string | number | boolean | null;

export type Expr =
  | { k: 'const'; value: Constant; span: Span }
  | { k: 'name'; name: string; span: Span }
  | { k: 'attr'; object: Expr; attr: string; span: Span }
  | { k: 'subscript'; object: Expr; index: Expr; span: Span }
  | CallExpr
  | { k: 'binop'; op: string; left: Expr; right: Expr; span: Span }
  | { k: 'compare'; ops: string[]; operands: Expr[]; span: Span }
  | { k: 'bool'; op: 'and' | 'or'; left: Expr; right: Expr; span: Span }
  | { k: 'not'; operand: Expr; span: Span }
  | { k: 'unary'; op: string; operand: Expr; span: Span }
  /** String interpolation (f-strings, template literals): the parts, constant or not. */
  | { k: 'format'; parts: Expr[]; span: Span }
  | { k: 'container'; kind: 'list' | 'tuple' | 'set' | 'dict'; elements: Expr[]; keys?: (Expr | null)[]; span: Span }
  | { k: 'cond'; test: Expr; body: Expr; orelse: Expr; span: Span }
  | { k: 'lambda'; fn: FunctionIR; span: Span }
  /** An assignment inside an expression (`(x := value)`): binds the target, yields the value. */
  | { k: 'walrus'; target: Target; value: Expr; span: Span }
  /** Comprehensions: bind `targets` from `iterables`, then yield `element`. */
  | { k: 'comprehension'; bindings: { target: Target; iter: Expr }[]; element: Expr; conditions: Expr[]; span: Span }
  /** Anything the front end does not model: taint is the union of its parts. */
  | { k: 'opaque'; parts: Expr[]; span: Span };

export interface CallExpr {
  k: 'call';
  callee: Expr;
  args: Expr[];
  kwargs: { name: string; value: Expr }[];
  /** `*x` / `**x` arguments: their taint reaches every parameter. */
  splats: Expr[];
  /** Qualified name of the callee through imports, when the front end could tell. */
  qname?: string;
  span: Span;
}

export type Target =
  | { k: 'name'; name: string; span: Span }
  | { k: 'attr'; object: Expr; attr: string; span: Span }
  | { k: 'subscript'; object: Expr; index: Expr; span: Span }
  | { k: 'unpack'; targets: Target[]; span: Span }
  | { k: 'starred'; target: Target; span: Span }
  | { k: 'opaque'; span: Span };

export type Stmt =
  | { k: 'assign'; targets: Target[]; value: Expr; span: Span }
  | { k: 'augassign'; target: Target; op: string; value: Expr; span: Span }
  | { k: 'expr'; expr: Expr; span: Span }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { k: 'while'; test: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { k: 'for'; target: Target; iter: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { k: 'return'; value?: Expr; span: Span }
  | { k: 'raise'; value?: Expr; span: Span }
  | { k: 'break'; span: Span }
  | { k: 'continue'; span: Span }
  | { k: 'try'; body: Stmt[]; handlers: { name?: string; body: Stmt[] }[]; orelse: Stmt[]; finally: Stmt[]; span: Span }
  | { k: 'with'; items: { value: Expr; target?: Target }[]; body: Stmt[]; span: Span }
  | { k: 'def'; fn: FunctionIR; span: Span }
  | { k: 'class'; cls: ClassIR; span: Span }
  | { k: 'global'; names: string[]; span: Span }
  | { k: 'delete'; targets: Target[]; span: Span };

export interface Param {
  name: string;
  /** `*args` / `**kwargs` */
  kind: 'normal' | 'varargs' | 'kwargs';
  default?: Expr;
  /** Where the parameter is declared (traces point at it rather than at the whole function). */
  span?: Span;
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
  span: Span;
  path: string;
  /** Names declared `global` inside. */
  globals: Set<string>;
}

export interface ClassIR {
  name: string;
  qname: string;
  bases: Expr[];
  methods: Map<string, FunctionIR>;
  span: Span;
}

export interface ModuleIR {
  path: string;
  /** Dotted module name derived from the path (`pkg/sub/mod.py` → `pkg.sub.mod`). */
  moduleName: string;
  /** Local name → qualified name (imports, resolved against the module's package). */
  imports: Map<string, string>;
  /** The module's top-level statements as a function. */
  top: FunctionIR;
  /** Every function and method, nested ones included. */
  functions: FunctionIR[];
  classes: ClassIR[];
}
