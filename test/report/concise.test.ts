import { describe, expect, it } from 'vitest';
import { NO_DEFECTS_VERDICT } from '../../src/findings/types.js';
import { renderConcise } from '../../src/report/concise.js';
import { renderText } from '../../src/report/text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { emptyReport, expectGolden, finding, fullReport, makeReport, SHELL_FINDING, SHELL_RULE } from './helpers.js';

describe('concise reporter', () => {
  it('matches the golden report: one path:line:col line per finding, then diagnostics, then the count', () => {
    expectGolden('full.concise.golden', renderConcise(fullReport()));
  });

  it('gives each finding one clickable line, sorted by path and position', () => {
    const lines = renderConcise(fullReport()).trimEnd().split('\n');
    const findingLines = lines.filter((l) => /^\S.*:\d+:\d+: (critical|high|medium|low) /.test(l));
    expect(findingLines).toHaveLength(4);
    const keys = findingLines.map((l) => l.split(': ')[0]!);
    expect(keys).toEqual([...keys].sort());
    const shell = findingLines.find((l) => l.includes(SHELL_FINDING.ruleId))!;
    const { path, startLine, startColumn } = SHELL_FINDING.location;
    expect(shell.startsWith(`${path}:${startLine}:${startColumn}: ${SHELL_FINDING.severity} ${SHELL_FINDING.ruleId} CWE-${SHELL_FINDING.cwe[0]!.id} `)).toBe(true);
    expect(lines.at(-1)).toMatch(/^4 security defects found \(/);
  });

  it('keeps a message with newlines and control characters on one line', () => {
    const f = finding(SHELL_RULE, 'app/x.py', 3, 'os.system(cmd)', 'os.system(cmd)', 'first\nsecond \u001b[31mred');
    const out = renderConcise(makeReport({ findings: [f] }));
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('first second \\x1b[31mred');
  });

  it('ends with exactly the verdict when nothing is found', () => {
    expect(renderConcise(emptyReport())).toBe(`${NO_DEFECTS_VERDICT}\n`);
  });
});

describe('a run that could not do its job gives no verdict', () => {
  const missingPath = () =>
    makeReport({
      diagnostics: [{ kind: 'path-error', level: 'error', path: 'app/vews.py', message: 'cannot scan app/vews.py: no such file or directory' }],
      stats: { filesScanned: 0, filesDiscovered: 0 },
    });

  it('in text, concise and Markdown', () => {
    for (const out of [renderText(missingPath(), { color: false }), renderConcise(missingPath()), renderMarkdown(missingPath(), { color: false })]) {
      expect(out).not.toContain(NO_DEFECTS_VERDICT);
      expect(out).toContain('No verdict: the review did not complete (1 path to scan does not exist');
    }
  });

  it('also when other paths were scanned but a named one is missing', () => {
    const report = makeReport({ diagnostics: [{ kind: 'path-error', level: 'error', path: 'lib', message: 'cannot scan lib: no such file or directory' }] });
    expect(renderText(report, { color: false })).not.toContain(NO_DEFECTS_VERDICT);
  });

  it('when nothing readable was scanned', () => {
    const report = makeReport({ stats: { filesScanned: 0 } });
    expect(renderConcise(report)).toContain('no readable source file was scanned');
  });
});
