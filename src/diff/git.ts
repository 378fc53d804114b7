/**
 * Runs git. Always through execFile with an argument list (never a shell), with settings that make
 * its output machine-readable whatever the user's configuration says (no colour, fixed a/ b/
 * prefixes, unquoted UTF-8 paths), and with every setting that would let the reviewed repository
 * run a program of its choosing turned off (see GitRepo and docs in README "What git settings
 * secreview ignores").
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Config that would change the shape of the output. */
const OUTPUT_CONFIG = [
  '-c', 'core.quotePath=false',
  '-c', 'color.ui=false',
  '-c', 'diff.noprefix=false',
  '-c', 'diff.mnemonicPrefix=false',
];

/**
 * Config (from any scope: system, global, the repository's own .git/config and what it includes)
 * that names a program git would run for the commands secreview uses, set to "nothing to run".
 * `-c` is the last scope git reads, so these win over the repository's settings.
 *  - core.fsmonitor: a hook run on every index read (`git add`, `read-tree`...).
 *  - core.hooksPath: an empty folder, so no hook (post-index-change, reference-transaction,
 *    post-checkout, pre-auto-gc...) of .git/hooks or of the repository's own hooksPath runs.
 *  - diff.external, core.pager (and --no-pager, GIT_PAGER): no external diff or pager.
 *  - log.showSignature: `git log` does not verify signatures, so gpg.program is never run.
 *  - gc.auto, maintenance.auto: no background gc or maintenance started by a command.
 *  - credential.helper (an empty value empties the list) and protocol.allow=never, with
 *    GIT_ALLOW_PROTOCOL set to no protocol: nothing is fetched, so a promisor remote (partial
 *    clone) cannot make git run core.sshCommand, a remote helper, an upload-pack program or a
 *    credential helper to fetch a missing object. GIT_NO_LAZY_FETCH=1 says the same (git 2.45.1,
 *    and the 2024 security releases of older lines: the 2.39.5 this was tested with honours it).
 *  - core.untrackedCache: the list of untracked files is read from the disk, not from a cache.
 * Left as they are, because nothing secreview runs reaches them once nothing is fetched:
 * core.sshCommand, core.askPass, gpg.*.program (no signing or verifying), and
 * uploadpack.packObjectsHook (read only by a server answering a fetch, and only from the global
 * and system config).
 * Filter and diff drivers are named per repository: GitRepo.open finds them (driverConfig).
 * GIT_CONFIG_NOSYSTEM is not set: the system config is the administrator's, not the reviewed
 * repository's, and holds settings users rely on (safe.directory, core.autocrlf on Windows).
 */
function programConfig(hooksDir: string): string[] {
  return [
    '--no-pager',
    '-c', 'core.fsmonitor=false',
    '-c', `core.hooksPath=${hooksDir}`,
    '-c', 'diff.external=',
    '-c', 'core.pager=cat',
    '-c', 'log.showSignature=false',
    '-c', 'gc.auto=0',
    '-c', 'maintenance.auto=false',
    '-c', 'credential.helper=',
    '-c', 'protocol.allow=never',
    '-c', 'core.untrackedCache=false',
  ];
}

/** Values for `--config-env=<key>=<variable>` (a key may contain "=", which `-c` would cut at). */
const CONFIG_VALUES = { SECREVIEW_GIT_NONE: '', SECREVIEW_GIT_FALSE: 'false', SECREVIEW_GIT_NEVER: 'never' };

const BASE_ENV = {
  ...CONFIG_VALUES,
  GIT_PAGER: 'cat',
  GIT_TERMINAL_PROMPT: '0',
  // A list with no protocol in it: git may use none (this overrides any protocol.<name>.allow).
  GIT_ALLOW_PROTOCOL: '',
  GIT_NO_LAZY_FETCH: '1',
  LC_ALL: 'C',
};

const MAX_BUFFER = 1024 * 1024 * 1024;

function runGit(prefix: readonly string[], args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      [...prefix, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...BASE_ENV, ...options.env },
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
        if (/from promisor remote/.test(detail)) {
          return reject(new GitError(`git ${args.slice(0, 2).join(' ')} needs objects this partial clone does not have, and secreview does not fetch (run \`git fetch\` or review with a full clone): ${detail}`));
        }
        reject(new GitError(`git ${args.slice(0, 2).join(' ')} failed: ${detail}`));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Per-repository overrides of the filter and diff drivers and protocols its config defines. */
function driverConfig(names: readonly string[]): { args: string[]; filters: Set<string> } {
  const args: string[] = [];
  const filters = new Set<string>();
  const seen = new Set<string>();
  const set = (key: string, variable: keyof typeof CONFIG_VALUES): void => {
    if (seen.has(key)) return;
    seen.add(key);
    args.push(`--config-env=${key}=${variable}`);
  };
  for (const name of names) {
    // section.subsection.key: the section and key are lower case, the subsection as written.
    const first = name.indexOf('.');
    const last = name.lastIndexOf('.');
    if (first < 0 || last === first) continue;
    const section = name.slice(0, first);
    const sub = name.slice(first + 1, last);
    if (section === 'filter') {
      // A driver with no clean, smudge or process command leaves the bytes as they are.
      filters.add(sub);
      for (const k of ['clean', 'smudge', 'process']) set(`filter.${sub}.${k}`, 'SECREVIEW_GIT_NONE');
      set(`filter.${sub}.required`, 'SECREVIEW_GIT_FALSE');
    } else if (section === 'diff') {
      for (const k of ['command', 'textconv']) set(`diff.${sub}.${k}`, 'SECREVIEW_GIT_NONE');
    } else if (section === 'protocol') {
      set(`protocol.${sub}.allow`, 'SECREVIEW_GIT_NEVER');
    }
  }
  return { args, filters };
}

/**
 * A repository as secreview runs git in it: its top folder, and the arguments that turn off every
 * program the repository's settings could make git run. Call dispose() when done.
 */
export class GitRepo {
  private constructor(
    readonly root: string,
    /** Names of the filter drivers the config defines (their programs are not run). */
    readonly filterDrivers: ReadonlySet<string>,
    private readonly prefix: readonly string[],
    private readonly hooksDir: string,
  ) {}

  /** The repository containing `cwd`, or a GitError naming the folder if there is none. */
  static async open(cwd: string): Promise<GitRepo> {
    const hooksDir = mkdtempSync(join(tmpdir(), 'secreview-no-hooks-'));
    try {
      const fixed = [...OUTPUT_CONFIG, ...programConfig(hooksDir)];
      const root = await repositoryRoot(fixed, cwd);
      const listed = await runGit(fixed, ['config', '-z', '--name-only', '--get-regexp', '^(filter|diff|protocol)\\.'], { cwd: root, okCodes: [1] });
      const drivers = driverConfig(listed.stdout.split('\0').filter(Boolean));
      return new GitRepo(root, drivers.filters, [...fixed, ...drivers.args], hooksDir);
    } catch (error) {
      rmSync(hooksDir, { recursive: true, force: true });
      throw error;
    }
  }

  run(args: readonly string[], options: Omit<GitOptions, 'cwd'> = {}): Promise<GitResult> {
    return runGit(this.prefix, args, { ...options, cwd: this.root });
  }

  /** stdout of a git command, trimmed. */
  async text(args: readonly string[], options: Omit<GitOptions, 'cwd'> = {}): Promise<string> {
    return (await this.run(args, options)).stdout.trim();
  }

  dispose(): void {
    rmSync(this.hooksDir, { recursive: true, force: true });
  }
}

async function repositoryRoot(prefix: readonly string[], cwd: string): Promise<string> {
  try {
    return (await runGit(prefix, ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim();
  } catch (error) {
    if (error instanceof GitError && /not installed/.test(error.message)) throw error;
    // git refuses a repository owned by another user (safe.directory); so does secreview.
    if (error instanceof GitError && /dubious ownership/.test(error.message)) {
      throw new GitError(`git refuses the repository at ${cwd}: it is owned by another user (see git's safe.directory setting)`);
    }
    throw new GitError(`${cwd} is not inside a git repository (secreview diff needs one)`);
  }
}

/** The full object name of a commit, or undefined if the revision does not name one. */
export async function resolveCommit(repo: GitRepo, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-')) return undefined; // never let a revision be read as an option
  const r = await repo.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function mergeBase(repo: GitRepo, a: string, b: string): Promise<string | undefined> {
  const r = await repo.run(['merge-base', a, b], { okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The default branch: origin/HEAD, else main, else master (undefined if none exists). */
export async function defaultBranch(repo: GitRepo): Promise<string | undefined> {
  const origin = await repo.run(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], { okCodes: [1, 128] });
  if (origin.code === 0 && origin.stdout.trim()) {
    const ref = origin.stdout.trim();
    if (await resolveCommit(repo, ref)) return ref.replace(/^refs\/remotes\//, '');
  }
  for (const name of ['main', 'master']) {
    if (await resolveCommit(repo, `refs/heads/${name}`)) return name;
  }
  return undefined;
}

/** Messages of the non-merge commits in `base..head`, oldest first (at most `limit`, plus how many were left out). */
export async function commitMessages(repo: GitRepo, base: string | undefined, head: string, limit = 20): Promise<{ messages: string[]; omitted: number }> {
  const range = base ? [`${base}..${head}`] : [head];
  const count = Number(await repo.text(['rev-list', '--count', '--no-merges', ...range, '--']));
  // The newest `limit` commits, printed oldest first; merge commits say nothing about the change.
  const out = (await repo.run(['log', '--no-show-signature', '--reverse', '--no-merges', `--max-count=${limit}`, '--format=%B%x00', ...range, '--'])).stdout;
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
