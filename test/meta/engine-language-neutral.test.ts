import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FRONTENDS = join(ROOT, 'src', 'frontend');

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The languages with a front end folder (src/frontend/<language>/). */
const languages = readdirSync(FRONTENDS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

/** The module specifiers a file imports or re-exports (static, dynamic and side-effect imports). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

/** The files of src/analysis/ that import some language's front end, with what they import. */
function frontEndImports(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sources(join(ROOT, 'src', 'analysis'))) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(FRONTENDS, join(file, '..', spec));
      const language = target.split('/')[0];
      if (!target.startsWith('..') && languages.includes(language!)) {
        const rel = relative(ROOT, file);
        found.set(rel, [...(found.get(rel) ?? []), spec]);
      }
    }
  }
  return found;
}

/**
 * The per-file rule pipeline outside the taint engine still runs Python's front end by name
 * (it predates a second language); the engine under src/analysis/taint/ must never.
 */
const KNOWN_PIPELINE_FILES = ['src/analysis/analyse-file.ts', 'src/analysis/run-rules.ts', 'src/analysis/syntax-errors.ts'];

describe('the analysis knows no language', () => {
  it('finds the front ends it checks against', () => {
    expect(languages).toContain('python');
    expect(specifiers("import type { A } from '../x.js';\nimport './y.js';\nconst m = await import('../z.js');")).toEqual(['../x.js', './y.js', '../z.js']);
  });

  it('no file of the taint engine imports a language front end (src/frontend/<language>/)', () => {
    const engine = [...frontEndImports()].filter(([file]) => file.startsWith('src/analysis/taint/'));
    expect(engine).toEqual([]);
  });

  it('no other file of src/analysis/ does, besides the per-file pipeline known to', () => {
    const others = [...frontEndImports().keys()].filter((file) => !file.startsWith('src/analysis/taint/'));
    expect(others.filter((file) => !KNOWN_PIPELINE_FILES.includes(file))).toEqual([]);
  });
});
