import { describe, expect, it } from 'vitest';
import { discoverFiles } from '../../src/discover/discover.js';
import { PathPatterns } from '../../src/discover/path-patterns.js';
import { tempTree } from '../support/tmp.js';

const ext = ['.py'];
const TREE = {
  'neutron/agent/l3/agent.py': '',
  'neutron/tests/unit/test_agent.py': '',
  'neutron/tests/functional/test_ns.py': '',
  'neutron/testsuite.py': '',
  'neutron/db/migration/alembic/versions/x_1.py': '',
  'neutron/api/v2/base.py': '',
  'neutron/api/v2/base_pb2.py': '',
  'tools/tests/check.py': '',
};

async function paths(options: { include?: string[]; exclude?: string[] }) {
  const root = tempTree(TREE);
  const { files, diagnostics } = await discoverFiles({ root, paths: ['.'], extensions: ext, ...options });
  return { files: files.map((f) => f.path), warnings: diagnostics.filter((d) => d.level === 'warning').map((d) => d.message) };
}

describe('--exclude and --include with .gitignore semantics', () => {
  it('a folder path excludes its whole subtree, with or without a trailing slash, and nothing else', async () => {
    for (const pattern of ['neutron/tests', 'neutron/tests/', 'neutron/tests/**']) {
      const { files, warnings } = await paths({ exclude: [pattern] });
      expect(files, pattern).toEqual([
        'neutron/agent/l3/agent.py',
        'neutron/api/v2/base.py',
        'neutron/api/v2/base_pb2.py',
        'neutron/db/migration/alembic/versions/x_1.py',
        'neutron/testsuite.py',
        'tools/tests/check.py',
      ]);
      expect(warnings).toEqual([]);
    }
  });

  it('a bare name matches at any depth; a pattern with a slash is anchored at the root', async () => {
    expect((await paths({ exclude: ['tests'] })).files).not.toContain('tools/tests/check.py');
    expect((await paths({ exclude: ['tests'] })).files).not.toContain('neutron/tests/unit/test_agent.py');
    expect((await paths({ exclude: ['*_pb2.py'] })).files).not.toContain('neutron/api/v2/base_pb2.py');
    expect((await paths({ exclude: ['tests/**'] })).files).toContain('neutron/tests/unit/test_agent.py');
  });

  it('a negation re-includes (as in git, not below an excluded folder), and include keeps only a subtree', async () => {
    // git cannot re-include a file whose folder is excluded: `neutron/tests` + `!…/functional/` keeps nothing.
    expect((await paths({ exclude: ['neutron/tests', '!neutron/tests/functional/'] })).files).not.toContain('neutron/tests/functional/test_ns.py');
    const { files } = await paths({ exclude: ['neutron/tests/*', '!neutron/tests/functional/'] });
    expect(files).toContain('neutron/tests/functional/test_ns.py');
    expect(files).not.toContain('neutron/tests/unit/test_agent.py');
    expect((await paths({ include: ['neutron/agent'] })).files).toEqual(['neutron/agent/l3/agent.py']);
  });

  it('warns about a pattern that matches no file, naming the option and the pattern', async () => {
    const { files, warnings } = await paths({ exclude: ['neutron/test', 'neutron/tests'], include: ['neutron/', 'nuetron/'] });
    expect(files).not.toContain('neutron/tests/unit/test_agent.py');
    expect(warnings).toEqual(['--include pattern `nuetron/` matches no file; it has no effect', '--exclude pattern `neutron/test` matches no file; it has no effect']);
  });

  it('never matches paths outside the scan root', () => {
    const p = new PathPatterns(['**/x.py', 'x.py']);
    expect(p.matches('../elsewhere/x.py')).toBe(false);
    expect(p.matches('a/x.py')).toBe(true);
  });
});
