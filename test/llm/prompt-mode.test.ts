/**
 * Prompt modes (`--llm-prompt`, `llm.prompt`): how the mode is chosen, and what each run sends to
 * a real OpenAI-compatible server on 127.0.0.1 (commit message or not, reasoning field or not).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { scan } from '../../src/api/scan.js';
import { runLlmForScan } from '../../src/llm/index.js';
import { DEFAULT_PROMPT_MODE, promptModeOf } from '../../src/llm/prompt.js';
import { resolveLlmSettings, type LlmOverrides } from '../../src/llm/settings.js';
import type { LlmConfig } from '../../src/llm/config-schema.js';
import { tempTree } from '../support/tmp.js';
import { always, startFakeServer, type FakeServer } from './fake-server.js';
import { fixture, jsonReply } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ENV = { SECREVIEW_LLM_BASE_URL: 'http://127.0.0.1:9/v1', SECREVIEW_LLM_MODEL: 'm' };

describe('choosing the prompt mode', () => {
  it('flag > llm.prompt > think-step-by-step (cot) > the default', () => {
    const mode = (config: LlmConfig | undefined, overrides: LlmOverrides = {}) =>
      promptModeOf(resolveLlmSettings('/r', config ? { repo: { file: '.secreview.yml', config } } : {}, overrides, ENV).settings);
    expect(mode(undefined)).toBe(DEFAULT_PROMPT_MODE);
    expect(mode({ 'think-step-by-step': true })).toBe('cot');
    expect(mode({ 'think-step-by-step': true, prompt: 'basic' })).toBe('basic');
    expect(mode({ prompt: 'basic' }, { promptMode: 'commit' })).toBe('commit');
  });

  it('llm.prompt is validated when the settings file is read', () => {
    expect(loadConfig(tempTree({ '.secreview.yml': 'llm:\n  prompt: cot-commit\n' })).config.llm).toEqual({ prompt: 'cot-commit' });
    expect(() => loadConfig(tempTree({ '.secreview.yml': 'llm:\n  prompt: chain-of-thought\n' }))).toThrow(/llm\.prompt/);
  });
});

describe('what each mode sends', () => {
  async function review(promptMode: LlmOverrides['promptMode'], commitMessage?: string) {
    server = await startFakeServer(always({ content: jsonReply([], 'No security defects are detected in the code') }));
    const dir = tempTree({ 'app.py': fixture('app.py') });
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    const reviewed = await runLlmForScan(report, {
      paths: ['.'],
      config: false,
      env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'fake', SECREVIEW_LLM_API_KEY: 'k' },
      overrides: { promptMode, commitMessage, cache: false, contextTokens: 32_768 },
    });
    const body = server.requests[0]!.body;
    return { llm: reviewed.llm!, system: body.messages[0]!.content, user: body.messages[1]!.content, schema: body.response_format?.json_schema?.schema };
  }

  it('basic: no pillar list, no reasoning, no commit message (and the report says the message was not sent)', async () => {
    const r = await review('basic', 'Add a purge endpoint');
    expect(r.system).not.toContain('CWE-691 Insufficient Control Flow Management');
    expect(r.user).not.toContain('Add a purge endpoint');
    expect(r.schema).toMatchObject({ required: ['findings', 'verdict'] });
    expect(r.llm.prompt).toEqual({ mode: 'basic', commitMessage: 'not used' });
    expect(r.llm.warnings).toEqual(['the commit message was not sent: prompt mode basic does not use one (--llm-prompt commit or cot-commit do)']);
  });

  it('commit with a message: fenced in the request; without one: the request says none is available', async () => {
    const withMessage = await review('commit', 'Add a purge endpoint');
    expect(withMessage.user).toMatch(/Commit message:\n<<<COMMIT-[0-9A-F]{18}\nAdd a purge endpoint\nCOMMIT-[0-9A-F]{18}>>>/);
    expect(withMessage.llm.prompt).toEqual({ mode: 'commit', commitMessage: 'sent' });
    await server!.close();
    const without = await review('commit');
    expect(without.user).toContain('Commit message: none is available for this code; review it on its own.');
    expect(without.llm.prompt).toEqual({ mode: 'commit', commitMessage: 'none available' });
    expect(without.llm.warnings).toBeUndefined();
  });

  it('cot-commit: a reasoning field is required by the schema', async () => {
    const r = await review('cot-commit', 'Add a purge endpoint');
    expect(r.schema).toMatchObject({ required: ['reasoning', 'findings', 'verdict'] });
    expect(r.system).toContain('Think step by step before answering');
    expect(r.llm.prompt.mode).toBe('cot-commit');
  });
});
