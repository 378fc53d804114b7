/**
 * A repository under review must not steer the reviewer (issue #21): settings in its .git/config
 * and hooks in .git/hooks that name programs are not run by `secreview diff`, in any mode, and a
 * filter program cannot change what is reviewed. Each trap is a script that leaves a marker file
 * when it runs; after every review, the marker folder must still be empty, and the defects must
 * be reported from the bytes on disk and in the commits.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanChange, type ChangeScanOptions } from '../../src/diff/review.js';
import { GitError } from '../../src/diff/git.js';
import { tempTree } from '../support/tmp.js';
import { cli, Repo } from './repo.js';

const APP = `import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
`;

/** The feature commit: a command injection on line 15. */
const APP_FEATURE = `${APP}

@app.route("/ls")
def listing():
    subprocess.call("ls " + request.args["x"], shell=True)
    return "done"
`;

/** The uncommitted edit on top: a second one on line 21. */
const APP_EDITED = `${APP_FEATURE}

@app.route("/rm")
def removal():
    subprocess.call("rm " + request.args["y"], shell=True)
    return "gone"
`;

/** Staged, not committed: a new file with an OS command injection on line 5. */
const TOOLS = 'import os\n\n\ndef wipe(d):\n    os.system("rm -rf " + d)\n';

interface Hostile {
  repo: Repo;
  /** Where the trap scripts leave their markers. */
  marks: string;
  /** A script that leaves the marker `name` (and, with `drain`, reads its input and prints nothing). */
  trap(name: string, drain?: boolean): string;
  /** `git format-patch` of the feature commit. */
  patchFile: string;
}

/**
 * main has app.py; branch feature commits the listing endpoint; tools.py is staged; app.py has an
 * unstaged edit. All .py files get the attributes `filter=trap diff=trap` from a committed
 * .gitattributes. The caller then arms the traps (after the last git command of the set-up).
 */
function hostileRepo(): Hostile {
  const repo = Repo.init({ 'app.py': APP, '.gitattributes': '*.py filter=trap diff=trap\n' });
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'app.py': APP_FEATURE });
  repo.commit('Add a listing endpoint');
  const outside = tempTree({});
  const patchFile = join(outside, 'feature.patch');
  writeFileSync(patchFile, repo.git('format-patch', '-1', '--stdout'));
  repo.write({ 'tools.py': TOOLS });
  repo.git('add', 'tools.py');
  repo.write({ 'app.py': APP_EDITED });
  const marks = join(outside, 'marks');
  mkdirSync(marks);
  const trap = (name: string, drain = false): string => {
    const file = join(outside, `trap-${name}`);
    writeFileSync(file, `#!/bin/sh\n: > '${marks}/${name}'\n${drain ? 'cat > /dev/null\n' : ''}exit 0\n`);
    chmodSync(file, 0o755);
    return file;
  };
  return { repo, marks, trap, patchFile };
}

const found = (r: { findings: readonly { ruleId: string; location: { path: string; startLine: number } }[] }): string[] =>
  r.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).sort();

const LISTING = 'python/command-injection app.py:15';
const REMOVAL = 'python/command-injection app.py:21';
const WIPE = 'python/os-command-injection tools.py:5';

/** Every mode of `secreview diff` on the hostile repository, with what each must report. */
async function reviewEveryMode(h: Hostile): Promise<void> {
  const patch = { text: readFileSync(h.patchFile, 'utf8'), name: 'feature.patch' };
  const modes: [string, ChangeScanOptions, string[]][] = [
    ['working tree', {}, [LISTING, REMOVAL, WIPE]],
    ['--staged', { staged: true }, [WIPE]],
    ['--head feature', { head: 'feature' }, [LISTING]],
    ['main --patch', { base: 'main', patch }, [LISTING]],
  ];
  for (const [mode, options, expected] of modes) {
    const r = await scanChange({ cwd: h.repo.root, ...options });
    expect({ mode, findings: found(r), marks: readdirSync(h.marks) }).toEqual({ mode, findings: expected, marks: [] });
  }
}

/** `git config` in the repository, written to .git/config directly (no git command runs once armed). */
function arm(h: Hostile, config: string): void {
  writeFileSync(join(h.repo.root, '.git', 'config'), `${readFileSync(join(h.repo.root, '.git', 'config'), 'utf8')}${config}`);
}

describe('secreview diff runs no program named by the reviewed repository', () => {
  it('the hostile repository reviews as expected when no trap is armed', async () => {
    const h = hostileRepo();
    await reviewEveryMode(h);
  });

  it('core.fsmonitor', async () => {
    const h = hostileRepo();
    arm(h, `[core]\n\tfsmonitor = ${h.trap('fsmonitor')}\n`);
    await reviewEveryMode(h);
  });

  it('hooks in .git/hooks (index, checkout, ref and gc hooks)', async () => {
    const h = hostileRepo();
    for (const name of ['post-index-change', 'post-checkout', 'reference-transaction', 'pre-auto-gc', 'post-rewrite', 'pre-commit', 'fsmonitor-watchman']) {
      const file = join(h.repo.root, '.git', 'hooks', name);
      writeFileSync(file, readFileSync(h.trap(name, true)));
      chmodSync(file, 0o755);
    }
    await reviewEveryMode(h);
  });

  it('hooks in a folder named by core.hooksPath', async () => {
    const h = hostileRepo();
    const hooks = tempTree({});
    for (const name of ['post-index-change', 'post-checkout', 'reference-transaction']) {
      writeFileSync(join(hooks, name), readFileSync(h.trap(`hooksPath-${name}`, true)));
      chmodSync(join(hooks, name), 0o755);
    }
    arm(h, `[core]\n\thooksPath = ${hooks}\n`);
    await reviewEveryMode(h);
  });

  it('a clean filter that prints nothing does not hide the edited file', async () => {
    const h = hostileRepo();
    arm(h, `[filter "trap"]\n\tclean = ${h.trap('clean', true)}\n\trequired = true\n`);
    await reviewEveryMode(h);
  });

  it('a smudge filter that prints nothing does not empty the checked-out states', async () => {
    const h = hostileRepo();
    arm(h, `[filter "trap"]\n\tsmudge = ${h.trap('smudge', true)}\n\trequired = true\n`);
    await reviewEveryMode(h);
  });

  it('a process filter', async () => {
    const h = hostileRepo();
    arm(h, `[filter "trap"]\n\tprocess = ${h.trap('process')}\n`);
    await reviewEveryMode(h);
  });

  it('a filter driver whose name holds "=" and a filter set for every file through core.attributesFile', async () => {
    const h = hostileRepo();
    const attributes = join(tempTree({}), 'attributes');
    writeFileSync(attributes, '* filter=a=b\n');
    arm(h, `[core]\n\tattributesFile = ${attributes}\n[filter "a=b"]\n\tclean = ${h.trap('clean-a=b', true)}\n\tsmudge = ${h.trap('smudge-a=b', true)}\n`);
    await reviewEveryMode(h);
  });

  it('diff.external and a diff driver command', async () => {
    const h = hostileRepo();
    arm(h, `[diff]\n\texternal = ${h.trap('external')}\n[diff "trap"]\n\tcommand = ${h.trap('diff-command')}\n`);
    await reviewEveryMode(h);
  });

  it('a textconv driver that prints nothing', async () => {
    const h = hostileRepo();
    arm(h, `[diff "trap"]\n\ttextconv = ${h.trap('textconv')}\n`);
    await reviewEveryMode(h);
  });

  it('log.showSignature with gpg.program, on a signed commit of the reviewed range', async () => {
    const h = hostileRepo();
    // Re-sign the feature commit with a (fake) signature header, as `git commit -S` would write it.
    const commit = h.repo.git('cat-file', 'commit', 'feature');
    const signed = commit.replace(/\n\n/, '\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\n');
    const sha = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: h.repo.root, input: signed, encoding: 'utf8' }).trim();
    h.repo.git('update-ref', 'refs/heads/feature', sha);
    expect(h.repo.git('cat-file', 'commit', 'HEAD')).toContain('gpgsig -----BEGIN PGP SIGNATURE-----');
    arm(h, `[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ${h.trap('gpg', true)}\n`);
    await reviewEveryMode(h);
  });

  it('an index entry the user hashed through a clean filter (by `git add`) is re-read from the disk', async () => {
    const h = hostileRepo();
    arm(h, `[filter "trap"]\n\tclean = ${h.trap('clean', true)}\n`);
    // The user stages app.py in the hostile repository: the filter runs (git's own doing) and the
    // index now records an empty file for app.py, with the stat data of the real one. The file is
    // older than the index, so git trusts that stat data (it would re-read a file of the same second).
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(h.repo.root, 'app.py'), old, old);
    h.repo.git('add', 'app.py');
    expect(h.repo.git('diff', '--cached', '--numstat', '--no-ext-diff', '--no-textconv', 'HEAD', '--', 'app.py')).toBe('0\t16\tapp.py\n');
    rmSync(join(h.marks, 'clean'));
    const r = await scanChange({ cwd: h.repo.root });
    expect(found(r)).toEqual([LISTING, REMOVAL, WIPE]);
    expect(readdirSync(h.marks)).toEqual([]);
  });

  it('a partial clone does not fetch missing objects (no core.sshCommand, no transport at all)', async () => {
    const source = Repo.init({ 'app.py': APP });
    source.write({ 'app.py': APP_FEATURE });
    source.commit('Add a listing endpoint');
    source.git('config', 'uploadpack.allowFilter', 'true');
    const clone = join(tempTree({}), 'clone');
    source.git('clone', '-q', '--filter=blob:none', '--no-local', `file://${source.root}`, clone);
    const repo = new Repo(clone);
    // Only the checked-out commit's blobs are here; the base's app.py is not.
    const missing = repo.git('rev-list', '--objects', '--missing=print', 'HEAD~1').split('\n').filter((l) => l.startsWith('?'));
    expect(missing.length).toBe(1);
    const h = { marks: join(tempTree({}), 'marks') };
    mkdirSync(h.marks);
    const ssh = join(h.marks, '..', 'ssh');
    writeFileSync(ssh, `#!/bin/sh\n: > '${h.marks}/ssh'\nexit 1\n`);
    chmodSync(ssh, 0o755);
    repo.git('remote', 'set-url', 'origin', 'ssh://example.invalid/repo.git');
    repo.git('config', 'core.sshCommand', ssh);
    repo.git('config', 'protocol.ssh.allow', 'always');
    const error = await scanChange({ cwd: repo.root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/partial clone/);
    expect(readdirSync(h.marks)).toEqual([]);
  });

  it('the CLI on a repository with every trap armed reports the defects and runs none of them', () => {
    const h = hostileRepo();
    const hooks = join(h.repo.root, '.git', 'hooks', 'post-index-change');
    writeFileSync(hooks, readFileSync(h.trap('post-index-change', true)));
    chmodSync(hooks, 0o755);
    arm(
      h,
      [
        '[core]',
        `\tfsmonitor = ${h.trap('fsmonitor')}`,
        `\tpager = ${h.trap('pager', true)}`,
        '[diff]',
        `\texternal = ${h.trap('external')}`,
        '[diff "trap"]',
        `\ttextconv = ${h.trap('textconv')}`,
        `\tcommand = ${h.trap('diff-command')}`,
        '[filter "trap"]',
        `\tclean = ${h.trap('clean', true)}`,
        `\tsmudge = ${h.trap('smudge', true)}`,
        '\trequired = true',
        '',
      ].join('\n'),
    );
    const r = cli(['diff', '--format', 'json'], h.repo.root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(found(JSON.parse(r.stdout))).toEqual([LISTING, REMOVAL, WIPE]);
    const head = cli(['diff', '--head', 'feature'], h.repo.root);
    expect(head.code).toBe(1);
    expect(head.stdout).toContain('Location: app.py:15:');
    expect(readdirSync(h.marks)).toEqual([]);
  });

  it('a filtered file that was not edited keeps its stored object (a Git LFS pointer is not a change)', async () => {
    const repo = Repo.init({ 'app.py': APP, 'big.dat': 'pointer 1\n', '.gitattributes': 'big.dat filter=fake\n' });
    // The user's own filter (as git-lfs installs one): the working tree holds the content, the
    // commit the pointer.
    repo.git('config', 'filter.fake.smudge', 'sed s/pointer/content/');
    repo.git('config', 'filter.fake.clean', 'sed s/content/pointer/');
    repo.remove('big.dat');
    repo.git('checkout', '--', 'big.dat');
    expect(repo.read('big.dat')).toBe('content 1\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(repo.root, 'big.dat'), old, old);
    repo.git('update-index', '--refresh');
    expect(repo.status()).toBe('');
    repo.write({ 'app.py': APP_FEATURE });
    const r = await scanChange({ cwd: repo.root });
    expect(r.change.files.map((f) => f.path)).toEqual(['app.py']);
    expect(found(r)).toEqual([LISTING]);
  });
});
