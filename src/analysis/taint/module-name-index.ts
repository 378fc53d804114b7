/**
 * Modules by dotted name, matched as a scan's module names meet the names code imports them by:
 * in full, or where one ends with the other at a dot (a scan started above a package names its
 * modules longer, `root.pkg.mod`; one started inside it, shorter, `mod`).
 */
export class ModuleNameIndex<T> {
  /** By the whole dotted name (several files may share one: `m.py`, `m/__init__.py`). */
  private readonly byFullName = new Map<string, T[]>();
  /** By every part of the name after a dot (`b.c` and `c` for `a.b.c`). */
  private readonly bySuffix = new Map<string, T[]>();

  add(name: string, item: T): void {
    push(this.byFullName, name, item);
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) push(this.bySuffix, name.slice(dot + 1), item);
  }

  /** Every item named `name`, or whose name ends with `.name`, or that `name` ends with after a dot. */
  matches(name: string): Set<T> {
    const found = new Set<T>(this.byFullName.get(name));
    for (const item of this.bySuffix.get(name) ?? []) found.add(item);
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      const suffix = name.slice(dot + 1);
      if (suffix !== '') for (const item of this.byFullName.get(suffix) ?? []) found.add(item);
    }
    return found;
  }
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (!list) map.set(key, [item]);
  else if (list[list.length - 1] !== item) list.push(item);
}
