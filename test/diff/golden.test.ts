/**
 * Golden files for the review outputs of a real change (test/fixtures/diff/*.golden; rerun with
 * UPDATE_GOLDEN=1 to rewrite them after an intended change), and the GitHub review body checked
 * against the documented shape of "create a review for a pull request".
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scanChange, type ChangeScanResult } from '../../src/diff/review.js';
import { getReporter } from '../../src/report/index.js';
import { compareWithBaseline, createBaseline } from '../../src/baseline/baseline.js';
import { checkSchema } from '../report/schema-check.js';
import { expectGolden as expectReportGolden } from '../report/helpers.js';
import { Repo } from './repo.js';

const SCHEMA = JSON.parse(readFileSync(new URL('../../src/report/json-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/diff/', import.meta.url));

function expectGolden(name: string, actual: string): void {
  expectReportGolden(name, actual, GOLDEN_DIR);
}

/** Explicit checks of the body of POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews. */
export function checkGitHubReview(value: unknown): string[] {
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the review is not an object'];
  const review = value as Record<string, unknown>;
  for (const key of Object.keys(review)) if (!['body', 'event', 'comments', 'commit_id'].includes(key)) errors.push(`unexpected key ${key}`);
  if (typeof review.body !== 'string') errors.push('body must be a string');
  if (!['COMMENT', 'REQUEST_CHANGES', 'APPROVE'].includes(review.event as string)) errors.push('event must be COMMENT, REQUEST_CHANGES or APPROVE');
  if (!Array.isArray(review.comments)) return [...errors, 'comments must be an array'];
  review.comments.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) return errors.push(`comments[${i}] is not an object`);
    const comment = c as Record<string, unknown>;
    for (const key of Object.keys(comment)) {
      if (!['path', 'line', 'side', 'body', 'start_line', 'start_side'].includes(key)) errors.push(`comments[${i}]: unexpected key ${key}`);
    }
    if (typeof comment.path !== 'string' || comment.path.length === 0) errors.push(`comments[${i}].path must be a non-empty string`);
    if (!Number.isInteger(comment.line) || (comment.line as number) < 1) errors.push(`comments[${i}].line must be a positive integer`);
    if (comment.side !== 'LEFT' && comment.side !== 'RIGHT') errors.push(`comments[${i}].side must be LEFT or RIGHT`);
    if (typeof comment.body !== 'string' || comment.body.length === 0) errors.push(`comments[${i}].body must be a non-empty string`);
    return undefined;
  });
  return errors;
}

const HELPERS = `import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
`;

const BASE = `import hashlib
import os

from flask import Flask, request
from helpers import run

app = Flask(__name__)


def cleanup(folder):
    os.system("rm -rf " + folder)


def nightly():
    run("ls -l /var/backups")
`;

// cleanup() moves down (not new), a route feeds run() (new source, old sink), a token digest uses MD5.
const HEAD = `import hashlib
import os

from flask import Flask, request
from helpers import run

app = Flask(__name__)


def nightly():
    run("ls -l /var/backups")


@app.route("/run")
def run_it():
    run(request.args["cmd"])
    return "ok"


def token_digest(token):
    return hashlib.md5(token.encode()).hexdigest()


def cleanup(folder):
    os.system("rm -rf " + folder)
`;

async function review(): Promise<ChangeScanResult> {
  const repo = Repo.init({ 'helpers.py': HELPERS, 'app.py': BASE }, 'Base');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({ 'app.py': HEAD });
  repo.commit('Add the /run endpoint\n\nOps asked for a way to run @maintenance commands (see #12).');
  repo.git('checkout', '-q', 'main');
  return scanChange({ cwd: repo.root, head: 'feature', base: 'main' });
}

describe('review outputs of a change (golden files)', () => {
  it('markdown, github-review and gerrit', async () => {
    const result = await review();
    expect(result.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).sort()).toEqual([
      'python/command-injection helpers.py:5',
      'python/weak-hash app.py:21',
    ]);
    expect(result.change.notShown).toBe(1);

    const markdown = getReporter('markdown')!.render(result, { color: false });
    expectGolden('change.md.golden', markdown);
    expect(markdown.split('\n')[0]).toBe('**secreview: 2 security defects found in this change**');
    expect(markdown).toContain('> Ops asked for a way to run @&#8203;maintenance commands (see #&#8203;12).');

    const github = getReporter('github-review')!.render(result, { color: false });
    expectGolden('change.github-review.json.golden', github);
    const parsed = JSON.parse(github);
    expect(checkGitHubReview(parsed)).toEqual([]);
    // The injection is commented where the change put the source; the sink file is not in the diff.
    expect(parsed.comments.map((c: { path: string; line: number }) => `${c.path}:${c.line}`)).toEqual(['app.py:16', 'app.py:21']);

    const gerrit = getReporter('gerrit')!.render(result, { color: false });
    expectGolden('change.gerrit.json.golden', gerrit);
    const robot = JSON.parse(gerrit) as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(robot)).toEqual(['app.py']);
    for (const comment of robot['app.py']!) {
      expect(comment).toMatchObject({ robot_id: 'secreview', robot_run_id: expect.stringMatching(/^secreview-[\w.-]+-[0-9a-f]{16}$/) });
      expect(Number.isInteger(comment.line)).toBe(true);
      expect(typeof comment.message).toBe('string');
      for (const key of Object.keys(comment)) expect(['line', 'range', 'message', 'robot_id', 'robot_run_id', 'url', 'properties']).toContain(key);
    }
    // Deterministic: the same review gives the same bytes, run id included.
    expect(getReporter('gerrit')!.render(await review(), { color: false })).toBe(gerrit);
  });

  it('the JSON report of a change, with a baseline, fits the documented schema', async () => {
    const result = await review();
    const [first, ...rest] = result.findings;
    result.baseline = compareWithBaseline('baseline.json', createBaseline([first!]), result.findings);
    const json = JSON.parse(getReporter('json')!.render(result, { color: false }));
    expect(checkSchema(SCHEMA, json)).toEqual([]);
    expect(json.change).toMatchObject({ base: expect.stringMatching(/^main /), head: expect.stringMatching(/^feature /), notShown: 1 });
    expect(json.change.files).toEqual([{ path: 'app.py', status: 'modified', lines: [[12, 25]] }]);
    expect(json.findings.map((f: { baselineState: string }) => f.baselineState).sort()).toEqual(['new', 'unchanged']);
    expect(json.baseline).toMatchObject({ new: rest.length, unchanged: 1, absent: 0 });
    // Text and Markdown leave the recorded finding out; the review outputs too.
    expect(getReporter('markdown')!.render(result, { color: false })).toContain('1 recorded in the baseline');
    expect(JSON.parse(getReporter('github-review')!.render(result, { color: false })).comments).toHaveLength(1);
  });

  it('the shape checker catches what GitHub would reject', () => {
    expect(checkGitHubReview({ body: 1, event: 'LGTM', comments: [{ path: '', line: 0, side: 'MIDDLE', body: '', position: 3 }] })).toEqual([
      'body must be a string',
      'event must be COMMENT, REQUEST_CHANGES or APPROVE',
      'comments[0]: unexpected key position',
      'comments[0].path must be a non-empty string',
      'comments[0].line must be a positive integer',
      'comments[0].side must be LEFT or RIGHT',
      'comments[0].body must be a non-empty string',
    ]);
  });

  it('without a change, github-review comments every finding on its own line', async () => {
    const result = await review();
    const { change: _change, ...plain } = result;
    const parsed = JSON.parse(getReporter('github-review')!.render(plain, { color: false }));
    expect(checkGitHubReview(parsed)).toEqual([]);
    expect(parsed.comments.map((c: { path: string; line: number }) => `${c.path}:${c.line}`)).toEqual(['app.py:21', 'helpers.py:5']);
  });
});
