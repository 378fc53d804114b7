/** `secreview diff`: review a change (the working tree, staged changes, a revision or a patch). */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { UsageError } from '../api/scan.js';
import { ConfigError } from '../config/config.js';
import { BaselineError, readBaseline, type BaselineFile } from '../baseline/baseline.js';
import { GitError } from '../diff/git.js';
import { scanChange, type ChangeScanResult } from '../diff/review.js';
import { severityRank, type Finding, type Severity } from '../findings/types.js';
import { getReporter } from '../report/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT, addReviewOptions, runtimeFrom, selectionFrom, type ReviewFlags } from './review-options.js';
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
    try {
      patch = { text: readFileSync(flags.patch === '-' ? 0 : flags.patch), name: flags.patch === '-' ? 'standard input' : flags.patch };
    } catch (error) {
      return fail(`cannot read patch ${flags.patch}: ${(error as Error).message}`);
    }
  }

  const showProgress = flags.progress && process.stderr.isTTY === true && !process.env.CI;
  let bar: SingleBar | undefined;
  let phase = 'scanning';
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
      onPhase: (p) => {
        bar?.stop();
        bar = undefined;
        phase = p === 'head' ? 'scanning the change' : 'scanning the base';
      },
      onProgress: showProgress
        ? (done, total) => {
            if (!bar) {
              bar = new SingleBar({ format: `${phase} {bar} {value}/{total} files`, stream: process.stderr, clearOnComplete: true, hideCursor: true });
              bar.start(total, 0);
            }
            bar.update(done);
          }
        : undefined,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof GitError) return fail(error.message);
    throw error;
  } finally {
    (bar as SingleBar | undefined)?.stop();
  }

  if (result.cache?.error) process.stderr.write(`secreview: warning: ${result.cache.error}; scanned without the cache\n`);
  // The LLM second opinion (--llm) on the changed files; loaded only when asked for.
  const reviewed = await applyLlmToChange(result, flags, { config: flags.config, include: flags.include, exclude: flags.exclude, severity: flags.severity, confidence: flags.confidence });
  if ('error' in reviewed) return fail(reviewed.error);
  result = reviewed.report;

  const color = flags.color && !flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const rendered = reporter.render(result, { color, showRejected: flags.showRejected });
  if (flags.output) {
    try {
      writeFileAtomic(flags.output, rendered);
    } catch (error) {
      return fail(`cannot write ${flags.output}: ${(error as Error).message}`);
    }
  } else {
    process.stdout.write(rendered);
  }
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
