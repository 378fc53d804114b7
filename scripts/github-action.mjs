#!/usr/bin/env node
// The steps of the composite GitHub Action (action.yml), as one script that runs the same way on
// a runner and on a developer's machine (test/recipes/github-action.test.ts runs it locally):
//   1. install secreview from the action's own checkout (never from the npm registry),
//   2. scan the tree to SARIF for code scanning (the upload is action.yml's next step),
//   3. on a pull request, review the change against its base and post the new findings as one
//      review with inline comments (a token without write access, as for forks, only warns),
//   4. exit 1 when the change has new findings at or above `fail-on`, 2 when secreview failed.
// Inputs come as SECREVIEW_* variables that action.yml sets from its inputs.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const actionPath = resolve(env.GITHUB_ACTION_PATH || join(dirname(fileURLToPath(import.meta.url)), '..'));
const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
const bin = join(actionPath, 'bin', 'secreview.js');
const input = (name, fallback = '') => (env[`SECREVIEW_${name}`] ?? '').trim() || fallback;

const paths = input('PATHS', '.').split(/\s+/).filter(Boolean);
const sarifFile = resolve(workspace, input('SARIF_FILE', 'secreview.sarif'));
const failOn = input('FAIL_ON', 'low');
const comment = input('COMMENT', 'true') === 'true';
const extra = input('ARGS').split(/\s+/).filter(Boolean);

function log(line) {
  process.stdout.write(`${line}\n`);
}
function output(name, value) {
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}
function secreview(args) {
  log(`secreview ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: workspace, stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, CI: 'true' } });
  return r.status ?? 2;
}

// 1. Install from the checkout of the action (its `prepare` script builds dist/).
if (!existsSync(join(actionPath, 'dist', 'cli', 'main.js'))) {
  log(`Installing secreview from ${actionPath}`);
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: actionPath, stdio: 'inherit' });
  if (npm.status !== 0) {
    log('::error::secreview could not be installed from the action checkout (npm ci failed)');
    process.exit(2);
  }
}

// 2. The whole tree, for code scanning: never fails the job by itself.
const scanStatus = secreview(['scan', ...paths, '--format', 'sarif', '-o', sarifFile, '--fail-on', 'none', '--no-progress', ...extra]);
if (scanStatus >= 2) {
  log('::error::secreview scan could not do its job (see above)');
  process.exit(scanStatus);
}
output('sarif-file', sarifFile);

// 3. A pull request: only what the change adds.
const event = env.GITHUB_EVENT_PATH && existsSync(env.GITHUB_EVENT_PATH) ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) : {};
const pr = event.pull_request;
if (!pr) {
  log('Not a pull request: the SARIF file is the result.');
  process.exit(0);
}
const base = input('BASE') || `origin/${env.GITHUB_BASE_REF || pr.base?.ref || 'main'}`;
const reviewFile = join(dirname(sarifFile), 'secreview-review.json');
const diffStatus = secreview(['diff', base, '--format', 'github-review', '-o', reviewFile, '--fail-on', failOn, '--no-progress', ...extra]);
if (diffStatus >= 2) {
  log('::error::secreview diff could not do its job (see above)');
  process.exit(diffStatus);
}
const review = JSON.parse(readFileSync(reviewFile, 'utf8'));
output('new-findings', String(review.comments.length));
if (comment && review.comments.length > 0) {
  const api = env.GITHUB_API_URL || 'https://api.github.com';
  const url = `${api}/repos/${env.GITHUB_REPOSITORY}/pulls/${pr.number}/reviews`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${input('TOKEN') || env.GITHUB_TOKEN || ''}`,
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify({ ...review, commit_id: pr.head?.sha }),
    });
    if (response.ok) log(`Posted a review with ${review.comments.length} comment(s) on pull request #${pr.number}`);
    // A pull request from a fork gets a read-only token: the findings are still in the log and the SARIF.
    else log(`::warning::could not post the review (HTTP ${response.status}); the findings are in the log above and in ${sarifFile}`);
  } catch (error) {
    log(`::warning::could not post the review (${error.message}); the findings are in the log above and in ${sarifFile}`);
  }
}
process.exit(diffStatus);
