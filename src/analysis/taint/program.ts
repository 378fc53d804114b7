import type { ClassIR, FunctionIR, ModuleIR } from './ir.js';

/**
 * The whole scanned tree as one program: functions and classes indexed by qualified name,
 * with suffix lookup so `from helpers import run` finds `examples/app/helpers.py`'s `run`
 * whatever folder the scan started from.
 */
export class Program {
  readonly functions = new Map<string, FunctionIR>();
  readonly classes = new Map<string, ClassIR>();
  /** Module of each function (by object). */
  readonly moduleOf = new Map<FunctionIR, ModuleIR>();
  private readonly bySuffix = new Map<string, (FunctionIR | ClassIR)[]>();
  readonly modules: ModuleIR[];

  constructor(modules: ModuleIR[]) {
    this.modules = [...modules].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const m of this.modules) {
      this.moduleOf.set(m.top, m);
      for (const fn of m.functions) {
        this.moduleOf.set(fn, m);
        this.functions.set(fn.qname, fn);
        this.index(fn.qname, fn);
      }
      for (const cls of m.classes) {
        this.classes.set(cls.qname, cls);
        this.index(cls.qname, cls);
      }
    }
  }

  private index(qname: string, item: FunctionIR | ClassIR): void {
    const parts = qname.split('.');
    // Register every suffix with at least a module and a name (`mod.f`, `pkg.mod.f`, ...).
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts.slice(i).join('.');
      const list = this.bySuffix.get(key);
      if (list) list.push(item);
      else this.bySuffix.set(key, [item]);
    }
  }

  /**
   * Find what a qualified name denotes. Exact names win; otherwise the unique suffix match,
   * or among several the one whose module shares the longest path with the caller's.
   */
  lookup(qname: string, fromModule: ModuleIR): FunctionIR | ClassIR | undefined {
    // The program never changes after construction, so every answer is cached.
    let perModule = this.lookupCache.get(fromModule);
    if (!perModule) {
      perModule = new Map();
      this.lookupCache.set(fromModule, perModule);
    }
    let found = perModule.get(qname);
    if (found === undefined) {
      found = this.lookupUncached(qname, fromModule) ?? null;
      perModule.set(qname, found);
    }
    return found ?? undefined;
  }

  private readonly lookupCache = new Map<ModuleIR, Map<string, FunctionIR | ClassIR | null>>();

  private lookupUncached(qname: string, fromModule: ModuleIR): FunctionIR | ClassIR | undefined {
    const exact = this.functions.get(qname) ?? this.classes.get(qname);
    if (exact) return exact;
    const candidates = this.bySuffix.get(qname);
    if (!candidates || candidates.length === 0) return undefined;
    if (candidates.length === 1) return candidates[0];
    const from = fromModule.moduleName.split('.');
    let best: FunctionIR | ClassIR | undefined;
    let bestScore = -1;
    let tie = false;
    for (const c of candidates) {
      const parts = c.qname.split('.');
      let score = 0;
      while (score < parts.length && score < from.length && parts[score] === from[score]) score++;
      if (score > bestScore) {
        best = c;
        bestScore = score;
        tie = false;
      } else if (score === bestScore) tie = true;
    }
    return tie ? undefined : best;
  }

  /**
   * The scanned module called `name` (`pkg.config`), or the one module whose dotted name ends
   * with it, or the one whose name `name` ends with (the scan started inside the package).
   */
  moduleNamed(name: string): ModuleIR | undefined {
    if (!this.modulesByName) {
      this.modulesByName = new Map();
      for (const m of this.modules) this.modulesByName.set(m.moduleName, m);
    }
    const exact = this.modulesByName.get(name);
    if (exact) return exact;
    const cached = this.moduleNameCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const matches = this.modules.filter((m) => m.moduleName.endsWith(`.${name}`) || (m.moduleName !== '' && name.endsWith(`.${m.moduleName}`)));
    const found = matches.length === 1 ? matches[0]! : null;
    this.moduleNameCache.set(name, found);
    return found ?? undefined;
  }

  private readonly moduleNameCache = new Map<string, ModuleIR | null>();

  private modulesByName: Map<string, ModuleIR> | undefined;

  /** A method by name on a class or its bases (bases resolved by name within the program). */
  method(cls: ClassIR, name: string): FunctionIR | undefined {
    for (const c of this.ancestors(cls)) {
      const own = c.methods.get(name);
      if (own) return own;
    }
    return undefined;
  }

  /** The class and the classes it inherits from that are in the program, nearest first. */
  ancestors(cls: ClassIR): ClassIR[] {
    const cached = this.ancestorCache.get(cls);
    if (cached) return cached;
    const out: ClassIR[] = [];
    const seen = new Set<ClassIR>();
    const visit = (c: ClassIR): void => {
      if (seen.has(c)) return;
      seen.add(c);
      out.push(c);
      for (const base of this.basesOf(c)) visit(base);
    };
    visit(cls);
    this.ancestorCache.set(cls, out);
    return out;
  }

  private readonly ancestorCache = new Map<ClassIR, ClassIR[]>();

  private basesOf(cls: ClassIR): ClassIR[] {
    const module = this.moduleOfClass(cls);
    const out: ClassIR[] = [];
    if (!module) return out;
    for (const qualified of this.baseNames(cls)) {
      const found = this.lookup(qualified, module);
      if (found && 'methods' in found) out.push(found);
    }
    return out;
  }

  /** Qualified names of a class's direct bases, through its module's imports. */
  baseNames(cls: ClassIR): string[] {
    const cached = this.baseNameCache.get(cls);
    if (cached) return cached;
    const module = this.moduleOfClass(cls);
    const out: string[] = [];
    this.baseNameCache.set(cls, out);
    if (!module) return out;
    for (const base of cls.bases) {
      const baseName = base.k === 'name' ? base.name : base.k === 'attr' ? exprDotted(base) : undefined;
      if (!baseName) continue;
      const head = baseName.split('.')[0]!;
      const imported = module.imports.get(head);
      out.push(imported ? `${imported}${baseName.slice(head.length)}` : `${module.moduleName}.${baseName}`);
    }
    return out;
  }

  private readonly baseNameCache = new Map<ClassIR, string[]>();

  /** Whether the class inherits, directly or through classes of the program, from `qname`. */
  derivesFrom(cls: ClassIR, qname: string): boolean {
    return this.ancestors(cls).some((c) => this.baseNames(c).includes(qname));
  }

  private readonly classModules = new Map<ClassIR, ModuleIR>();
  moduleOfClass(cls: ClassIR): ModuleIR | undefined {
    if (this.classModules.size === 0) {
      for (const m of this.modules) for (const c of m.classes) this.classModules.set(c, m);
    }
    return this.classModules.get(cls);
  }
}

function exprDotted(e: { k: string; name?: string; attr?: string; object?: unknown }): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr' && e.object) {
    const base = exprDotted(e.object as { k: string });
    return base ? `${base}.${e.attr}` : undefined;
  }
  return undefined;
}
