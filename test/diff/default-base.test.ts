/**
 * The default base of `secreview diff` (no base, no flags): the merge base with the default branch
 * on a feature branch, whether or not the working tree has uncommitted edits (issue #21).
 */
import { describe, expect, it } from 'vitest';
import { scanChange } from '../../src/diff/review.js';
import { cli, Repo } from './repo.js';

const APP = `from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
`;

const APP_WITH_DEFECT = `import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"


@app.route("/ls")
def listing():
    subprocess.call("ls " + request.args["x"], shell=True)
    return "done"
`;

/** main with a clean app; branch feature commits a command injection in app.py. */
function featureBranch(): Repo {
  const repo = Repo.init({ 'app.py': APP, 'README.md': 'Demo\n' });
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'app.py': APP_WITH_DEFECT });
  repo.commit('Add a listing endpoint');
  return repo;
}

describe('secreview diff: the default base', () => {
  it('a committed defect on a feature branch is reported even with an unrelated uncommitted edit', () => {
    const repo = featureBranch();
    repo.write({ 'README.md': 'Demo, now with a listing endpoint\n' }); // the uncommitted edit
    expect(repo.status()).toBe(' M README.md\n');
    const r = cli(['diff'], repo.root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Change: [0-9a-f]{12} \(merge base with main\) → working tree/);
    expect(r.stdout).toContain('Location: app.py:15:');
    expect(r.stdout).not.toContain('No security defects are detected in the code');
    // The uncommitted edit is part of the change too.
    expect(r.stdout).toContain('2 files changed');
  });

  it('the same branch with a clean tree reports the same defect against the same base', async () => {
    const repo = featureBranch();
    expect(repo.status()).toBe('');
    const r = cli(['diff'], repo.root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Change: [0-9a-f]{12} \(merge base with main\) → working tree/);
    expect(r.stdout).toContain('Location: app.py:15:');
    expect(r.stdout).toContain('1 file changed');
    const api = await scanChange({ cwd: repo.root });
    expect(api.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`)).toEqual(['python/command-injection app.py:15']);
  });

  it('untracked files on a feature branch are reviewed on top of the committed change', async () => {
    const repo = featureBranch();
    repo.write({ 'tools.py': 'import os\n\n\ndef wipe(d):\n    os.system("rm -rf " + d)\n' });
    const r = await scanChange({ cwd: repo.root });
    expect(r.change.base).toMatch(/^[0-9a-f]{12} \(merge base with main\)$/);
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).sort()).toEqual([
      'python/command-injection app.py:15',
      'python/os-command-injection tools.py:5',
    ]);
  });

  it('on the default branch: HEAD with uncommitted edits, else the last commit, and the label says why', async () => {
    const repo = Repo.init({ 'app.py': APP });
    repo.write({ 'app.py': APP_WITH_DEFECT });
    const dirty = await scanChange({ cwd: repo.root });
    expect(dirty.change.base).toMatch(/^HEAD \([0-9a-f]{12}, uncommitted changes; no commits beyond main\)$/);
    expect(dirty.findings.map((f) => f.location.startLine)).toEqual([15]);
    repo.commit('Add a listing endpoint');
    const clean = await scanChange({ cwd: repo.root });
    expect(clean.change.base).toMatch(/^HEAD~1 \([0-9a-f]{12}, the last commit; no commits beyond main\)$/);
    expect(clean.findings.map((f) => f.location.startLine)).toEqual([15]);
    expect(clean.change.message).toBe('Add a listing endpoint');
  });
});
