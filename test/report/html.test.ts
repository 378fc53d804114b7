import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/findings/types.js';
import { NO_DEFECTS_VERDICT } from '../../src/findings/types.js';
import { htmlReporter, loadReportSources, referencedPaths, renderHtml, safeJson } from '../../src/report/html.js';
import { getReporter } from '../../src/report/index.js';
import { tempTree } from '../support/tmp.js';
import { SHELL_FINDING, SHELL_RULE, SQL_FINDING, SQL_PATH, emptyReport, fullReport, makeReport } from './helpers.js';

const JSON_OPEN = '<script type="application/json" id="secreview-data">';

/** The document split into: the JSON block's content, and everything else. */
function split(html: string): { json: string; rest: string } {
  const start = html.indexOf(JSON_OPEN);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('</script>', start);
  return { json: html.slice(start + JSON_OPEN.length, end), rest: html.slice(0, start) + html.slice(end) };
}

/** The markup alone: no JSON block, no style or script bodies (which hold `<` of their own). */
function markup(html: string): string {
  return split(html).rest.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/<script>[\s\S]*?<\/script>/, '<script></script>');
}

/** Every start tag in the markup (escaped text holds no `<`). */
function startTags(html: string): string[] {
  return [...markup(html).matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
}

/**
 * The attribute names of a start tag. Every value the reporter writes is double-quoted with `"`
 * escaped inside, so dropping the quoted values leaves only names; anything else is a failure.
 */
function attributeNames(tag: string): string[] {
  const inner = tag.slice(1, -1).replace(/"[^"]*"/g, '');
  expect(inner, `unquoted attribute value in ${tag}`).not.toMatch(/[<'`]|=[^\s]/);
  return inner.split(/\s+/).slice(1).filter(Boolean).map((a) => a.replace(/=$/, '').toLowerCase());
}

/** The values of one attribute across the markup. */
function attributeValues(html: string, name: string): string[] {
  return startTags(html).flatMap((t) => [...t.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]!));
}

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  expect(m, 'CSP meta tag').not.toBeNull();
  return m![1]!;
}

function b64sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

const HOSTILE = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<!-- <script>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  'javascript:alert(document.domain)',
  '{{7*7}} ${7*7} <%= 7*7 %>',
  'line\u2028separator\u2029paragraph',
  '&lt;already-escaped&gt; &amp;',
  '\u202eevil\u2066',
];
const HOSTILE_TEXT = HOSTILE.join(' | ');
const HOSTILE_PATH = 'we"ird<dir>/app"<img src=x onerror=alert(2)>.py';

/** A report whose every free-text field (code, paths, messages, rule docs, "LLM" text) is hostile. */
function hostileReport(): Report {
  const base: Finding = {
    ...SHELL_FINDING,
    title: HOSTILE_TEXT,
    message: `\`${HOSTILE[0]}\` ${HOSTILE_TEXT}`,
    snippet: `x = "${HOSTILE_TEXT}"`,
    fix: HOSTILE_TEXT,
    pillar: { id: 707, name: HOSTILE[1]! },
    cwe: [{ id: 78, name: HOSTILE[0]! }],
    location: { path: HOSTILE_PATH, startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 },
    trace: [
      { kind: 'source', location: { path: HOSTILE_PATH, startLine: 1, startColumn: 1, endLine: 1, endColumn: 4 }, expression: HOSTILE[1]!, note: HOSTILE_TEXT },
      { kind: 'sink', location: { path: HOSTILE_PATH, startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 }, expression: HOSTILE[0]!, note: HOSTILE[6]! },
    ],
  };
  // Later stages may add fields the Report type does not know yet (LLM origin, baseline state).
  const llm = { ...base, origin: 'llm-verified', baseline: HOSTILE[3], llmNote: HOSTILE_TEXT, fingerprint: 'ffff', message: `LLM says: ${HOSTILE_TEXT}` } as unknown as Finding;
  const report = makeReport({
    root: `/home/${HOSTILE[0]}`,
    findings: [base, llm],
    rules: [{ ...SHELL_RULE, title: HOSTILE_TEXT, description: HOSTILE_TEXT, whyItMatters: HOSTILE_TEXT, fix: { guidance: HOSTILE_TEXT, before: HOSTILE_TEXT, after: HOSTILE_TEXT }, references: ['javascript:alert(1)', HOSTILE[1]!] }],
    diagnostics: [{ kind: 'parse-error', level: 'error', path: HOSTILE_PATH, line: 2, message: HOSTILE_TEXT }],
  });
  return Object.assign(report, {
    baseline: { file: HOSTILE[1], new: 1, unchanged: 1, absent: 0, absentKeys: [] },
    change: { base: HOSTILE[0], head: HOSTILE[3], files: [], notShown: 0 },
  });
}

const HOSTILE_SOURCE = `a = 1\n# ${HOSTILE_TEXT}\n    ${HOSTILE[0]}\n`;

/** Tags the reporter itself writes; anything else outside the JSON block would be injected markup. */
const OWN_TAGS = new Set(
  'html head meta title link style body header main footer section div span h1 h2 p figure figcaption svg g title rect text label input select option button details summary table thead tbody tr th td noscript script'.split(' '),
);

describe('html reporter', () => {
  it('is registered as html with the .html extension', () => {
    expect(getReporter('html')).toBe(htmlReporter);
    expect(htmlReporter.extension).toBe('.html');
  });

  it('states exactly the verdict when there are no findings, and totals otherwise', () => {
    const empty = renderHtml(emptyReport(), { color: false });
    expect(empty).toContain(`<h1 id="verdict">${NO_DEFECTS_VERDICT}</h1>`);
    expect(empty).toContain(`<title>secreview: ${NO_DEFECTS_VERDICT}</title>`);
    expect(empty).not.toContain('id="findings"');

    const full = renderHtml(fullReport(), { color: false });
    expect(full).toContain('<h1 id="verdict">4 security defects found</h1>');
    expect(full).not.toContain(NO_DEFECTS_VERDICT);
    // Severity tiles: one of each in the full report.
    for (const s of ['Critical', 'High', 'Medium', 'Low']) expect(full).toMatch(new RegExp(`<span class="tile-n">1</span><span class="tile-l">${s}</span>`));
    expect(full).toContain('Not shown: 2 suppressed by comments.');
    // The pillar chart has one bar per pillar, the severity chart one per severity.
    expect(full.match(/<g class="bar" data-pillar=/g)?.length).toBe(new Set(fullReport().findings.map((f) => f.pillar.id)).size);
    expect(full.match(/<g class="bar" data-severity=/g)?.length).toBe(4);
  });

  it('pins its one style block and one script with hashes: no unsafe-inline, no other sources', () => {
    for (const report of [fullReport(), emptyReport(), hostileReport()]) {
      const html = renderHtml(report, { color: false });
      const csp = cspOf(html);
      expect(csp).not.toMatch(/unsafe-|\*|https?:|nonce-/);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("require-trusted-types-for 'script'");

      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(styles).toHaveLength(1);
      expect(scripts).toHaveLength(1);
      expect(html.match(/<script\b/g)).toHaveLength(2); // the executable one and the JSON block
      expect(csp).toContain(`style-src 'sha256-${b64sha256(styles[0]!)}'`);
      expect(csp).toContain(`script-src 'sha256-${b64sha256(scripts[0]!)}'`);

      // Nothing that would need 'unsafe-inline' or load anything: no style or event-handler
      // attributes, no src, and the only hrefs are the empty data: favicon.
      const tags = startTags(html);
      expect(tags.length).toBeGreaterThan(10);
      for (const tag of tags) {
        for (const name of attributeNames(tag)) expect(name, tag).not.toMatch(/^(style|on.*|src|srcdoc|action|formaction|xlink:href)$/);
      }
      expect(attributeValues(html, 'href')).toEqual(['data:,']);
    }
  });

  it('the inline script cannot end its own block and uses no HTML string sinks', () => {
    const html = renderHtml(fullReport(), { color: false });
    const script = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)][0]![1]!;
    expect(script).not.toMatch(/<\/script|<!--|<script/i);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });

  it('keeps hostile text inside the JSON block, which cannot be broken out of', () => {
    const report = hostileReport();
    const html = renderHtml(report, { color: false, sources: { [HOSTILE_PATH]: HOSTILE_SOURCE } });
    const { json, rest } = split(html);

    // The block holds no character the HTML parser could act on, and round-trips exactly.
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    const data = JSON.parse(json);
    expect(data.findings.map((f: { message: string }) => f.message).sort()).toEqual(report.findings.map((f) => f.message).sort());
    expect(data.sources[HOSTILE_PATH]).toBe(HOSTILE_SOURCE);
    const llm = data.findings.find((f: { origin: string }) => f.origin === 'llm-verified');
    expect(llm).toMatchObject({ baseline: HOSTILE[3], llmNote: HOSTILE_TEXT });

    // Outside it, every tag is one the reporter writes, and no hostile string appears raw.
    const names = new Set([...markup(html).matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    for (const t of names) expect(OWN_TAGS.has(t), `unexpected <${t}>`).toBe(true);
    expect(markup(html)).not.toMatch(/<img|<svg onload|<!--/i);
    for (const tag of startTags(html)) for (const name of attributeNames(tag)) expect(name, tag).not.toMatch(/^(on.*|style|src)$/);
    expect(attributeValues(html, 'href')).toEqual(['data:,']);
    for (const ch of ['\u2028', '\u2029', '\u202e', '\u2066']) expect(rest.includes(ch), `raw U+${ch.charCodeAt(0).toString(16)}`).toBe(false);
    // The static parts show the hostile text escaped: the root, the pillar name, the diagnostics.
    expect(rest).toContain('/home/&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rest).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(rest).toContain('we&quot;ird&lt;dir&gt;/app&quot;&lt;img src=x onerror=alert(2)&gt;.py:2');
    expect(rest).toContain('Baseline &lt;img src=x onerror=alert(1)&gt;: 1 new, 1 unchanged');
    expect(rest).toContain('Change reviewed: &quot;&gt;&lt;svg onload=alert(1)&gt; against &lt;/script&gt;');
    expect(rest).toContain('\\u2028');
    expect(rest).toContain('{{7*7}} ${7*7}');
  });

  it('safeJson escapes every character that matters to HTML and stays valid JSON', () => {
    const value = { s: '</script><!--&\u2028\u2029>', k: { '</script>': 1 } };
    const out = safeJson(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });

  it('is deterministic: the same report and sources give the same bytes', () => {
    const sources = { 'app/views.py': 'import os\n', [SQL_PATH]: 'x = 1\r\ny = 2\r\n' };
    const reversed = Object.fromEntries(Object.entries(sources).reverse());
    const a = renderHtml(fullReport(), { color: false, sources });
    expect(renderHtml(fullReport(), { color: false, sources })).toBe(a);
    expect(renderHtml(fullReport(), { color: true, sources: reversed })).toBe(a);
    // Findings in another order give the same page too.
    const shuffled = { ...fullReport(), findings: [...fullReport().findings].reverse() };
    expect(renderHtml(shuffled, { color: false, sources })).toBe(a);
    expect(a.endsWith('</html>\n')).toBe(true);
  });

  it('embeds only the sources that findings and traces refer to, and tolerates odd keys', () => {
    const sources: Record<string, string> = Object.create(null);
    sources['app/views.py'] = 'import subprocess\n';
    sources['unrelated.py'] = 'SECRET = "do not embed me"\n';
    sources['__proto__'] = 'x';
    const html = renderHtml(fullReport(), { color: false, sources });
    const data = JSON.parse(split(html).json);
    expect(Object.keys(data.sources)).toEqual(['app/views.py']);
    expect(html).not.toContain('do not embed me');
    expect(referencedPaths(fullReport())).toEqual(['app/clients/payments.py', SQL_PATH, 'app/views.py', 'settings.py']);
  });

  it('copes with findings missing optional fields or carrying unknown values', () => {
    const odd = {
      ruleId: 'x/odd',
      severity: 'catastrophic',
      confidence: undefined,
      location: { path: 'odd.py', startLine: 'one' },
      pillar: null,
      cwe: 'nope',
      trace: [null, { kind: 'teleport' }],
      baseline: { state: 'new' },
    } as unknown as Finding;
    const report = makeReport({ findings: [SQL_FINDING], rules: [] });
    report.findings.push(odd);
    const html = renderHtml(report, { color: false });
    expect(html).toContain('<h1 id="verdict">2 security defects found</h1>');
    expect(html).toContain('<select id="f-baseline">');
    expect(html).toContain('Catastrophic');
    const data = JSON.parse(split(html).json);
    const f = data.findings.find((x: { ruleId: string }) => x.ruleId === 'x/odd');
    expect(f).toMatchObject({ severity: 'catastrophic', confidence: 'unknown', line: 1, col: 1, cwe: [], pillar: { id: 0, name: '' }, baseline: 'new' });
    expect(f.trace).toHaveLength(2);
  });
});

describe('loadReportSources', () => {
  it('reads the referenced files under the root, skipping missing ones and paths that leave it', () => {
    const root = tempTree({ 'app/views.py': 'import os\r\n', 'settings.py': 'DB_PASSWORD = "hunter2"\n' });
    const outside = join(root, '..', `outside-${process.pid}.py`);
    mkdirSync(join(root, 'adir.py'));
    writeFileSync(outside, 'print("outside")\n');
    const report: Report = {
      ...fullReport(),
      root,
      findings: [
        ...fullReport().findings,
        { ...SHELL_FINDING, location: { ...SHELL_FINDING.location, path: `../outside-${process.pid}.py` } },
        { ...SHELL_FINDING, location: { ...SHELL_FINDING.location, path: 'adir.py' } },
      ],
    };
    const sources = loadReportSources(report);
    expect(Object.keys(sources).sort()).toEqual(['app/views.py', 'settings.py']);
    expect(sources['app/views.py']).toBe('import os\r\n');
  });

  it('uses standard input for the stdin file name instead of reading the disk', () => {
    const root = tempTree({ 'app/views.py': 'on disk\n' });
    const sources = loadReportSources({ ...fullReport(), root }, { filename: 'app/views.py', text: 'from stdin\n' });
    expect(sources['app/views.py']).toBe('from stdin\n');
  });
});
