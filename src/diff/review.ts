/**
 * `secreview diff`: review a change. The whole tree is scanned at the changed state (cross-file
 * data flow needs every module), then only findings touching changed lines are kept, and of
 * those only the ones the base did not already have (the base is scanned too, only when some
 * finding touches the change). States other than the working tree are written to a temporary
 * folder; the user's working tree, index and object store are never modified.
 *
 *   head state                        base (default)
 *   working tree (no flags)           merge base with the default branch (origin/HEAD, main,
 *                                     master), committed and uncommitted edits alike; on that
 *                                     branch (no commits beyond it): HEAD if there are
 *                                     uncommitted changes, else HEAD~1
 *   --head <rev>                      merge base of <rev> with the default branch, else <rev>~1
 *   --staged                          HEAD
 *   --patch <file>  (HEAD + patch)    HEAD
 *
 * An explicit <base> is compared like `git diff <base>...<head>` (from the merge base) for the
 * working tree and --head, and as given for --staged and --patch. The base's label says which
 * commit it is and why ("merge base with main", "uncommitted changes; no commits beyond main").
 */
import { resolve } from 'node:path';
import { scan, UsageError, type ScanOptions, type ScanResult } from '../api/scan.js';
import { carryResults } from '../api/analysis-results.js';
import type { ChangeInfo, ChangedFile, Finding } from '../findings/types.js';
import { frontEndForPath } from '../frontend/registry.js';
import { isTemplatePath } from '../frontend/templates/lookup.js';
import { compareWithBaseline, type BaselineFile } from '../baseline/baseline.js';
import { commitMessages, defaultBranch, GitRepo, mergeBase, resolveCommit, shortSha } from './git.js';
import { parseUnifiedDiff, toRanges, type FileChange } from './hunks.js';
import { ChangeIndex, newSinceBase, touchesChange } from './filter.js';
import { patchMessage } from './patch.js';
import { Scratch } from './tree.js';
import { VERSION } from '../version.js';

export interface ChangeScanOptions extends Omit<ScanOptions, 'paths' | 'cwd' | 'stdin'> {
  /** A folder inside the repository (default: process.cwd()). */
  cwd?: string;
  /** Revision to compare with (see the table above for the default). */
  base?: string;
  /** Revision to review instead of the working tree. */
  head?: string;
  /** Review the staged changes (the index) instead of the working tree. */
  staged?: boolean;
  /** Review this patch applied to the base (HEAD by default); `name` is used in messages. */
  patch?: { text: string | Buffer; name: string };
  /** Compare the findings with a baseline (absence is judged over the whole tree). */
  baseline?: { file: string; data: BaselineFile };
  /** Called when a scan starts: the changed state, then (when needed) the base. */
  onPhase?: (phase: 'head' | 'base') => void;
}

export interface ChangeScanResult extends ScanResult {
  change: ChangeInfo;
}

interface State {
  /** A tree object name. */
  tree: string;
  /** The commit it comes from, when it is one. */
  commit?: string;
  label: string;
}

type Mode = 'worktree' | 'rev' | 'staged' | 'patch';

export async function scanChange(options: ChangeScanOptions): Promise<ChangeScanResult> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const mode: Mode = options.patch ? 'patch' : options.staged ? 'staged' : options.head !== undefined ? 'rev' : 'worktree';
  if ([options.patch !== undefined, options.staged === true, options.head !== undefined].filter(Boolean).length > 1) {
    throw new UsageError('--patch, --staged and --head are alternatives: give one of them');
  }
  const repo = await GitRepo.open(cwd);
  const root = repo.root;
  let scratch: Scratch | undefined;
  try {
    scratch = await Scratch.create(repo);
    const headCommit = await resolveCommit(repo, 'HEAD');
    const tip = mode === 'rev' ? await mustResolve(repo, options.head!) : headCommit;
    const tipName = mode === 'rev' ? options.head! : 'HEAD';

    let head: State | undefined;
    if (mode === 'worktree') head = { tree: await scratch.workingTree(), label: 'working tree' };
    else if (mode === 'staged') head = { tree: await scratch.stagedTree(), label: 'staged changes' };
    else if (mode === 'rev') head = { tree: await treeOf(repo, tip!), commit: tip, label: `${options.head} (${shortSha(tip!)})` };

    const dirty = mode === 'worktree' && (!headCommit || head!.tree !== (await treeOf(repo, headCommit)));
    const base = await chooseBase(scratch, repo, mode, options.base, tip, tipName, dirty);
    if (mode === 'patch') {
      head = { tree: await scratch.patchedTree(base.tree, options.patch!.text, options.patch!.name), label: `${options.patch!.name} on ${base.label}` };
    }

    const files = parseUnifiedDiff(await scratch.diff(base.tree, head!.tree)).map(toChangedFile);
    const message = await changeMessage(repo, mode, base, tip, options.patch);
    const change: ChangeInfo = { base: base.label, head: head!.label, files, notShown: 0 };
    if (message) change.message = message;

    const scanOptions = sharedScanOptions(options, cwd);
    // A template edit can make a view's data reach an unescaped output: reviewed too.
    const reviewable = files.some((f) => f.status !== 'deleted' && (frontEndForPath(f.path) || isTemplatePath(f.path)));
    if (!reviewable) return emptyResult(root, change, started);

    options.onPhase?.('head');
    const headDir = mode === 'worktree' ? root : await scratch.checkout(head!.tree, 'head');
    // Settings are searched for in the reviewed tree only (a checkout has no .git to stop at).
    const headScan = await scan({ ...scanOptions, paths: ['.'], cwd: headDir, settingsDiscovery: { top: headDir } });

    const index = new ChangeIndex(files);
    const candidates = headScan.findings.filter((f) => touchesChange(f, index));
    let fresh: Finding[] = candidates;
    if (candidates.length > 0 && base.commit) {
      options.onPhase?.('base');
      const baseDir = await scratch.checkout(base.tree, 'base');
      // The base is judged with the changed state's settings files (each where it is in the changed
      // tree), so a settings change is not a code change.
      const baseScan = await scan({ ...scanOptions, paths: ['.'], cwd: baseDir, settingsDiscovery: { top: baseDir, settingsTree: headDir } });
      fresh = newSinceBase(candidates, headScan.findings, baseScan.findings).fresh;
    }
    change.notShown = headScan.findings.length - fresh.length;

    const changed = new Set(files.map((f) => f.path));
    const usedRules = new Set(fresh.map((f) => f.ruleId));
    const result: ChangeScanResult = {
      ...headScan,
      root,
      findings: fresh,
      // Problems in files the change does not touch are not the change's business.
      diagnostics: headScan.diagnostics.filter((d) => d.path === '' || changed.has(d.path) || d.kind === 'config-error'),
      rules: headScan.rules.filter((r) => usedRules.has(r.id)),
      stats: { ...headScan.stats, durationMs: Math.round(performance.now() - started) },
      change,
    };
    if (options.baseline) result.baseline = compareWithBaseline(options.baseline.file, options.baseline.data, fresh, headScan.findings);
    // `diff --llm` gives the model the head scan's concurrency facts.
    return carryResults(headScan, result);
  } finally {
    scratch?.dispose();
    repo.dispose();
  }
}

async function mustResolve(repo: GitRepo, rev: string): Promise<string> {
  const commit = await resolveCommit(repo, rev);
  if (!commit) throw new UsageError(`unknown revision \`${rev}\` (not a commit in ${repo.root})`);
  return commit;
}

async function treeOf(repo: GitRepo, commit: string): Promise<string> {
  return repo.text(['rev-parse', '--verify', `${commit}^{tree}`]);
}

async function chooseBase(
  scratch: Scratch,
  repo: GitRepo,
  mode: Mode,
  explicit: string | undefined,
  tip: string | undefined,
  tipName: string,
  dirty: boolean,
): Promise<State> {
  const at = async (commit: string, label: string): Promise<State> => ({ tree: await treeOf(repo, commit), commit, label });
  if (explicit !== undefined) {
    const commit = await mustResolve(repo, explicit);
    if ((mode === 'worktree' || mode === 'rev') && tip) {
      const mb = await mergeBase(repo, commit, tip);
      if (mb && mb !== commit) return at(mb, `${shortSha(mb)} (merge base of ${explicit} and ${tipName})`);
    }
    return at(commit, `${explicit} (${shortSha(commit)})`);
  }
  if (!tip) return { tree: await scratch.emptyTree(), label: 'empty tree (no commits yet)' };
  if (mode === 'staged' || mode === 'patch') return at(tip, `${tipName} (${shortSha(tip)})`);
  // The working tree and --head: what the branch did since it left the default branch, committed
  // or not (the working tree's uncommitted and untracked edits are part of the head state).
  const branch = await defaultBranch(repo);
  if (branch) {
    const mb = await mergeBase(repo, branch, tip);
    if (mb && mb !== tip) return at(mb, `${shortSha(mb)} (merge base with ${branch})`);
  }
  // On the default branch itself (or no commits beyond it): the uncommitted edits, else the last commit.
  const where = branch ? `no commits beyond ${branch}` : 'no default branch (origin/HEAD, main or master)';
  if (dirty) return at(tip, `${tipName} (${shortSha(tip)}, uncommitted changes; ${where})`);
  const parent = await resolveCommit(repo, `${tip}~1`);
  if (parent) return at(parent, `${tipName}~1 (${shortSha(parent)}, the last commit; ${where})`);
  return { tree: await scratch.emptyTree(), label: 'empty tree (first commit)' };
}

async function changeMessage(repo: GitRepo, mode: Mode, base: State, tip: string | undefined, patch: ChangeScanOptions['patch']): Promise<string | undefined> {
  if (mode === 'patch') return patchMessage(Buffer.isBuffer(patch!.text) ? patch!.text.toString('utf8') : patch!.text);
  if (mode === 'staged' || !tip || base.commit === tip) return undefined;
  const { messages, omitted } = await commitMessages(repo, base.commit, tip);
  if (messages.length === 0) return undefined;
  const text = messages.join('\n\n');
  return omitted > 0 ? `${text}\n\n(and ${omitted} earlier commit${omitted === 1 ? '' : 's'})` : text;
}

function toChangedFile(f: FileChange): ChangedFile {
  const out: ChangedFile = { path: f.path, status: f.status, lines: toRanges(f.added) };
  if (f.oldPath !== undefined) out.oldPath = f.oldPath;
  if (f.deletedAfter.length > 0) out.deletedAfter = f.deletedAfter;
  return out;
}

function sharedScanOptions(options: ChangeScanOptions, cwd: string): Omit<ScanOptions, 'paths' | 'cwd'> {
  const { base: _b, head: _h, staged: _s, patch: _p, baseline: _bl, onPhase: _o, cwd: _c, ...rest } = options;
  // An explicit settings file and cache folder are named relative to where the user is, not to
  // the scanned copy; so head and base scans share one cache, and unchanged files hit in both.
  if (typeof rest.config === 'string') rest.config = resolve(cwd, rest.config);
  if (rest.cache) rest.cache = { dir: resolve(cwd, rest.cache.dir) };
  return rest;
}

function emptyResult(root: string, change: ChangeInfo, started: number): ChangeScanResult {
  return {
    schemaVersion: 1,
    tool: { name: 'secreview', version: VERSION },
    root,
    findings: [],
    diagnostics: [],
    stats: { filesDiscovered: 0, filesScanned: 0, filesWithErrors: 0, lines: 0, durationMs: Math.round(performance.now() - started), suppressed: 0, belowThreshold: 0 },
    rules: [],
    change,
  };
}

