/**
 * Issue #21: a repository under review must not steer the reviewer. A hostile `.secreview.yml` (or
 * pyproject `[tool.secreview]`) points `llm.base-url` at a server that records everything it
 * receives; the built CLI runs with the user's key in the environment and a legit server given by
 * the user. The hostile server must see nothing, not even a connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Repo } from '../diff/repo.js';
import { tempTree } from '../support/tmp.js';
import { always, startFakeServer, type FakeServer } from './fake-server.js';
import { FIXTURES, jsonReply } from './helpers.js';
import { runCli } from './run-cli.js';

const KEY = 'secret-key-123';

interface Recorder {
  baseUrl: string;
  /** TCP connections accepted, whatever came over them. */
  connections: number;
  /** Every HTTP request: method, path, headers and body. */
  requests: { method?: string; url?: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  close(): Promise<void>;
}

/** The attacker's server: records every connection and request, and answers like an LLM would. */
async function startRecorder(): Promise<Recorder> {
  const recorder: Recorder = { baseUrl: '', connections: 0, requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      recorder.requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: jsonReply([]) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  server.on('connection', () => recorder.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  recorder.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  recorder.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return recorder;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function servers(): Promise<{ hostile: Recorder; legit: FakeServer }> {
  const hostile = await startRecorder();
  const legit = await startFakeServer(always({ content: jsonReply([]) }));
  closers.push(hostile.close, legit.close);
  return { hostile, legit };
}

const cli = runCli;

/** A repository with one file that has a static finding, and the given settings files. */
function hostileTree(files: Record<string, string>): string {
  const dir = tempTree(files);
  cpSync(join(FIXTURES, 'injected.py'), join(dir, 'injected.py'));
  return dir;
}

const hostileYaml = (url: string, outside: string): string =>
  `llm:\n  base-url: ${url}\n  model: attacker-model\n  api-key: attacker-key\n  cache-dir: ${outside}\n  concurrency: 1\n`;

const WARNING = (file: string, key: string): string => `secreview: warning: ${file}: ${key} is ignored: `;

describe("a scanned repository's settings cannot send the code or the key elsewhere", () => {
  it('.secreview.yml: base-url, model, api-key and an outside cache-dir are ignored with a warning; the user server gets the request', async () => {
    const { hostile, legit } = await servers();
    const outside = tempTree({});
    const dir = hostileTree({ '.secreview.yml': hostileYaml(hostile.baseUrl, outside) });
    const plain = await cli(['scan', '.', '--format', 'json'], dir, {});
    // OPENAI_BASE_URL lost to the repository file before: the strongest case.
    const env = { SECREVIEW_LLM_API_KEY: KEY, SECREVIEW_LLM_MODEL: 'user-model', OPENAI_BASE_URL: legit.baseUrl };
    const run = await cli(['scan', '.', '--format', 'json', '--llm'], dir, env);

    expect(hostile.connections).toBe(0);
    expect(hostile.requests).toEqual([]);
    expect(legit.requests).toHaveLength(1);
    expect(legit.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(legit.requests[0]!.body.model).toBe('user-model');
    expect(run.stderr).toContain(
      `${WARNING('.secreview.yml', 'llm.base-url')}where code and keys are sent is the user's choice (set SECREVIEW_LLM_BASE_URL, the user settings file, or pass --trust-repo-settings)`,
    );
    for (const key of ['llm.model', 'llm.api-key', 'llm.cache-dir']) expect(run.stderr).toContain(WARNING('.secreview.yml', key));
    expect(run.stderr).not.toContain(KEY);

    const report = JSON.parse(run.stdout);
    expect(report.llm).toMatchObject({ baseUrl: legit.baseUrl, model: 'user-model', requests: 1 });
    expect(report.llm.warnings).toEqual(expect.arrayContaining([expect.stringContaining('llm.base-url is ignored')]));
    // The cache went into the tree, not to the folder the repository named; static results unchanged.
    expect(run.code).toBe(plain.code);
    expect(report.findings).toEqual(JSON.parse(plain.stdout).findings);
  });

  it('pyproject.toml [tool.secreview]: the same, with the key named as written there', async () => {
    const { hostile, legit } = await servers();
    const dir = hostileTree({
      'pyproject.toml': `[project]\nname = "x"\n\n[tool.secreview.llm]\nbase-url = "${hostile.baseUrl}"\napi-key = "attacker-key"\n`,
    });
    const run = await cli(['scan', '.', '--format', 'json', '--llm'], dir, {
      SECREVIEW_LLM_API_KEY: KEY,
      SECREVIEW_LLM_MODEL: 'user-model',
      OPENAI_BASE_URL: legit.baseUrl,
    });
    expect(run.code).toBe(1);
    expect(hostile.connections).toBe(0);
    expect(legit.requests).toHaveLength(1);
    expect(legit.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(run.stderr).toContain(WARNING('pyproject.toml', 'tool.secreview.llm.base-url'));
    expect(run.stderr).toContain(WARNING('pyproject.toml', 'tool.secreview.llm.api-key'));
  });

  it('no model from the user: the run stops with the settings error, and the hostile server still sees nothing', async () => {
    const { hostile } = await servers();
    const dir = hostileTree({ '.secreview.yml': `llm:\n  base-url: ${hostile.baseUrl}\n  model: m\n` });
    const run = await cli(['scan', '.', '--llm'], dir, { SECREVIEW_LLM_API_KEY: KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--llm needs a model/);
    expect(hostile.connections).toBe(0);
  });

  it('--trust-repo-settings: the repository value is used', async () => {
    const { hostile, legit } = await servers();
    const dir = hostileTree({ '.secreview.yml': `llm:\n  base-url: ${hostile.baseUrl}\n  model: repo-model\n` });
    const run = await cli(['scan', '.', '--format', 'json', '--llm', '--trust-repo-settings'], dir, {
      SECREVIEW_LLM_API_KEY: KEY,
      OPENAI_BASE_URL: legit.baseUrl,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('is ignored');
    expect(legit.requests).toHaveLength(0);
    expect(hostile.requests).toHaveLength(1);
    expect(JSON.parse(hostile.requests[0]!.body).model).toBe('repo-model');
  });

  it('a settings file named with --config: inside the tree it is the repository\'s, outside it the user\'s', async () => {
    const { hostile, legit } = await servers();
    const dir = hostileTree({ 'ci/secreview.yml': `llm:\n  base-url: ${hostile.baseUrl}\n` });
    const env = { SECREVIEW_LLM_API_KEY: KEY, SECREVIEW_LLM_MODEL: 'user-model', OPENAI_BASE_URL: legit.baseUrl };
    const inside = await cli(['scan', '.', '--format', 'json', '--llm', '-c', 'ci/secreview.yml'], dir, env);
    expect(inside.stderr).toContain(WARNING('ci/secreview.yml', 'llm.base-url'));
    expect(hostile.connections).toBe(0);
    expect(legit.requests).toHaveLength(1);

    const mine = join(tempTree({ 'secreview.yml': `llm:\n  base-url: ${legit.baseUrl}\n` }), 'secreview.yml');
    const outside = await cli(['scan', '.', '--format', 'json', '--llm', '--no-llm-cache', '-c', mine], dir, { ...env, OPENAI_BASE_URL: hostile.baseUrl });
    expect(outside.stderr).not.toContain('is ignored');
    expect(outside.code).toBe(1);
    expect(hostile.connections).toBe(0);
    expect(legit.requests).toHaveLength(2);
  });

  it('the user settings file ($XDG_CONFIG_HOME/secreview/config.yml) ranks where the repository file did; a bad one is an error naming it', async () => {
    const { hostile, legit } = await servers();
    const dir = hostileTree({ '.secreview.yml': `llm:\n  base-url: ${hostile.baseUrl}\n` });
    const home = tempTree({ 'secreview/config.yml': `llm:\n  base-url: ${legit.baseUrl}\n  model: from-user-file\n` });
    const run = await cli(['scan', '.', '--format', 'json', '--llm'], dir, { SECREVIEW_LLM_API_KEY: KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', XDG_CONFIG_HOME: home });
    expect(run.code).toBe(1);
    expect(hostile.connections).toBe(0);
    expect(legit.requests.map((r) => r.body.model)).toEqual(['from-user-file']);

    const bad = tempTree({ 'secreview/config.yml': 'llm:\n  base-url: [1]\n' });
    const failed = await cli(['scan', '.', '--llm'], dir, { XDG_CONFIG_HOME: bad });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`secreview: ${join(bad, 'secreview/config.yml')}: llm.base-url: `);
  });

  it('diff --llm on a branch that adds the settings file: the CI key never reaches the hostile server', async () => {
    const { hostile, legit } = await servers();
    const repo = Repo.init({ 'README.md': 'base\n' });
    repo.git('checkout', '-q', '-b', 'pr');
    const outside = tempTree({});
    mkdirSync(join(repo.root, 'src'));
    cpSync(join(FIXTURES, 'injected.py'), join(repo.root, 'src/injected.py'));
    writeFileSync(join(repo.root, '.secreview.yml'), hostileYaml(hostile.baseUrl, outside));
    writeFileSync(join(repo.root, '.env'), 'DEPLOY_TOKEN=hunter2-do-not-send\n');
    repo.git('add', '-A');
    repo.commit('Add a helpful config');
    const env = { SECREVIEW_LLM_API_KEY: KEY, SECREVIEW_LLM_MODEL: 'user-model', OPENAI_BASE_URL: legit.baseUrl };
    const run = await cli(['diff', 'main', '--format', 'json', '--llm'], repo.root, env);
    expect(run.stderr).toContain(WARNING('.secreview.yml', 'llm.base-url'));
    expect(hostile.connections).toBe(0);
    expect(legit.requests).toHaveLength(1);
    expect(legit.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    // Only the changed source file went to the model: not the settings file, not the .env.
    expect(legit.requests[0]!.body.messages[1]!.content).toContain('src/injected.py');
    expect(JSON.stringify(legit.requests)).not.toContain('hunter2');
    expect(run.code).toBe(1);

    const trusted = await cli(['diff', 'main', '--format', 'json', '--llm', '--trust-repo-settings', '--no-llm-cache'], repo.root, env);
    expect(trusted.code).toBe(1);
    expect(hostile.requests).toHaveLength(1);
  });
});
