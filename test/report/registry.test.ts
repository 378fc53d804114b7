import { describe, it, expect } from 'vitest';
import { getReporter, reporterNames, reporters } from '../../src/report/index.js';
import type { Report } from '../../src/findings/types.js';
import { ANSI, emptyReport, fullReport } from './helpers.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('reporter registry', () => {
  it('offers every format, text first', () => {
    expect(reporterNames).toEqual(['text', 'concise', 'json', 'sarif', 'markdown', 'html', 'github-review', 'gerrit']);
    for (const name of reporterNames) {
      const reporter = getReporter(name);
      expect(reporter?.name).toBe(name);
      expect(reporter).toBe(reporters[name as keyof typeof reporters]);
    }
    expect(reporters.json.extension).toBe('.json');
    expect(reporters.sarif.extension).toBe('.sarif');
    expect(reporters.markdown.extension).toBe('.md');
    expect(reporters.text.extension).toBe('.txt');
    expect(reporters['github-review'].extension).toBe('.json');
    expect(reporters.gerrit.extension).toBe('.json');
  });

  it('returns undefined for unknown names, including inherited object keys', () => {
    for (const name of ['pdf', '', 'toString', '__proto__', 'constructor', 'TEXT']) expect(getReporter(name)).toBeUndefined();
  });

  it('every reporter ends with a newline, does not touch the report, and is deterministic', () => {
    for (const report of [fullReport(), emptyReport()]) {
      const frozen: Report = deepFreeze(structuredClone(report));
      for (const name of reporterNames) {
        const reporter = getReporter(name)!;
        const first = reporter.render(frozen, { color: false });
        expect(first.endsWith('\n'), name).toBe(true);
        expect(first.endsWith('\n\n'), name).toBe(false);
        expect(first, name).not.toMatch(ANSI);
        expect(reporter.render(frozen, { color: false }), name).toBe(first);
        expect(frozen).toEqual(report);
      }
    }
  });

  it('colour only affects the text reporter', () => {
    for (const name of ['json', 'sarif', 'markdown', 'github-review', 'gerrit']) {
      const reporter = getReporter(name)!;
      expect(reporter.render(fullReport(), { color: true }), name).toBe(reporter.render(fullReport(), { color: false }));
    }
  });
});
