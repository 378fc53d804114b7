import type { ModuleIR } from './ir.js';
import { ModuleNameIndex } from './module-name-index.js';

/**
 * Which of some optional modules (test code whose findings are hidden) the program reaches
 * through imports: those enter the data-flow program, the others stay out of it. A module is
 * reached when a reached module's import names it or something in it (`from tests.helpers import
 * host` reaches `tests.helpers`, and the packages `tests` above it), transitively. Module names
 * are matched as `Program.moduleNamed` matches them (ModuleNameIndex), every match counting.
 *
 * `load` builds an optional module's IR (undefined when it has none); it is called once for each
 * module reached, in a fixed order (the roots', then each reached module's, imports as listed).
 */
export function reachedByImports(
  roots: readonly ModuleIR[],
  optionalNames: readonly string[],
  load: (index: number) => ModuleIR | undefined,
): Map<number, ModuleIR | undefined> {
  const reached = new Map<number, ModuleIR | undefined>();
  const index = new ModuleNameIndex<number>();
  optionalNames.forEach((name, i) => {
    if (name) index.add(name, i);
  });
  if (!optionalNames.some((name) => name)) return reached;
  const queue = [...roots];
  for (let at = 0; at < queue.length; at++) {
    for (const name of importedNames(queue[at]!)) {
      // The name itself and every dotted prefix of it may be a module (`pkg.mod.f` → `pkg.mod`, `pkg`).
      for (let prefix: string | undefined = name; prefix; prefix = parentName(prefix)) {
        for (const i of index.matches(prefix)) {
          if (reached.has(i)) continue;
          const ir = load(i);
          reached.set(i, ir);
          if (ir) queue.push(ir);
        }
      }
    }
  }
  return reached;
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
