/**
 * The `llm:` section of `.secreview.yml` and of the user settings file
 * (`~/.config/secreview/config.yml`). base-url, model, api-key and a cache-dir outside the scanned
 * tree are honoured in a scanned repository's file only with --trust-repo-settings (settings.ts).
 * Kept apart from the rest of src/llm so that loading the
 * settings file costs only this schema (the client, prompts and verifier load with `--llm`).
 */
import { z } from 'zod';

/** The prompt templates of the study the seed reviews come from (src/llm/prompt.ts describes them). */
export const PROMPT_MODES = ['basic', 'cwe-list', 'commit', 'cot', 'cot-commit'] as const;
export type PromptMode = (typeof PROMPT_MODES)[number];

export const llmConfigSchema = z
  .object({
    /** OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama). */
    'base-url': z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    /** Prefer SECREVIEW_LLM_API_KEY: a key in a committed file is a leaked key (and is ignored there). */
    'api-key': z.string().min(1).optional(),
    /** Requests in flight at once. */
    concurrency: z.number().int().min(1).max(64).optional(),
    /** Seconds one request may take. */
    timeout: z.number().positive().optional(),
    /** Retries of one request on 429, 5xx and connection errors. */
    retries: z.number().int().min(0).max(10).optional(),
    /** Failed requests in a row (refused, reset, timed out, 429, 5xx) after which no more are sent. */
    'max-consecutive-failures': z.number().int().min(1).max(100).optional(),
    /** Most tokens (prompt + completion) one run may spend; files past it are listed as not reviewed. */
    'token-budget': z.number().int().positive().optional(),
    /** The model's context window in tokens; larger files are split along function boundaries. */
    'context-tokens': z.number().int().min(1024).optional(),
    /** Most tokens the model may write per request. */
    'max-output-tokens': z.number().int().min(64).optional(),
    /** Lines of context repeated before each chunk after the first. */
    'chunk-overlap': z.number().int().min(0).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** Ask the model to reason step by step (in a `reasoning` field) before listing defects; `prompt: cot` says the same. */
    'think-step-by-step': z.boolean().optional(),
    /** Prompt template: basic, cwe-list, commit, cot or cot-commit (README "Prompt modes"). */
    prompt: z.enum(PROMPT_MODES).optional(),
    /** `auto` asks for a JSON schema and falls back to plain text when the server refuses it. */
    'response-format': z.enum(['auto', 'json-schema', 'text']).optional(),
    /** Reply cache folder (default .secreview-cache/llm/, relative to the scanned folder). */
    'cache-dir': z.string().min(1).optional(),
  })
  .strict();

export type LlmConfig = z.infer<typeof llmConfigSchema>;
