/**
 * The LLM second opinion (`secreview scan --llm`). Loaded lazily by the CLI, so a scan without
 * `--llm` pays nothing for it. See README "LLM second opinion" and verify.ts for the guarantees.
 */
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_FILE_SIZE } from '../api/scan.js';
import { loadUserConfig, type ConfigFile } from '../config/config.js';
import { SettingsPlan } from '../api/settings-plan.js';
import { discoverFiles } from '../discover/discover.js';
import type { Confidence, Report, Severity } from '../findings/types.js';
import { supportedExtensions } from '../frontend/registry.js';
import { decodeSource } from '../parse/decode.js';
import { formatSize, parseSize } from '../scheduling/budget.js';
import { frontEndLanguageOf, llmOnlyExtensions, llmOnlyLanguageOf } from './languages.js';
import { reviewWithLlm, type ReviewFile } from './review.js';
import { isInsideTree, resolveLlmSettings, userConfigPath, type LlmOverrides, type LlmSources } from './settings.js';
import type { ClientOptions } from './client.js';

export { reviewWithLlm, splitLines, type LlmReviewInput, type ReviewFile } from './review.js';
export {
  resolveLlmSettings,
  userConfigPath,
  LlmSettingsError,
  LLM_DEFAULTS,
  type LlmSettings,
  type LlmOverrides,
  type LlmSources,
  type ResolvedLlmSettings,
} from './settings.js';
export { parseReview, parseFreeTextReview, parseJsonReview, findVerdict, type ParsedClaim, type ParsedReview } from './parse-review.js';
export { verifyClaim, locate, type VerifyOutcome } from './verify.js';
export { buildMessages, responseSchema, pillarList } from './prompt.js';
export { planChunks } from './chunk.js';
export { LLM_ONLY_LANGUAGES, llmOnlyLanguageOf } from './languages.js';
export { LlmClient, LlmRequestError } from './client.js';

export interface ScanLlmOptions {
  /** The paths given to the scan (`-` for standard input). */
  paths: readonly string[];
  /** An explicit settings file, or false for none (neither the scanned tree's nor the user's). */
  config?: string | false;
  /**
   * --trust-repo-settings: the scanned tree's settings file may choose the server, model, API key
   * and a cache folder outside the tree. Without it those keys are ignored there, with a warning.
   */
  trustRepoSettings?: boolean;
  /** Called with each warning about ignored settings (they are also in the report's llm.warnings). */
  onWarning?: (message: string) => void;
  include?: readonly string[];
  exclude?: readonly string[];
  stdin?: { text: string; filename: string };
  severity?: Severity;
  confidence?: Confidence;
  /** --max-file-size for files only the LLM reviews (the static scan applies it to the others). */
  maxFileSize?: number;
  overrides?: LlmOverrides;
  clientOptions?: ClientOptions;
  env?: NodeJS.ProcessEnv;
}

/** Diagnostic kinds after which the static scan did not analyse a file. */
const NOT_ANALYSED = new Set(['read-error', 'decode-error', 'binary-file', 'skipped', 'internal-error']);

/** What the static scan says of a file it has no front end for (src/workers/file-job.ts). */
const NO_FRONT_END = 'no front end for this file type';

/**
 * The files a scan analysed, read again for the LLM (the scan keeps no source text), and the files
 * of languages without a static front end (languages.ts), discovered by the same rules: .gitignore,
 * includes and excludes, the size limit, and never a binary file.
 */
export async function collectScannedFiles(
  report: Report,
  options: ScanLlmOptions,
  config: ConfigFile,
  keep?: (path: string) => boolean,
): Promise<{ files: ReviewFile[]; unavailable: { path: string; reason: string }[] }> {
  const files: ReviewFile[] = [];
  const unavailable: { path: string; reason: string }[] = [];
  const failed = new Map<string, string>();
  for (const d of report.diagnostics) {
    if (d.level !== 'error' || !NOT_ANALYSED.has(d.kind) || d.line !== undefined) continue;
    // A file named on the command line in a language only the LLM reads is the LLM's to review.
    if (d.kind === 'skipped' && d.message.includes(NO_FRONT_END) && llmOnlyLanguageOf(d.path)) continue;
    failed.set(d.path, d.message);
  }
  const add = (path: string, text: string, language?: string): void => {
    const reason = failed.get(path);
    if (reason !== undefined) unavailable.push({ path, reason: `not analysed: ${reason}` });
    else {
      // Files a static front end reads other than Python's still tell the prompt their language.
      const named = language ? { language, llmOnly: true } : frontEndLanguageOf(path) ? { language: frontEndLanguageOf(path)! } : {};
      files.push({ path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, ...named });
    }
  };
  if (options.paths.includes('-') && options.stdin) add(options.stdin.filename, options.stdin.text, llmOnlyLanguageOf(options.stdin.filename));
  const fsPaths = options.paths.filter((p) => p !== '-');
  if (fsPaths.length === 0) return { files, unavailable };
  const maxFileSize = options.maxFileSize ?? (config['max-file-size'] !== undefined ? parseSize(config['max-file-size'])! : DEFAULT_MAX_FILE_SIZE);
  const discovery = await discoverFiles({
    root: report.root,
    paths: fsPaths,
    extensions: [...supportedExtensions, ...llmOnlyExtensions],
    include: [...(options.include ?? [])],
    exclude: [...(options.exclude ?? [])],
    respectGitignore: config.gitignore ?? true,
    ...(keep ? { keep } : {}),
  });
  for (const file of discovery.files) {
    if (failed.has(file.path)) {
      add(file.path, '');
      continue;
    }
    const language = llmOnlyLanguageOf(file.path);
    let bytes: Buffer;
    try {
      // The static scan applied the size limit to its files; files only the LLM reads get it here.
      if (language) {
        const { size } = await stat(file.absPath);
        if (size > maxFileSize) {
          unavailable.push({ path: file.path, reason: `skipped: file is ${formatSize(size)}, over the ${formatSize(maxFileSize)} limit (--max-file-size)` });
          continue;
        }
      }
      bytes = await readFile(file.absPath);
    } catch (error) {
      unavailable.push({ path: file.path, reason: `cannot read file: ${(error as Error).message}` });
      continue;
    }
    const decoded = decodeSource(bytes);
    if (!decoded.ok) unavailable.push({ path: file.path, reason: decoded.message });
    else add(file.path, decoded.text, language);
  }
  return { files, unavailable };
}

/** Runs the LLM second opinion over a finished scan and returns the augmented report. */
export async function runLlmForScan<R extends Report>(report: R, options: ScanLlmOptions): Promise<R> {
  const vars = options.env ?? process.env;
  // The same settings as the scan: each file's nearest settings file, the run's for the LLM keys.
  const plan = new SettingsPlan(report.root, options.paths, { config: options.config, severity: options.severity, confidence: options.confidence }, options.stdin?.filename);
  const { config, source, dir } = plan.run;
  const sources: LlmSources = { trustRepo: options.trustRepoSettings === true };
  if (source && config.llm) {
    // A file the user named with --config outside the scanned tree is the user's own.
    sources.repo = { file: source, config: config.llm, usersOwn: Boolean(options.config) && !isInsideTree(report.root, source) };
  }
  if (options.config !== false) {
    const user = loadUserConfig(userConfigPath(vars));
    if (user.source && user.config.llm) sources.user = { file: user.source, config: user.config.llm };
  }
  // Relative paths (llm.cache-dir) start from the folder of the settings file, which is also the
  // tree a repository's cache folder must stay in.
  const { settings, warnings } = resolveLlmSettings(dir, sources, options.overrides, vars);
  for (const w of warnings) options.onWarning?.(w);
  const { files, unavailable } = await collectScannedFiles(report, options, config, (path) => plan.keeps(path));
  return reviewWithLlm({
    report,
    files,
    unavailable,
    settings,
    warnings,
    meetsThresholds: (f) => plan.meetsThresholds(f),
    clientOptions: options.clientOptions,
  });
}
