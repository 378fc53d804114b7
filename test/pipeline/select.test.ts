import { describe, expect, it } from 'vitest';
import { scan, UsageError } from '../../src/api/scan.js';
import { ConfigError } from '../../src/config/config.js';
import { allRules } from '../../src/rules/index.js';
import { tempTree } from '../support/tmp.js';

// Three defects of different kinds: a shell command (CWE-78), a weak hash (CWE-328), an eval of
// request data (CWE-95), so that a selection visibly keeps some and drops others.
const APP = `import hashlib
import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args["host"]
    subprocess.call("ping -c 1 " + host, shell=True)
    return "ok"


@app.route("/calc")
def calc():
    return str(eval(request.args["expr"]))


def password_digest(password):
    return hashlib.md5(password.encode()).hexdigest()
`;

async function ruleIds(options: { select?: string[]; disable?: string[]; enable?: string[] }, files: Record<string, string> = {}): Promise<string[]> {
  const cwd = tempTree({ 'app.py': APP, ...files });
  const result = await scan({ paths: ['.'], cwd, jobs: 1, ...options });
  return [...new Set(result.findings.map((f) => f.ruleId))].sort();
}

describe('--select', () => {
  it('without it, every kind is reported (the baseline for the cases below)', async () => {
    const ids = await ruleIds({});
    expect(ids).toEqual(expect.arrayContaining(['python/code-injection', 'python/command-injection', 'python/weak-hash']));
  });

  it('a rule id runs only that rule', async () => {
    expect(await ruleIds({ select: ['python/weak-hash'] })).toEqual(['python/weak-hash']);
  });

  it('CWE-<n> runs every rule that lists the CWE', async () => {
    const ids = await ruleIds({ select: ['CWE-78'] });
    expect(ids.length).toBeGreaterThan(0);
    const byId = new Map(allRules.map((r) => [r.id, r]));
    for (const id of ids) expect(byId.get(id)!.cwe).toContain(78);
    expect(ids).toContain('python/command-injection');
    expect(ids).not.toContain('python/weak-hash');
  });

  it('--disable removes from the selection and --enable adds to it', async () => {
    expect(await ruleIds({ select: ['python/weak-hash', 'python/code-injection'], disable: ['python/weak-hash'] })).toEqual(['python/code-injection']);
    expect(await ruleIds({ select: ['python/weak-hash'], enable: ['python/code-injection'] })).toEqual(['python/code-injection', 'python/weak-hash']);
  });

  it('comes from the settings file too, and the command line replaces it', async () => {
    const settings = { '.secreview.yml': 'select: [python/weak-hash]\n' };
    expect(await ruleIds({}, settings)).toEqual(['python/weak-hash']);
    expect(await ruleIds({ select: ['python/code-injection'] }, settings)).toEqual(['python/code-injection']);
  });

  it('an entry that names no rule is an error naming where it came from', async () => {
    const cwd = tempTree({ 'app.py': APP });
    await expect(scan({ paths: ['.'], cwd, select: ['python/no-such-rule'] })).rejects.toThrow(UsageError);
    await expect(scan({ paths: ['.'], cwd, select: ['CWE-99999'] })).rejects.toThrow(/CWE-99999` in select names no rule/);
    const bad = tempTree({ 'app.py': APP, '.secreview.yml': 'select: [CWE-1]\n' });
    await expect(scan({ paths: ['.'], cwd: bad })).rejects.toThrow(ConfigError);
  });
});
