import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { FIXTURE_ROOT } from '../support/rule-fixtures.js';

const FIXTURES = join(FIXTURE_ROOT, 'python', 'hidden-code-encoding');
const dir = mkdtempSync(join(tmpdir(), 'secreview-hidden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (findings: { ruleId: string; location: { path: string; startLine: number } }[], path: string): string[] =>
  findings.filter((f) => f.location.path === path).map((f) => `${f.ruleId}:${f.location.startLine}`).sort();

describe('code hidden by the encoding declaration is analysed', () => {
  it('the existing rules find the calls that only exist once the file is decoded', async () => {
    const report = await scan({ paths: ['.'], cwd: FIXTURES, config: false, severity: 'low', confidence: 'low' });
    expect(report.diagnostics).toEqual([]);
    // Line numbers are those of the decoded text: the hidden line break adds line 9.
    expect(at(report.findings, 'utf7-comment.py')).toEqual(['python/hidden-code-encoding:2', 'python/os-command-injection:9']);
    expect(at(report.findings, 'unicode-escape.py')).toEqual(['python/hidden-code-encoding:2', 'python/subprocess-shell-injection:8']);
    expect(at(report.findings, 'raw-unicode-escape.py')).toEqual(['python/hidden-code-encoding:2', 'python/unsafe-deserialization:8']);
    expect(at(report.findings, 'latin1.py')).toEqual([]);
    const hidden = report.findings.find((f) => f.location.path === 'utf7-comment.py' && f.ruleId === 'python/hidden-code-encoding')!;
    expect(hidden.severity).toBe('high');
    expect(hidden.message).toContain('"utf-7"');
    expect(hidden.message).toContain('code is hidden');
    expect(hidden.message).toContain('9 lines as stored, 10 as Python decodes it');
    const clean = report.findings.find((f) => f.location.path === 'u7-nothing-hidden-yet.py')!;
    expect(clean.message).toContain('"U7" (Python\'s UTF-7 codec)');
    expect(clean.message).not.toContain('code is hidden');
  });

  it('the taint engine follows request data into a call hidden in a comment', async () => {
    writeFileSync(join(dir, 'app.py'), [
      '# -*- coding: utf-7 -*-',
      'import os',
      'from flask import Flask, request',
      '',
      'app = Flask(__name__)',
      '',
      '',
      '@app.route("/status")',
      'def status():',
      '    host = request.args.get("host")',
      '    # keep the status page fast +AAo-    os.system("ping " +- host)',
      '    return "ok"',
      '',
    ].join('\n'));
    const report = await scan({ paths: ['app.py'], cwd: dir, config: false, severity: 'low', confidence: 'low' });
    expect(report.diagnostics).toEqual([]);
    const lines = at(report.findings, 'app.py');
    expect(lines).toContain('python/hidden-code-encoding:1');
    expect(lines).toContain('python/command-injection:12');
  });

  it('a declaration after the first line of code is ignored, as Python ignores it', async () => {
    writeFileSync(join(dir, 'late.py'), 'import os\n# -*- coding: utf-7 -*-\n# +AAo-os.system(x)\n');
    const report = await scan({ paths: ['late.py'], cwd: dir, config: false, severity: 'low', confidence: 'low' });
    expect(at(report.findings, 'late.py')).toEqual([]);
  });
});
