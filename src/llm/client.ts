/**
 * Chat completions through the official `openai` client against any OpenAI-compatible server
 * (OpenAI, Ollama, vLLM, llama.cpp, LM Studio). The client's own retries are off: this module
 * retries 429, 5xx and dropped connections itself with exponential backoff, honouring Retry-After
 * up to RETRY_WAIT_CAP_MS, so every HTTP request is counted and the policy is the same whatever the
 * server. A circuit breaker bounds what a dead or hung server costs: after
 * `maxConsecutiveFailures` failed attempts in a row (refused, reset, timed out, 429, 5xx), no
 * further request is sent and waiting retries stop, so the rest of the files are reported at once
 * as not asked.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { LlmSettings } from './settings.js';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface ChatReply {
  content: string;
  /** `stop`, `length` (cut at max tokens), … as the server said; `unknown` when it said nothing. */
  finishReason: string;
  /** Tokens the server counted; zero when it did not report usage. */
  usage: { prompt: number; completion: number };
  /** Whether the server was asked for the JSON schema or for plain text. */
  format: 'json_schema' | 'text';
}

/** A request that failed for good; `reason` is what the report says. */
export class LlmRequestError extends Error {
  override name = 'LlmRequestError';
}

export interface ClientOptions {
  /** Replaceable wait, for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1), for tests. */
  random?: () => number;
}

/** Waits `ms`, or less when `stop` settles first (the timer is cleared, so it keeps no process alive). */
const sleepUntil = (ms: number, stop: Promise<void>): Promise<void> =>
  new Promise((r) => {
    const timer = setTimeout(r, ms);
    void stop.then(() => {
      clearTimeout(timer);
      r();
    });
  });

/** Longest wait before a retry, whatever the server asks in Retry-After or llm settings say. */
export const RETRY_WAIT_CAP_MS = 30_000;

/** Whether an attempt failed because the server is down, overloaded or hung (counts for the breaker). */
function isServerFailure(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true; // refused, reset, timed out
  if (error instanceof APIError) return error.status === 408 || error.status === 429 || (error.status !== undefined && error.status >= 500);
  return false;
}

function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
}

/** Milliseconds the server asked us to wait (`retry-after-ms`, `retry-after` seconds or date), if any. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function statusText(error: APIError): string {
  const detail = error.message.replace(/\s+/g, ' ').trim().slice(0, 200);
  return detail ? `HTTP ${error.status}: ${detail}` : `HTTP ${error.status}`;
}

export class LlmClient {
  /** HTTP requests sent so far, retries included. */
  requests = 0;
  /** Current way of asking for JSON; `auto` starts with the schema and may fall back to text for the run. */
  format: 'json_schema' | 'text';
  private readonly openai: OpenAI;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private tokensParam: 'max_tokens' | 'max_completion_tokens' = 'max_tokens';
  /** Set after an error no later request can avoid (bad key, unknown model): later requests are not sent. */
  private fatal?: string;
  /** Failed attempts in a row, over all requests (any reply from the server resets it). */
  private failuresInARow = 0;
  /** Set when the breaker opened: why no more requests are sent. */
  private broken?: string;
  /** Resolves when the breaker opens, to wake retries that are waiting. */
  private readonly opened: Promise<void>;
  private open!: () => void;
  /** The requests in flight, aborted when the breaker opens (one controller each: no listeners pile up). */
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly settings: LlmSettings,
    options: ClientOptions = {},
  ) {
    this.openai = new OpenAI({
      baseURL: settings.baseUrl,
      apiKey: settings.apiKey,
      timeout: settings.timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
    });
    this.format = settings.responseFormat === 'text' ? 'text' : 'json_schema';
    this.opened = new Promise((r) => {
      this.open = r;
    });
    this.sleep = options.sleep ?? ((ms) => sleepUntil(ms, this.opened));
    this.random = options.random ?? Math.random;
  }

  /** Counts one attempt's outcome for the breaker; true when this failure opened it. */
  private record(error: unknown, reason: string): boolean {
    if (!isServerFailure(error)) {
      // The server answered (400, 401…): it is alive.
      if (error instanceof APIError && error.status !== undefined) this.failuresInARow = 0;
      return false;
    }
    this.failuresInARow++;
    if (this.broken || this.failuresInARow < this.settings.maxConsecutiveFailures) return false;
    this.broken = `LLM server failed ${this.failuresInARow} times in a row: ${reason}; not asked`;
    this.open();
    for (const controller of this.inFlight) controller.abort();
    return true;
  }

  /** One chat completion; throws LlmRequestError with a reason fit for the report. */
  async chat(messages: readonly ChatMessage[], schema: { name: string; schema: Record<string, unknown> }): Promise<ChatReply> {
    if (this.fatal) throw new LlmRequestError(`not sent: ${this.fatal}`);
    if (this.broken) throw new LlmRequestError(this.broken);
    let attempt = 0;
    let triedTextFallback = false;
    for (;;) {
      const format = this.format;
      try {
        const reply = await this.send(messages, schema, format);
        this.failuresInARow = 0;
        return reply;
      } catch (error) {
        if (error instanceof APIError && error.status === 400) {
          const text = error.message.toLowerCase();
          // Newer OpenAI models take max_completion_tokens and refuse max_tokens.
          if (this.tokensParam === 'max_tokens' && text.includes('max_completion_tokens')) {
            this.tokensParam = 'max_completion_tokens';
            continue;
          }
          // A server without structured output: ask once more in plain text, and keep plain text
          // for the run if that works. A 400 for another cause fails again and keeps the schema.
          if (format === 'json_schema' && this.settings.responseFormat === 'auto' && !triedTextFallback) {
            triedTextFallback = true;
            try {
              const reply = await this.send(messages, schema, 'text');
              this.failuresInARow = 0;
              this.format = 'text';
              return reply;
            } catch (fallbackError) {
              if (!(fallbackError instanceof APIError && fallbackError.status === 400)) error = fallbackError;
            }
          }
        }
        const decision = this.classify(error);
        if (decision.fatal) this.fatal = decision.reason;
        const tries = attempt + 1;
        const failed = (): LlmRequestError =>
          new LlmRequestError(decision.retry && tries > 1 ? `${decision.reason} (after ${tries} attempts)` : decision.reason);
        const opened = this.record(error, decision.reason);
        if (!decision.retry || attempt >= this.settings.retries || opened) throw failed();
        // Another request may have opened the breaker meanwhile: this one stops too.
        if (this.broken) throw new LlmRequestError(`${decision.reason}; not retried: ${this.broken.replace(/; not asked$/, '')}`);
        const asked = error instanceof APIError ? retryAfterMs(error.headers) : undefined;
        const backoff = this.settings.backoffMs * 2 ** attempt * (0.75 + this.random() * 0.5);
        await Promise.race([this.sleep(Math.min(asked ?? backoff, this.settings.maxBackoffMs, RETRY_WAIT_CAP_MS)), this.opened]);
        if (this.broken) throw new LlmRequestError(`${decision.reason}; not retried: ${this.broken.replace(/; not asked$/, '')}`);
        attempt++;
      }
    }
  }

  private async send(
    messages: readonly ChatMessage[],
    schema: { name: string; schema: Record<string, unknown> },
    format: 'json_schema' | 'text',
  ): Promise<ChatReply> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.settings.model,
      messages: messages.map((m): ChatCompletionMessageParam => ({ role: m.role, content: m.content })),
      temperature: this.settings.temperature,
    };
    if (this.tokensParam === 'max_tokens') body.max_tokens = this.settings.maxOutputTokens;
    else body.max_completion_tokens = this.settings.maxOutputTokens;
    if (format === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name: schema.name, schema: schema.schema, strict: true } };
    }
    this.requests++;
    const controller = new AbortController();
    this.inFlight.add(controller);
    let completion;
    try {
      completion = await this.openai.chat.completions.create(body, { timeout: this.settings.timeoutMs, maxRetries: 0, signal: controller.signal });
    } finally {
      this.inFlight.delete(controller);
    }
    const choice = completion.choices?.[0];
    const content = choice?.message?.content ?? '';
    return {
      content,
      finishReason: choice?.finish_reason ?? 'unknown',
      usage: { prompt: completion.usage?.prompt_tokens ?? 0, completion: completion.usage?.completion_tokens ?? 0 },
      format,
    };
  }

  private classify(error: unknown): { retry: boolean; fatal: boolean; reason: string } {
    if (error instanceof APIConnectionTimeoutError) {
      // Not retried: a model too slow for the timeout once is as slow the next time.
      return { retry: false, fatal: false, reason: `no reply within ${formatSeconds(this.settings.timeoutMs)} (llm.timeout)` };
    }
    if (error instanceof APIUserAbortError) {
      const why = this.broken ? `: ${this.broken.replace(/; not asked$/, '')}` : '';
      return { retry: false, fatal: false, reason: `request abandoned${why}` };
    }
    if (error instanceof APIConnectionError) {
      return { retry: true, fatal: false, reason: `cannot reach ${this.settings.baseUrl}: ${deepestCause(error)}` };
    }
    if (error instanceof APIError) {
      const status = error.status;
      if (status === 401 || status === 403) return { retry: false, fatal: true, reason: `the server refused the API key (${statusText(error)})` };
      if (status === 404) return { retry: false, fatal: true, reason: `model ${this.settings.model} or endpoint not found (${statusText(error)})` };
      return { retry: isRetryableStatus(status), fatal: false, reason: `the server answered ${statusText(error)}` };
    }
    return { retry: false, fatal: false, reason: `request failed: ${(error as Error)?.message ?? String(error)}` };
  }
}

/** The innermost message of an error's cause chain ("connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed"). */
function deepestCause(error: Error): string {
  let message = error.message;
  let current: unknown = error.cause;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
