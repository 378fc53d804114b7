import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { getReporter } from '../../src/report/index.js';
import { testPathMatcher } from '../../src/filters/test-code.js';
import { tempTree } from '../support/tmp.js';

const SWALLOW = 'def f():\n    try:\n        g()\n    except Exception:\n        pass\n';
// A key in a real format (assembled so this file holds none) and a password literal under a credential name.
const AWS = `AKIA${'Q7ZKXW3J5MNB2HTR'}`;
const KEYS = `ACCESS = "${AWS}"\npassword = "Zq8#mW2!vLr9xT"\n`;

function tree(extra: Record<string, string> = {}): string {
  return tempTree({
    'app/views.py': SWALLOW,
    'app/tests/test_views.py': SWALLOW,
    'tests/test_keys.py': KEYS,
    'app/conftest.py': SWALLOW,
    'app/views_test.py': SWALLOW,
    'app/testing/helpers.py': SWALLOW,
    'app/latest.py': SWALLOW,
    ...extra,
  });
}

const where = (r: Awaited<ReturnType<typeof scan>>): string[] => r.findings.map((f) => `${f.location.path}:${f.location.startLine} ${f.ruleId}`);

describe('findings in test code', () => {
  it('are hidden by default except for rules meaningful in tests, and counted', async () => {
    const r = await scan({ paths: ['.'], cwd: tree(), config: false });
    expect(where(r)).toEqual([
      'app/latest.py:4 python/exception-swallowed',
      'app/views.py:4 python/exception-swallowed',
      // The AWS key is shown in test code; the password literal there is a fixture value.
      'tests/test_keys.py:1 python/hardcoded-secret',
    ]);
    // 4 swallowed exceptions in test files; the password literal is low confidence in tests (below the threshold).
    expect(r.stats.hiddenInTests).toBe(4);
    expect(r.stats.belowThreshold).toBe(1);
  });

  it('are all shown with includeTests (--include-tests) or `tests: show`', async () => {
    const root = tree();
    const flagged = await scan({ paths: ['.'], cwd: root, config: false, includeTests: true, confidence: 'low' });
    expect(flagged.stats.hiddenInTests).toBeUndefined();
    expect(where(flagged)).toContain('app/tests/test_views.py:4 python/exception-swallowed');
    expect(where(flagged)).toContain('tests/test_keys.py:2 python/hardcoded-secret');
    const withSetting = await scan({ paths: ['.'], cwd: tree({ '.secreview.yml': 'tests: show\n' }) });
    expect(withSetting.stats.hiddenInTests).toBeUndefined();
    expect(withSetting.findings).toHaveLength(7);
  });

  it('follow `test-paths` when set', async () => {
    const r = await scan({ paths: ['.'], cwd: tree({ '.secreview.yml': 'test-paths: ["app/latest.py"]\n' }) });
    expect(where(r).filter((w) => w.startsWith('app/latest.py'))).toEqual([]);
    expect(where(r)).toContain('app/tests/test_views.py:4 python/exception-swallowed');
    expect(r.stats.hiddenInTests).toBe(1);
  });

  it('are still analysed: data flow through test code is not lost', async () => {
    const root = tempTree({
      'tests/helpers.py': 'from flask import request\n\ndef host():\n    return request.args["h"]\n',
      'app/run.py': 'import subprocess\nfrom tests.helpers import host\n\ndef ping():\n    subprocess.call("ping " + host(), shell=True)\n',
    });
    const r = await scan({ paths: ['.'], cwd: root, config: false });
    expect(where(r)).toContain('app/run.py:5 python/command-injection');
  });

  it('enter the data flow only where the rest imports them, also through a plain `import tests.helpers`', async () => {
    const root = tempTree({
      'app/files.py': 'def read(name):\n    return open("/srv/" + name).read()\n',
      // The only caller of read() is a test, and the test passes it a request value.
      'tests/test_files.py': 'from flask import request\nfrom app.files import read\n\n\ndef test_read():\n    read(request.args["n"])\n',
      'app/run.py': 'import subprocess\nimport tests.helpers\n\n\ndef ping():\n    subprocess.call("ping " + tests.helpers.host(), shell=True)\n',
      'tests/helpers.py': 'from flask import request\n\n\ndef host():\n    return request.args["h"]\n',
    });
    const flowFrom = (r: Awaited<ReturnType<typeof scan>>, path: string): string[] =>
      r.findings.filter((f) => f.ruleId === 'python/path-traversal' || f.ruleId === 'python/command-injection').map((f) => `${f.location.path}:${f.location.startLine} ${f.ruleId} ${f.confidence} ${f.trace?.[0]?.location.path === path ? 'from the test' : 'from a caller'}`);
    // By default: a flow that starts in a test is no defect of the product; read() is called from
    // outside as far as the product goes (a low-confidence finding on its parameter).
    const hidden = await scan({ paths: ['.'], cwd: root, config: false, confidence: 'low' });
    expect(flowFrom(hidden, 'tests/test_files.py')).toEqual([
      'app/files.py:2 python/path-traversal low from a caller',
      'app/run.py:6 python/command-injection high from a caller',
    ]);
    expect(hidden.findings.find((f) => f.ruleId === 'python/command-injection')?.trace?.[0]?.location.path).toBe('tests/helpers.py');
    // With test code shown, it is traced like the rest.
    const shown = await scan({ paths: ['.'], cwd: root, config: false, includeTests: true, confidence: 'low' });
    expect(flowFrom(shown, 'tests/test_files.py')).toEqual([
      'app/files.py:2 python/path-traversal high from the test',
      'app/run.py:6 python/command-injection high from a caller',
    ]);
  });

  it('are counted in every report format, naming the options that show them', async () => {
    const r = await scan({ paths: ['.'], cwd: tree(), config: false });
    const render = (name: string): string => getReporter(name)!.render(r, { color: false });
    expect(render('text')).toContain('4 in test code (shown with --include-tests or the setting `tests: show`)');
    expect(render('markdown')).toContain('4 in test code (shown with `--include-tests` or the setting `tests: show`)');
    expect(render('html')).toContain('4 in test code (shown with --include-tests or the setting `tests: show`)');
    const json = JSON.parse(render('json'));
    expect(json.summary).toMatchObject({ hiddenInTests: 4, showTests: '--include-tests or the setting `tests: show`' });
    const sarif = JSON.parse(render('sarif'));
    expect(sarif.runs[0].properties.secreview).toEqual({ hiddenInTests: 4, showTests: '--include-tests or the setting `tests: show`' });
  });
});

describe('testPathMatcher', () => {
  it('matches test folders and pytest file names at any depth, and nothing else', () => {
    const m = testPathMatcher();
    const yes = ['tests/a.py', 'a/test/b.py', 'a/testing/b.py', '../../x/neutron/tests/unit/a.py', 'test_x.py', 'a/test_x.py', 'a/x_test.py', 'a/conftest.py'];
    const no = ['nova/test.py', 'a/testing.py', 'a/latest/x.py', 'a/contest.py', 'a/attest_x.py', 'tests.py', 'a/my_tests_helper.py'];
    expect(yes.filter((p) => !m(p))).toEqual([]);
    expect(no.filter((p) => m(p))).toEqual([]);
  });

  it('matches Jest/Vitest/Mocha test files and __tests__ folders', () => {
    const m = testPathMatcher();
    const yes = ['src/__tests__/a.js', 'a.test.js', 'src/b.spec.ts', 'c.test.tsx', 'd.spec.mjs'];
    const no = ['src/testing.js', 'src/contest.ts', 'src/spec.ts', 'src/test-utils.js', 'latest.js'];
    expect(yes.filter((p) => !m(p))).toEqual([]);
    expect(no.filter((p) => m(p))).toEqual([]);
  });
});
