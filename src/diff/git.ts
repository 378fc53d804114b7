/**
 * Runs git. Always through execFile with an argument list (never a shell), with settings that make
 * its output machine-readable whatever the user's configuration says: no colour, no pager, no
 * external diff or text conversion, fixed a/ b/ prefixes, unquoted UTF-8 paths.
 */
import { execFile } from 'node:child_process';

/** git failed, or is not installed, or the folder is not a repository. */
export class GitError extends Error {
  override name = 'GitError';
}

export interface GitOptions {
  cwd: string;
  /** Extra environment (GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY...). */
  env?: Record<string, string>;
  /** Standard input. */
  input?: string | Buffer;
  /** Exit codes that are not failures (e.g. 1 for `diff --quiet`). */
  okCodes?: readonly number[];
}

export interface GitResult {
  stdout: string;
  code: number;
}

/** Config that would change the shape of the output or run user programs. */
const FIXED_CONFIG = [
  '-c', 'core.quotePath=false',
  '-c', 'color.ui=false',
  '-c', 'diff.noprefix=false',
  '-c', 'diff.mnemonicPrefix=false',
  '-c', 'diff.external=',
  '-c', 'core.pager=cat',
  '-c', 'log.showSignature=false',
];

const MAX_BUFFER = 1024 * 1024 * 1024;

export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      [...FIXED_CONFIG, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        maxBuffer: MAX_BUFFER,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise({ stdout, code: 0 });
        const code = typeof error.code === 'number' ? error.code : undefined;
        if (code !== undefined && options.okCodes?.includes(code)) return resolvePromise({ stdout, code });
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new GitError('git is not installed (or not on PATH)'));
        const detail = (stderr || error.message).trim().split('\n').slice(0, 5).join('\n');
        reject(new GitError(`git ${args.slice(0, 2).join(' ')} failed: ${detail}`));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** stdout of a git command, trimmed. */
export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.trim();
}

/** The repository's top folder, or a GitError naming the folder if it is not in one. */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return await gitText(['rev-parse', '--show-toplevel'], { cwd });
  } catch (error) {
    if (error instanceof GitError && /not installed/.test(error.message)) throw error;
    throw new GitError(`${cwd} is not inside a git repository (secreview diff needs one)`);
  }
}

/** The full object name of a commit, or undefined if the revision does not name one. */
export async function resolveCommit(cwd: string, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-')) return undefined; // never let a revision be read as an option
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd, okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  const r = await git(['merge-base', a, b], { cwd, okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The default branch: origin/HEAD, else main, else master (undefined if none exists). */
export async function defaultBranch(cwd: string): Promise<string | undefined> {
  const origin = await git(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], { cwd, okCodes: [1, 128] });
  if (origin.code === 0 && origin.stdout.trim()) {
    const ref = origin.stdout.trim();
    if (await resolveCommit(cwd, ref)) return ref.replace(/^refs\/remotes\//, '');
  }
  for (const name of ['main', 'master']) {
    if (await resolveCommit(cwd, `refs/heads/${name}`)) return name;
  }
  return undefined;
}

/** Messages of the non-merge commits in `base..head`, oldest first (at most `limit`, plus how many were left out). */
export async function commitMessages(cwd: string, base: string | undefined, head: string, limit = 20): Promise<{ messages: string[]; omitted: number }> {
  const range = base ? [`${base}..${head}`] : [head];
  const count = Number(await gitText(['rev-list', '--count', '--no-merges', ...range, '--'], { cwd }));
  // The newest `limit` commits, printed oldest first; merge commits say nothing about the change.
  const out = (await git(['log', '--reverse', '--no-merges', `--max-count=${limit}`, '--format=%B%x00', ...range, '--'], { cwd })).stdout;
  const messages = out
    .split('\0')
    .map((m) => m.trim())
    .filter(Boolean);
  return { messages, omitted: Math.max(0, count - Math.min(count, limit)) };
}

/** The first 12 hex digits of an object name (stable, unlike `--short`, which depends on the repository). */
export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}
