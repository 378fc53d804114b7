import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/findings/types.js';
import { COMMENT_LIMIT, renderMarkdown } from '../../src/report/markdown.js';
import { SHELL_RULE, finding, fullReport, makeReport } from './helpers.js';

/** `n` findings in distinct files, each a few hundred characters of Markdown. */
function manyFindings(n: number) {
  return Array.from({ length: n }, (_, i) =>
    finding(SHELL_RULE, `app/module_${String(i).padStart(4, '0')}.py`, 10 + i, `subprocess.call("ping " + host_${i}, shell=True)`, 'subprocess.call', `finding number ${i}`),
  );
}

describe('Markdown comment length', () => {
  it('leaves a report that fits untouched', () => {
    const out = renderMarkdown(fullReport(), { color: false });
    expect(out.length).toBeLessThan(COMMENT_LIMIT);
    expect(out).not.toContain('shortened to fit');
  });

  it('caps a long report at the limit: summary first, full findings, then one line per finding, all accounted for', () => {
    const n = 400;
    const report = makeReport({ findings: manyFindings(n) });
    const uncapped = renderMarkdown(report, { color: false, maxLength: Number.POSITIVE_INFINITY });
    expect(uncapped.length).toBeGreaterThan(COMMENT_LIMIT);

    const out = renderMarkdown(report, { color: false });
    expect(out.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(out.startsWith(`**secreview: ${n} security defects found**`)).toBe(true);
    expect(out.indexOf('| **Total** |')).toBeLessThan(out.indexOf('### 1. '));
    expect(out).toContain("shortened to fit GitHub's 65,536-character limit");
    const full = out.match(/^### \d+\. /gm)?.length ?? 0;
    const compact = out.match(/^\d+\. \*\*\w+\*\* `app\/module_\d+\.py:\d+`/gm)?.length ?? 0;
    const more = Number(out.match(/- … and (\d+) more findings?, not listed here/)?.[1] ?? 0);
    expect(full).toBeGreaterThan(10);
    expect(compact).toBeGreaterThan(0);
    expect(full + compact + more).toBe(n);
    expect(out).toContain(`<summary>${n - full} more findings, one line each</summary>`);
    // The footer with the scan figures survives.
    expect(out.trimEnd().endsWith('</sub>') || out.trimEnd().endsWith('</details>')).toBe(true);
    expect(out).toContain('secreview 0.1.0 scanned 5 files');
  });

  it('a tiny limit still lists what fits and counts the rest', () => {
    const report = makeReport({ findings: manyFindings(50) });
    const out = renderMarkdown(report, { color: false, maxLength: 4_000 });
    expect(out.length).toBeLessThanOrEqual(4_000);
    const full = out.match(/^### \d+\. /gm)?.length ?? 0;
    const compact = out.match(/^\d+\. \*\*\w+\*\* /gm)?.length ?? 0;
    const more = Number(out.match(/- … and (\d+) more findings?, not listed here/)?.[1] ?? 0);
    expect(full + compact + more).toBe(50);
  });

  it('shows at most 20 diagnostics in a shortened comment, and counts the others', () => {
    const diagnostics: Diagnostic[] = Array.from({ length: 3_000 }, (_, i) => ({
      kind: 'parse-error',
      level: 'warning',
      path: `vendor/generated_${i}.py`,
      line: 1,
      message: 'syntax error; lines 1-9 were not analysed',
    }));
    const out = renderMarkdown(makeReport({ findings: manyFindings(5), diagnostics }), { color: false });
    expect(out.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(out.match(/^- \*\*warning\*\* /gm)).toHaveLength(20);
    expect(out).toContain('- … and 2980 more diagnostics (see the JSON report)');
    expect(out.match(/^### \d+\. /gm)).toHaveLength(5);
  });
});
