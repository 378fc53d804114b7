import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { jsonReporter } from '../../src/report/json.js';
import { checkSchema } from './schema-check.js';
import { PASSWORD_FINDING, SQL_FINDING, emptyReport, expectGolden, fullReport, makeReport } from './helpers.js';

const schema = JSON.parse(readFileSync(new URL('../../src/report/json-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const doc = readFileSync(new URL('../../docs/json-format.md', import.meta.url), 'utf8');

const render = (r = fullReport()): string => jsonReporter.render(r, { color: false });

describe('json reporter', () => {
  it('matches the golden report', () => {
    expectGolden('full.json.golden', render());
  });

  it('writes schema version 1 as 2-space indented JSON with a trailing newline', () => {
    const out = render();
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "schemaVersion": 1,');
    const parsed = JSON.parse(out);
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.tool).toEqual({ name: 'secreview', version: '0.1.0' });
    expect(parsed.root).toBe('/home/dev/shop');
  });

  it('validates against src/report/json-schema.json', () => {
    for (const report of [fullReport(), emptyReport(), makeReport({ findings: [SQL_FINDING] })]) {
      expect(checkSchema(schema, JSON.parse(render(report)))).toEqual([]);
    }
  });

  it('the schema check is not vacuous: it rejects a missing key, a wrong type and an undocumented key', () => {
    const parsed = JSON.parse(render());
    delete parsed.findings[0].fingerprint;
    parsed.summary.lines = '1234';
    parsed.findings[1].statementLine = 3;
    parsed.findings[2].severity = 'severe';
    const errors = checkSchema(schema, parsed);
    expect(errors).toContain('$.findings[0]: missing required "fingerprint"');
    expect(errors).toContain('$.summary.lines: expected integer, got string');
    expect(errors).toContain('$.findings[1]: unexpected property "statementLine"');
    expect(errors.some((e) => e.startsWith('$.findings[2].severity:'))).toBe(true);
  });

  it('has a fixed key order', () => {
    const parsed = JSON.parse(render());
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'tool', 'root', 'summary', 'findings', 'diagnostics', 'rules']);
    expect(Object.keys(parsed.summary)).toEqual(['findings', 'bySeverity', 'byPillar', 'filesScanned', 'lines', 'durationMs', 'suppressed']);
    expect(Object.keys(parsed.summary.bySeverity)).toEqual(['critical', 'high', 'medium', 'low']);
    const traced = parsed.findings.find((f: { trace?: unknown }) => f.trace);
    expect(Object.keys(traced)).toEqual([
      'ruleId', 'title', 'cwe', 'pillar', 'severity', 'confidence', 'location', 'snippet', 'message', 'fix', 'fingerprint', 'origin', 'trace',
    ]);
    expect(Object.keys(traced.location)).toEqual(['path', 'startLine', 'startColumn', 'endLine', 'endColumn']);
    expect(Object.keys(parsed.diagnostics[0])).toEqual(['level', 'kind', 'path', 'line', 'message']);
    expect(Object.keys(parsed.diagnostics[1])).toEqual(['level', 'kind', 'path', 'message']);
  });

  it('gives the same bytes for the same report, whatever the order of its lists', () => {
    const report = fullReport();
    const shuffled = {
      ...report,
      findings: [report.findings[2]!, report.findings[0]!, report.findings[3]!, report.findings[1]!],
      diagnostics: [...report.diagnostics].reverse(),
      rules: [...report.rules].reverse(),
    };
    expect(render(shuffled)).toBe(render(report));
    expect(render(report)).toBe(render(report));
  });

  it('summarises counts and carries findings, traces, diagnostics and rule docs', () => {
    const parsed = JSON.parse(render());
    expect(parsed.summary).toEqual({
      findings: 4,
      bySeverity: { critical: 1, high: 1, medium: 1, low: 1 },
      byPillar: [
        { id: 284, name: 'Improper Access Control', findings: 2 },
        { id: 707, name: 'Improper Neutralization', findings: 2 },
      ],
      filesScanned: 5,
      lines: 1234,
      durationMs: 87,
      suppressed: 2,
    });
    const paths = parsed.findings.map((f: { location: { path: string } }) => f.location.path);
    expect(paths).toEqual([...paths].sort());
    const sql = parsed.findings.find((f: { ruleId: string }) => f.ruleId === SQL_FINDING.ruleId);
    expect(sql.trace.map((s: { kind: string }) => s.kind)).toEqual(['source', 'step', 'sink']);
    expect(sql.cwe).toEqual([{ id: 89, name: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')" }]);
    const password = parsed.findings.find((f: { ruleId: string }) => f.ruleId === PASSWORD_FINDING.ruleId);
    expect(password.cwe.map((c: { id: number }) => c.id)).toEqual([259, 798]);
    expect(password).not.toHaveProperty('trace');
    expect(parsed.rules.map((r: { id: string }) => r.id)).toEqual([
      'python/hardcoded-password',
      'python/requests-verify-disabled',
      'python/sql-string-formatting',
      'python/subprocess-shell-injection',
    ]);
    expect(parsed.diagnostics.map((d: { kind: string }) => d.kind)).toEqual(['parse-error', 'decode-error']);
  });

  it('leaves out fields that are not part of the documented format', () => {
    const scanResult = { ...fullReport(), configSource: '/home/dev/shop/.secreview.toml', failOn: 'high' };
    const parsed = JSON.parse(render(scanResult));
    expect(parsed).not.toHaveProperty('configSource');
    expect(parsed).not.toHaveProperty('stats');
    expect(parsed.findings[0]).not.toHaveProperty('statementLine');
    expect(checkSchema(schema, parsed)).toEqual([]);
  });

  it('is described in docs/json-format.md, every schema property included', () => {
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      if (props) for (const k of Object.keys(props)) names.add(k);
      for (const v of Object.values(node)) walk(v);
    };
    walk(schema);
    expect(names.size).toBeGreaterThan(30);
    const missing = [...names].filter((n) => !doc.includes(`\`${n}\``));
    expect(missing).toEqual([]);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('docs/json-format.md example', () => {
  it('is a valid report', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(checkSchema(schema, JSON.parse(example!))).toEqual([]);
  });
});
