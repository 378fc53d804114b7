import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { decodeSource } from '../parse/decode.js';
import { scan, UsageError, type ScanResult } from '../api/scan.js';
import { cacheWritesOf } from '../api/analysis-results.js';
import { ConfigError } from '../config/config.js';
import { getReporter, type Reporter } from '../report/index.js';
import { loadReportSources } from '../report/html.js';
import { VERSION } from '../version.js';
import { removePendingTempFiles } from '../files/atomic-write.js';
import { deliverReport, guardStdout, writeStdout } from './output.js';
import { parseSize } from '../scheduling/budget.js';
import { supportedExtensions } from '../frontend/registry.js';
import { renderRuleList, renderExplain } from './rules-command.js';
import { progressLine } from './progress.js';
import { EXIT, addReviewOptions, runtimeFrom, selectionFrom, useColor, type ReviewFlags } from './review-options.js';
import { addLlmOptions, applyLlm, countsForFailure, type LlmFlags } from '../llm/cli-options.js';
import { registerDiffCommand, exitCodeFor } from './diff-command.js';
import { registerFixCommand } from './fix-command.js';
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

/** `rules` and `explain` output: 0, or 2 with one line on standard error when it cannot be written. */
async function listing(text: string): Promise<number> {
  const failure = await writeStdout(text);
  if (!failure) return EXIT.ok;
  process.stderr.write(`secreview: cannot write to standard output: ${failure}\n`);
  return EXIT.error;
}

export async function main(argv: readonly string[]): Promise<number> {
  guardStdout();
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

  registerFixCommand(program, (code) => {
    exitCode = code;
  });

  program
    .command('lsp')
    .description('run the language server over standard input and output (for editors)')
    .option('--stdio', 'talk over standard input and output (the default and only transport)')
    .action(async () => {
      const { startLanguageServer } = await import('../lsp/server.js');
      startLanguageServer();
    });

  program
    .command('rules')
    .description('list the rules with CWE, pillar and severity')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { format: 'text' | 'json' }) => {
      exitCode = await listing(renderRuleList(flags.format));
    });

  program
    .command('explain')
    .description('show a rule\'s documentation, or the rules that map to a CWE')
    .argument('<rule-or-cwe>', 'a rule id (python/eval-injection) or CWE id (CWE-78)')
    .action(async (query: string) => {
      const text = renderExplain(query);
      if (text === undefined) {
        process.stderr.write(`secreview: no rule or CWE matches "${query}" (see \`secreview rules\`)\n`);
        exitCode = EXIT.error;
        return;
      }
      exitCode = await listing(text);
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
  // Standard input is read by the scan, a chunk at a time up to --max-file-size; what it read is
  // kept here for the HTML report and the LLM review.
  const stdinFilename = flags.stdinFilename ?? 'stdin.py';
  const stdinChunks: Buffer[] = [];
  const stdinInput = paths.includes('-') ? { filename: stdinFilename, stream: keepChunks(process.stdin, stdinChunks) } : undefined;

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
  const progress = showProgress ? progressLine('') : undefined;

  let result: ScanResult;
  const runtime = runtimeFrom(flags);
  try {
    result = await scan({
      paths,
      ...selectionFrom(flags),
      // The report comes out first; the cache's last writes are done before the process ends.
      ...runtime,
      ...(runtime.cache ? { cache: { ...runtime.cache, afterReport: true } } : {}),
      stdin: stdinInput,
      reportUnusedSuppressions: flags.reportUnusedSuppressions,
      maxFileSize: flags.maxFileSize,
      fileTimeoutMs: flags.fileTimeout !== undefined ? flags.fileTimeout * 1000 : undefined,
      onProgress: progress?.onProgress,
      onStage: progress?.onStage,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`secreview: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  } finally {
    progress?.stop();
  }
  const cacheWrites = cacheWritesOf(result);
  try {
    return await reportScan(result, flags, { reporter, paths, baseline, ...(stdinInput ? { stdinChunks } : {}) });
  } finally {
    await cacheWrites?.();
  }
}

/** What a scan's run does with its result: baseline, the LLM second opinion, the report, the exit code. */
async function reportScan(
  result: ScanResult,
  flags: ScanFlags,
  { reporter, paths, baseline, stdinChunks }: { reporter: Reporter; paths: string[]; baseline?: BaselineFile; stdinChunks?: readonly Buffer[] },
): Promise<number> {
  const stdinFilename = flags.stdinFilename ?? 'stdin.py';
  if (result.cache?.error) process.stderr.write(`secreview: warning: ${result.cache.error}; scanned without the cache\n`);
  const stdin = stdinChunks ? { filename: stdinFilename, text: stdinText(result, stdinFilename, stdinChunks) } : undefined;
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
  const reviewed = await applyLlm(result, flags, {
    paths,
    config: flags.config,
    include: flags.include,
    exclude: flags.exclude,
    stdin,
    severity: flags.severity,
    confidence: flags.confidence,
    maxFileSize: flags.maxFileSize,
  });
  if ('error' in reviewed) {
    process.stderr.write(`secreview: ${reviewed.error}\n`);
    return EXIT.error;
  }
  result = reviewed.report;

  const color = useColor(flags);
  // The HTML report embeds the scanned code around each finding (files under the root; stdin as given).
  const sources = reporter.name === 'html' ? loadReportSources(result, stdin) : undefined;
  const rendered = reporter.render(result, { color, showRejected: flags.showRejected, ...(sources ? { sources } : {}) });
  const undelivered = await deliverReport(rendered, flags.output);
  if (undelivered) {
    process.stderr.write(`secreview: ${undelivered}\n`);
    return EXIT.error;
  }

  // Errors that stop the run from doing its job: nothing could be read, or a named path is missing.
  for (const d of result.diagnostics) {
    if (d.level === 'error' && flags.format !== 'text') process.stderr.write(`secreview: ${d.path}${d.line ? `:${d.line}` : ''}: ${d.message}\n`);
  }
  // Files only the LLM reads (C, Go, Java…) count as reviewed when --llm reviewed them.
  const llmOnlyReviewed = (result.llm?.llmOnly ?? []).filter((f) => !result.llm!.notReviewed.some((n) => n.path === f.path && n.startLine === undefined));
  if (result.stats.filesScanned === 0 && !result.stats.templatesRead && llmOnlyReviewed.length === 0) {
    process.stderr.write(`secreview: ${await nothingToScan(flags.llm === true, paths, result.root, flags)}\n`);
    return EXIT.error;
  }
  // A path the user named that does not exist is a usage error, even if other paths scanned.
  if (result.diagnostics.some((d) => d.kind === 'path-error')) return EXIT.error;
  if (flags.writeBaseline) return EXIT.ok; // every finding is in the baseline just written
  // Findings recorded in a --baseline do not fail the build.
  return exitCodeFor(countsForFailure(result.findings, flags), flags.failOn ?? result.failOn ?? 'low');
}

/** Why a scan found nothing to analyse, naming the files only `--llm` reviews when there are some. */
async function nothingToScan(withLlm: boolean, paths: readonly string[], root: string, flags: { include?: string[]; exclude?: string[] }): Promise<string> {
  const plain = 'no readable source files to scan';
  const fsPaths = paths.filter((p) => p !== '-');
  if (withLlm || fsPaths.length === 0) return plain;
  const { llmOnlyExtensions, llmOnlyLanguageOf } = await import('../llm/languages.js');
  const { discoverFiles } = await import('../discover/discover.js');
  const found = await discoverFiles({ root, paths: fsPaths, extensions: llmOnlyExtensions, include: flags.include, exclude: flags.exclude });
  const byLanguage = new Map<string, number>();
  for (const f of found.files) {
    const language = llmOnlyLanguageOf(f.path);
    if (language) byLanguage.set(language, (byLanguage.get(language) ?? 0) + 1);
  }
  if (byLanguage.size === 0) return plain;
  const total = [...byLanguage.values()].reduce((a, b) => a + b, 0);
  const list = [...byLanguage].map(([language, n]) => `${language}: ${n}`).join(', ');
  return `no files static analysis can read (it reads ${supportedExtensions.join(', ')}); found ${total} ${total === 1 ? 'file' : 'files'} (${list}) that only the LLM second opinion reviews: add --llm`;
}

/** Passes the chunks through, keeping a reference to each. */
async function* keepChunks(source: AsyncIterable<Buffer>, kept: Buffer[]): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    kept.push(chunk);
    yield chunk;
  }
}

/** The text of standard input as the scan decoded it; empty when it was skipped or not decodable. */
function stdinText(result: ScanResult, filename: string, chunks: readonly Buffer[]): string {
  if (result.diagnostics.some((d) => d.path === filename && d.level === 'error' && d.line === undefined && (d.kind === 'skipped' || d.kind === 'decode-error' || d.kind === 'binary-file'))) return '';
  const decoded = decodeSource(Buffer.concat(chunks));
  return decoded.ok ? decoded.text : '';
}
