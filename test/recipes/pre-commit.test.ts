/**
 * The published pre-commit hook, installed and run by pre-commit itself (Debian's package, which
 * .ci/run installs) from a copy of this repository as it is now: pre-commit clones it, runs
 * `npm install` and `npm pack` (which must print only the tarball's name) and installs the tarball.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

/** A one-commit repository holding this checkout's files as they are in the working tree. */
function snapshotOfThisRepository(dest: string): string {
  const files = git(REPO, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter(Boolean);
  for (const f of files) {
    try {
      mkdirSync(dirname(join(dest, f)), { recursive: true });
      cpSync(join(REPO, f), join(dest, f));
    } catch {
      // Deleted in the working tree but still in the index: not part of the snapshot.
    }
  }
  git(dest, ['init', '-q']);
  git(dest, ['add', '-A']);
  git(dest, ['commit', '-q', '-m', 'snapshot']);
  return git(dest, ['rev-parse', 'HEAD']).trim();
}

describe('pre-commit hook (.pre-commit-hooks.yaml)', () => {
  it('pre-commit installs it and it blocks a commit that adds a command injection, and passes a clean one', () => {
    const version = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
    expect(version.status, 'pre-commit is not installed (apt-get install pre-commit; .ci/run does it)').toBe(0);

    const work = mkdtempSync(join(tmpdir(), 'secreview-pre-commit-'));
    try {
      const hookRepo = join(work, 'secreview');
      mkdirSync(hookRepo);
      const rev = snapshotOfThisRepository(hookRepo);

      const project = join(work, 'project');
      mkdirSync(project);
      git(project, ['init', '-q']);
      writeFileSync(join(project, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: secreview\n`);
      writeFileSync(join(project, 'README.md'), 'a project\n');
      git(project, ['add', '-A']);
      git(project, ['commit', '-q', '-m', 'start']);

      const env = { ...process.env, ...GIT_ENV, PRE_COMMIT_HOME: join(work, 'pre-commit-home'), CI: 'true' };
      writeFileSync(
        join(project, 'app.py'),
        'import subprocess\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route("/ping")\ndef ping():\n    subprocess.call("ping -c 1 " + request.args["host"], shell=True)\n    return "ok"\n',
      );
      git(project, ['add', 'app.py']);
      const blocked = spawnSync('pre-commit', ['run'], { cwd: project, encoding: 'utf8', env });
      const out = blocked.stdout + blocked.stderr;
      expect(blocked.status, out).toBe(1);
      expect(out).toContain('secreview (staged changes)');
      expect(out).toContain('CWE-78');
      expect(out).toContain('app.py:9:');

      writeFileSync(join(project, 'app.py'), 'import subprocess\n\n\ndef ping():\n    subprocess.call(["ping", "-c", "1", "localhost"])\n');
      git(project, ['add', 'app.py']);
      const passed = spawnSync('pre-commit', ['run'], { cwd: project, encoding: 'utf8', env });
      expect(passed.status, passed.stdout + passed.stderr).toBe(0);
      // pre-commit shows a passing hook's output only with `verbose`; its status line says it passed.
      expect(passed.stdout).toMatch(/secreview \(staged changes\)\.+Passed/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 600_000);
});
