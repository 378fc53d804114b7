import type { ClassIR, Expr, FunctionIR, ModuleIR, Param, Stmt } from './ir.js';
import { blocksOf, NO_SPAN } from './ir.js';

/**
 * A module's shape: its IR without function bodies (names, signatures, classes, imports). The
 * replay records keep every module's shape, so that a run replaying them builds only the IR of
 * the modules whose analyses it computes: the others enter the program as shapes, and their
 * bodies are built (`Deferred.build`) the first time an analysis of theirs has to run.
 */
export interface ModuleShape {
  moduleName: string;
  imports: [string, string][];
  importedModules: string[];
  top: FunctionShape;
  functions: FunctionShape[];
  classes: ClassShape[];
}

export interface FunctionShape {
  name: string;
  qname: string;
  /** Defaults reduced to what callers in other modules read of them: a constant, or not one. */
  params: Param[];
  className?: string;
  isStatic: boolean;
  isClassMethod: boolean;
  span: number;
  /** Index (in `functions`) of the function it is nested in, -1 when none. */
  nestedIn: number;
}

interface ClassShape {
  name: string;
  qname: string;
  bases: Expr[];
  /** Method name → index in `functions`. */
  methods: [string, number][];
  span: number;
}

/** What a module entered as a shape still lacks: its nested functions' owners, and a way to build it whole. */
export interface Deferred {
  nestedOwners: Map<FunctionIR, FunctionIR>;
  /** The module's `moduleFingerprint` (known already: it is how the shape was chosen). */
  fingerprint: string;
  /** The module's full IR (undefined when it cannot be built: the shape stays, without bodies). */
  build: () => ModuleIR | undefined;
}

/** A default that is not a constant, as shapes keep it. */
export const OPAQUE_DEFAULT: Expr = { k: 'opaque', parts: [], span: NO_SPAN };

export function shapeOf(m: ModuleIR, nestedOwner: (fn: FunctionIR) => FunctionIR | undefined): ModuleShape {
  const index = new Map(m.functions.map((f, i) => [f, i]));
  const fn = (f: FunctionIR): FunctionShape => {
    const owner = nestedOwner(f);
    return {
      name: f.name,
      qname: f.qname,
      params: f.params.map((p) => ({
        name: p.name,
        kind: p.kind,
        span: p.span,
        default: p.default === undefined ? undefined : p.default.k === 'const' ? { k: 'const', value: p.default.value, span: NO_SPAN } : OPAQUE_DEFAULT,
      })),
      className: f.className,
      isStatic: f.isStatic,
      isClassMethod: f.isClassMethod,
      span: f.span,
      nestedIn: owner ? index.get(owner) ?? -1 : -1,
    };
  };
  return {
    moduleName: m.moduleName,
    imports: [...m.imports],
    importedModules: [...(m.importedModules ?? [])],
    top: fn(m.top),
    functions: m.functions.map(fn),
    classes: m.classes.map((c) => ({ name: c.name, qname: c.qname, bases: c.bases, methods: [...c.methods].map(([name, f]) => [name, index.get(f)!]), span: c.span })),
  };
}

/** A module from its shape (bodies empty until `adopt`), with what the engine needs to build it later. */
export function moduleFromShape(
  shape: ModuleShape,
  path: string,
  source: string,
  fingerprint: string,
  build: () => ModuleIR | undefined,
  language: string,
): { module: ModuleIR; deferred: Deferred } {
  const fn = (s: FunctionShape): FunctionIR => ({
    name: s.name,
    qname: s.qname,
    params: s.params,
    body: [],
    decorators: [],
    className: s.className,
    isStatic: s.isStatic,
    isClassMethod: s.isClassMethod,
    span: s.span,
    path,
    globals: new Set(),
  });
  const functions = shape.functions.map(fn);
  const nestedOwners = new Map<FunctionIR, FunctionIR>();
  shape.functions.forEach((s, i) => {
    if (s.nestedIn >= 0) nestedOwners.set(functions[i]!, functions[s.nestedIn]!);
  });
  const module: ModuleIR = {
    path,
    moduleName: shape.moduleName,
    imports: new Map(shape.imports),
    importedModules: shape.importedModules,
    top: fn(shape.top),
    functions,
    classes: shape.classes.map((c) => ({ name: c.name, qname: c.qname, bases: c.bases, methods: new Map(c.methods.map(([name, i]) => [name, functions[i]!])), span: c.span })),
    spans: { source, lineStarts: new Int32Array(0), offsets: new Int32Array(0) },
    language,
  };
  return { module, deferred: { nestedOwners, fingerprint, build } };
}

/**
 * Gives a module entered as a shape the bodies (and everything else) of its full IR, keeping
 * the shape's function and class objects, which the engine already refers to. Throws when the
 * full IR does not match the shape (it was built from another source: a bug).
 */
export function adopt(module: ModuleIR, full: ModuleIR): void {
  if (full.functions.length !== module.functions.length || full.classes.length !== module.classes.length) throw new Error(`${module.path}: the module's IR does not match its recorded shape`);
  const functions = new Map<FunctionIR, FunctionIR>([[full.top, module.top]]);
  full.functions.forEach((f, i) => {
    if (f.qname !== module.functions[i]!.qname) throw new Error(`${module.path}: the module's IR does not match its recorded shape`);
    functions.set(f, module.functions[i]!);
  });
  const classes = new Map<ClassIR, ClassIR>(full.classes.map((c, i) => [c, module.classes[i]!]));
  const relink = (stmts: Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === 'def') s.fn = functions.get(s.fn) ?? s.fn;
      else if (s.k === 'class') s.cls = classes.get(s.cls) ?? s.cls;
      else for (const block of blocksOf(s)) relink(block);
    }
  };
  for (const [f, own] of functions) {
    relink(f.body);
    Object.assign(own, { params: f.params, body: f.body, decorators: f.decorators, span: f.span, globals: f.globals });
  }
  for (const [c, own] of classes) Object.assign(own, { bases: c.bases, span: c.span });
  module.spans = full.spans;
}
