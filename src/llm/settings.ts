/**
 * LLM settings: command-line flags, then SECREVIEW_LLM_* variables, then the `llm:` section of the
 * settings file, then OPENAI_* variables, then defaults. The project-specific variables win over the
 * file so CI can point a checked-in configuration elsewhere; the generic OPENAI_* variables lose to
 * the file because they are often set for other tools.
 */
import { isAbsolute, resolve } from 'node:path';
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
  /** Longest wait between retries, Retry-After included. */
  maxBackoffMs: number;
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
  maxBackoffMs: 60_000,
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

/**
 * Resolves the settings for one run. `root` is the scanned folder (the cache folder is relative
 * to it). Throws LlmSettingsError when no model or no server is configured.
 */
export function resolveLlmSettings(
  root: string,
  config: LlmConfig | undefined,
  overrides: LlmOverrides = {},
  vars: NodeJS.ProcessEnv = process.env,
): LlmSettings {
  const c = config ?? {};
  const model = overrides.model ?? env(vars, 'SECREVIEW_LLM_MODEL') ?? c.model ?? env(vars, 'OPENAI_MODEL');
  const apiKey = overrides.apiKey ?? env(vars, 'SECREVIEW_LLM_API_KEY') ?? c['api-key'] ?? env(vars, 'OPENAI_API_KEY');
  let baseUrl = overrides.baseUrl ?? env(vars, 'SECREVIEW_LLM_BASE_URL') ?? c['base-url'] ?? env(vars, 'OPENAI_BASE_URL');
  if (!model) {
    throw new LlmSettingsError('--llm needs a model: set SECREVIEW_LLM_MODEL (or OPENAI_MODEL), llm.model in .secreview.yml, or --llm-model');
  }
  if (!baseUrl) {
    // Code only leaves the machine for OpenAI's service when the user gave a key for it.
    if (!apiKey) {
      throw new LlmSettingsError(
        '--llm needs a server: set SECREVIEW_LLM_BASE_URL (e.g. http://localhost:11434/v1 for Ollama) or llm.base-url, or an API key for OpenAI',
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
  const settings: LlmSettings = {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    model,
    apiKey: apiKey ?? 'secreview-no-key',
    concurrency: overrides.concurrency ?? c.concurrency ?? LLM_DEFAULTS.concurrency,
    timeoutMs: overrides.timeoutMs ?? (c.timeout !== undefined ? Math.round(c.timeout * 1000) : LLM_DEFAULTS.timeoutMs),
    retries: overrides.retries ?? c.retries ?? LLM_DEFAULTS.retries,
    backoffMs: overrides.backoffMs ?? LLM_DEFAULTS.backoffMs,
    maxBackoffMs: overrides.maxBackoffMs ?? LLM_DEFAULTS.maxBackoffMs,
    tokenBudget: overrides.tokenBudget ?? c['token-budget'] ?? LLM_DEFAULTS.tokenBudget,
    contextTokens: overrides.contextTokens ?? c['context-tokens'] ?? LLM_DEFAULTS.contextTokens,
    maxOutputTokens: overrides.maxOutputTokens ?? c['max-output-tokens'] ?? LLM_DEFAULTS.maxOutputTokens,
    chunkOverlap: c['chunk-overlap'] ?? LLM_DEFAULTS.chunkOverlap,
    temperature: c.temperature ?? LLM_DEFAULTS.temperature,
    thinkStepByStep: overrides.thinkStepByStep ?? c['think-step-by-step'] ?? false,
    ...((overrides.promptMode ?? c.prompt) ? { promptMode: overrides.promptMode ?? c.prompt } : {}),
    responseFormat: overrides.responseFormat ?? c['response-format'] ?? 'auto',
    cacheDir: overrides.cache === false ? undefined : isAbsolute(cacheDirSetting) ? cacheDirSetting : resolve(root, cacheDirSetting),
    commitMessage: overrides.commitMessage,
  };
  if (settings.maxOutputTokens >= settings.contextTokens / 2) {
    throw new LlmSettingsError(
      `llm.max-output-tokens (${settings.maxOutputTokens}) must be less than half of llm.context-tokens (${settings.contextTokens}) to leave room for the code`,
    );
  }
  return settings;
}
