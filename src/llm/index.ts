/**
 * The LLM second opinion (`secreview scan --llm`). Loaded lazily by the CLI, so a scan without
 * `--llm` pays nothing for it. See README "LLM second opinion" and verify.ts for the guarantees.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig, loadUserConfig, type ConfigFile } from '../config/config.js';
import { discoverFiles } from '../discover/discover.js';
import { FindingPolicy } from '../filters/policy.js';
import type { Confidence, Report, Severity } from '../findings/types.js';
import { supportedExtensions } from '../frontend/registry.js';
import { decodeSource } from '../parse/decode.js';
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
  overrides?: LlmOverrides;
  clientOptions?: ClientOptions;
  env?: NodeJS.ProcessEnv;
}

/** Diagnostic kinds after which the static scan did not analyse a file. */
const NOT_ANALYSED = new Set(['read-error', 'decode-error', 'binary-file', 'skipped', 'internal-error']);

/** The files a scan analysed, read again for the LLM (the scan keeps no source text). */
export async function collectScannedFiles(
  report: Report,
  options: ScanLlmOptions,
  config: ConfigFile,
): Promise<{ files: ReviewFile[]; unavailable: { path: string; reason: string }[] }> {
  const files: ReviewFile[] = [];
  const unavailable: { path: string; reason: string }[] = [];
  const failed = new Map<string, string>();
  for (const d of report.diagnostics) {
    if (d.level === 'error' && NOT_ANALYSED.has(d.kind) && d.line === undefined) failed.set(d.path, d.message);
  }
  const add = (path: string, text: string): void => {
    const reason = failed.get(path);
    if (reason !== undefined) unavailable.push({ path, reason: `not analysed: ${reason}` });
    else files.push({ path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
  };
  if (options.paths.includes('-') && options.stdin) add(options.stdin.filename, options.stdin.text);
  const fsPaths = options.paths.filter((p) => p !== '-');
  if (fsPaths.length === 0) return { files, unavailable };
  const discovery = await discoverFiles({
    root: report.root,
    paths: fsPaths,
    extensions: supportedExtensions,
    include: [...(config.include ?? []), ...(options.include ?? [])],
    exclude: [...(config.exclude ?? []), ...(options.exclude ?? [])],
    respectGitignore: config.gitignore ?? true,
  });
  for (const file of discovery.files) {
    if (failed.has(file.path)) {
      add(file.path, '');
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file.absPath);
    } catch (error) {
      unavailable.push({ path: file.path, reason: `cannot read file: ${(error as Error).message}` });
      continue;
    }
    const decoded = decodeSource(bytes);
    if (!decoded.ok) unavailable.push({ path: file.path, reason: decoded.message });
    else add(file.path, decoded.text);
  }
  return { files, unavailable };
}

/** Runs the LLM second opinion over a finished scan and returns the augmented report. */
export async function runLlmForScan<R extends Report>(report: R, options: ScanLlmOptions): Promise<R> {
  const vars = options.env ?? process.env;
  const loaded = options.config === false ? { config: {} as ConfigFile } : loadConfig(report.root, options.config);
  const config = loaded.config;
  const sources: LlmSources = { trustRepo: options.trustRepoSettings === true };
  if (loaded.source && config.llm) {
    // A file the user named with --config outside the scanned tree is the user's own.
    sources.repo = { file: loaded.source, config: config.llm, usersOwn: Boolean(options.config) && !isInsideTree(report.root, loaded.source) };
  }
  if (options.config !== false) {
    const user = loadUserConfig(userConfigPath(vars));
    if (user.source && user.config.llm) sources.user = { file: user.source, config: user.config.llm };
  }
  const { settings, warnings } = resolveLlmSettings(report.root, sources, options.overrides, vars);
  for (const w of warnings) options.onWarning?.(w);
  const { files, unavailable } = await collectScannedFiles(report, options, config);
  const policy = new FindingPolicy({
    severity: options.severity ?? config.severity ?? 'medium',
    confidence: options.confidence ?? config.confidence ?? 'medium',
    overrides: config.overrides,
  });
  return reviewWithLlm({
    report,
    files,
    unavailable,
    settings,
    warnings,
    meetsThresholds: (f) => policy.meetsThresholds(f),
    clientOptions: options.clientOptions,
  });
}
