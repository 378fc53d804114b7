import type { Expr, ModuleIR } from './ir.js';

/** Names of dotted expressions (`a.b.c`), plain and through a module's imports. */

/** Qualified name of a dotted expression through the module's imports. */
export function qnameOf(e: Expr, module: ModuleIR): string | undefined {
  if (e.k === 'name') return module.imports.get(e.name);
  if (e.k === 'attr') {
    const base = qnameOf(e.object, module);
    return base ? `${base}.${e.attr}` : undefined;
  }
  if (e.k === 'call' && e.qname) return e.qname;
  return undefined;
}

/** The name a dotted expression starts from (`a` of `a.b.c`), when it is one; cheaper than `dottedOf`. */
export function rootName(e: Expr): string | undefined {
  while (e.k === 'attr') e = e.object;
  return e.k === 'name' ? e.name : undefined;
}

export function dottedOf(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') {
    const base = dottedOf(e.object);
    return base ? `${base}.${e.attr}` : undefined;
  }
  return undefined;
}
