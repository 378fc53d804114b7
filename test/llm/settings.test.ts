import { describe, expect, it } from 'vitest';
import { loadConfig, loadUserConfig } from '../../src/config/config.js';
import type { LlmConfig } from '../../src/llm/config-schema.js';
import { createLimiter } from '../../src/scheduling/limiter.js';
import { retryAfterMs } from '../../src/llm/client.js';
import { LLM_DEFAULTS, resolveLlmSettings, userConfigPath, type LlmSettings, type LlmSources } from '../../src/llm/settings.js';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from '../support/tmp.js';

describe('LLM settings', () => {
  const config = { 'base-url': 'http://config:1/v1', model: 'config-model', 'api-key': 'config-key', timeout: 30, 'cache-dir': 'c' };

  const repo = (c: LlmConfig, file = '/r/.secreview.yml'): LlmSources => ({ repo: { file, config: c } });
  const user = (c: LlmConfig): LlmSources => ({ user: { file: '/home/u/.config/secreview/config.yml', config: c } });
  const resolve = (sources: LlmSources, overrides = {}, vars = {}): LlmSettings => resolveLlmSettings('/r', sources, overrides, vars).settings;

  it('flags > SECREVIEW_LLM_* > user settings file > OPENAI_* > defaults', () => {
    const openai = { OPENAI_BASE_URL: 'http://openai:1/v1', OPENAI_MODEL: 'openai-model', OPENAI_API_KEY: 'openai-key' };
    const secreview = { SECREVIEW_LLM_BASE_URL: 'http://env:1/v1/', SECREVIEW_LLM_MODEL: 'env-model', SECREVIEW_LLM_API_KEY: 'env-key' };
    expect(resolve({}, {}, openai)).toMatchObject({ baseUrl: 'http://openai:1/v1', model: 'openai-model', apiKey: 'openai-key' });
    expect(resolve(user(config), {}, openai)).toMatchObject({ baseUrl: 'http://config:1/v1', model: 'config-model', apiKey: 'config-key', timeoutMs: 30_000, cacheDir: '/r/c' });
    expect(resolve(user(config), {}, { ...openai, ...secreview })).toMatchObject({ baseUrl: 'http://env:1/v1', model: 'env-model', apiKey: 'env-key' });
    expect(resolve(user(config), { model: 'flag-model', cacheDir: '/abs/cache' }, secreview)).toMatchObject({ model: 'flag-model', cacheDir: '/abs/cache' });
    expect(resolve(user(config), { cache: false }, {}).cacheDir).toBeUndefined();
  });

  it("a scanned repository's file cannot choose the server, model, key or an outside cache folder", () => {
    const openai = { OPENAI_BASE_URL: 'http://openai:1/v1', OPENAI_MODEL: 'openai-model', OPENAI_API_KEY: 'openai-key' };
    const hostile = { ...config, 'cache-dir': '/home/u/.ssh', concurrency: 5, 'token-budget': 1000 };
    const { settings, warnings } = resolveLlmSettings('/r', repo(hostile), {}, openai);
    // The OPENAI_* values lost to the repository file before; now the repository file is not a source for these keys.
    expect(settings).toMatchObject({ baseUrl: 'http://openai:1/v1', model: 'openai-model', apiKey: 'openai-key', cacheDir: '/r/.secreview-cache/llm' });
    // Harmless settings still come from it.
    expect(settings).toMatchObject({ concurrency: 5, tokenBudget: 1000, timeoutMs: 30_000 });
    expect(warnings).toEqual([
      expect.stringMatching(/^\.secreview\.yml: llm\.base-url is ignored: where code and keys are sent is the user's choice \(set SECREVIEW_LLM_BASE_URL, the user settings file, or pass --trust-repo-settings\)$/),
      expect.stringMatching(/^\.secreview\.yml: llm\.model is ignored: /),
      expect.stringMatching(/^\.secreview\.yml: llm\.api-key is ignored: /),
      expect.stringMatching(/^\.secreview\.yml: llm\.cache-dir is ignored: \/home\/u\/\.ssh is outside the scanned tree/),
    ]);
    // The user's file ranks where the repository file ranked for these keys; the repository file still wins for the others.
    const both: LlmSources = { ...repo(hostile), ...user({ 'base-url': 'http://user:1/v1', model: 'user-model', concurrency: 1 }) };
    expect(resolve(both, {}, openai)).toMatchObject({ baseUrl: 'http://user:1/v1', model: 'user-model', apiKey: 'openai-key', concurrency: 5 });
    // A cache folder inside the tree is fine; one that climbs out is not.
    expect(resolveLlmSettings('/r', repo({ 'cache-dir': 'build/llm' }), {}, openai)).toMatchObject({ settings: { cacheDir: '/r/build/llm' }, warnings: [] });
    expect(resolveLlmSettings('/r', repo({ 'cache-dir': '../elsewhere' }), {}, openai).warnings).toEqual([expect.stringContaining('llm.cache-dir is ignored')]);
    // pyproject.toml: the key is named as written there.
    expect(resolveLlmSettings('/r', repo({ 'base-url': 'http://x/v1' }, '/r/pyproject.toml'), {}, openai).warnings[0]).toMatch(
      /^pyproject\.toml: tool\.secreview\.llm\.base-url is ignored: /,
    );
    // No key from the repository: without a user-given key or server, no request can be made.
    expect(() => resolve(repo({ model: 'm', 'api-key': 'k' }), {}, { SECREVIEW_LLM_MODEL: 'm' })).toThrow(/--llm needs a server/);
  });

  it('a cache folder that a link in the tree leads out of it is not used', () => {
    const outside = tempTree({});
    const tree = tempTree({ 'a.py': '' });
    symlinkSync(outside, join(tree, '.secreview-cache'));
    const vars = { SECREVIEW_LLM_BASE_URL: 'http://x/v1', SECREVIEW_LLM_MODEL: 'm' };
    const linked = resolveLlmSettings(tree, {}, {}, vars);
    expect(linked.settings.cacheDir).toBeUndefined();
    expect(linked.warnings).toEqual([expect.stringMatching(/^the LLM reply cache \.secreview-cache\/llm leads out of the scanned tree through a symbolic link/)]);
    // The same through the repository's cache-dir key; a flag is the user's choice.
    expect(resolveLlmSettings(tree, repo({ 'cache-dir': '.secreview-cache/x' }, join(tree, '.secreview.yml')), {}, vars).warnings).toEqual([
      expect.stringContaining('.secreview.yml: llm.cache-dir is ignored'),
      expect.stringContaining('leads out of the scanned tree'),
    ]);
    expect(resolveLlmSettings(tree, {}, { cacheDir: join(tree, '.secreview-cache/llm') }, vars)).toMatchObject({ warnings: [] });
    expect(resolveLlmSettings(tempTree({}), {}, {}, vars).warnings).toEqual([]);
  });

  it('--trust-repo-settings: the repository file is a source for every key, above the user file', () => {
    const sources: LlmSources = { ...repo({ ...config, 'cache-dir': '/abs/c' }), ...user({ 'base-url': 'http://user:1/v1' }), trustRepo: true };
    const { settings, warnings } = resolveLlmSettings('/r', sources, {}, { OPENAI_BASE_URL: 'http://openai:1/v1' });
    expect(settings).toMatchObject({ baseUrl: 'http://config:1/v1', model: 'config-model', apiKey: 'config-key', cacheDir: '/abs/c' });
    expect(warnings).toEqual([]);
    // The user's environment still wins.
    expect(resolve(sources, {}, { SECREVIEW_LLM_BASE_URL: 'http://env:1/v1' }).baseUrl).toBe('http://env:1/v1');
  });

  it('the user settings file: XDG_CONFIG_HOME, else ~/.config; only an llm: section; errors name the file', () => {
    expect(userConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/secreview/config.yml');
    expect(userConfigPath({ HOME: '/h' })).toBe('/h/.config/secreview/config.yml');
    expect(userConfigPath({ XDG_CONFIG_HOME: 'relative', HOME: '/h' })).toBe('/h/.config/secreview/config.yml');
    const dir = tempTree({
      'ok.yml': 'llm:\n  base-url: http://localhost:11434/v1\n  max-consecutive-failures: 5\n',
      'bad.yml': 'llm:\n  base-url: 3\n',
      'other.yml': 'severity: low\n',
    });
    expect(loadUserConfig(`${dir}/ok.yml`)).toEqual({ source: `${dir}/ok.yml`, config: { llm: { 'base-url': 'http://localhost:11434/v1', 'max-consecutive-failures': 5 } } });
    expect(loadUserConfig(`${dir}/missing.yml`)).toEqual({ config: {} });
    expect(() => loadUserConfig(`${dir}/bad.yml`)).toThrow(new RegExp(`^${dir}/bad\\.yml: llm\\.base-url: `));
    expect(() => loadUserConfig(`${dir}/other.yml`)).toThrow(new RegExp(`^${dir}/other\\.yml: severity: unknown key \\(allowed: llm\\)`));
  });

  it('defaults; no key needed for a local server; OpenAI only with a key', () => {
    const local = resolve({}, {}, { SECREVIEW_LLM_BASE_URL: 'http://localhost:11434/v1', SECREVIEW_LLM_MODEL: 'qwen2.5-coder:7b' });
    expect(local).toMatchObject({
      baseUrl: 'http://localhost:11434/v1',
      concurrency: LLM_DEFAULTS.concurrency,
      timeoutMs: 120_000,
      retries: 3,
      maxBackoffMs: 30_000,
      maxConsecutiveFailures: 3,
      tokenBudget: 250_000,
      contextTokens: 8192,
      maxOutputTokens: 2048,
      responseFormat: 'auto',
      cacheDir: '/r/.secreview-cache/llm',
    });
    expect(() => resolve({}, {}, { SECREVIEW_LLM_MODEL: 'm' })).toThrow(/--llm needs a server/);
    expect(resolve({}, {}, { SECREVIEW_LLM_MODEL: 'm', OPENAI_API_KEY: 'k' }).baseUrl).toBe('https://api.openai.com/v1');
    expect(() => resolve({}, {}, { SECREVIEW_LLM_BASE_URL: 'http://x/v1' })).toThrow(/--llm needs a model/);
    expect(() => resolve(user({ 'base-url': 'ftp://x', model: 'm' }))).toThrow(/must be http/);
    expect(() => resolve(user({ 'base-url': 'http://x', model: 'm', 'context-tokens': 2048, 'max-output-tokens': 1500 }))).toThrow(/less than half/);
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
