/**
 * States of a repository as git trees, and trees as folders, without touching the user's working
 * tree, index or object store: every index used here is a temporary file, and objects git has to
 * write (the staged state, a patched state, untracked files) go to a temporary object folder that
 * borrows the repository's objects as alternates (the quarantine git itself uses for pushes).
 * Git runs through GitRepo, so no filter program of the repository runs: the trees hold the bytes
 * of the working tree, and the folders written from them hold the bytes of the blobs.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { GitError, type GitRepo } from './git.js';

export class Scratch {
  readonly dir: string;
  private readonly env: Record<string, string>;
  private indexCount = 0;

  private constructor(
    private readonly repo: GitRepo,
    dir: string,
    objects: string,
  ) {
    this.dir = dir;
    const alternates = [objects, process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES].filter(Boolean).join(delimiter);
    this.env = { GIT_OBJECT_DIRECTORY: join(dir, 'objects'), GIT_ALTERNATE_OBJECT_DIRECTORIES: alternates };
  }

  /** A scratch area for the repository at `root`; call dispose() when done. */
  static async create(repo: GitRepo): Promise<Scratch> {
    const objects = await gitPath(repo, 'objects');
    const dir = mkdtempSync(join(tmpdir(), 'secreview-diff-'));
    mkdirSync(join(dir, 'objects', 'info'), { recursive: true });
    return new Scratch(repo, dir, objects);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs git in the repository with the quarantine (and optionally a temporary index). */
  run(args: readonly string[], options: { index?: string; input?: string | Buffer; okCodes?: number[] } = {}): ReturnType<GitRepo['run']> {
    const env = options.index ? { ...this.env, GIT_INDEX_FILE: options.index } : this.env;
    return this.repo.run(args, { env, input: options.input, okCodes: options.okCodes });
  }

  private newIndex(): string {
    return join(this.dir, `index-${++this.indexCount}`);
  }

  /** The tree of everything in the working tree: tracked files as they are now, plus untracked files that are not ignored. */
  async workingTree(): Promise<string> {
    const index = this.newIndex();
    const userIndex = await gitPath(this.repo, 'index');
    // Starting from a copy of the user's index keeps git's stat cache, so only edited files are re-read.
    // The copy keeps the index's timestamp: git trusts an entry's stat data only when the file is
    // older than the index file, and a fresh mtime would hide a same-size edit made in the same second.
    if (existsSync(userIndex)) {
      copyFileSync(userIndex, index);
      const { atime, mtime } = statSync(userIndex);
      utimesSync(index, atime, mtime);
      await this.forgetFiltered(index);
    }
    try {
      await this.run(['add', '--all', '--', '.'], { index });
    } catch (error) {
      // An index this git cannot take over (split index, sparse checkout...): start from HEAD instead.
      rmSync(index, { force: true });
      const head = await this.run(['rev-parse', '--verify', '--quiet', 'HEAD^{tree}'], { okCodes: [1] });
      if (head.code === 0) await this.run(['read-tree', head.stdout.trim()], { index });
      try {
        await this.run(['add', '--all', '--', '.'], { index });
      } catch {
        throw error;
      }
    }
    return (await this.run(['write-tree'], { index })).stdout.trim();
  }

  /**
   * Drops from `index` the staged entries (those that differ from HEAD) of files a filter driver
   * applies to: their object names may be a filter's output (the user's own `git add` ran the
   * filter). Re-added, they are hashed from the bytes on disk, as no filter program runs here.
   * Entries equal to HEAD's stay, so a Git LFS file that was not edited keeps its pointer (and is
   * not read again).
   */
  private async forgetFiltered(index: string): Promise<void> {
    if (this.repo.filterDrivers.size === 0) return;
    const head = await this.run(['rev-parse', '--verify', '--quiet', 'HEAD^{tree}'], { okCodes: [1] });
    const staged = head.code === 0 ? ['diff-index', '--cached', '--no-renames', '--name-only', '-z', head.stdout.trim(), '--'] : ['ls-files', '-z'];
    const paths = (await this.run(staged, { index })).stdout;
    if (!paths) return;
    const attrs = (await this.run(['check-attr', '-z', '--stdin', 'filter'], { index, input: paths })).stdout.split('\0');
    const filtered: string[] = [];
    // Triples: path, attribute, value.
    for (let i = 0; i + 2 < attrs.length; i += 3) {
      if (this.repo.filterDrivers.has(attrs[i + 2]!)) filtered.push(attrs[i]!);
    }
    if (filtered.length === 0) return;
    await this.run(['update-index', '-z', '--force-remove', '--stdin'], { index, input: filtered.map((p) => `${p}\0`).join('') });
  }

  /** The tree of the staged changes (the user's index, read from a copy). */
  async stagedTree(): Promise<string> {
    const index = this.newIndex();
    const userIndex = await gitPath(this.repo, 'index');
    if (!existsSync(userIndex)) return this.emptyTree();
    copyFileSync(userIndex, index);
    return (await this.run(['write-tree'], { index })).stdout.trim();
  }

  /** The tree of `base` with a patch applied (git apply --cached on a temporary index). */
  async patchedTree(base: string, patch: string | Buffer, name: string): Promise<string> {
    const index = this.newIndex();
    await this.run(['read-tree', base], { index });
    try {
      await this.run(['apply', '--cached', '--whitespace=nowarn', '-'], { index, input: patch });
    } catch (error) {
      const detail = error instanceof GitError ? error.message.replace(/^git apply --cached failed: /, '') : String(error);
      throw new GitError(`${name} does not apply to ${base.slice(0, 12)}: ${detail}`);
    }
    return (await this.run(['write-tree'], { index })).stdout.trim();
  }

  /** Writes the files of `tree` into a new folder under the scratch area and returns it. */
  async checkout(tree: string, name: string): Promise<string> {
    const index = this.newIndex();
    const dest = join(this.dir, name);
    mkdirSync(dest, { recursive: true });
    await this.run(['read-tree', tree], { index });
    await this.run(['checkout-index', '--all', '--force', `--prefix=${dest}/`], { index });
    return dest;
  }

  /** The id of the empty tree (SHA-1 or SHA-256, as the repository uses). */
  async emptyTree(): Promise<string> {
    return (await this.run(['hash-object', '-t', 'tree', '--stdin'], { input: '' })).stdout.trim();
  }

  /** `git diff` between two trees: zero context lines, renames detected, machine-readable. */
  async diff(base: string, head: string): Promise<string> {
    const r = await this.run([
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--no-relative',
      '--unified=0',
      '--find-renames',
      '--ignore-submodules',
      '--src-prefix=a/',
      '--dst-prefix=b/',
      base,
      head,
      '--',
    ]);
    return r.stdout;
  }
}

/** A path inside the git folder (`git rev-parse --git-path`), absolute. */
async function gitPath(repo: GitRepo, name: string): Promise<string> {
  const p = await repo.text(['rev-parse', '--git-path', name]);
  return isAbsolute(p) ? p : resolve(repo.root, p);
}
