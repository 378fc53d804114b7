import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLimiter } from '../../src/util/limit.js';
import { retryAfterMs } from '../../src/llm/client.js';
import { LLM_DEFAULTS, resolveLlmSettings } from '../../src/llm/settings.js';
import { tempTree } from '../support/tmp.js';

describe('LLM settings', () => {
  const config = { 'base-url': 'http://config:1/v1', model: 'config-model', 'api-key': 'config-key', timeout: 30, 'cache-dir': 'c' };

  it('flags > SECREVIEW_LLM_* > llm: section > OPENAI_* > defaults', () => {
    const openai = { OPENAI_BASE_URL: 'http://openai:1/v1', OPENAI_MODEL: 'openai-model', OPENAI_API_KEY: 'openai-key' };
    const secreview = { SECREVIEW_LLM_BASE_URL: 'http://env:1/v1/', SECREVIEW_LLM_MODEL: 'env-model', SECREVIEW_LLM_API_KEY: 'env-key' };
    expect(resolveLlmSettings('/r', undefined, {}, openai)).toMatchObject({ baseUrl: 'http://openai:1/v1', model: 'openai-model', apiKey: 'openai-key' });
    expect(resolveLlmSettings('/r', config, {}, openai)).toMatchObject({ baseUrl: 'http://config:1/v1', model: 'config-model', apiKey: 'config-key', timeoutMs: 30_000, cacheDir: '/r/c' });
    expect(resolveLlmSettings('/r', config, {}, { ...openai, ...secreview })).toMatchObject({ baseUrl: 'http://env:1/v1', model: 'env-model', apiKey: 'env-key' });
    expect(resolveLlmSettings('/r', config, { model: 'flag-model', cacheDir: '/abs/cache' }, secreview)).toMatchObject({ model: 'flag-model', cacheDir: '/abs/cache' });
    expect(resolveLlmSettings('/r', config, { cache: false }, {}).cacheDir).toBeUndefined();
  });

  it('defaults; no key needed for a local server; OpenAI only with a key', () => {
    const local = resolveLlmSettings('/r', undefined, {}, { SECREVIEW_LLM_BASE_URL: 'http://localhost:11434/v1', SECREVIEW_LLM_MODEL: 'qwen2.5-coder:7b' });
    expect(local).toMatchObject({
      baseUrl: 'http://localhost:11434/v1',
      concurrency: LLM_DEFAULTS.concurrency,
      timeoutMs: 120_000,
      retries: 3,
      tokenBudget: 250_000,
      contextTokens: 8192,
      maxOutputTokens: 2048,
      responseFormat: 'auto',
      cacheDir: '/r/.secreview-cache/llm',
    });
    expect(() => resolveLlmSettings('/r', undefined, {}, { SECREVIEW_LLM_MODEL: 'm' })).toThrow(/--llm needs a server/);
    expect(resolveLlmSettings('/r', undefined, {}, { SECREVIEW_LLM_MODEL: 'm', OPENAI_API_KEY: 'k' }).baseUrl).toBe('https://api.openai.com/v1');
    expect(() => resolveLlmSettings('/r', undefined, {}, { SECREVIEW_LLM_BASE_URL: 'http://x/v1' })).toThrow(/--llm needs a model/);
    expect(() => resolveLlmSettings('/r', { 'base-url': 'ftp://x', model: 'm' }, {}, {})).toThrow(/must be http/);
    expect(() => resolveLlmSettings('/r', { 'base-url': 'http://x', model: 'm', 'context-tokens': 2048, 'max-output-tokens': 1500 }, {}, {})).toThrow(
      /less than half/,
    );
  });

  it('the llm: section is validated with the rest of .secreview.yml', () => {
    const ok = tempTree({ '.secreview.yml': 'llm:\n  model: m\n  think-step-by-step: true\n  response-format: text\n' });
    expect(loadConfig(ok).config.llm).toEqual({ model: 'm', 'think-step-by-step': true, 'response-format': 'text' });
    const bad = tempTree({ '.secreview.yml': 'llm:\n  response-format: xml\n' });
    expect(() => loadConfig(bad)).toThrow(/llm\.response-format/);
    const unknown = tempTree({ '.secreview.yml': 'llm:\n  temprature: 0\n' });
    expect(() => loadConfig(unknown)).toThrow(/llm\.temprature: unknown key/);
  });
});

describe('client helpers', () => {
  it('Retry-After in seconds, milliseconds or as a date', () => {
    const h = (o: Record<string, string>): Headers => new Headers(o);
    expect(retryAfterMs(h({ 'retry-after': '0' }))).toBe(0);
    expect(retryAfterMs(h({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryAfterMs(h({ 'retry-after-ms': '40', 'retry-after': '9' }))).toBe(40);
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it('the limiter keeps at most N tasks in flight and runs them all', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });
});
