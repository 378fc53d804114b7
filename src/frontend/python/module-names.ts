/** Module names from paths and relative imports (shared by the IR and the concurrency walk). */

/** `pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`. */
export function moduleNameForPath(path: string): string {
  const parts = path.replace(/\\/g, '/').replace(/\.pyi?$|\.pyw$/, '').split('/').filter((p) => p && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

/** Resolve `.x` / `..x.y` imports against the importing module's package. */
export function absoluteImport(qname: string, moduleName: string, isPackage: boolean): string {
  const m = /^(\.+)(.*)$/.exec(qname);
  if (!m) return qname;
  const pkg = moduleName.split('.').filter(Boolean);
  if (!isPackage) pkg.pop();
  for (let i = 1; i < m[1]!.length; i++) pkg.pop();
  return [...pkg, m[2]].filter(Boolean).join('.');
}
