import { describe, it, expect } from 'vitest';
import { NO_DEFECTS_VERDICT } from '../../src/findings/types.js';
import { renderText } from '../../src/report/text.js';
import { renderSourceLine } from '../../src/report/display.js';
import {
  ANSI,
  DIAGNOSTICS,
  PASSWORD_FINDING,
  SHELL_FINDING,
  SHELL_RULE,
  SQL_FINDING,
  TLS_FINDING,
  emptyReport,
  expectGolden,
  finding,
  fullReport,
  makeReport,
} from './helpers.js';

const plain = { color: false } as const;

/** The line holding `needle`, and the one after it. */
function lineAndNext(out: string, needle: string): [string, string] {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  expect(i, `no line contains ${needle}`).toBeGreaterThanOrEqual(0);
  return [lines[i]!, lines[i + 1] ?? ''];
}

describe('text reporter', () => {
  it('matches the golden report', () => {
    expectGolden('full.txt.golden', renderText(fullReport(), plain));
    expectGolden('empty.txt.golden', renderText(emptyReport(), plain));
  });

  it('starts with a header naming the version, files and lines', () => {
    const first = renderText(fullReport(), plain).split('\n')[0]!;
    expect(first).toContain('secreview 0.1.0');
    expect(first).toContain('5 files scanned');
    expect(first).toContain('1,234 lines');
  });

  it('numbers findings most severe first, then by path and line', () => {
    const out = renderText(fullReport(), plain);
    const headings = out.split('\n').filter((l) => /^\d+\. CWE-/.test(l));
    expect(headings.map((h) => h.replace(/ \(.*/, ''))).toEqual(['1. CWE-89', '2. CWE-78', '3. CWE-295', '4. CWE-259']);
    expect(headings[0]).toContain('[critical severity · high confidence]');
    expect(headings[1]).toBe(
      "2. CWE-78 (Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection'))  [high severity · high confidence]",
    );

    // Same severity: path order decides, whatever order the report had.
    const a = { ...TLS_FINDING, location: { ...TLS_FINDING.location, path: 'b.py' } };
    const b = { ...TLS_FINDING, location: { ...TLS_FINDING.location, path: 'a.py' } };
    const twice = renderText(makeReport({ findings: [a, b] }), plain);
    expect(twice.indexOf('Location: a.py:8:41')).toBeLessThan(twice.indexOf('Location: b.py:8:41'));
  });

  it('shows rule, pillar, path:line:col, the code line and a caret under the flagged range', () => {
    const out = renderText(fullReport(), plain);
    expect(out).toContain('   Rule:     python/subprocess-shell-injection — Command built from data run through a shell\n');
    expect(out).toContain('   Pillar:   CWE-707 Improper Neutralization\n');
    expect(out).toContain('   Location: app/views.py:42:21\n');

    const [code, carets] = lineAndNext(out, '42 |');
    expect(code).toBe('       42 |     subprocess.call("ping -c 1 " + host, shell=True)');
    expect(carets).toBe('          |                     ^^^^^^^^^^^^^^^^^^^');
    // The caret starts exactly under the first flagged character and spans the flagged text.
    expect(carets.indexOf('^')).toBe(code.indexOf('"ping'));
    expect(carets.trim().replace('|', '').trim()).toHaveLength('"ping -c 1 " + host'.length);

    const [tlsCode, tlsCarets] = lineAndNext(out, ' 8 |');
    expect(tlsCarets.indexOf('^')).toBe(tlsCode.indexOf('verify=False'));
  });

  it('shows description, why, solution with before/after, and extra CWEs', () => {
    const out = renderText(fullReport(), plain);
    expect(out).toContain(
      '   Description: `subprocess.call` runs `"ping -c 1 " + host` through a shell, and that command is built at run time. ' +
        SHELL_RULE.description,
    );
    expect(out).toContain(`   Why it matters: ${SHELL_RULE.whyItMatters}\n`);
    expect(out).toContain(`   Solution: ${SHELL_RULE.fix.guidance}\n`);
    expect(out).toContain(`             Before: ${SHELL_RULE.fix.before}\n`);
    expect(out).toContain(`             After:  ${SHELL_RULE.fix.after}\n`);
    // Multi-line "after" code stays aligned under its first line.
    expect(out).toContain('             After:  cursor.execute(\n                         "SELECT * FROM users WHERE name = %s",\n');
    expect(out).toContain('   Also:     CWE-798 (Use of Hard-coded Credentials)\n');
  });

  it('shows each line of a multi-line finding with its number and no carets', () => {
    const out = renderText(fullReport(), plain);
    const [first, second] = lineAndNext(out, '18 |');
    expect(first).toBe('       18 |         "SELECT * FROM users WHERE name = \'%s\'"');
    expect(second).toBe('       19 |         % name');
    expect(out.split('\n').find((l) => l.includes('19 |'))).toBeDefined();
    const sqlBlock = out.slice(out.indexOf('1. CWE-89'), out.indexOf('2. CWE-78'));
    expect(sqlBlock).not.toContain('^');
  });

  it('lists the data flow of a traced finding, source first', () => {
    const out = renderText(fullReport(), plain);
    expect(out).toContain('   Data flow:\n');
    expect(out).toContain('     1. source  app/données client/requêtes.py:11:12  request.args.get("name")  — query-string parameter\n');
    expect(out).toContain('     3. sink    app/données client/requêtes.py:18:9   "SELECT');
    const shellBlock = out.slice(out.indexOf('2. CWE-78'), out.indexOf('3. CWE-295'));
    expect(shellBlock).not.toContain('Data flow');
  });

  it('summarises counts by severity and pillar, and lists diagnostics errors first', () => {
    const out = renderText(fullReport(), plain);
    expect(out).toContain('   Findings:  4 (1 critical, 1 high, 1 medium, 1 low)\n');
    expect(out).toContain('   By pillar: CWE-284 Improper Access Control: 2 · CWE-707 Improper Neutralization: 2\n');
    expect(out).toContain('2 suppressed by comments');
    const errorsAt = out.indexOf('legacy/latin1.py: decode-error: not valid UTF-8 and no coding declaration');
    const warningsAt = out.indexOf('app/broken.py:3: parse-error: syntax error; lines 3-5 were not analysed');
    expect(errorsAt).toBeGreaterThan(0);
    expect(warningsAt).toBeGreaterThan(errorsAt);
    expect(out.trimEnd().split('\n').at(-1)).toBe('4 security defects found (1 critical, 1 high, 1 medium, 1 low)');
    expect(out).not.toContain(NO_DEFECTS_VERDICT);
  });

  it('prints exactly the verdict line for an empty report', () => {
    const out = renderText(emptyReport(), plain);
    const lines = out.split('\n');
    expect(lines).toContain(NO_DEFECTS_VERDICT);
    expect(out.endsWith(`\n${NO_DEFECTS_VERDICT}\n`)).toBe(true);
    expect(out).not.toContain('Summary');
    expect(out).not.toContain('Note:');
    // Colour never decorates the verdict line.
    expect(renderText(emptyReport(), { color: true }).split('\n')).toContain(NO_DEFECTS_VERDICT);
  });

  it('keeps the exact verdict line and adds a note when files could not be fully analysed', () => {
    const out = renderText(makeReport({ diagnostics: DIAGNOSTICS }), plain);
    expect(out.split('\n')).toContain(NO_DEFECTS_VERDICT);
    expect(out.trimEnd().split('\n').at(-1)).toBe(NO_DEFECTS_VERDICT);
    expect(out).toContain('Note: 2 files could not be fully analysed');

    // A warning about an unused suppression does not mean a file was not analysed.
    const unused = renderText(
      makeReport({ diagnostics: [{ kind: 'unused-suppression', level: 'warning', path: 'a.py', line: 4, message: 'nothing to suppress' }] }),
      plain,
    );
    expect(unused).toContain('a.py:4: unused-suppression: nothing to suppress');
    expect(unused).not.toContain('could not be fully analysed');
    expect(unused.split('\n')).toContain(NO_DEFECTS_VERDICT);
  });

  it('contains no escape codes without colour, and colours severity with it', () => {
    expect(renderText(fullReport(), plain)).not.toMatch(ANSI);
    expect(renderText(fullReport(), { color: false, verbose: true })).not.toMatch(ANSI);
    const colored = renderText(fullReport(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\u001b[31m[high severity · high confidence]');
  });

  it('neutralises control and bidi characters from the scanned code', () => {
    const hostile = finding(
      SHELL_RULE,
      'evil\u001b[2J.py',
      5,
      'os.system("x\u001b[2J\u202e" + cmd)',
      'cmd',
      'runs `cmd` \u001b]0;owned\u0007 through a shell.',
    );
    const out = renderText(makeReport({ findings: [hostile] }), plain);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('Location: evil\\x1b[2J.py:5:');
    expect(out).toContain('runs `cmd` \\x1b]0;owned\\x07 through a shell.');
    const [code, carets] = lineAndNext(out, ' 5 |');
    expect(code).toContain('os.system("x\\x1b[2J\\u202e" + cmd)');
    expect(carets.indexOf('^')).toBe(code.lastIndexOf('cmd'));
  });

  it('aligns carets after tabs and wide characters', () => {
    const f = finding(SHELL_RULE, 'w.py', 1, '\tx = "日本" + cmd', 'cmd', 'wide');
    const out = renderText(makeReport({ findings: [f] }), plain);
    const [code, carets] = lineAndNext(out, ' 1 |');
    expect(code).toBe('       1 |     x = "日本" + cmd');
    // 4 (tab) + 5 ('x = "') + 4 (two wide characters) + 4 ('" + ') = 17 display columns before `cmd`.
    expect(carets).toBe(`         | ${' '.repeat(17)}^^^`);

    // An emoji is two UTF-16 code units (the column unit) and two terminal cells.
    const emoji = finding(SHELL_RULE, 'e.py', 2, 's = "🔥" + cmd', 'cmd', 'emoji');
    expect(emoji.location.startColumn).toBe(12);
    const [, emojiCarets] = lineAndNext(renderText(makeReport({ findings: [emoji] }), plain), ' 2 |');
    expect(emojiCarets).toBe(`         | ${' '.repeat(11)}^^^`);
  });

  it('cuts very long lines to a window that keeps the flagged code under its carets', () => {
    const long = `x = ${'a'.repeat(300)} + cmd + ${'b'.repeat(300)}`;
    const rendered = renderSourceLine(long, { start: long.indexOf('cmd'), end: long.indexOf('cmd') + 3 });
    expect(rendered.text.startsWith('…')).toBe(true);
    expect(rendered.text.endsWith('…')).toBe(true);
    expect(rendered.text.length).toBeLessThanOrEqual(162);
    expect(rendered.text.slice(rendered.carets.indexOf('^'), rendered.carets.indexOf('^') + 3)).toBe('cmd');
    expect(rendered.carets.trim()).toBe('^^^');
  });

  it('adds references and fingerprints when verbose', () => {
    const out = renderText(makeReport({ findings: [SHELL_FINDING] }), { color: false, verbose: true });
    expect(out).toContain(`   Fingerprint: ${SHELL_FINDING.fingerprint}\n`);
    expect(out).toContain('     https://docs.python.org/3/library/subprocess.html#security-considerations\n');
    expect(out.split('\n')[0]).toContain('root /home/dev/shop');
  });

  it('is deterministic and does not depend on the input order', () => {
    const report = fullReport();
    const reversed = { ...report, findings: [...report.findings].reverse(), diagnostics: [...report.diagnostics].reverse() };
    expect(renderText(reversed, plain)).toBe(renderText(report, plain));
    expect(renderText(makeReport({ findings: [SQL_FINDING] }), plain)).toBe(renderText(makeReport({ findings: [SQL_FINDING] }), plain));
  });
});
