import type { ModuleIR } from './ir.js';

/**
 * Which of some optional modules (test code whose findings are hidden) the program reaches
 * through imports: those enter the data-flow program, the others stay out of it. A module is
 * reached when a reached module's import names it or something in it (`from tests.helpers import
 * host` reaches `tests.helpers`, and the packages `tests` above it), transitively. Module names
 * are matched as the program's lookups match qualified names (program.ts): in full, or where one
 * ends with the other at a dot, since a scan started above or inside a package names its modules
 * longer or shorter than their imports do.
 *
 * `load` builds an optional module's IR (undefined when it has none); it is called once for each
 * module reached, in a fixed order (the roots', then each reached module's, imports as listed).
 */
export function reachedByImports(
  roots: readonly ModuleIR[],
  optionalNames: readonly string[],
  load: (index: number) => ModuleIR | undefined,
): Map<number, ModuleIR | undefined> {
  // Every dotted suffix of every optional module's name (`a.b.c`, `b.c`, `c`) → those modules,
  // and each name in full.
  const bySuffix = new Map<string, number[]>();
  const byName = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, index: number): void => {
    const list = map.get(key);
    if (list) list.push(index);
    else map.set(key, [index]);
  };
  optionalNames.forEach((name, index) => {
    if (!name) return;
    add(byName, name, index);
    for (const suffix of dottedSuffixes(name)) add(bySuffix, suffix, index);
  });
  const reached = new Map<number, ModuleIR | undefined>();
  if (byName.size === 0) return reached;
  const reach = (index: number, queue: ModuleIR[]): void => {
    if (reached.has(index)) return;
    const ir = load(index);
    reached.set(index, ir);
    if (ir) queue.push(ir);
  };
  const queue = [...roots];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const name of importedNames(next)) {
      // The name itself and every dotted prefix of it may be a module (`pkg.mod.f` → `pkg.mod`, `pkg`).
      for (let prefix: string | undefined = name; prefix; prefix = parentName(prefix)) {
        // A module named longer (`root.pkg.mod`) or shorter (`mod`) than the import.
        for (const index of bySuffix.get(prefix) ?? []) reach(index, queue);
        for (const suffix of dottedSuffixes(prefix)) for (const index of byName.get(suffix) ?? []) reach(index, queue);
      }
    }
  }
  return reached;
}

/** `a.b.c` → `a.b.c`, `b.c`, `c`. */
function dottedSuffixes(name: string): string[] {
  const parts = name.split('.');
  return parts.map((_, i) => parts.slice(i).join('.'));
}

/** What a module's imports mention: the targets of its import table and the modules imported in full. */
function* importedNames(m: ModuleIR): Iterable<string> {
  yield* m.imports.values();
  if (m.importedModules) yield* m.importedModules;
}

function parentName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}
