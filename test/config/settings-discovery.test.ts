/**
 * Issue #16 item 2: settings are found as Ruff finds them. For each scanned file, the nearest
 * folder from the file's own up to the repository root that holds a settings file governs it;
 * paths in that file are relative to it; a nested file replaces (never merges with) its parent's.
 */
import { describe, expect, it } from 'vitest';
import { chownSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { ConfigError } from '../../src/config/config.js';
import { findRule } from '../../src/rules/index.js';
import { scanChange } from '../../src/diff/review.js';
import { tempTree } from '../support/tmp.js';
import { Repo } from '../diff/repo.js';

/** One finding each of three rules: weak-hash (line 6), yaml-unsafe-load (7), command-injection (8). */
const CODE = 'import hashlib\nimport subprocess\nimport yaml\n\ndef f(data, cmd):\n    hashlib.md5(data)\n    yaml.load(data)\n    subprocess.call(cmd, shell=True)\n';
const ALL = ['python/command-injection', 'python/weak-hash', 'python/yaml-unsafe-load'];
const without = (...ids: string[]): string[] => ALL.filter((id) => !ids.includes(id));

/** A folder made a repository root the way the search sees one (a `.git` entry). */
function repository(files: Record<string, string>): string {
  const root = tempTree(files);
  mkdirSync(join(root, '.git'));
  return root;
}

// Only these three rules are candidates: switching one off would otherwise let a rule whose
// findings it absorbs (subprocess-shell-injection, tainted-deserialization) show through.
const RULES = ALL.map((id) => findRule(id)!);

async function run(cwd: string, paths: string[], extra: Partial<ScanOptions> = {}): Promise<ScanResult> {
  return scan({ paths, cwd, confidence: 'low', severity: 'low', rules: RULES, ...extra });
}

/** Rule ids found per file, by path relative to `base` (whatever folder the scan reported from). */
function byFile(result: ScanResult, base: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of result.findings) {
    const path = relative(base, join(result.root, f.location.path));
    (out[path] ??= []).push(f.ruleId);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

const warnings = (result: ScanResult): string[] => result.diagnostics.filter((d) => d.level === 'warning').map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`);

describe('where settings are found', () => {
  it('from a subfolder: the repository root file governs files below it, whatever folder the scan starts in', async () => {
    const repo = repository({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'pkg/sub/app.py': CODE });
    const fromSub = await run(join(repo, 'pkg/sub'), ['.']);
    expect(fromSub.configSource).toBe(join(repo, '.secreview.yml'));
    expect(byFile(fromSub, repo)).toEqual({ 'pkg/sub/app.py': without('python/weak-hash') });
    const fromRoot = await run(repo, ['pkg/sub/app.py']);
    expect(byFile(fromRoot, repo)).toEqual({ 'pkg/sub/app.py': without('python/weak-hash') });
  });

  it('from outside the repository: `scan /elsewhere/repo` finds the repository settings', async () => {
    const repo = repository({ '.secreview.yml': 'disable: [python/yaml-unsafe-load]\n', 'app.py': CODE, 'lib/more.py': CODE });
    const elsewhere = tempTree({ '.secreview.yml': 'disable: [python/command-injection]\n' });
    const result = await run(elsewhere, [repo]);
    expect(result.configSource).toBe(join(repo, '.secreview.yml'));
    expect(byFile(result, repo)).toEqual({ 'app.py': without('python/yaml-unsafe-load'), 'lib/more.py': without('python/yaml-unsafe-load') });
    // Paths are still reported relative to the folder the scan ran in.
    expect(result.findings[0]!.location.path).toBe(`${relative(elsewhere, repo)}/app.py`);
  });

  it('stops at the repository root; outside any repository it goes up to the filesystem root', async () => {
    const outer = tempTree({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'repo/app.py': CODE, 'plain/app.py': CODE });
    mkdirSync(join(outer, 'repo/.git'));
    const inRepo = await run(join(outer, 'repo'), ['.']);
    expect(inRepo.configSource).toBeUndefined();
    expect(byFile(inRepo, outer)).toEqual({ 'repo/app.py': ALL });
    const notInRepo = await run(join(outer, 'plain'), ['.']);
    expect(notInRepo.configSource).toBe(join(outer, '.secreview.yml'));
    expect(byFile(notInRepo, outer)).toEqual({ 'plain/app.py': without('python/weak-hash') });
    // A `.git` file (a worktree or submodule) marks a repository root too.
    const worktree = tempTree({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'wt/.git': 'gitdir: /elsewhere\n', 'wt/app.py': CODE });
    expect(byFile(await run(join(worktree, 'wt'), ['.']), worktree)).toEqual({ 'wt/app.py': ALL });
  });

  // Making a file another user owns takes root (the machine these tests run on); elsewhere this one cannot run.
  it.runIf(process.getuid?.() === 0)('outside a repository, a settings file another user owns is ignored with a warning; inside one it is used', async () => {
    const outer = tempTree({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'plain/app.py': CODE, 'repo/.secreview.yml': 'disable: [python/weak-hash]\n', 'repo/app.py': CODE });
    chownSync(join(outer, '.secreview.yml'), 12345, 12345);
    chownSync(join(outer, 'repo/.secreview.yml'), 12345, 12345);
    mkdirSync(join(outer, 'repo/.git'));
    const plain = await run(join(outer, 'plain'), ['.']);
    expect(plain.configSource).toBeUndefined();
    expect(byFile(plain, outer)).toEqual({ 'plain/app.py': ALL });
    expect(warnings(plain)).toEqual([
      `${join(outer, '.secreview.yml')}: is ignored: it is owned by another user, outside any repository (a folder others can write to, such as /tmp, may hold it)`,
    ]);
    const repo = await run(join(outer, 'repo'), ['.']);
    expect(byFile(repo, outer)).toEqual({ 'repo/app.py': without('python/weak-hash') });
  });

  it('standard input is governed by the settings of its --stdin-filename', async () => {
    const repo = repository({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'sub/.secreview.yml': 'disable: [python/command-injection]\n' });
    const result = await run(repo, ['-'], { stdin: { text: CODE, filename: 'sub/app.py' } });
    expect(result.configSource).toBe(join(repo, 'sub/.secreview.yml'));
    expect(byFile(result, repo)).toEqual({ 'sub/app.py': without('python/command-injection') });
    const atRoot = await run(join(repo, 'sub'), ['-'], { stdin: { text: CODE, filename: '../app.py' } });
    expect(byFile(atRoot, repo)).toEqual({ 'app.py': without('python/weak-hash') });
  });
});

describe('paths in a settings file are relative to the folder holding it', () => {
  const TREE = {
    'pkg/.secreview.yml': [
      'exclude: [generated, "build/"]',
      'test-paths: ["checks/**"]',
      'overrides:',
      '  - paths: ["legacy/**"]',
      '    disable: [python/command-injection]',
      '',
    ].join('\n'),
    'pkg/app.py': CODE,
    'pkg/generated/gen.py': CODE,
    'pkg/checks/check_app.py': CODE,
    'pkg/legacy/old.py': CODE,
    // The same names outside pkg/ are not the pkg file's business.
    'generated/gen.py': CODE,
    'legacy/old.py': CODE,
  };
  const EXPECTED = {
    'generated/gen.py': ALL,
    'legacy/old.py': ALL,
    'pkg/app.py': ALL,
    'pkg/legacy/old.py': without('python/command-injection'),
  };

  it('exclude, test-paths and overrides, the same from the root, from inside and from outside', async () => {
    const repo = repository(TREE);
    const fromRoot = await run(repo, ['.']);
    expect(byFile(fromRoot, repo)).toEqual(EXPECTED);
    // pkg/checks is test code there: its pattern findings (weak-hash, yaml-unsafe-load) are
    // counted, not shown; nothing imports it, so the data flow (command-injection) is not traced there.
    expect(fromRoot.stats.hiddenInTests).toBe(2);
    expect(byFile(await run(join(repo, 'pkg/legacy'), ['..', '../..']), repo)).toEqual(EXPECTED);
    expect(byFile(await run(tempTree({}), [repo]), repo)).toEqual(EXPECTED);
    // The pattern `build/` matched nothing: said, naming the file that holds it.
    expect(warnings(fromRoot)).toEqual(['pkg/.secreview.yml: exclude pattern `build/` matches no scanned file; it has no effect']);
  });

  it('models: a missing model file is looked for next to the settings file', async () => {
    const repo = repository({ 'pkg/.secreview.yml': 'models: [security/models.yml]\n', 'pkg/app.py': CODE });
    const error = await run(join(repo, 'pkg'), ['.']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(join(repo, 'pkg/security/models.yml'));
    const fromRoot = await run(repo, ['pkg']).catch((e: unknown) => e);
    expect((fromRoot as Error).message).toContain(join(repo, 'pkg/security/models.yml'));
  });
});

describe('several settings files', () => {
  it('in one folder: .secreview.yml, then .secreview.yaml, then pyproject.toml, then package.json; the losers are named in a warning', async () => {
    const files = {
      '.secreview.yml': 'disable: [python/weak-hash]\n',
      'pyproject.toml': '[project]\nname = "x"\n\n[tool.secreview]\ndisable = ["python/yaml-unsafe-load"]\n',
      'package.json': JSON.stringify({ name: 'x', secreview: { disable: ['python/command-injection'] } }),
      'app.py': CODE,
    };
    const all = await run(repository(files), ['.']);
    expect(byFile(all, all.root)).toEqual({ 'app.py': without('python/weak-hash') });
    // (diagnostics are listed by path)
    expect(warnings(all)).toEqual([
      'package.json: is ignored: .secreview.yml in the same folder holds settings and takes precedence',
      'pyproject.toml: is ignored: .secreview.yml in the same folder holds settings and takes precedence',
    ]);
    const { '.secreview.yml': _y, ...noYaml } = files;
    const pyproject = await run(repository(noYaml), ['.']);
    expect(byFile(pyproject, pyproject.root)).toEqual({ 'app.py': without('python/yaml-unsafe-load') });
    expect(warnings(pyproject)).toHaveLength(1);
    // A pyproject.toml without [tool.secreview] holds no settings: package.json's apply, silently.
    const pkg = await run(repository({ ...noYaml, 'pyproject.toml': '[project]\nname = "x"\n' }), ['.']);
    expect(byFile(pkg, pkg.root)).toEqual({ 'app.py': without('python/command-injection') });
    expect(pkg.configSource).toBe(join(pkg.root, 'package.json'));
    expect(warnings(pkg)).toEqual([]);
  });

  it('a package.json without "secreview" is not a settings file, and the search goes on upwards', async () => {
    const repo = repository({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'web/package.json': '{"name": "web"}', 'web/app.py': CODE });
    const result = await run(join(repo, 'web'), ['.']);
    expect(result.configSource).toBe(join(repo, '.secreview.yml'));
    expect(byFile(result, repo)).toEqual({ 'web/app.py': without('python/weak-hash') });
  });

  it('a bad "secreview" key in package.json is an error naming the file and the key', async () => {
    const repo = repository({ 'package.json': JSON.stringify({ secreview: { serverity: 'high' } }), 'app.py': CODE });
    await expect(run(repo, ['.'])).rejects.toThrow(/package\.json: secreview\.serverity: unknown key/);
  });

  it('nested: the closest file governs the files below it, and replaces its parent\'s (no merging)', async () => {
    const repo = repository({
      '.secreview.yml': 'disable: [python/weak-hash]\n',
      'app.py': CODE,
      'sub/.secreview.yml': 'disable: [python/yaml-unsafe-load]\nfail-on: critical\n',
      'sub/app.py': CODE,
      'sub/deeper/app.py': CODE,
    });
    const result = await run(repo, ['.']);
    expect(byFile(result, repo)).toEqual({
      'app.py': without('python/weak-hash'),
      'sub/app.py': without('python/yaml-unsafe-load'),
      'sub/deeper/app.py': without('python/yaml-unsafe-load'),
    });
    // fail-on decides for the whole run: from the run's settings, and a nested file's is said to be ignored.
    expect(result.failOn).toBeUndefined();
    expect(warnings(result)).toEqual([
      "sub/.secreview.yml: fail-on is ignored: it applies to a whole run, and this run's settings are .secreview.yml (scan sub on its own to use it)",
    ]);
    const subOnly = await run(repo, ['sub']);
    expect(subOnly.failOn).toBe('critical');
    expect(warnings(subOnly)).toEqual([]);
  });

  it('command-line options apply on top of every file', async () => {
    const repo = repository({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'app.py': CODE, 'sub/.secreview.yml': 'select: [python/weak-hash]\n', 'sub/app.py': CODE });
    const result = await run(repo, ['.'], { enable: ['python/weak-hash'], disable: ['python/command-injection'] });
    expect(byFile(result, repo)).toEqual({ 'app.py': ['python/weak-hash', 'python/yaml-unsafe-load'], 'sub/app.py': ['python/weak-hash'] });
  });

  it('--config FILE: one file for every scanned file, no search; --no-config: none', async () => {
    const repo = repository({ 'ci/secreview.yml': 'disable: [python/command-injection]\n', 'sub/.secreview.yml': 'disable: [python/weak-hash]\n', 'sub/app.py': CODE });
    const explicit = await run(repo, ['.'], { config: 'ci/secreview.yml' });
    expect(explicit.configSource).toBe(join(repo, 'ci/secreview.yml'));
    expect(byFile(explicit, repo)).toEqual({ 'sub/app.py': without('python/command-injection') });
    expect(byFile(await run(repo, ['.'], { config: false }), repo)).toEqual({ 'sub/app.py': ALL });
  });
});

describe('secreview diff uses the same search', () => {
  it('the working tree from a subfolder, and a revision (a checkout without .git): nested settings govern their files', async () => {
    const repo = Repo.init({ '.secreview.yml': 'disable: [python/weak-hash]\n', 'app.py': 'x = 1\n', 'sub/.secreview.yml': 'disable: [python/yaml-unsafe-load]\n', 'sub/app.py': 'x = 1\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'app.py': CODE, 'sub/app.py': CODE });
    const expected = { 'app.py': without('python/weak-hash'), 'sub/app.py': without('python/yaml-unsafe-load') };
    const worktree = await scanChange({ cwd: join(repo.root, 'sub'), confidence: 'low', severity: 'low', rules: RULES });
    expect(byFile(worktree, repo.root)).toEqual(expected);
    repo.commit('Change');
    const rev = await scanChange({ cwd: repo.root, head: 'feature', base: 'main', confidence: 'low', severity: 'low', rules: RULES });
    expect(byFile(rev, repo.root)).toEqual(expected);
  });

  it('the base is judged with the changed state\'s settings files: a rule switched off in a nested file stays off for the base', async () => {
    const repo = Repo.init({ 'sub/app.py': CODE });
    repo.git('checkout', '-q', '-b', 'feature');
    // The change adds a settings file that enables nothing new and a copy of the code: only the copy is new.
    repo.write({ 'sub/.secreview.yml': 'disable: [python/weak-hash]\n', 'sub/copy.py': CODE });
    const result = await scanChange({ cwd: repo.root, confidence: 'low', severity: 'low', rules: RULES });
    expect(byFile(result, repo.root)).toEqual({ 'sub/copy.py': without('python/weak-hash') });
  });
});
