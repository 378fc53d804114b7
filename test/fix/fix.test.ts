// `secreview fix`: every fix a rule declares, applied to the rule's own labelled fixtures, removes
// its finding, leaves the file parsing and adds no finding of any rule; --dry-run changes nothing;
// an edit that does not verify is refused with the reason.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/api/scan.js';
import { fixFiles } from '../../src/fix/fix-files.js';
import { allRules } from '../../src/rules/index.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { replaceNode } from '../../src/rules/autofix.js';
import { checkRuleFixture, fixtureFiles } from '../support/rule-fixtures.js';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const EVERYTHING = { config: false as const, severity: 'low' as const, confidence: 'low' as const, includeTests: true };

function countsByRule(findings: readonly { ruleId: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
  return m;
}

describe('secreview fix on every rule fixture', () => {
  it('each declared fix verifies: finding gone, file parses, nothing added by any rule', { timeout: 300_000 }, async () => {
    const withFixes: string[] = [];
    for (const rule of allRules) {
      const check = await checkRuleFixture(rule);
      const fixable = check.findings.filter((f) => f.autofix);
      if (fixable.length === 0) continue;
      withFixes.push(rule.id);
      const { cwd, files } = fixtureFiles(check.fixture);
      const dir = mkdtempSync(join(tmpdir(), 'secreview-fix-'));
      for (const f of files) cpSync(join(cwd, f), join(dir, f), { recursive: true });

      const before = await scan({ paths: files, cwd: dir, ...EVERYTHING });
      const result = await fixFiles({ paths: files, cwd: dir, rules: [rule], ...EVERYTHING });
      expect(result.refused, rule.id).toEqual([]);
      expect(result.errors, rule.id).toEqual([]);
      expect(result.applied.length, rule.id).toBe(fixable.length);

      // The rule alone: exactly the fixed findings are gone.
      const ruleAfter = await scan({ paths: files, cwd: dir, rules: [rule], ...EVERYTHING });
      expect(ruleAfter.findings.length, rule.id).toBe(check.findings.length - fixable.length);
      // Every rule: the files parse and no rule reports more than before.
      const after = await scan({ paths: files, cwd: dir, ...EVERYTHING });
      expect(after.diagnostics.filter((d) => d.kind === 'parse-error'), rule.id).toEqual([]);
      const was = countsByRule(before.findings);
      const now = countsByRule(after.findings);
      for (const [other, n] of now) expect(n, `${rule.id} fix adds ${other}`).toBeLessThanOrEqual(was.get(other) ?? 0);
    }
    // The rules that declare fixes today: the test above must have exercised each of them.
    expect(withFixes).toEqual(
      expect.arrayContaining([
        'python/yaml-unsafe-load', 'python/tls-verification-disabled', 'python/request-without-timeout', 'python/timing-unsafe-comparison',
        'python/insecure-random', 'python/debug-mode-enabled', 'python/insecure-temp-file',
      ]),
    );
  });
});

const APP = [
  'import requests',
  '',
  '',
  'def fetch(url):',
  '    return requests.get(url, verify=False)',
  '',
].join('\n');

describe('secreview fix', () => {
  it('--dry-run prints the diff and changes no file', async () => {
    const dir = tempTree({ 'app.py': APP });
    const r = spawnSync(process.execPath, [BIN, 'fix', '.', '--dry-run', '--no-cache', '--no-config'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toContain('-    return requests.get(url, verify=False)');
    expect(r.stdout).toContain('+    return requests.get(url, verify=True, timeout=30)');
    expect(r.stdout).toContain('would fix app.py:5 python/tls-verification-disabled');
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'app.py'), 'utf8')).toBe(APP);
  });

  it('writes the fixes, then a scan finds nothing and the exit code is 0', async () => {
    const dir = tempTree({ 'app.py': APP });
    const r = spawnSync(process.execPath, [BIN, 'fix', '.', '--no-cache', '--no-config'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 fixes applied, 0 refused; 0 findings remain');
    expect(readFileSync(join(dir, 'app.py'), 'utf8')).toBe(APP.replace('verify=False)', 'verify=True, timeout=30)'));
    const again = spawnSync(process.execPath, [BIN, 'scan', '.', '--no-cache', '--no-config'], { cwd: dir, encoding: 'utf8' });
    expect(again.status).toBe(0);
  });

  it('refuses an edit that does not parse, and one that leaves its finding, with the reason', async () => {
    const breaks = defineRule({
      id: 'python/test-broken-fix',
      language: 'python',
      title: 'A rule whose fix breaks the syntax',
      cwe: [295],
      severity: 'high',
      confidence: 'high',
      description: 'Test rule.',
      whyItMatters: 'Test rule.',
      fix: { guidance: 'None.', before: 'x', after: 'y' },
      references: [],
      create({ module, report }) {
        return {
          call(call) {
            const verify = call.keywords.get('verify');
            if (verify && module.text(verify) === 'False') report({ node: verify, message: 'verify off', autofix: { description: 'Break it', edits: [replaceNode(verify, 'True,,')] } });
          },
        };
      },
    });
    const stays = defineRule({
      id: 'python/test-idle-fix',
      language: 'python',
      title: 'A rule whose fix changes nothing that matters',
      cwe: [295],
      severity: 'high',
      confidence: 'high',
      description: 'Test rule.',
      whyItMatters: 'Test rule.',
      fix: { guidance: 'None.', before: 'x', after: 'y' },
      references: [],
      create({ module, report }) {
        return {
          call(call) {
            const verify = call.keywords.get('verify');
            if (verify && module.text(verify) === 'False') report({ node: verify, message: 'verify off', autofix: { description: 'Add a space', edits: [replaceNode(verify, 'False ')] } });
          },
        };
      },
    });
    for (const [rule, reason] of [
      [breaks, 'the edited file does not parse'],
      [stays, 'the finding of python/test-idle-fix is still reported after the edit'],
    ] as const) {
      const dir = tempTree({ 'app.py': APP });
      const result = await fixFiles({ paths: ['.'], cwd: dir, rules: [rule], config: false });
      expect(result.applied).toEqual([]);
      expect(result.refused).toEqual([expect.objectContaining({ path: 'app.py', line: 5, ruleId: rule.id, reason })]);
      expect(readFileSync(join(dir, 'app.py'), 'utf8')).toBe(APP);
    }
  });

  it('adds `import hmac` where the module lacks it, after the docstring and imports', async () => {
    const source = '"""Tokens."""\nimport os\n\n\ndef check(request, secret_token):\n    return request.headers["X-Token"] == secret_token\n';
    const dir = tempTree({ 'tok.py': source });
    const result = await fixFiles({ paths: ['.'], cwd: dir, config: false, select: ['python/timing-unsafe-comparison'] });
    expect(result.refused).toEqual([]);
    expect(result.applied.map((a) => a.ruleId)).toEqual(['python/timing-unsafe-comparison']);
    expect(readFileSync(join(dir, 'tok.py'), 'utf8')).toBe(
      '"""Tokens."""\nimport os\nimport hmac\n\n\ndef check(request, secret_token):\n    return hmac.compare_digest(request.headers["X-Token"], secret_token)\n',
    );
  });
});
