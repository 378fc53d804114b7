/**
 * Validates our SARIF with Microsoft's SARIF Multitool (devDependency @microsoft/sarif-multitool),
 * the validator GitHub and Azure DevOps are built around. This test fails, with a clear message,
 * if the binary is missing or cannot run: a validator that did not run must not look like a pass.
 *
 * Two traps of the multitool are guarded against:
 * - `validate` exits 0 even when it finds errors, so the test reads its output log;
 * - a log it cannot deserialise (e.g. an unknown enum value) makes `validate` report nothing at
 *   all, so each file is also put through `rewrite`, which does fail loudly on such input.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import type * as Sarif from 'sarif';
import { sarifReporter } from '../../src/report/sarif.js';
import type { Report } from '../../src/findings/types.js';
import { runMultitool } from './multitool.js';
import { AWKWARD_NAMES, SHELL_FINDING, SHELL_RULE, SQL_FINDING, DIAGNOSTICS, emptyReport, finding, fullReport, makeReport } from './helpers.js';

interface Issue {
  level: string;
  ruleId: string;
  text: string;
}

let dir: string;

/**
 * `validate <file> --output <log>`; returns the issues the multitool found. Its default level
 * filter is Error;Warning (notes, such as the network reachability check of URIs, are not run).
 */
function validate(name: string, content: string): Issue[] {
  const input = join(dir, `${name}.sarif`);
  const out = join(dir, `${name}.validation.sarif`);
  writeFileSync(input, content);
  const res = runMultitool(['validate', input, '--output', out, '--log', 'ForceOverwrite']);
  if (res.status !== 0 || !existsSync(out)) {
    throw new Error(`SARIF Multitool validate failed (exit ${res.status}) for ${name}:\n${res.output}`);
  }
  const log = JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log;
  const validationRun = log.runs[0]!;
  const toolErrors = (validationRun.invocations ?? []).flatMap((i) => (i.toolExecutionNotifications ?? []).filter((n) => n.level === 'error'));
  if (toolErrors.length > 0 || validationRun.invocations?.[0]?.executionSuccessful === false) {
    throw new Error(`SARIF Multitool did not complete for ${name}:\n${JSON.stringify(toolErrors, null, 2)}\n${res.output}`);
  }
  const rules = validationRun.tool.driver.rules ?? [];
  return (validationRun.results ?? []).map((r) => ({
    // A result without level takes its rule's default, and SARIF's default is warning.
    level: r.level ?? (r.ruleIndex !== undefined ? rules[r.ruleIndex]?.defaultConfiguration?.level : undefined) ?? 'warning',
    ruleId: r.ruleId ?? '?',
    text: res.output.split('\n').find((l) => l.includes(r.ruleId ?? '\u0000')) ?? JSON.stringify(r.message),
  }));
}

/** `rewrite` deserialises the log with the SARIF SDK; it fails if the log does not fit the object model. */
function roundTrip(name: string, content: string, results: number): void {
  const input = join(dir, `${name}.sarif`);
  const out = join(dir, `${name}.rewritten.sarif`);
  writeFileSync(input, content);
  const res = runMultitool(['rewrite', input, '--output', out, '--log', 'ForceOverwrite']);
  if (res.status !== 0) throw new Error(`SARIF SDK could not read ${name} (exit ${res.status}):\n${res.output.slice(0, 2000)}`);
  const rewritten = JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log;
  expect(rewritten.runs[0]!.results ?? []).toHaveLength(results);
}

function check(name: string, report: Report): void {
  const sarif = sarifReporter.render(report, { color: false });
  const issues = validate(name, sarif);
  const errors = issues.filter((i) => i.level === 'error');
  const warnings = issues.filter((i) => i.level === 'warning');
  expect(errors.map((e) => e.text), `SARIF Multitool errors in ${name}`).toEqual([]);
  expect(warnings.map((w) => w.text), `SARIF Multitool warnings in ${name}`).toEqual([]);
  roundTrip(name, sarif, report.findings.length);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'secreview-sarif-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SARIF Multitool validation', () => {
  it('the multitool runs and catches errors (so a clean result below means something)', () => {
    const sarif = JSON.parse(sarifReporter.render(fullReport(), { color: false })) as Sarif.Log;
    const run = sarif.runs[0]!;
    run.originalUriBaseIds!['%SRCROOT%']!.uri = 'file:///home/dev/shop'; // no trailing slash
    run.results![0]!.ruleIndex = 99;
    const issues = validate('broken', JSON.stringify(sarif, null, 2));
    const errorRules = issues.filter((i) => i.level === 'error').map((i) => i.ruleId);
    expect(errorRules).toContain('SARIF1004');
    expect(errorRules).toContain('SARIF1009');

    const badEnum = sarifReporter.render(fullReport(), { color: false }).replace('"kind": "fail"', '"kind": "failure"');
    expect(() => roundTrip('bad-enum', badEnum, 4)).toThrow(/could not read/);
  });

  it('validates a full report: several findings, a trace, a path with a space and non-ASCII characters, diagnostics', () => {
    check('full', fullReport());
  });

  it('validates an empty report', () => {
    check('empty', emptyReport());
  });

  it('validates awkward paths, a missing rule summary, a config error and a finding at a line start', () => {
    const odd = [
      finding(SHELL_RULE, 'weird dir/#1 ?.py', 1, 'os.system(cmd)', 'cmd', 'runs `cmd` through a shell.'),
      finding(SHELL_RULE, '/outside/root/tool.py', 3, 'cmd', 'cmd', 'runs `cmd`.'),
      { ...SHELL_FINDING, ruleId: 'python/unknown-to-report', location: { ...SHELL_FINDING.location, path: 'ü/ß.py' } },
      SQL_FINDING,
    ];
    check(
      'odd',
      makeReport({
        findings: odd,
        rules: [SHELL_RULE],
        root: '/srv/my projects/café',
        diagnostics: [...DIAGNOSTICS, { kind: 'config-error', level: 'error', path: '', message: 'bad setting' }],
      }),
    );
  });

  it('validates file names with backslashes, %, #, ?, spaces, control and non-ASCII characters', () => {
    const findings = AWKWARD_NAMES.map((name, i) => finding(SHELL_RULE, name, i + 1, 'os.system(cmd)', 'cmd', 'runs `cmd` through a shell.'));
    check('names', makeReport({ findings, rules: [SHELL_RULE], root: '/srv/my projects/café #1?' }));
  });

  it('validates a baseline comparison: new and unchanged results; absent entries counted in run properties', () => {
    const report = fullReport();
    report.findings.forEach((f, i) => (f.baselineState = i % 2 === 0 ? 'unchanged' : 'new'));
    report.baseline = { file: 'baseline.json', new: 2, unchanged: 2, absent: 2, absentKeys: [{ key: 'a'.repeat(32), count: 2 }] };
    const sarif = sarifReporter.render(report, { color: false });
    const run = (JSON.parse(sarif) as Sarif.Log).runs[0]!;
    const states = run.results!.map((r) => r.baselineState);
    expect(states.filter((s) => s === 'absent')).toHaveLength(0);
    expect(states.filter((s) => s === undefined)).toHaveLength(0);
    expect(run.properties!.secreview).toMatchObject({ baseline: { absent: 2, absentFingerprints: [{ fingerprint: 'a'.repeat(32), count: 2 }] } });
    const issues = validate('baseline', sarif).filter((i) => i.level === 'error' || i.level === 'warning');
    expect(issues.map((i) => i.text), 'SARIF Multitool errors or warnings in baseline').toEqual([]);
    roundTrip('baseline', sarif, report.findings.length);
  });
});
