/**
 * LLM settings: command-line flags, then SECREVIEW_LLM_* variables, then the `llm:` section of the
 * settings files, then OPENAI_* variables, then defaults. The project-specific variables win over the
 * files so CI can point a checked-in configuration elsewhere; the generic OPENAI_* variables lose to
 * the files because they are often set for other tools.
 *
 * Trust: the settings that decide where code and credentials go (server, model, API key, a cache
 * folder outside the scanned tree) come only from the user — flags, environment, the user's own
 * settings file. In the scanned tree's settings file they are ignored with a warning, unless the
 * user passes --trust-repo-settings: a pull request must not be able to send the CI key elsewhere.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { LlmConfig, PromptMode } from './config-schema.js';

export type ResponseFormatMode = 'auto' | 'json-schema' | 'text';

export interface LlmSettings {
  baseUrl: string;
  model: string;
  /** Sent as the bearer token; local servers ignore it. */
  apiKey: string;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  /** First backoff delay; doubles per retry (plus jitter), unless the server sends Retry-After. */
  backoffMs: number;
  /** Longest wait between retries, Retry-After included (never more than RETRY_WAIT_CAP_MS). */
  maxBackoffMs: number;
  /** Failed requests in a row (refused, reset, timed out, 429, 5xx) after which no more are sent. */
  maxConsecutiveFailures: number;
  tokenBudget: number;
  contextTokens: number;
  maxOutputTokens: number;
  chunkOverlap: number;
  temperature: number;
  thinkStepByStep: boolean;
  /** Prompt template; undefined: prompt.ts DEFAULT_PROMPT_MODE (or `cot` with thinkStepByStep). */
  promptMode?: PromptMode;
  responseFormat: ResponseFormatMode;
  /** Absolute cache folder, or undefined for no cache. */
  cacheDir?: string;
  commitMessage?: string;
}

/** What the CLI (or a library caller) may set; undefined leaves the next source in charge. */
export interface LlmOverrides {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  cacheDir?: string;
  /** false: no cache at all. */
  cache?: boolean;
  commitMessage?: string;
  tokenBudget?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  maxConsecutiveFailures?: number;
  contextTokens?: number;
  maxOutputTokens?: number;
  thinkStepByStep?: boolean;
  promptMode?: PromptMode;
  responseFormat?: ResponseFormatMode;
}

export const LLM_DEFAULTS = {
  concurrency: 2,
  timeoutMs: 120_000,
  retries: 3,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  maxConsecutiveFailures: 3,
  tokenBudget: 250_000,
  contextTokens: 8_192,
  maxOutputTokens: 2_048,
  chunkOverlap: 10,
  temperature: 0,
  cacheDir: '.secreview-cache/llm',
} as const;

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export class LlmSettingsError extends Error {
  override name = 'LlmSettingsError';
}

function env(vars: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = vars[name]?.trim();
  return v ? v : undefined;
}

/** One settings file's `llm:` section and where it came from (for messages). */
export interface LlmConfigSource {
  /** Absolute path of the file. */
  file: string;
  config: LlmConfig;
  /** A repository-slot file that is the user's own (named with --config, outside the scanned tree). */
  usersOwn?: boolean;
}

/** Where the `llm:` settings come from. */
export interface LlmSources {
  /** The scanned tree's settings file (`.secreview.yml`, pyproject `[tool.secreview]`, or --config). */
  repo?: LlmConfigSource;
  /** The user's own settings file (userConfigPath). */
  user?: LlmConfigSource;
  /** --trust-repo-settings: the repository file may choose everything, like the user's file. */
  trustRepo?: boolean;
}

export interface ResolvedLlmSettings {
  settings: LlmSettings;
  /** One line per repository setting that was ignored, naming the file and the key. */
  warnings: string[];
}

/** `$XDG_CONFIG_HOME/secreview/config.yml`, else `~/.config/secreview/config.yml`. */
export function userConfigPath(vars: NodeJS.ProcessEnv = process.env, home = vars.HOME ?? vars.USERPROFILE): string | undefined {
  const xdg = env(vars, 'XDG_CONFIG_HOME');
  if (xdg && isAbsolute(xdg)) return join(xdg, 'secreview', 'config.yml');
  return home && isAbsolute(home) ? join(home, '.config', 'secreview', 'config.yml') : undefined;
}

/** Why each key the repository may not set is the user's to choose (the warning's tail). */
const USER_ONLY: Record<'base-url' | 'model' | 'api-key', string> = {
  'base-url': "where code and keys are sent is the user's choice (set SECREVIEW_LLM_BASE_URL, the user settings file, or pass --trust-repo-settings)",
  model: "the model that receives the code is the user's choice (set SECREVIEW_LLM_MODEL, --llm-model, the user settings file, or pass --trust-repo-settings)",
  'api-key': 'a key from the scanned repository is never used (set SECREVIEW_LLM_API_KEY, the user settings file, or pass --trust-repo-settings)',
};

/** `file` as shown in messages: relative to the scanned folder when inside it. */
function shown(root: string, file: string): string {
  const rel = relative(root, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The name of an `llm:` key as written in that file. */
function keyName(file: string, key: string): string {
  return `${basename(file) === 'pyproject.toml' ? 'tool.secreview.' : ''}llm.${key}`;
}

/** The real path of `path`, following symbolic links in the part that exists. */
function realish(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  try {
    return join(realpathSync(existing), ...rest);
  } catch {
    return path;
  }
}

function lexicallyInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Whether `path` lies inside the folder `root` (symbolic links followed). */
export function isInsideTree(root: string, path: string): boolean {
  const rel = relative(realish(resolve(root)), realish(resolve(path)));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Resolves the settings for one run. `root` is the scanned folder (the cache folder is relative
 * to it). Throws LlmSettingsError when no model or no server is configured.
 *
 * Order per key: flags > SECREVIEW_LLM_* > repository file > user file > OPENAI_* > defaults, except
 * that base-url, model, api-key and a cache-dir outside the tree are taken from the repository file
 * only with `trustRepo`.
 */
export function resolveLlmSettings(
  root: string,
  sources: LlmSources = {},
  overrides: LlmOverrides = {},
  vars: NodeJS.ProcessEnv = process.env,
): ResolvedLlmSettings {
  const warnings: string[] = [];
  const u = sources.user?.config ?? {};
  const r = sources.repo?.config ?? {};
  const repoFile = sources.repo?.file ?? '.secreview.yml';
  // The repository's file, less what it may not decide.
  const repo: LlmConfig = { ...r };
  if (!sources.trustRepo && !sources.repo?.usersOwn) {
    for (const key of Object.keys(USER_ONLY) as (keyof typeof USER_ONLY)[]) {
      if (repo[key] === undefined) continue;
      delete repo[key];
      warnings.push(`${shown(root, repoFile)}: ${keyName(repoFile, key)} is ignored: ${USER_ONLY[key]}`);
    }
    const cacheDir = repo['cache-dir'];
    if (cacheDir !== undefined && !isInsideTree(root, resolve(root, cacheDir))) {
      delete repo['cache-dir'];
      warnings.push(
        `${shown(root, repoFile)}: ${keyName(repoFile, 'cache-dir')} is ignored: ${cacheDir} is outside the scanned tree, and a cache folder there is the user's choice (pass --llm-cache-dir, set it in the user settings file, or pass --trust-repo-settings)`,
      );
    }
  }
  const c: LlmConfig = { ...u, ...repo };
  const userFile = sources.user?.file ?? userConfigPath(vars) ?? '~/.config/secreview/config.yml';

  const model = overrides.model ?? env(vars, 'SECREVIEW_LLM_MODEL') ?? c.model ?? env(vars, 'OPENAI_MODEL');
  const apiKey = overrides.apiKey ?? env(vars, 'SECREVIEW_LLM_API_KEY') ?? c['api-key'] ?? env(vars, 'OPENAI_API_KEY');
  let baseUrl = overrides.baseUrl ?? env(vars, 'SECREVIEW_LLM_BASE_URL') ?? c['base-url'] ?? env(vars, 'OPENAI_BASE_URL');
  if (!model) {
    throw new LlmSettingsError(`--llm needs a model: set SECREVIEW_LLM_MODEL (or OPENAI_MODEL), llm.model in ${userFile}, or --llm-model`);
  }
  if (!baseUrl) {
    // Code only leaves the machine for OpenAI's service when the user gave a key for it.
    if (!apiKey) {
      throw new LlmSettingsError(
        `--llm needs a server: set SECREVIEW_LLM_BASE_URL (e.g. http://localhost:11434/v1 for Ollama) or llm.base-url in ${userFile}, or an API key for OpenAI`,
      );
    }
    baseUrl = OPENAI_DEFAULT_BASE_URL;
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new LlmSettingsError(`LLM base URL is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LlmSettingsError(`LLM base URL must be http(s): ${baseUrl}`);

  const cacheDirSetting = overrides.cacheDir ?? c['cache-dir'] ?? LLM_DEFAULTS.cacheDir;
  let cache = overrides.cache !== false;
  const cachePath = isAbsolute(cacheDirSetting) ? cacheDirSetting : resolve(root, cacheDirSetting);
  // A relative cache folder inside the tree that a link in the tree leads out of it: the tree would
  // choose where replies are written.
  if (cache && overrides.cacheDir === undefined && !sources.trustRepo && !isAbsolute(cacheDirSetting) && lexicallyInside(root, cachePath) && !isInsideTree(root, cachePath)) {
    cache = false;
    warnings.push(
      `the LLM reply cache ${cacheDirSetting} leads out of the scanned tree through a symbolic link (to ${realish(cachePath)}); replies are not cached (pass --llm-cache-dir or --trust-repo-settings)`,
    );
  }
  const settings: LlmSettings = {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    model,
    apiKey: apiKey ?? 'secreview-no-key',
    concurrency: overrides.concurrency ?? c.concurrency ?? LLM_DEFAULTS.concurrency,
    timeoutMs: overrides.timeoutMs ?? (c.timeout !== undefined ? Math.round(c.timeout * 1000) : LLM_DEFAULTS.timeoutMs),
    retries: overrides.retries ?? c.retries ?? LLM_DEFAULTS.retries,
    backoffMs: overrides.backoffMs ?? LLM_DEFAULTS.backoffMs,
    maxBackoffMs: overrides.maxBackoffMs ?? LLM_DEFAULTS.maxBackoffMs,
    maxConsecutiveFailures: overrides.maxConsecutiveFailures ?? c['max-consecutive-failures'] ?? LLM_DEFAULTS.maxConsecutiveFailures,
    tokenBudget: overrides.tokenBudget ?? c['token-budget'] ?? LLM_DEFAULTS.tokenBudget,
    contextTokens: overrides.contextTokens ?? c['context-tokens'] ?? LLM_DEFAULTS.contextTokens,
    maxOutputTokens: overrides.maxOutputTokens ?? c['max-output-tokens'] ?? LLM_DEFAULTS.maxOutputTokens,
    chunkOverlap: c['chunk-overlap'] ?? LLM_DEFAULTS.chunkOverlap,
    temperature: c.temperature ?? LLM_DEFAULTS.temperature,
    thinkStepByStep: overrides.thinkStepByStep ?? c['think-step-by-step'] ?? false,
    ...((overrides.promptMode ?? c.prompt) ? { promptMode: overrides.promptMode ?? c.prompt } : {}),
    responseFormat: overrides.responseFormat ?? c['response-format'] ?? 'auto',
    cacheDir: cache ? cachePath : undefined,
    commitMessage: overrides.commitMessage,
  };
  if (settings.maxOutputTokens >= settings.contextTokens / 2) {
    throw new LlmSettingsError(
      `llm.max-output-tokens (${settings.maxOutputTokens}) must be less than half of llm.context-tokens (${settings.contextTokens}) to leave room for the code`,
    );
  }
  return { settings, warnings };
}
