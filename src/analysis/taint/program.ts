import type { ClassIR, FunctionIR, ModuleIR } from './ir.js';
import { taintSemanticsFor } from './language.js';
import { ModuleNameIndex } from './module-name-index.js';

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
  /**
   * Functions and classes by the last two parts of their qualified name (`mod.f`). Every
   * suffix a lookup may match (at least a module and a name) ends with those two parts, so a
   * suffix's candidates are a filter of one bucket; this replaces an index of every suffix.
   */
  private readonly byTail = new Map<string, (FunctionIR | ClassIR)[]>();
  /** Suffix → candidates, filled from `byTail` as lookups ask. */
  private readonly bySuffix = new Map<string, (FunctionIR | ClassIR)[]>();
  readonly modules: ModuleIR[];
  private readonly classModules = new Map<ClassIR, ModuleIR>();

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
        this.classModules.set(cls, m);
        this.index(cls.qname, cls);
      }
    }
  }

  private index(qname: string, item: FunctionIR | ClassIR): void {
    const key = tail(qname);
    // A name without a dot has no suffix of two parts: it was never indexed.
    if (key === undefined) return;
    const list = this.byTail.get(key);
    if (list) list.push(item);
    else this.byTail.set(key, [item]);
  }

  /** What the index of every suffix with at least two parts (`mod.f`, `pkg.mod.f`, ...) held for `qname`. */
  private suffixCandidates(qname: string): (FunctionIR | ClassIR)[] | undefined {
    let found = this.bySuffix.get(qname);
    if (found) return found;
    const key = tail(qname);
    const bucket = key === undefined ? undefined : this.byTail.get(key);
    if (!bucket) return undefined;
    const dotted = `.${qname}`;
    found = bucket.filter((c) => c.qname === qname || c.qname.endsWith(dotted));
    this.bySuffix.set(qname, found);
    return found;
  }

  /**
   * Find what a qualified name denotes. Exact names win; otherwise the unique suffix match,
   * or among several the one whose module shares the longest path with the caller's.
   */
  lookup(qname: string, fromModule: ModuleIR): FunctionIR | ClassIR | undefined {
    // The program never changes after construction, so every answer is cached: once per name
    // when the caller's module does not matter (an exact name, at most one suffix match), per
    // module otherwise.
    let anywhere = this.lookupCache.get(qname);
    if (anywhere === undefined) {
      anywhere = this.functions.get(qname) ?? this.classes.get(qname) ?? null;
      if (!anywhere) {
        const candidates = this.suffixCandidates(qname);
        if (candidates && candidates.length > 1) anywhere = AMBIGUOUS;
        else if (candidates && candidates.length === 1) anywhere = candidates[0]!;
      }
      this.lookupCache.set(qname, anywhere);
    }
    if (anywhere !== AMBIGUOUS) return anywhere ?? undefined;
    let perModule = this.ambiguousCache.get(fromModule);
    if (!perModule) {
      perModule = new Map();
      this.ambiguousCache.set(fromModule, perModule);
    }
    let found = perModule.get(qname);
    if (found === undefined) {
      found = this.nearest(this.suffixCandidates(qname)!, fromModule) ?? null;
      perModule.set(qname, found);
    }
    return found ?? undefined;
  }

  private readonly lookupCache = new Map<string, FunctionIR | ClassIR | typeof AMBIGUOUS | null>();
  private readonly ambiguousCache = new Map<ModuleIR, Map<string, FunctionIR | ClassIR | null>>();

  /** Among several suffix matches, the one whose module shares the longest name prefix with the caller's. */
  private nearest(candidates: readonly (FunctionIR | ClassIR)[], fromModule: ModuleIR): FunctionIR | ClassIR | undefined {
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
    if (!this.modulesByName) this.indexModuleNames();
    const exact = this.modulesByName!.get(name);
    if (exact) return exact;
    const cached = this.moduleNameCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    // The modules whose name ends with `.name`, and those whose name `name` ends with (after a dot).
    const matches = this.moduleIndex!.matches(name);
    const found = matches.size === 1 ? matches.values().next().value! : null;
    this.moduleNameCache.set(name, found);
    return found ?? undefined;
  }

  private indexModuleNames(): void {
    this.modulesByName = new Map();
    this.moduleIndex = new ModuleNameIndex();
    for (const m of this.modules) {
      this.modulesByName.set(m.moduleName, m);
      this.moduleIndex.add(m.moduleName, m);
    }
  }

  private readonly moduleNameCache = new Map<string, ModuleIR | null>();

  private modulesByName: Map<string, ModuleIR> | undefined;
  /** Modules by their whole name and by every part of it after a dot. */
  private moduleIndex: ModuleNameIndex<ModuleIR> | undefined;

  /** A method by name on a class or its bases (bases resolved by name within the program). */
  method(cls: ClassIR, name: string): FunctionIR | undefined {
    let byName = this.methodCache.get(cls);
    if (!byName) {
      byName = new Map();
      this.methodCache.set(cls, byName);
    }
    let found = byName.get(name);
    if (found === undefined) {
      found = null;
      for (const c of this.ancestors(cls)) {
        const own = c.methods.get(name);
        if (own) {
          found = own;
          break;
        }
      }
      byName.set(name, found);
    }
    return found ?? undefined;
  }

  /** `method` answers per class (most names asked are fields, found in no ancestor). */
  private readonly methodCache = new Map<ClassIR, Map<string, FunctionIR | null>>();

  /**
   * The class and the classes it inherits from that are in the program, in the order its
   * language looks methods up (its module's TaintSemantics.resolutionOrder).
   */
  ancestors(cls: ClassIR): ClassIR[] {
    const cached = this.ancestorCache.get(cls);
    if (cached) return cached;
    const module = this.moduleOfClass(cls);
    // A class outside the program's modules has no bases in it.
    const out = module ? taintSemanticsFor(module.language).resolutionOrder(cls, (c) => this.basesOf(c)) : [cls];
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

  moduleOfClass(cls: ClassIR): ModuleIR | undefined {
    return this.classModules.get(cls);
  }
}

/** A name with several suffix matches, decided per calling module. */
const AMBIGUOUS = Symbol('ambiguous');

/** The last two dot-separated parts of a qualified name (`mod.f` of `pkg.mod.f`). */
function tail(qname: string): string | undefined {
  const last = qname.lastIndexOf('.');
  if (last < 0) return undefined;
  return qname.slice(last > 0 ? qname.lastIndexOf('.', last - 1) + 1 : 0);
}

function exprDotted(e: { k: string; name?: string; attr?: string; object?: unknown }): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr' && e.object) {
    const base = exprDotted(e.object as { k: string });
    return base ? `${base}.${e.attr}` : undefined;
  }
  return undefined;
}
