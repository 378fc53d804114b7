/**
 * Issue #16 item 3: the SARIF the CLI writes passes the SARIF Multitool's GitHub ingestion rules
 * (`--rule-kind Sarif;Gh`, the rules behind GitHub code scanning's upload checks) in every mode:
 * scan, scan --baseline (new, unchanged and absent), diff, standard input, suppressions, LLM
 * findings, a failed run (exit 2, which still writes its report) and settings warnings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { runMultitool } from './multitool.js';
import { cli as runSync, Repo } from '../diff/repo.js';
import { tempTree } from '../support/tmp.js';
import { always, startFakeServer, type FakeServer } from '../llm/fake-server.js';
import { jsonReply } from '../llm/helpers.js';
import { runCli } from '../llm/run-cli.js';

/** weak-hash (line 6), yaml-unsafe-load (7), command-injection (8). */
const CODE = 'import hashlib\nimport subprocess\nimport yaml\n\ndef f(data, cmd):\n    hashlib.md5(data)\n    yaml.load(data)\n    subprocess.call(cmd, shell=True)\n';
const LOW = ['--confidence', 'low', '--severity', 'low', '--no-cache'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'secreview-sarif-gh-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Errors and warnings of the multitool with its SARIF and GitHub rules, as `RULE: message` lines. */
function githubIssues(name: string, content: string): string[] {
  const input = join(dir, `${name}.sarif`);
  const out = join(dir, `${name}.validation.sarif`);
  writeFileSync(input, content);
  const res = runMultitool(['validate', input, '--output', out, '--rule-kind', 'Sarif;Gh', '--log', 'ForceOverwrite']);
  if (res.status !== 0 || !existsSync(out)) throw new Error(`SARIF Multitool validate failed (exit ${res.status}) for ${name}:\n${res.output}`);
  const run = (JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log).runs[0]!;
  if (run.invocations?.[0]?.executionSuccessful === false) throw new Error(`SARIF Multitool did not complete for ${name}:\n${res.output}`);
  const rules = run.tool.driver.rules ?? [];
  return (run.results ?? [])
    .filter((r) => (r.level ?? (r.ruleIndex !== undefined ? rules[r.ruleIndex]?.defaultConfiguration?.level : undefined) ?? 'warning') !== 'note')
    .map((r) => `${r.ruleId}: ${res.output.split('\n').find((l) => l.includes(`${r.ruleId}:`)) ?? JSON.stringify(r.message)}`);
}

/** Validates the SARIF a run printed and returns its run. */
function valid(name: string, stdout: string): Sarif.Run {
  expect(githubIssues(name, stdout), `GitHub SARIF rules on ${name}`).toEqual([]);
  return (JSON.parse(stdout) as Sarif.Log).runs[0]!;
}

const states = (run: Sarif.Run): (string | undefined)[] => [...new Set((run.results ?? []).map((r) => r.baselineState))].sort();

describe('SARIF passes the GitHub ingestion rules in every mode', () => {
  it('the GitHub rules run (an `absent` result without a location, as written before, is rejected)', () => {
    const log = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'secreview', informationUri: 'https://example.test/', rules: [] } }, results: [{ ruleId: 'secreview/baseline-entry', message: { text: 'gone' }, baselineState: 'absent' }] }],
    };
    expect(githubIssues('old-absent', JSON.stringify(log)).join('\n')).toMatch(/GH1015|GH1017|GH2012/);
  });

  it('scan, and a scan from a subfolder whose settings file shadows another (a settings warning)', () => {
    const repo = tempTree({ 'app.py': CODE, 'sub/app.py': CODE, 'sub/.secreview.yml': 'severity: low\n', 'sub/pyproject.toml': '[tool.secreview]\nseverity = "high"\n' });
    mkdirSync(join(repo, '.git'));
    const scan = runSync(['scan', '.', '-f', 'sarif', ...LOW], repo);
    expect(scan.code).toBe(1);
    expect(valid('scan', scan.stdout).results).toHaveLength(6);
    const sub = runSync(['scan', '.', '-f', 'sarif', ...LOW], join(repo, 'sub'));
    const run = valid('scan-sub', sub.stdout);
    expect(run.invocations![0]!.executionSuccessful).toBe(true);
    expect(run.invocations![0]!.toolExecutionNotifications!.map((n) => n.message.text)).toEqual([expect.stringContaining('is ignored: .secreview.yml in the same folder')]);
  });

  it('scan --baseline: new, unchanged and absent (absent ones counted in run properties, not as results)', () => {
    const repo = tempTree({ 'app.py': CODE });
    expect(runSync(['scan', '.', '--write-baseline', 'baseline.json', ...LOW], repo).code).toBe(0);
    // md5 stays (unchanged), yaml.load goes (absent), sha1 comes (new).
    writeFileSync(join(repo, 'app.py'), CODE.replace('    yaml.load(data)\n', '    hashlib.sha1(data)\n'));
    const r = runSync(['scan', '.', '--baseline', 'baseline.json', '-f', 'sarif', ...LOW], repo);
    const run = valid('baseline', r.stdout);
    expect(states(run)).toEqual(['new', 'unchanged']);
    expect(run.properties!.secreview).toMatchObject({ baseline: { file: 'baseline.json', absent: 1, absentFingerprints: [{ fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), count: 1 }] } });
  });

  it('diff, with and without a baseline', () => {
    const repo = Repo.init({ 'app.py': 'x = 1\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'app.py': CODE });
    const r = runSync(['diff', '-f', 'sarif', ...LOW], repo.root);
    expect(r.code).toBe(1);
    expect(valid('diff', r.stdout).results!.length).toBeGreaterThan(0);
    writeFileSync(join(repo.root, 'baseline.json'), JSON.stringify({ version: 1, tool: { name: 'secreview', version: '0' }, fingerprints: { ['b'.repeat(32)]: 1 } }));
    const withBaseline = valid('diff-baseline', runSync(['diff', '--baseline', 'baseline.json', '-f', 'sarif', ...LOW], repo.root).stdout);
    expect(states(withBaseline)).toEqual(['new']);
    expect(withBaseline.properties!.secreview).toMatchObject({ baseline: { absent: 1 } });
  });

  it('standard input', () => {
    const r = runSync(['scan', '-', '--stdin-filename', 'pkg/app.py', '-f', 'sarif', ...LOW], tempTree({}), CODE);
    expect(r.code).toBe(1);
    const run = valid('stdin', r.stdout);
    expect(run.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('pkg/app.py');
  });

  it('suppressions: a qualified one, a bare # nosec, an unused and a malformed one', () => {
    const code = CODE.replace('hashlib.md5(data)', 'hashlib.md5(data)  # secreview: ignore[python/weak-hash] a cache key, not a secret')
      .replace('yaml.load(data)', 'yaml.load(data)  # nosec')
      .replace('import yaml', 'import yaml  # secreview: ignore[python/weak-hash] nothing here')
      .concat('x = 1  # secreview: ignore[python/no-such-rule] typo\n');
    const r = runSync(['scan', '.', '-f', 'sarif', '--report-unused-suppressions', ...LOW], tempTree({ 'app.py': code }));
    const run = valid('suppressions', r.stdout);
    const kinds = run.invocations![0]!.toolExecutionNotifications!.map((n) => n.descriptor!.id).sort();
    expect(kinds).toEqual(expect.arrayContaining(['suppression-error', 'unqualified-suppression', 'unused-suppression']));
  });

  it('LLM findings: a confirmed static one, an LLM-only one, and a rejected claim', async () => {
    server = await startFakeServer(
      always({
        content: jsonReply([
          { cwe: 78, pillar: 707, title: 'Shell injection', startLine: 8, endLine: 8, code: 'subprocess.call(cmd, shell=True)', description: 'cmd reaches a shell.', solution: 'Pass a list.', severity: 'critical' },
          { cwe: 306, pillar: 284, title: 'No authentication', startLine: 5, endLine: 5, code: 'def f(data, cmd):', description: 'Anyone may call it.', solution: 'Check the caller.', severity: 'high' },
          { cwe: 89, pillar: 707, title: 'SQL injection', startLine: 400, endLine: 400, code: 'cur.execute(q)', description: 'x', solution: '', severity: 'high' },
        ]),
      }),
    );
    const env = { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'fake-coder:7b' };
    const r = await runCli(['scan', '.', '-f', 'sarif', '--llm', '--no-llm-cache', ...LOW], tempTree({ 'app.py': CODE }), env);
    expect(r.code).toBe(1);
    const run = valid('llm', r.stdout);
    const origins = (run.results ?? []).map((x) => (x.properties as { origin?: string }).origin ?? 'static').sort();
    expect(origins).toEqual(expect.arrayContaining(['llm-verified', 'static+llm']));
  });

  it('a failed run (a named path missing: exit 2) still writes SARIF, marked not successful', () => {
    const r = runSync(['scan', '.', 'missing.py', '-f', 'sarif', ...LOW], tempTree({ 'app.py': CODE }));
    expect(r.code).toBe(2);
    const run = valid('failed', r.stdout);
    expect(run.invocations![0]!.executionSuccessful).toBe(false);
    expect(run.invocations![0]!.toolExecutionNotifications!.map((n) => n.message.text)).toContain('cannot scan missing.py: no such file or directory');
  });
});
