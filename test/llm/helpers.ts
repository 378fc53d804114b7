import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParsedClaim } from '../../src/llm/parse-review.js';
import type { LlmSettings } from '../../src/llm/settings.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/llm/', import.meta.url));
const SEEDS = `${FIXTURES}seeds/`;

/** A seed review by its number prefix ("000" … "004"). */
export function seed(prefix: string): string {
  const name = readdirSync(SEEDS).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`no seed ${prefix}`);
  return readFileSync(`${SEEDS}${name}`, 'utf8');
}

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** A claim with defaults, for verifier tests. */
export function claim(partial: Partial<ParsedClaim>): ParsedClaim {
  return { cwe: [], ranges: [], title: '', description: '', solution: '', quotes: [], mentions: [], ...partial };
}

/** Settings for tests: fast backoff, no real waiting, no cache unless given. */
export function testSettings(baseUrl: string, overrides: Partial<LlmSettings> = {}): LlmSettings {
  return {
    baseUrl,
    model: 'test-model',
    apiKey: 'test-key',
    concurrency: 2,
    timeoutMs: 5_000,
    retries: 2,
    backoffMs: 1,
    maxBackoffMs: 50,
    maxConsecutiveFailures: 3,
    tokenBudget: 1_000_000,
    contextTokens: 32_768,
    maxOutputTokens: 2_048,
    chunkOverlap: 10,
    temperature: 0,
    thinkStepByStep: false,
    responseFormat: 'auto',
    ...overrides,
  };
}

/** The JSON reply shape the prompt asks for. */
export function jsonReply(findings: Record<string, unknown>[], verdict = ''): string {
  return JSON.stringify({ findings, verdict });
}
