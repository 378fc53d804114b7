import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { discoverFiles } from '../../src/discover/discover.js';
import { tempTree } from '../support/tmp.js';

const ext = ['.py', '.pyw', '.pyi'];

describe('discoverFiles', () => {
  it('finds Python files, sorted, skipping default excludes and non-Python files', async () => {
    const root = tempTree({
      'b.py': '',
      'a/z.py': '',
      'a/readme.md': '',
      'node_modules/x/y.py': '',
      '.venv/lib/site.py': '',
      'venv/lib/os.py': '',
      'pkg/__pycache__/m.py': '',
      '.git/hooks/h.py': '',
    });
    const { files, diagnostics } = await discoverFiles({ root, paths: ['.'], extensions: ext });
    expect(files.map((f) => f.path)).toEqual(['a/z.py', 'b.py']);
    expect(diagnostics).toEqual([]);
  });

  it('honours .gitignore files at every level, inside a git repository', async () => {
    const root = tempTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n',
      'generated/out.py': '',
      'src/.gitignore': 'local_*.py\n',
      'src/local_settings.py': '',
      'src/app.py': '',
    });
    const { files } = await discoverFiles({ root, paths: ['src', '.'], extensions: ext });
    expect(files.map((f) => f.path)).toEqual(['src/app.py']);
  });

  it('keeps an explicitly named file even if ignored, and applies include/exclude globs', async () => {
    const root = tempTree({ '.gitignore': 'skip.py\n', 'skip.py': '', 'tests/test_a.py': '', 'app/a.py': '', 'app/b.py': '' });
    const named = await discoverFiles({ root, paths: ['skip.py'], extensions: ext });
    expect(named.files.map((f) => f.path)).toEqual(['skip.py']);
    const globbed = await discoverFiles({ root, paths: ['.'], extensions: ext, include: ['app/**'], exclude: ['**/b.py'] });
    expect(globbed.files.map((f) => f.path)).toEqual(['app/a.py']);
  });

  it('reports a missing path by name and still lists the others', async () => {
    const root = tempTree({ 'ok.py': '' });
    const { files, diagnostics } = await discoverFiles({ root, paths: ['nope', 'ok.py'], extensions: ext });
    expect(files.map((f) => f.path)).toEqual(['ok.py']);
    expect(diagnostics).toEqual([
      { kind: 'path-error', level: 'error', path: 'nope', message: 'cannot scan nope: no such file or directory' },
    ]);
  });

  it('does not follow symbolic links, so a link loop terminates', async () => {
    const root = tempTree({ 'pkg/m.py': '' });
    mkdirSync(join(root, 'pkg', 'sub'));
    symlinkSync(join(root, 'pkg'), join(root, 'pkg', 'sub', 'loop'));
    const { files } = await discoverFiles({ root, paths: ['.'], extensions: ext });
    expect(files.map((f) => f.path)).toEqual(['pkg/m.py']);
  });
});

describe('discoverFiles and ignored folders named explicitly', () => {
  it('scans a folder the user names even when an outer .gitignore excludes it, honouring inner ones', async () => {
    const root = tempTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'cache/\n',
      'cache/corpus/a.py': '',
      'cache/corpus/.gitignore': 'skip_*.py\n',
      'cache/corpus/skip_me.py': '',
      'app.py': '',
    });
    const all = await discoverFiles({ root, paths: ['.'], extensions: ext });
    expect(all.files.map((f) => f.path)).toEqual(['app.py']);
    const named = await discoverFiles({ root, paths: ['cache/corpus'], extensions: ext });
    expect(named.files.map((f) => f.path)).toEqual(['cache/corpus/a.py']);
  });
});
