import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import type { ModuleIR } from '../../src/analysis/taint/ir.js';
import { reachedByImports } from '../../src/analysis/taint/import-reach.js';
import { pythonToIR } from '../../src/frontend/python/to-ir.js';
import type { PythonModule } from '../../src/frontend/python/index.js';

async function irOf(path: string, source: string): Promise<ModuleIR> {
  const analysis = await analysePythonSource(path, source, []);
  try {
    return pythonToIR(analysis.module as PythonModule);
  } finally {
    analysis.release();
  }
}

/** Optional modules by path; `reach` answers which of them the roots reach, and in which order they were loaded. */
async function optionalModules(files: Record<string, string>) {
  const paths = Object.keys(files);
  const irs = await Promise.all(paths.map((p) => irOf(p, files[p]!)));
  return {
    reach(roots: ModuleIR[]): { reached: string[]; loaded: string[] } {
      const loaded: string[] = [];
      const result = reachedByImports(roots, irs.map((m) => m.moduleName), (i) => {
        loaded.push(paths[i]!);
        return irs[i];
      });
      return { reached: [...result.keys()].map((i) => paths[i]!).sort(), loaded };
    },
  };
}

describe('reachedByImports', () => {
  const TESTS = {
    'pkg/tests/__init__.py': '',
    'pkg/tests/helpers.py': 'from pkg.tests import base\n\ndef host():\n    return base.value()\n',
    'pkg/tests/base.py': 'def value():\n    return 1\n',
    'pkg/tests/fakes.py': 'from pkg.tests import helpers\n',
    'pkg/tests/unit/test_app.py': 'from pkg.tests import fakes\n',
  };

  it('follows from-imports transitively, with the packages above, and loads each module once', async () => {
    const tests = await optionalModules(TESTS);
    const app = await irOf('pkg/app.py', 'from pkg.tests.helpers import host\nfrom pkg.tests import helpers as again\n');
    const { reached, loaded } = tests.reach([app]);
    expect(reached).toEqual(['pkg/tests/__init__.py', 'pkg/tests/base.py', 'pkg/tests/helpers.py']);
    expect(loaded.length).toBe(new Set(loaded).size);
  });

  it('follows a plain `import a.b.c`, whose import table binds only `a`', async () => {
    const tests = await optionalModules(TESTS);
    const app = await irOf('pkg/app.py', 'import pkg.tests.base\n\ndef f():\n    return pkg.tests.base.value()\n');
    expect(app.imports.get('pkg')).toBe('pkg');
    expect(tests.reach([app]).reached).toEqual(['pkg/tests/__init__.py', 'pkg/tests/base.py']);
  });

  it('matches module names by dotted suffix (a scan started inside the package), and reaches nothing from unrelated imports', async () => {
    const inside = await optionalModules({ 'tests/helpers.py': 'def host():\n    return 1\n', 'tests/fakes.py': '' });
    const app = await irOf('app.py', 'import os\nfrom pkg.tests.helpers import host\n');
    expect(inside.reach([app]).reached).toEqual(['tests/helpers.py']);
    const unrelated = await irOf('app.py', 'import os\nfrom pkg.app import helpers\nfrom pkg.tests_data import x\n');
    expect((await optionalModules(TESTS)).reach([unrelated]).reached).toEqual([]);
  });
});
