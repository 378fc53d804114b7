import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/api/scan.js';
import { compareWithBaseline, createBaseline, readBaseline, BaselineError } from '../../src/baseline/baseline.js';
import type { Finding } from '../../src/findings/types.js';
import { tempTree } from '../support/tmp.js';
import { cli, Repo } from './repo.js';

const APP = `import os


def cleanup(folder):
    os.system("rm -rf " + folder)
`;

async function findingsOf(files: Record<string, string>): Promise<Finding[]> {
  const dir = tempTree(files);
  return (await scan({ paths: ['.'], cwd: dir, config: false })).findings;
}

describe('fingerprints', () => {
  it('survive whitespace-only edits and line moves, and change when the statement changes', async () => {
    const [original] = await findingsOf({ 'app.py': APP });
    expect(original!.ruleId).toBe('python/os-command-injection');

    const moved = await findingsOf({ 'app.py': `import os\n\n\ndef other():\n    return 1\n\n\n${APP.slice('import os\n\n\n'.length)}` });
    expect(moved[0]!.location.startLine).toBe(9);
    expect(moved[0]!.fingerprint).toBe(original!.fingerprint);

    const reformatted = await findingsOf({ 'app.py': 'import os\n\ndef cleanup(folder):\n        os.system(  "rm -rf "+folder  )\n' });
    expect(reformatted[0]!.fingerprint).toBe(original!.fingerprint);

    const edited = await findingsOf({ 'app.py': APP.replace('"rm -rf "', '"rm -rf /tmp/"') });
    expect(edited[0]!.fingerprint).not.toBe(original!.fingerprint);

    const elsewhere = await findingsOf({ 'lib/app.py': APP });
    expect(elsewhere[0]!.fingerprint).not.toBe(original!.fingerprint); // the path is part of it
  });
});

describe('baselines (library)', () => {
  it('count findings per key, so a copy of a recorded finding is new; what is gone is absent', async () => {
    const two = await findingsOf({ 'app.py': `${APP}\n\ndef again(folder):\n    os.system("rm -rf " + folder)\n` });
    expect(two).toHaveLength(2);
    expect(two[0]!.fingerprint).toBe(two[1]!.fingerprint); // same rule, path and statement code
    const baseline = createBaseline(two);
    expect(Object.values(baseline.fingerprints)).toEqual([2]);

    const one = await findingsOf({ 'app.py': APP });
    const fewer = compareWithBaseline('b.json', baseline, one);
    expect(one[0]!.baselineState).toBe('unchanged');
    expect(fewer).toMatchObject({ new: 0, unchanged: 1, absent: 1 });

    const three = await findingsOf({ 'app.py': `${APP}\n\ndef a(folder):\n    os.system("rm -rf " + folder)\n\n\ndef b(folder):\n    os.system("rm -rf " + folder)\n` });
    const more = compareWithBaseline('b.json', baseline, three);
    expect(three.map((f) => f.baselineState)).toEqual(['unchanged', 'unchanged', 'new']);
    expect(more).toMatchObject({ new: 1, unchanged: 2, absent: 0, absentKeys: [] });
  });

  it('rejects corrupt and wrong-version files, naming them', () => {
    const dir = tempTree({
      'bad.json': '{ "version": 1, "fingerprints": ',
      'v2.json': JSON.stringify({ version: 2, tool: { name: 'secreview' }, fingerprints: {} }),
      'count.json': JSON.stringify({ version: 1, tool: { name: 'secreview' }, fingerprints: { ['a'.repeat(32)]: 0 } }),
      'other.json': JSON.stringify({ version: 1, tool: { name: 'bandit' }, fingerprints: {} }),
    });
    const reason = (name: string): string => {
      try {
        readBaseline(join(dir, name));
      } catch (error) {
        expect(error).toBeInstanceOf(BaselineError);
        return (error as Error).message;
      }
      throw new Error(`${name} was accepted`);
    };
    expect(reason('bad.json')).toMatch(new RegExp(`^${join(dir, 'bad.json')}: not a secreview baseline \\(invalid JSON`));
    expect(reason('v2.json')).toContain('unsupported baseline version 2');
    expect(reason('count.json')).toContain('the count must be a positive integer');
    expect(reason('other.json')).toContain('"tool.name" is not "secreview"');
    expect(reason('missing.json')).toContain('baseline file not found');
  });
});

describe('baselines (command line)', () => {
  it('--write-baseline records the findings; --baseline hides them after line moves and shows copies and edits', () => {
    const dir = tempTree({ 'app.py': APP });
    const written = cli(['scan', '.', '--write-baseline', 'secreview-baseline.json'], dir);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain('wrote secreview-baseline.json (1 finding)');
    const file = JSON.parse(readFileSync(join(dir, 'secreview-baseline.json'), 'utf8'));
    expect(file).toMatchObject({ version: 1, tool: { name: 'secreview', version: expect.any(String) } });
    expect(Object.values(file.fingerprints)).toEqual([1]);
    expect(Object.keys(file.fingerprints)[0]).toMatch(/^[0-9a-f]{32}$/);

    // Lines moved: nothing new, exit 0, the verdict says so.
    writeFileSync(join(dir, 'app.py'), `import os\n\n\ndef first():\n    return 0\n\n\n${APP.slice('import os\n\n\n'.length)}`);
    let r = cli(['scan', '.', '--baseline', 'secreview-baseline.json'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No new security defects are detected in the code (1 known defect recorded in the baseline is not shown)');
    expect(r.stdout).toContain('Baseline:  secreview-baseline.json: 0 new · 1 unchanged · 0 absent');
    expect(r.stdout).not.toContain('Location:');

    // JSON and SARIF keep the finding, with its state.
    const json = JSON.parse(cli(['scan', '.', '--baseline', 'secreview-baseline.json', '-f', 'json'], dir).stdout);
    expect(json.findings.map((f: Finding) => f.baselineState)).toEqual(['unchanged']);
    expect(json.baseline).toEqual({ file: 'secreview-baseline.json', new: 0, unchanged: 1, absent: 0, absentFingerprints: [] });
    const sarif = JSON.parse(cli(['scan', '.', '--baseline', 'secreview-baseline.json', '-f', 'sarif'], dir).stdout);
    expect(sarif.runs[0].results.map((x: { baselineState: string }) => x.baselineState)).toEqual(['unchanged']);

    // A copy of the recorded defect is new (the original keeps its place in the baseline).
    writeFileSync(join(dir, 'app.py'), `${APP}\n\ndef cleanup_too(folder):\n    os.system("rm -rf " + folder)\n`);
    r = cli(['scan', '.', '--baseline', 'secreview-baseline.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Location: app.py:9:15');
    expect(r.stdout).not.toContain('Location: app.py:5:');
    expect(r.stdout).toContain('1 recorded in the baseline');

    // An edited statement is new, and the recorded one is absent.
    writeFileSync(join(dir, 'app.py'), APP.replace('"rm -rf "', '"rm -rf /srv/"'));
    r = cli(['scan', '.', '--baseline', 'secreview-baseline.json', '-f', 'sarif'], dir);
    expect(r.code).toBe(1);
    const sarifRun = JSON.parse(r.stdout).runs[0];
    // The absent entry has no location to report, so it is counted in the run's properties (GitHub rejects results without one).
    expect(sarifRun.results.map((x: { baselineState: string }) => x.baselineState)).toEqual(['new']);
    expect(sarifRun.properties.secreview.baseline).toMatchObject({ new: 1, unchanged: 0, absent: 1 });
  });

  it('a corrupt or wrong-version baseline exits 2 with a message naming the file', () => {
    const dir = tempTree({ 'app.py': APP, 'broken.json': 'not json', 'old.json': '{"version": 0, "tool": {"name": "secreview"}, "fingerprints": {}}' });
    for (const name of ['broken.json', 'old.json', 'absent.json']) {
      for (const command of [['scan', '.'], ['diff']]) {
        const r = cli([...command, '--baseline', name], dir);
        expect(r.code, `${command[0]} ${name}`).toBe(2);
        expect(r.stderr).toContain(`secreview: baseline ${name}: `);
        expect(r.stdout).toBe('');
      }
    }
  });

  it('diff --baseline hides recorded findings in the change and does not fail on them', () => {
    const repo = Repo.init({ 'app.py': 'x = 1\n' });
    repo.write({ 'app.py': APP });
    expect(cli(['diff'], repo.root).code).toBe(1);
    const baseline = join(tempTree({}), 'baseline.json');
    expect(cli(['scan', '.', '--write-baseline', baseline], repo.root).code).toBe(0);
    const r = cli(['diff', '--baseline', baseline, '-f', 'markdown'], repo.root);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('No new security defects are detected in the code (1 known defect recorded in the baseline is not shown)');
    expect(r.stdout).toContain(`Baseline \`${baseline}\`: 0 new, 1 unchanged, 0 absent`);
  });
});
