import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { scan, UsageError, type ScanResult } from '../api/scan.js';
import { ConfigError } from '../config/config.js';
import { getReporter } from '../report/index.js';
import { loadReportSources } from '../report/html.js';
import { VERSION } from '../version.js';
import { removePendingTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { parseSize } from '../util/budget.js';
import { renderRuleList, renderExplain } from './rules-command.js';
import { EXIT, addReviewOptions, runtimeFrom, selectionFrom, type ReviewFlags } from './review-options.js';
import { addLlmOptions, applyLlm, countsForFailure, type LlmFlags } from '../llm/cli-options.js';
import { registerDiffCommand, exitCodeFor } from './diff-command.js';
import { BaselineError, compareWithBaseline, readBaseline, writeBaseline, type BaselineFile } from '../baseline/baseline.js';

export { EXIT };

interface ScanFlags extends ReviewFlags, LlmFlags {
  stdinFilename?: string;
  reportUnusedSuppressions?: boolean;
  writeBaseline?: string;
  maxFileSize?: number;
  fileTimeout?: number;
}

const sizeOption = (value: string): number => {
  const bytes = parseSize(value);
  if (bytes === undefined) throw new InvalidArgumentError('expected a size such as 5MiB, 500k or 1048576');
  return bytes;
};
const secondsOption = (value: string): number => {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return seconds;
};

/** Exit status for a run stopped by a signal, as shells report it (128 + signal number). */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * On SIGINT/SIGTERM: stop at once, leave no temporary file and no half-written output behind
 * (outputs are written in one synchronous temp-file-and-rename step, so a signal lands before or
 * after it, never inside it), and exit 130/143.
 */
function exitOnSignals(): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      removePendingTempFiles();
      process.stderr.write(`\nsecreview: interrupted (${signal}); no report written\n`);
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command();
  program
    .name('secreview')
    .description('Security code review: grounded findings with CWE, pillar, location and fix.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  const scanCommand = addReviewOptions(
    program
      .command('scan')
      .description('scan files and folders (default: the current folder); `-` reads standard input')
      .argument('[paths...]', 'files or folders to scan', ['.']),
    'settings file (default: .secreview.yml or pyproject.toml [tool.secreview])',
  )
    .option('--stdin-filename <name>', 'file name to report for source read from `-`', 'stdin.py')
    .option('--report-unused-suppressions', 'warn about suppression comments that silence nothing')
    .option('--write-baseline <file>', 'record the findings in a baseline file (and exit 0)')
    .option('--max-file-size <size>', 'skip files larger than this (e.g. 5MiB, 500k; default 5MiB)', sizeOption)
    .option('--file-timeout <seconds>', 'per-file analysis time budget; slower files are skipped (default 30)', secondsOption)
    .action(async (paths: string[], flags: ScanFlags) => {
      const release = exitOnSignals();
      try {
        exitCode = await runScan(paths, flags);
      } finally {
        release();
      }
    });
  addLlmOptions(scanCommand);

  registerDiffCommand(program, (code) => {
    exitCode = code;
  });

  program
    .command('rules')
    .description('list the rules with CWE, pillar and severity')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: 'text' | 'json' }) => {
      process.stdout.write(renderRuleList(flags.format));
    });

  program
    .command('explain')
    .description('show a rule\'s documentation, or the rules that map to a CWE')
    .argument('<rule-or-cwe>', 'a rule id (python/eval-injection) or CWE id (CWE-78)')
    .action((query: string) => {
      const text = renderExplain(query);
      if (text === undefined) {
        process.stderr.write(`secreview: no rule or CWE matches "${query}" (see \`secreview rules\`)\n`);
        exitCode = EXIT.error;
        return;
      }
      process.stdout.write(text);
    });

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes with 1, which we map to 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    process.stderr.write(`secreview: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  return exitCode;
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const reporter = getReporter(flags.format);
  if (!reporter) {
    process.stderr.write(`secreview: unknown format ${flags.format}\n`);
    return EXIT.error;
  }
  let stdin: { text: string; filename: string } | undefined;
  if (paths.includes('-')) {
    try {
      stdin = { text: readFileSync(0, 'utf8'), filename: flags.stdinFilename ?? 'stdin.py' };
    } catch (error) {
      process.stderr.write(`secreview: cannot read standard input: ${(error as Error).message}\n`);
      return EXIT.error;
    }
  }

  let baseline: BaselineFile | undefined;
  if (flags.baseline) {
    try {
      baseline = readBaseline(flags.baseline);
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      process.stderr.write(`secreview: baseline ${error.message}\n`);
      return EXIT.error;
    }
  }

  const showProgress = flags.progress && process.stderr.isTTY === true && !process.env.CI;
  const bar = showProgress
    ? new SingleBar({ format: 'scanning {bar} {value}/{total} files', stream: process.stderr, clearOnComplete: true, hideCursor: true })
    : undefined;
  let barStarted = false;

  let result: ScanResult;
  try {
    result = await scan({
      paths,
      ...selectionFrom(flags),
      ...runtimeFrom(flags),
      stdin,
      reportUnusedSuppressions: flags.reportUnusedSuppressions,
      maxFileSize: flags.maxFileSize,
      fileTimeoutMs: flags.fileTimeout !== undefined ? flags.fileTimeout * 1000 : undefined,
      onProgress: bar
        ? (done, total) => {
            if (!barStarted) {
              bar.start(total, 0);
              barStarted = true;
            }
            bar.update(done);
          }
        : undefined,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`secreview: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  } finally {
    if (barStarted) bar?.stop();
  }

  if (result.cache?.error) process.stderr.write(`secreview: warning: ${result.cache.error}; scanned without the cache\n`);
  if (flags.writeBaseline) {
    try {
      writeBaseline(flags.writeBaseline, result.findings);
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      process.stderr.write(`secreview: baseline ${error.message}\n`);
      return EXIT.error;
    }
    process.stderr.write(`secreview: wrote ${flags.writeBaseline} (${result.findings.length} finding${result.findings.length === 1 ? '' : 's'})\n`);
  } else if (baseline) {
    result.baseline = compareWithBaseline(flags.baseline!, baseline, result.findings);
  }

  // The LLM second opinion (--llm) only adds findings and notes; it is loaded only when asked for.
  const reviewed = await applyLlm(result, flags, { paths, config: flags.config, include: flags.include, exclude: flags.exclude, stdin, severity: flags.severity, confidence: flags.confidence });
  if ('error' in reviewed) {
    process.stderr.write(`secreview: ${reviewed.error}\n`);
    return EXIT.error;
  }
  result = reviewed.report;

  const color = flags.color && !flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  // The HTML report embeds the scanned code around each finding (files under the root; stdin as given).
  const sources = reporter.name === 'html' ? loadReportSources(result, stdin) : undefined;
  const rendered = reporter.render(result, { color, showRejected: flags.showRejected, ...(sources ? { sources } : {}) });
  if (flags.output) {
    try {
      writeFileAtomic(flags.output, rendered);
    } catch (error) {
      process.stderr.write(`secreview: cannot write ${flags.output}: ${(error as Error).message}\n`);
      return EXIT.error;
    }
  } else {
    process.stdout.write(rendered);
  }

  // Errors that stop the run from doing its job: nothing could be read, or a named path is missing.
  for (const d of result.diagnostics) {
    if (d.level === 'error' && flags.format !== 'text') process.stderr.write(`secreview: ${d.path}${d.line ? `:${d.line}` : ''}: ${d.message}\n`);
  }
  if (result.stats.filesScanned === 0) {
    process.stderr.write('secreview: no readable source files to scan\n');
    return EXIT.error;
  }
  // A path the user named that does not exist is a usage error, even if other paths scanned.
  if (result.diagnostics.some((d) => d.kind === 'path-error')) return EXIT.error;
  if (flags.writeBaseline) return EXIT.ok; // every finding is in the baseline just written
  // Findings recorded in a --baseline do not fail the build.
  return exitCodeFor(countsForFailure(result.findings, flags), flags.failOn ?? result.failOn ?? 'low');
}
