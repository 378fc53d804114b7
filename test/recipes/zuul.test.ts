/**
 * The Zuul/Gerrit recipe in a Zuul layout: the job's checkout is the target branch with the change
 * already merged into it (fast-forwarded, or as a merge commit), so the change is `HEAD^1..HEAD`
 * and the branch's name names the change itself.
 */
import { describe, expect, it } from 'vitest';
import { Repo, cli } from '../diff/repo.js';

const SAFE = 'import subprocess\n\n\ndef ping():\n    subprocess.call(["ping", "-c", "1", "localhost"])\n';
const VIEW =
  'import subprocess\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route("/ping")\ndef ping():\n    subprocess.call("ping -c 1 " + request.args["host"], shell=True)\n    return "ok"\n';
/** What the recipe runs (README, "Gerrit with Zuul"). */
const RECIPE = ['diff', 'HEAD^1', '--format', 'gerrit'];

function comments(stdout: string): Record<string, { line: number; message: string }[]> {
  return JSON.parse(stdout);
}

describe('Zuul recipe', () => {
  it('a change fast-forwarded onto the branch: its finding is reported, as a Gerrit comment on its line', () => {
    const repo = Repo.init({ 'app/tools.py': SAFE });
    repo.write({ 'app/views.py': VIEW });
    repo.commit('Add a ping view');
    const r = cli(RECIPE, repo.root);
    expect(r.code, r.stderr).toBe(1);
    const c = comments(r.stdout);
    expect(c['app/views.py']?.some((x) => x.line === 9 && x.message.includes('CWE-78'))).toBe(true);
    // The old recipe (`secreview diff <branch>`) compared the branch with itself.
    const old = cli(['diff', 'main', '--format', 'gerrit'], repo.root);
    expect(old.code).toBe(0);
    expect(comments(old.stdout)).toEqual({});
  });

  it('a change merged with a merge commit: only the change is reviewed, not what the branch gained meanwhile', () => {
    const repo = Repo.init({ 'app/tools.py': SAFE });
    repo.git('checkout', '-q', '-b', 'change');
    repo.write({ 'app/views.py': VIEW });
    repo.commit('Add a ping view');
    repo.git('checkout', '-q', 'main');
    // Meanwhile the branch gained a defect of its own (already reviewed when it landed).
    repo.write({ 'app/legacy.py': 'import os\n\n\ndef clean(d):\n    os.system("rm -rf " + d)\n' });
    repo.commit('Legacy cleanup');
    repo.git('merge', '-q', '--no-ff', '-m', 'Merge change', 'change');
    const r = cli(RECIPE, repo.root);
    expect(r.code, r.stderr).toBe(1);
    const c = comments(r.stdout);
    expect(Object.keys(c)).toEqual(['app/views.py']);
  });

  it('a clean change passes', () => {
    const repo = Repo.init({ 'app/tools.py': SAFE });
    repo.write({ 'app/more.py': SAFE });
    repo.commit('More tools');
    const r = cli(RECIPE, repo.root);
    expect(r.code, r.stderr).toBe(0);
    expect(comments(r.stdout)).toEqual({});
  });
});
