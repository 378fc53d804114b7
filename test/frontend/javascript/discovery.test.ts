import { describe, expect, it } from 'vitest';
import { discoverFiles } from '../../../src/discover/discover.js';
import { supportedExtensions } from '../../../src/frontend/registry.js';
import { tempTree } from '../../support/tmp.js';

const discover = async (root: string, paths: string[] = ['.'], includeGenerated = false) =>
  discoverFiles({ root, paths, extensions: supportedExtensions, includeGenerated });

describe('discovery of JavaScript/TypeScript files', () => {
  it('finds every extension, and skips declarations, minified files, build output and node_modules with a count', async () => {
    const root = tempTree({
      'src/a.js': 'x();\n',
      'src/b.mjs': 'x();\n',
      'src/c.cjs': 'x();\n',
      'src/d.jsx': 'x();\n',
      'src/e.ts': 'x();\n',
      'src/f.mts': 'x();\n',
      'src/g.cts': 'x();\n',
      'src/h.tsx': 'x();\n',
      'src/types.d.ts': 'export declare const x: number;\n',
      'public/jquery.min.js': 'x();\n',
      'public/app.js': `var a=${'1+'.repeat(800)}1;\n`,
      'dist/bundle.js': 'x();\n',
      'build/out.js': 'x();\n',
      'node_modules/lib/index.js': 'x();\n',
      'app.py': 'x = 1\n',
    });
    const found = await discover(root);
    expect(found.files.map((f) => f.path)).toEqual(['app.py', 'src/a.js', 'src/b.mjs', 'src/c.cjs', 'src/d.jsx', 'src/e.ts', 'src/f.mts', 'src/g.cts', 'src/h.tsx']);
    expect(found.diagnostics.map((d) => `${d.kind} ${d.level}: ${d.message}`)).toEqual([
      'generated-skipped warning: skipped 5 generated JavaScript/TypeScript files (2 build output, 1 declaration, 2 minified); name a file to scan it',
    ]);
  });

  it('scans generated files when named, when asked, or when their folder is the one given', async () => {
    const root = tempTree({ 'dist/bundle.js': 'x();\n', 'lib/x.min.js': 'x();\n' });
    expect((await discover(root, ['lib/x.min.js'])).files.map((f) => f.path)).toEqual(['lib/x.min.js']);
    expect((await discover(root, ['.'], true)).files.map((f) => f.path)).toEqual(['dist/bundle.js', 'lib/x.min.js']);
    // A build folder named on the command line is what the user asked for.
    expect((await discover(root, ['dist'])).files.map((f) => f.path)).toEqual(['dist/bundle.js']);
  });

  it('says nothing more for a Python-only tree', async () => {
    const root = tempTree({ 'pkg/a.py': 'x = 1\n', 'dist/b.py': 'y = 2\n' });
    const found = await discover(root);
    expect(found.files.map((f) => f.path)).toEqual(['dist/b.py', 'pkg/a.py']);
    expect(found.diagnostics).toEqual([]);
  });
});
