/**
 * The composite GitHub Action: its steps (scripts/github-action.mjs) run here as a runner would run
 * them, against a local stand-in for GitHub's API that records the review it is sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Repo } from '../diff/repo.js';
import { tempTree } from '../support/tmp.js';

const ACTION = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ACTION, 'scripts', 'github-action.mjs');

const SAFE = 'import subprocess\n\n\ndef ping():\n    subprocess.call(["ping", "-c", "1", "localhost"])\n';
const VULNERABLE_VIEW =
  'import subprocess\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route("/ping")\ndef ping():\n    subprocess.call("ping -c 1 " + request.args["host"], shell=True)\n    return "ok"\n';

interface Received {
  method: string;
  url: string;
  authorization?: string;
  body: { body: string; event: string; commit_id?: string; comments: { path: string; line: number; body: string }[] };
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** GitHub's API as far as the action uses it: answers `status` and keeps what it received. */
async function fakeGitHub(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body: JSON.parse(data || '{}') });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, received };
}

function runAction(workspace: string, env: Record<string, string>): Promise<{ code: number; stdout: string; outputs: Record<string, string> }> {
  const outputFile = join(tempTree({}), 'github-output');
  writeFileSync(outputFile, '');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [SCRIPT], {
      cwd: workspace,
      env: { ...process.env, GITHUB_ACTION_PATH: ACTION, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputFile, GITHUB_REPOSITORY: 'octo/shop', ...env },
    });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stdout += c));
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      resolvePromise({ code: code ?? -1, stdout, outputs });
    });
  });
}

/** A repository whose branch `feature` adds a command injection on top of `main`. */
function pullRequestRepo(): Repo {
  const repo = Repo.init({ 'app/tools.py': SAFE });
  repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'app/views.py': VULNERABLE_VIEW });
  repo.commit('Add a ping view');
  return repo;
}

function eventFile(pr: object | undefined): string {
  const file = join(tempTree({}), 'event.json');
  writeFileSync(file, JSON.stringify(pr ? { pull_request: pr } : { ref: 'refs/heads/main' }));
  return file;
}

describe('GitHub Action (action.yml + scripts/github-action.mjs)', () => {
  it('declares the inputs its script reads and runs the script, then uploads the SARIF', () => {
    const action = parseYaml(readFileSync(join(ACTION, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s: { id?: string }) => s.id === 'review');
    expect(step.run).toBe('node "$GITHUB_ACTION_PATH/scripts/github-action.mjs"');
    const script = readFileSync(SCRIPT, 'utf8');
    const read = [...script.matchAll(/input\('([A-Z_]+)'/g)].map((m) => m[1]);
    for (const name of read) expect(step.env, `SECREVIEW_${name}`).toHaveProperty(`SECREVIEW_${name}`);
    for (const name of Object.keys(step.env)) expect(read).toContain(name.replace(/^SECREVIEW_/, ''));
    const upload = action.runs.steps.find((s: { uses?: string }) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(upload.with.sarif_file).toBe('${{ steps.review.outputs.sarif-file }}');
  });

  it('on a pull request: writes SARIF of the whole tree, posts one review with an inline comment on the new defect, exits 1', async () => {
    const repo = pullRequestRepo();
    const github = await fakeGitHub();
    const r = await runAction(repo.root, {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile({ number: 42, base: { ref: 'main' }, head: { sha: repo.git('rev-parse', 'HEAD').trim() } }),
      GITHUB_BASE_REF: 'main',
      GITHUB_API_URL: github.url,
      SECREVIEW_TOKEN: 'token-for-the-test',
    });
    expect(r.code, r.stdout).toBe(1);
    const sarif = JSON.parse(readFileSync(join(repo.root, 'secreview.sarif'), 'utf8'));
    expect(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'python/command-injection')).toBe(true);
    expect(r.outputs['sarif-file']).toBe(join(repo.root, 'secreview.sarif'));
    expect(r.outputs['new-findings']).not.toBe('0');

    expect(github.received).toHaveLength(1);
    const [post] = github.received;
    expect(post!.method).toBe('POST');
    expect(post!.url).toBe('/repos/octo/shop/pulls/42/reviews');
    expect(post!.authorization).toBe('Bearer token-for-the-test');
    expect(post!.body.event).toBe('COMMENT');
    expect(post!.body.comments.some((c) => c.path === 'app/views.py' && c.line === 9 && c.body.includes('CWE-78'))).toBe(true);
  });

  it('a token that cannot post (a fork) only warns; the findings still fail the job', async () => {
    const repo = pullRequestRepo();
    const github = await fakeGitHub(403);
    const r = await runAction(repo.root, {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile({ number: 7, base: { ref: 'main' } }),
      GITHUB_BASE_REF: 'main',
      GITHUB_API_URL: github.url,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::warning::could not post the review (HTTP 403)');
  });

  it('on a push: only the SARIF, no review, exit 0 (code scanning tracks the alerts)', async () => {
    const repo = pullRequestRepo();
    const github = await fakeGitHub();
    const r = await runAction(repo.root, { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventFile(undefined), GITHUB_API_URL: github.url });
    expect(r.code, r.stdout).toBe(0);
    expect(existsSync(join(repo.root, 'secreview.sarif'))).toBe(true);
    expect(github.received).toHaveLength(0);
  });
});
