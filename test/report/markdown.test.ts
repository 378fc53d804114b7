import { describe, it, expect } from 'vitest';
import { NO_DEFECTS_VERDICT } from '../../src/findings/types.js';
import { codeBlock, escapeMarkdown, inlineCode, inlineMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { DIAGNOSTICS, SHELL_FINDING, SHELL_RULE, emptyReport, expectGolden, finding, fullReport, makeReport } from './helpers.js';

const opts = { color: false } as const;

describe('markdown reporter', () => {
  it('matches the golden report', () => {
    expectGolden('full.md.golden', renderMarkdown(fullReport(), opts));
    expectGolden('empty.md.golden', renderMarkdown(emptyReport(), opts));
  });

  it('opens with the verdict and a pillar × severity table', () => {
    const out = renderMarkdown(fullReport(), opts);
    const lines = out.split('\n');
    expect(lines[0]).toBe('**secreview: 4 security defects found**');
    expect(lines.slice(2, 7)).toEqual([
      '| Pillar | Critical | High | Medium | Low | Total |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      '| CWE-284 Improper Access Control | 0 | 0 | 1 | 1 | 2 |',
      '| CWE-707 Improper Neutralization | 1 | 1 | 0 | 0 | 2 |',
      '| **Total** | 1 | 1 | 1 | 1 | 4 |',
    ]);
    expect(renderMarkdown(makeReport({ findings: [SHELL_FINDING] }), opts).split('\n')[0]).toBe('**secreview: 1 security defect found**');
  });

  it('writes each finding with heading, location, python code, description, why, fix with before/after', () => {
    const out = renderMarkdown(fullReport(), opts);
    const headings = out.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### 1. CWE-89 — SQL query built by string formatting',
      '### 2. CWE-78 — Command built from data run through a shell',
      '### 3. CWE-295 — TLS certificate verification disabled',
      '### 4. CWE-259 — Password written in the source',
    ]);
    expect(out).toContain('**Location:** `app/views.py:42`');
    expect(out).toContain('```python\n    subprocess.call("ping -c 1 " + host, shell=True)\n```');
    expect(out).toContain('**Description:** `subprocess.call` runs `"ping -c 1 " + host` through a shell');
    expect(out).toContain(`**Why it matters:** ${SHELL_RULE.whyItMatters}`);
    expect(out).toContain('Before:\n\n```python\nsubprocess.call("ping -c 1 " + host, shell=True)\n```');
    expect(out).toContain('After:\n\n```python\nsubprocess.call(["ping", "-c", "1", host])\n```');
    expect(out).toContain('[CWE-78](https://cwe.mitre.org/data/definitions/78.html)');
  });

  it('collapses the data flow of a traced finding', () => {
    const out = renderMarkdown(fullReport(), opts);
    expect(out).toContain('<details><summary>Data flow (3 steps)</summary>\n\n1. **source** `app/données client/requêtes.py:11:12` `request.args.get("name")` — query-string parameter\n');
    expect(out.match(/<details><summary>Data flow/g)).toHaveLength(1);
  });

  it('prints the exact verdict sentence when nothing was found', () => {
    const out = renderMarkdown(emptyReport(), opts);
    expect(out.split('\n')[0]).toBe(NO_DEFECTS_VERDICT);
    expect(out).not.toContain('|');
    const withErrors = renderMarkdown(makeReport({ diagnostics: DIAGNOSTICS }), opts);
    expect(withErrors.split('\n')).toContain(NO_DEFECTS_VERDICT);
    expect(withErrors).toContain('2 files could not be fully analysed');
    expect(withErrors).toContain('<details><summary>Diagnostics (2)</summary>');
  });

  it('escapes | and <script> in messages, and cannot be broken out of', () => {
    const hostile = finding(
      SHELL_RULE,
      'x|y<b>.py',
      7,
      'os.system("```" + cmd)  # </details> <script>',
      'cmd',
      'Command | table breaker <script>alert(1)</script> pings @octocat about #12 with **bold** and [a](javascript:x).',
    );
    const out = renderMarkdown(makeReport({ findings: [hostile] }), opts);
    const description = out.split('\n').find((l) => l.startsWith('**Description:**'))!;
    expect(description).toContain('Command \\| table breaker &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(description).not.toContain('<script>');
    expect(description).toContain('@&#8203;octocat');
    expect(description).toContain('#&#8203;12');
    expect(description).toContain('\\*\\*bold\\*\\*');
    expect(description).toContain('\\[a\\](javascript:x)');
    // The code fence is longer than the backtick run inside the code.
    expect(out).toContain('````python\nos.system("```" + cmd)  # </details> <script>\n````');
    expect(out).toContain('**Location:** `x|y<b>.py:7`');
    // No raw HTML from the input outside code.
    const outsideCode = out.replace(/(`{3,})python\n[\s\S]*?\n\1/g, '').replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/<script|<\/details> <script|<b>/);
  });

  it('escapes table cells and inline text helpers', () => {
    expect(escapeMarkdown('a|b<c>&d')).toBe('a\\|b&lt;c&gt;&amp;d');
    expect(escapeMarkdown('line1\nline2')).toBe('line1 line2');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineMarkdown('call `f(<x>)` now <b>')).toBe('call `f(<x>)` now &lt;b&gt;');
    expect(inlineMarkdown('odd ` count')).toBe('odd \\` count');
    expect(codeBlock('a\n```\nb', 'python')).toBe('````python\na\n```\nb\n````');
    expect(escapeMarkdown('bidi \u202e and \u001b[31m')).toBe('bidi \\\\u202e and \\\\x1b\\[31m');
  });

  it('is deterministic', () => {
    const report = fullReport();
    const shuffled = { ...report, findings: [...report.findings].reverse() };
    expect(renderMarkdown(shuffled, opts)).toBe(renderMarkdown(report, opts));
  });
});
