/**
 * Command-line glue for the LLM second opinion: the options, and a runner that loads the LLM
 * machinery only when `--llm` is given (this file imports nothing heavy, so commands without
 * `--llm` pay nothing for it).
 */
import { Option, type Command } from 'commander';
import type { Finding, Report } from '../findings/types.js';
import type { ScanLlmOptions } from './index.js';
import { PROMPT_MODES, type PromptMode } from './config-schema.js';

export interface LlmFlags {
  llm?: boolean;
  llmModel?: string;
  llmCacheDir?: string;
  /** false with --no-llm-cache. */
  llmCache?: boolean;
  llmCommitMessage?: string;
  llmPrompt?: PromptMode;
  llmBudget?: number;
  showRejected?: boolean;
  failOnLlm?: boolean;
  trustRepoSettings?: boolean;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive whole number, got "${value}"`);
  return n;
};

/** Adds the --llm options to a command (scan, diff). */
export function addLlmOptions(command: Command): Command {
  return command
    .addOption(new Option('--llm', 'also ask an LLM for a second opinion; every claim is checked against the code (see README)'))
    .addOption(new Option('--llm-model <name>', 'model name (default: SECREVIEW_LLM_MODEL, llm.model or OPENAI_MODEL)'))
    .addOption(new Option('--llm-cache-dir <dir>', 'reply cache folder (default: .secreview-cache/llm/)'))
    .addOption(new Option('--no-llm-cache', 'neither read nor write the LLM reply cache'))
    .addOption(new Option('--llm-commit-message <text>', 'commit message to give the LLM as context (sent in the commit and cot-commit prompts)'))
    .addOption(
      new Option('--llm-prompt <mode>', 'prompt template: basic, cwe-list, commit, cot or cot-commit (default: llm.prompt or cot-commit; see README)').choices([
        ...PROMPT_MODES,
      ]),
    )
    .addOption(new Option('--llm-budget <tokens>', 'most tokens the LLM may spend in this run (default: llm.token-budget or 250000)').argParser(positiveInt))
    .addOption(new Option('--show-rejected', 'list the LLM claims that failed verification, with the reason (always in JSON)'))
    .addOption(new Option('--fail-on-llm', 'let findings only the LLM made count for --fail-on (by default they never fail the build)'))
    .addOption(
      new Option(
        '--trust-repo-settings',
        "let the scanned tree's settings file choose the LLM server, model, API key and a cache folder outside the tree (ignored there by default)",
      ),
    );
}

/** What the CLI knows of the scan it asks a second opinion on (a type-only import: no cost). */
export type LlmRunContext = Pick<ScanLlmOptions, 'paths' | 'config' | 'include' | 'exclude' | 'stdin' | 'severity' | 'confidence' | 'maxFileSize'>;

/** Runs the second opinion when `--llm` is given; otherwise returns the report untouched. */
export async function applyLlm<R extends Report>(report: R, flags: LlmFlags, context: LlmRunContext): Promise<{ report: R } | { error: string }> {
  if (!flags.llm) return { report };
  const llm = await import('./index.js');
  const { ConfigError } = await import('../config/config.js');
  try {
    return {
      report: await llm.runLlmForScan(report, {
        ...context,
        trustRepoSettings: flags.trustRepoSettings === true,
        onWarning: (message) => process.stderr.write(`secreview: warning: ${message}\n`),
        overrides: {
          model: flags.llmModel,
          cacheDir: flags.llmCacheDir,
          cache: flags.llmCache,
          commitMessage: flags.llmCommitMessage,
          promptMode: flags.llmPrompt,
          tokenBudget: flags.llmBudget,
        },
      }),
    };
  } catch (error) {
    if (error instanceof llm.LlmSettingsError || error instanceof ConfigError) return { error: error.message };
    throw error;
  }
}

/** The findings that may fail the build: LLM-only findings only with --fail-on-llm. */
export function countsForFailure(findings: readonly Finding[], flags: LlmFlags): Finding[] {
  return flags.failOnLlm ? [...findings] : findings.filter((f) => f.origin !== 'llm-verified');
}

/**
 * `secreview diff --llm`: the changed files of the working tree get the second opinion, with the
 * commit message(s) as context (only files a front end reads: not a changed `.env` or README);
 * LLM-only findings that do not touch the change are not shown (they
 * count in `change.notShown`, like static ones). Other change sources (--head, --staged, --patch)
 * live in a temporary checkout that is gone by now, so they are refused.
 */
export async function applyLlmToChange<R extends Report>(
  report: R,
  flags: LlmFlags & { head?: string; staged?: boolean; patch?: string },
  context: Omit<LlmRunContext, 'paths' | 'stdin'>,
): Promise<{ report: R } | { error: string }> {
  if (!flags.llm) return { report };
  if (flags.head !== undefined || flags.staged || flags.patch !== undefined) {
    return { error: '--llm reviews changes in the working tree; it cannot be combined with --head, --staged or --patch' };
  }
  const change = report.change;
  // Only source files a front end reads, as the scan of the change does: a changed `.env`, settings
  // file or README is not code for the model to review, and must not leave the machine.
  const { frontEndForPath } = await import('../frontend/registry.js');
  const paths = (change?.files ?? []).filter((f) => f.status !== 'deleted' && frontEndForPath(f.path) !== undefined).map((f) => f.path);
  if (!change || paths.length === 0) return { report };
  const reviewed = await applyLlm(report, { ...flags, llmCommitMessage: flags.llmCommitMessage ?? change.message }, { ...context, paths });
  if ('error' in reviewed) return reviewed;
  const { ChangeIndex } = await import('../diff/filter.js');
  const index = new ChangeIndex(change.files);
  const all = reviewed.report.findings;
  const findings = all.filter((f) => f.origin !== 'llm-verified' || index.touches(f.location.path, f.location.startLine, f.location.endLine));
  return {
    report: { ...reviewed.report, findings, change: { ...change, notShown: change.notShown + (all.length - findings.length) } },
  };
}
