/**
 * Real git repositories in temporary folders for the diff tests. Commits use fixed names and dates,
 * so object names (and the reports quoting them) are the same on every run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

export const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.test',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export class Repo {
  private tick = 0;

  constructor(readonly root: string) {}

  /** A new repository on branch main with the given files committed as "base". */
  static init(files: Record<string, string>, message = 'Base'): Repo {
    const repo = new Repo(tempTree({}));
    repo.git('init', '-q', '-b', 'main');
    repo.git('config', 'user.name', 'Ada Tester');
    repo.git('config', 'user.email', 'ada@example.test');
    repo.git('config', 'commit.gpgsign', 'false');
    repo.write(files);
    repo.commit(message);
    return repo;
  }

  git(...args: string[]): string {
    this.tick++;
    const date = `2024-01-01T00:00:${String(this.tick % 60).padStart(2, '0')}Z`;
    return execFileSync('git', args, {
      cwd: this.root,
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.root, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }

  remove(...paths: string[]): void {
    for (const p of paths) rmSync(join(this.root, p));
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }

  status(): string {
    return this.git('status', '--porcelain', '--untracked-files=all');
  }

  /** Every file of the working tree (outside .git) with its content and mtime. */
  snapshot(): Record<string, { content: string; mtimeMs: number }> {
    const out: Record<string, { content: string; mtimeMs: number }> = {};
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === '.git') continue;
        const abs = join(dir, name);
        const st = statSync(abs);
        if (st.isDirectory()) walk(abs);
        else out[relative(this.root, abs)] = { content: readFileSync(abs, 'utf8'), mtimeMs: st.mtimeMs };
      }
    };
    walk(this.root);
    return out;
  }

  /** Loose and packed objects, and the index's bytes: what a read-only review must leave alone. */
  gitState(): { objects: string[]; index: string } {
    const objects: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const abs = join(dir, name);
        if (statSync(abs).isDirectory()) walk(abs);
        else objects.push(relative(this.root, abs));
      }
    };
    walk(join(this.root, '.git', 'objects'));
    return { objects: objects.sort(), index: readFileSync(join(this.root, '.git', 'index')).toString('base64') };
  }
}

/** Runs the built CLI in `cwd`. */
export function cli(args: string[], cwd: string, input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
