import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/api/scan.js';
import { scanChange } from '../../src/diff/review.js';
import type { Finding } from '../../src/findings/types.js';
import { tempTree } from '../support/tmp.js';
import { cli, Repo } from './repo.js';

const HELPERS = `import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
`;

const APP_BASE = `import hashlib

from flask import Flask, request
from helpers import run

app = Flask(__name__)


def nightly():
    run("ls -l /var/backups")


def legacy_hash(password):
    return hashlib.md5(password.encode()).hexdigest()
`;

const APP_HEAD = `import hashlib

from flask import Flask, request
from helpers import run

app = Flask(__name__)


def nightly():
    run("ls -l /var/backups")


@app.route("/run")
def run_it():
    run(request.args["x"])
    return "ok"


def legacy_hash(password):
    return hashlib.md5(password.encode()).hexdigest()


def token_digest(token):
    return hashlib.md5(token.encode()).hexdigest()
`;

const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).sort();

describe('secreview diff: which findings a change gets', () => {
  it('reports a defect on a changed line and a new source reaching an old sink, not the untouched old defect', async () => {
    const repo = Repo.init({ 'helpers.py': HELPERS, 'app.py': APP_BASE });
    repo.write({ 'app.py': APP_HEAD, 'notes/todo.txt': 'untracked\n' });
    const status = repo.status();
    const gitState = repo.gitState();

    // The full tree has three findings; the change has two of them.
    const result = await scanChange({ cwd: repo.root });
    // The working tree's state was hashed into a temporary object store, not the repository's.
    expect(repo.status()).toBe(status);
    expect(repo.gitState()).toEqual(gitState);
    expect(summary(result.findings)).toEqual(['python/command-injection helpers.py:5', 'python/weak-hash app.py:24']);
    expect(result.change.head).toBe('working tree');
    expect(result.change.base).toMatch(/^HEAD \([0-9a-f]{12}, uncommitted changes; no commits beyond main\)$/);
    expect(result.change.files).toEqual([
      { path: 'app.py', status: 'modified', lines: [[13, 18], [21, 24]] },
      { path: 'notes/todo.txt', status: 'added', lines: [[1, 1]] },
    ]);
    expect(result.change.notShown).toBe(2); // legacy_hash: weak-hash and fast-password-hash
    expect(result.root).toBe(repo.root);

    // The sink is in a file the change does not touch; the path's source is what changed.
    const injection = result.findings.find((f) => f.ruleId === 'python/command-injection')!;
    expect(injection.trace![0]!.location).toMatchObject({ path: 'app.py', startLine: 15 });
  });

  it('before the change, the sink was only reached by a constant: the same sink finding is new', async () => {
    const repo = Repo.init({ 'helpers.py': HELPERS, 'app.py': APP_BASE });
    repo.write({ 'app.py': APP_HEAD });
    const lowAll = await scanChange({ cwd: repo.root, severity: 'low', confidence: 'low' });
    // At low confidence the base already reports `run`'s parameter reaching the shell, with the
    // same fingerprint (same sink statement); the request source still makes it new.
    expect(summary(lowAll.findings)).toContain('python/command-injection helpers.py:5');
  });

  it('does not report moved code: within a file, to another file, or re-indented', async () => {
    const util = `import os


def cleanup(folder):
    os.system("rm -rf " + folder)


def greet(name):
    return "hello " + name


def shout(name):
    return greet(name).upper()
`;
    const repo = Repo.init({ 'util.py': util });
    const before = await scan({ paths: ['.'], cwd: repo.root });
    expect(summary(before.findings)).toEqual(['python/os-command-injection util.py:5']);

    // Moved below the other functions.
    const moved = `import os


def greet(name):
    return "hello " + name


def shout(name):
    return greet(name).upper()


def cleanup(folder):
    os.system("rm -rf " + folder)
`;
    repo.write({ 'util.py': moved });
    let r = await scanChange({ cwd: repo.root });
    expect(r.change.files[0]!.lines.length).toBeGreaterThan(0);
    expect(r.findings).toEqual([]);
    expect(r.change.notShown).toBe(1);

    // Moved into a class (re-indented) and the blank lines shuffled.
    repo.write({
      'util.py': `import os


class Tools:
    @staticmethod
    def cleanup(folder):
        os.system( "rm -rf "  +  folder )


def greet(name):
    return "hello " + name
`,
    });
    r = await scanChange({ cwd: repo.root });
    expect(r.findings).toEqual([]);

    // Moved to another file.
    repo.write({
      'util.py': `def greet(name):
    return "hello " + name
`,
      'cleaning.py': `import os


def cleanup(folder):
    os.system("rm -rf " + folder)
`,
    });
    r = await scanChange({ cwd: repo.root });
    expect(r.change.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(['added cleaning.py', 'modified util.py']);
    expect(r.findings).toEqual([]);
  });

  it('a copy of an existing defect is new, and only the copy is reported', async () => {
    const util = `import os


def cleanup(folder):
    os.system("rm -rf " + folder)
`;
    const repo = Repo.init({ 'util.py': util });
    repo.write({ 'util.py': `${util}\n\ndef cleanup_again(folder):\n    os.system("rm -rf " + folder)\n` });
    const r = await scanChange({ cwd: repo.root });
    expect(summary(r.findings)).toEqual(['python/os-command-injection util.py:9']);
  });

  it('an edit to a flagged statement is new', async () => {
    const repo = Repo.init({ 'util.py': 'import os\n\n\ndef cleanup(folder):\n    os.system("rm -rf " + folder)\n' });
    repo.write({ 'util.py': 'import os\n\n\ndef cleanup(folder):\n    os.system("rm -rf /tmp/" + folder)\n' });
    const r = await scanChange({ cwd: repo.root });
    expect(summary(r.findings)).toEqual(['python/os-command-injection util.py:5']);
  });

  it('removing a sanitiser counts as a change to the lines around it', async () => {
    const base = `import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args["host"]
    host = shlex.quote(host)
    return subprocess.check_output("ping -c 1 " + host, shell=True)
`;
    const repo = Repo.init({ 'app.py': base });
    const before = await scan({ paths: ['.'], cwd: repo.root });
    expect(before.findings.map((f) => f.ruleId)).not.toContain('python/command-injection');
    repo.write({ 'app.py': base.replace('    host = shlex.quote(host)\n', '') });
    const r = await scanChange({ cwd: repo.root });
    expect(r.change.files[0]).toMatchObject({ path: 'app.py', lines: [], deletedAfter: [11] });
    expect(r.findings.map((f) => f.ruleId)).toContain('python/command-injection');
  });

  it('--staged reviews the index only; --head reviews a commit; the default base is the merge base with main', async () => {
    const repo = Repo.init({ 'a.py': 'import os\n', 'b.py': 'import hashlib\n' });
    repo.write({ 'a.py': 'import os\n\n\ndef wipe(d):\n    os.system("rm -rf " + d)\n' });
    repo.git('add', 'a.py');
    repo.write({ 'b.py': 'import hashlib\n\n\ndef h(password):\n    return hashlib.md5(password.encode()).hexdigest()\n' });
    const gitState = repo.gitState();
    const staged = await scanChange({ cwd: repo.root, staged: true });
    expect(repo.gitState()).toEqual(gitState);
    expect(summary(staged.findings)).toEqual(['python/os-command-injection a.py:5']);
    expect(staged.change.head).toBe('staged changes');
    const all = await scanChange({ cwd: repo.root });
    expect(summary(all.findings)).toEqual(['python/fast-password-hash b.py:5', 'python/os-command-injection a.py:5', 'python/weak-hash b.py:5']);

    // A feature branch with two commits; main moves on after it branched off.
    repo.git('checkout', '-q', '-b', 'feature');
    repo.git('commit', '-q', '-m', 'Add wipe()\n\nNeeded by the nightly job.'); // the staged a.py
    repo.commit('Add h()');
    repo.git('checkout', '-q', 'main');
    repo.write({ 'c.py': 'import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n' });
    repo.commit('Add load() on main');
    repo.git('checkout', '-q', 'feature');

    const branch = await scanChange({ cwd: repo.root });
    expect(summary(branch.findings)).toEqual(['python/fast-password-hash b.py:5', 'python/os-command-injection a.py:5', 'python/weak-hash b.py:5']);
    expect(branch.change.base).toMatch(/^[0-9a-f]{12} \(merge base with main\)$/);
    expect(branch.change.message).toBe('Add wipe()\n\nNeeded by the nightly job.\n\nAdd h()');

    repo.git('checkout', '-q', 'main');
    const byRev = await scanChange({ cwd: repo.root, head: 'feature' });
    expect(summary(byRev.findings)).toEqual(summary(branch.findings));
    expect(byRev.change.head).toMatch(/^feature \([0-9a-f]{12}\)$/);
    const lastCommit = await scanChange({ cwd: repo.root, head: 'feature', base: 'feature~1' });
    expect(summary(lastCommit.findings)).toEqual(['python/fast-password-hash b.py:5', 'python/weak-hash b.py:5']);
    expect(lastCommit.change.message).toBe('Add h()');
    // On main with a clean tree: the last commit.
    const onMain = await scanChange({ cwd: repo.root });
    expect(summary(onMain.findings)).toEqual(['python/unsafe-deserialization c.py:5']);
    expect(repo.status()).toBe('');
  });

  it('reviews a patch without touching the working tree, the index or the object store', () => {
    const repo = Repo.init({ 'helpers.py': HELPERS, 'app.py': APP_BASE });
    repo.git('checkout', '-q', '-b', 'topic');
    repo.write({ 'app.py': APP_HEAD });
    repo.commit('Add the /run endpoint\n\nRuns what the caller asks for.');
    const patch = repo.git('format-patch', '-1', '--stdout');
    repo.git('checkout', '-q', 'main');
    repo.git('branch', '-q', '-D', 'topic');
    repo.write({ 'notes.txt': 'untracked\n' }); // an untracked file stays untracked
    const patchFile = join(tempTree({}), 'topic.patch');
    writeFileSync(patchFile, patch);

    const status = repo.status();
    const files = repo.snapshot();
    const gitState = repo.gitState();

    const r = cli(['diff', '--patch', patchFile], repo.root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Change: HEAD (`);
    expect(r.stdout).toContain(`→ ${patchFile} on HEAD`);
    expect(r.stdout).toContain('\n   Add the /run endpoint\n\n   Runs what the caller asks for.\n');
    expect(r.stdout).toContain('Location: helpers.py:5:21');
    expect(r.stdout).toContain('Location: app.py:24:12');
    expect(r.stdout).not.toContain('app.py:14'); // legacy_hash, untouched
    expect(r.stdout).toContain('2 security defects found');

    const fromStdin = cli(['diff', '--patch', '-', '--format', 'json'], repo.root, patch);
    expect(fromStdin.code).toBe(1);
    const json = JSON.parse(fromStdin.stdout);
    expect(json.change.message).toBe('Add the /run endpoint\n\nRuns what the caller asks for.');
    expect(json.change.head).toMatch(/^standard input on HEAD/);
    expect(json.findings.map((f: Finding) => f.ruleId).sort()).toEqual(['python/command-injection', 'python/weak-hash']);

    expect(repo.status()).toBe(status);
    expect(repo.snapshot()).toEqual(files);
    expect(repo.gitState()).toEqual(gitState);
  });

  it('a patch that does not apply, an unknown revision or a folder outside git exit 2 with the reason', () => {
    const repo = Repo.init({ 'app.py': 'x = 1\n' });
    const bad = 'diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-y = 2\n+y = 3\n';
    const r = cli(['diff', '--patch', '-'], repo.root, bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/standard input does not apply to [0-9a-f]{12}/);
    const unknown = cli(['diff', 'no-such-branch'], repo.root);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown revision `no-such-branch`');
    const outside = cli(['diff'], tempTree({ 'a.py': 'x = 1\n' }));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('is not inside a git repository');
    const both = cli(['diff', '--staged', '--head', 'HEAD'], repo.root);
    expect(both.code).toBe(2);
  });

  it('a change without Python files is clean (exit 0) without scanning', () => {
    const repo = Repo.init({ 'app.py': 'import os\nos.system("ls " + input())\n', 'README.md': 'hi\n' });
    repo.write({ 'README.md': 'hello\n' });
    const r = cli(['diff'], repo.root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No security defects are detected in the code');
    expect(r.stdout).toContain('1 file changed, 1 line added or rewritten');
  });

  it('the CLI exits 1 for new findings and 0 when the change is clean', () => {
    const repo = Repo.init({ 'app.py': 'import os\n\n\ndef f(d):\n    os.system("rm -rf " + d)\n' });
    repo.write({ 'app.py': 'import os\n\n\ndef f(d):\n    os.system("rm -rf " + d)\n\n\ndef g():\n    return 1\n' });
    const clean = cli(['diff'], repo.root);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No security defects are detected in the code');
    expect(clean.stdout).toContain('Not shown: 1 outside the change or there before it');
    repo.write({ 'app.py': 'import os\n\n\ndef f(d):\n    os.system("rm -rf " + d)\n\n\ndef g(e):\n    os.system("rm " + e)\n' });
    const dirty = cli(['diff', '--fail-on', 'high'], repo.root);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain('Location: app.py:9:15');
    expect(dirty.stdout).not.toContain('Location: app.py:5:');
  });
});
