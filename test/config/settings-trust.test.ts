/**
 * The trust model (README "Trust model", issue #21) holds for every settings file the search finds:
 * one in a parent folder of the scan, one in a subfolder, the run's or a nested one. A hostile file
 * points llm.base-url at a server that records what it receives; the user's server comes from the
 * user settings file or the environment. The hostile server must receive nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from '../support/tmp.js';
import { always, startFakeServer, type FakeServer } from '../llm/fake-server.js';
import { FIXTURES, jsonReply } from '../llm/helpers.js';
import { runCli } from '../llm/run-cli.js';

const KEY = 'secret-key-123';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function servers(): Promise<{ hostile: FakeServer; legit: FakeServer }> {
  const hostile = await startFakeServer(always({ content: jsonReply([]) }));
  const legit = await startFakeServer(always({ content: jsonReply([]) }));
  closers.push(hostile.close, legit.close);
  return { hostile, legit };
}

const hostileLlm = (url: string, outside: string): string =>
  `llm:\n  base-url: ${url}\n  model: attacker-model\n  api-key: attacker-key\n  cache-dir: ${outside}\n  concurrency: 1\n`;

/** A repository (a `.git` folder) with a file that has a static finding at `at`, and the given files. */
function repository(at: string, files: Record<string, string>): string {
  const root = tempTree(files);
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, at), { recursive: true });
  cpSync(join(FIXTURES, 'injected.py'), join(root, at, 'injected.py'));
  return root;
}

/** The user's own settings folder, with the user's server in it. */
function userConfig(baseUrl: string): string {
  const xdg = tempTree({});
  mkdirSync(join(xdg, 'secreview'));
  writeFileSync(join(xdg, 'secreview', 'config.yml'), `llm:\n  base-url: ${baseUrl}\n  model: user-model\n`);
  return xdg;
}

describe('a discovered settings file cannot redirect the LLM', () => {
  it('in a parent folder of the scan: its base-url, model, api-key and outside cache-dir are ignored; the user file decides', async () => {
    const { hostile, legit } = await servers();
    const outside = tempTree({});
    const repo = repository('pkg/sub', { '.secreview.yml': hostileLlm(hostile.baseUrl, outside) });
    const run = await runCli(['scan', '.', '--format', 'json', '--llm'], join(repo, 'pkg/sub'), { SECREVIEW_LLM_API_KEY: KEY, XDG_CONFIG_HOME: userConfig(legit.baseUrl) });
    expect(run.code).toBe(1);
    expect(hostile.requests).toEqual([]);
    expect(legit.requests).toHaveLength(1);
    expect(legit.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(legit.requests[0]!.body.model).toBe('user-model');
    for (const key of ['llm.base-url', 'llm.model', 'llm.api-key', 'llm.cache-dir']) expect(run.stderr).toContain(`${key} is ignored`);
    // The scan did use that file (it is the repository's settings), and the reply cache stayed in the tree.
    const report = JSON.parse(run.stdout);
    expect(report.llm).toMatchObject({ baseUrl: legit.baseUrl, model: 'user-model' });
  });

  it('in a subfolder: as the run\'s settings (`scan sub`) and as a nested file (`scan .`), it never reaches the server choice', async () => {
    const { hostile, legit } = await servers();
    const outside = tempTree({});
    const repo = repository('sub', { 'sub/.secreview.yml': hostileLlm(hostile.baseUrl, outside) });
    const env = { SECREVIEW_LLM_API_KEY: KEY, SECREVIEW_LLM_MODEL: 'user-model', OPENAI_BASE_URL: legit.baseUrl };
    const asRun = await runCli(['scan', 'sub', '--format', 'json', '--llm'], repo, env);
    expect(asRun.code).toBe(1);
    expect(asRun.stderr).toContain('llm.base-url is ignored');
    const nested = await runCli(['scan', '.', '--format', 'json', '--llm'], repo, env);
    expect(nested.code).toBe(1);
    // A nested file's llm section is not the run's at all: said once, as a whole.
    expect(JSON.parse(nested.stdout).diagnostics).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'sub/.secreview.yml', message: expect.stringMatching(/^llm is ignored: it applies to a whole run/) })]),
    );
    expect(hostile.requests).toEqual([]);
    expect(legit.requests).toHaveLength(2);
    for (const r of legit.requests) expect(r.body.model).toBe('user-model');
  });

  it('--trust-repo-settings opts in for the discovered file too (the parent one here)', async () => {
    const { hostile, legit } = await servers();
    const repo = repository('pkg', { '.secreview.yml': `llm:\n  base-url: ${hostile.baseUrl}\n  model: repo-model\n` });
    const run = await runCli(['scan', '.', '--format', 'json', '--llm', '--trust-repo-settings'], join(repo, 'pkg'), { SECREVIEW_LLM_API_KEY: KEY, OPENAI_BASE_URL: legit.baseUrl });
    expect(run.code).toBe(1);
    expect(legit.requests).toHaveLength(0);
    expect(hostile.requests).toHaveLength(1);
    expect(hostile.requests[0]!.body.model).toBe('repo-model');
  });
});

describe('the CLI finds the repository settings from anywhere', () => {
  it('`secreview scan sub/dir` from the root, `scan .` from the subfolder and `scan /path/to/repo` from outside report the same', async () => {
    const repo = repository('sub/dir', { '.secreview.yml': 'disable: [python/command-injection, python/subprocess-shell-injection]\n', 'sub/dir/weak.py': 'import hashlib\n\ndef f(data):\n    return hashlib.md5(data)\n' });
    const ids = (stdout: string): string[] => (JSON.parse(stdout).findings as { ruleId: string }[]).map((f) => f.ruleId).sort();
    const none = await runCli(['scan', 'sub/dir', '--format', 'json', '--no-config', '--no-cache', '--confidence', 'low'], repo);
    expect(ids(none.stdout)).toContain('python/command-injection');
    const expected = ids(none.stdout).filter((id) => id !== 'python/command-injection' && id !== 'python/subprocess-shell-injection');
    expect(expected).toContain('python/weak-hash');
    for (const [args, cwd] of [
      [['scan', 'sub/dir'], repo],
      [['scan', '.'], join(repo, 'sub/dir')],
      [['scan', repo], tempTree({})],
    ] as const) {
      const run = await runCli([...args, '--format', 'json', '--no-cache', '--confidence', 'low'], cwd);
      expect(ids(run.stdout), args.join(' ')).toEqual(expected);
    }
  });
});
