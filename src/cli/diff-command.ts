/** `secreview diff`: review a change (the working tree, staged changes, a revision or a patch). */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { readStreamLimited } from '../api/stdin.js';

/** The largest patch `--patch` reads (a patch holds many files, so it may exceed --max-file-size). */
const MAX_PATCH_BYTES = 64 * 1024 * 1024;
import { UsageError } from '../api/scan.js';
import { ConfigError } from '../config/config.js';
import { BaselineError, readBaseline, type BaselineFile } from '../baseline/baseline.js';
import { GitError } from '../diff/git.js';
import { scanChange, type ChangeScanResult } from '../diff/review.js';
import { severityRank, type Finding, type Severity } from '../findings/types.js';
import { getReporter } from '../report/index.js';
import { deliverReport } from './output.js';
import { progressLine } from './progress.js';
import { EXIT, addReviewOptions, runtimeFrom, selectionFrom, useColor, type ReviewFlags } from './review-options.js';
import { addLlmOptions, applyLlmToChange, countsForFailure, type LlmFlags } from '../llm/cli-options.js';

interface DiffFlags extends ReviewFlags, LlmFlags {
  head?: string;
  staged?: boolean;
  patch?: string;
}

export function registerDiffCommand(program: Command, setExit: (code: number) => void): void {
  const diff = program
    .command('diff')
    .description(
      'review a change: report only findings touching changed lines that the base did not have\n' +
        '(default: the working tree against the merge base with origin/HEAD, main or master)',
    )
    .argument('[base]', 'revision to compare with (compared from the merge base, like `git diff base...`)')
    .option('--head <rev>', 'review this revision instead of the working tree')
    .option('--staged', 'review the staged changes (the index) against HEAD, for pre-commit hooks')
    .option('--patch <file>', 'review a unified diff or `git format-patch` file (`-`: standard input) applied to HEAD (or <base>)');
  addReviewOptions(diff, 'settings file (default: the one in the reviewed tree)');
  addLlmOptions(diff);
  diff.action(async (base: string | undefined, flags: DiffFlags) => {
    setExit(await runDiff(base, flags));
  });
}

async function runDiff(base: string | undefined, flags: DiffFlags): Promise<number> {
  const fail = (message: string): number => {
    process.stderr.write(`secreview: ${message}\n`);
    return EXIT.error;
  };
  const reporter = getReporter(flags.format);
  if (!reporter) return fail(`unknown format ${flags.format}`);

  let baseline: { file: string; data: BaselineFile } | undefined;
  if (flags.baseline) {
    try {
      baseline = { file: flags.baseline, data: readBaseline(flags.baseline) };
    } catch (error) {
      if (error instanceof BaselineError) return fail(`baseline ${error.message}`);
      throw error;
    }
  }
  let patch: { text: Buffer; name: string } | undefined;
  if (flags.patch !== undefined) {
    const name = flags.patch === '-' ? 'standard input' : flags.patch;
    try {
      // Bounded like every input: a pipe that never ends, or a huge file, is refused, not read whole.
      const text = flags.patch === '-' ? await readStreamLimited(process.stdin, MAX_PATCH_BYTES) : statSync(flags.patch).size > MAX_PATCH_BYTES ? { tooLarge: statSync(flags.patch).size } : readFileSync(flags.patch);
      if ('tooLarge' in text) return fail(`cannot read patch ${name}: it is over the ${MAX_PATCH_BYTES / 1024 / 1024} MiB limit for a patch`);
      patch = { text, name };
    } catch (error) {
      return fail(`cannot read patch ${flags.patch}: ${(error as Error).message}`);
    }
  }

  const showProgress = flags.progress && process.stderr.isTTY === true && !process.env.CI;
  const progress = showProgress ? progressLine('scanning the change') : undefined;
  let result: ChangeScanResult;
  try {
    result = await scanChange({
      base,
      head: flags.head,
      staged: flags.staged,
      patch,
      baseline,
      ...selectionFrom(flags),
      ...runtimeFrom(flags),
      onPhase: (p) => progress?.restart(p === 'head' ? 'scanning the change' : 'scanning the base'),
      onProgress: progress?.onProgress,
      onStage: progress?.onStage,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof GitError) return fail(error.message);
    throw error;
  } finally {
    progress?.stop();
  }

  if (result.cache?.error) process.stderr.write(`secreview: warning: ${result.cache.error}; scanned without the cache\n`);
  // The LLM second opinion (--llm) on the changed files; loaded only when asked for.
  const reviewed = await applyLlmToChange(result, flags, { config: flags.config, include: flags.include, exclude: flags.exclude, severity: flags.severity, confidence: flags.confidence });
  if ('error' in reviewed) return fail(reviewed.error);
  result = reviewed.report;

  const color = useColor(flags);
  const rendered = reporter.render(result, { color, showRejected: flags.showRejected });
  const undelivered = await deliverReport(rendered, flags.output);
  if (undelivered) return fail(undelivered);
  for (const d of result.diagnostics) {
    if (d.level === 'error' && flags.format !== 'text') process.stderr.write(`secreview: ${d.path}${d.line ? `:${d.line}` : ''}: ${d.message}\n`);
  }
  return exitCodeFor(countsForFailure(result.findings, flags), flags.failOn ?? result.failOn ?? 'low');
}

/** 1 when a finding that is not in the baseline is at or above `failOn`. */
export function exitCodeFor(findings: readonly Finding[], failOn: Severity | 'none'): number {
  if (failOn === 'none') return EXIT.ok;
  const threshold = severityRank(failOn);
  return findings.some((f) => f.baselineState !== 'unchanged' && severityRank(f.severity) >= threshold) ? EXIT.findings : EXIT.ok;
}
