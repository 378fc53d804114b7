/**
 * The HTML report in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
 * playwright-core. Chromium missing is a failure with instructions, never a skip.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import type { Finding, Report } from '../../src/findings/types.js';
import { loadReportSources, renderHtml } from '../../src/report/html.js';
import { SHELL_FINDING, makeReport } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(REPO, 'test-output', 'html-report');
const HOSTILE_FIXTURE = fileURLToPath(new URL('../fixtures/report/hostile/app.py', import.meta.url));

const MISSING =
  `Chromium is not installed (${CHROMIUM} is missing), so the HTML report cannot be tested in a browser. ` +
  'Install it with: apt-get update && apt-get install -y chromium   (.ci/run does this on a fresh machine)';

let context: BrowserContext | undefined;
let userDataDir = '';

/** The browser, or a failure (never a skip) naming what to install. */
function browser(): BrowserContext {
  if (!context) throw new Error(existsSync(CHROMIUM) ? 'Chromium did not start (see the beforeAll error)' : MISSING);
  return context;
}

beforeAll(async () => {
  // Each test fails with MISSING instead: a throw here would make vitest report the tests as skipped.
  if (!existsSync(CHROMIUM)) return;
  mkdirSync(OUT, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'secreview-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  url: string;
  requests: string[];
  dialogs: string[];
  errors: string[];
  console: ConsoleMessage[];
}

/** Opens a report file with every channel a stray script or load could show up on watched. */
async function open(file: string): Promise<Watched> {
  const page = await browser().newPage();
  const url = pathToFileURL(file).href;
  const w: Watched = { page, url, requests: [], dialogs: [], errors: [], console: [] };
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => w.console.push(m));
  // Runs through DevTools before the page's own script (CSP does not apply to it).
  await page.addInitScript(
    'window.__violations = []; document.addEventListener("securitypolicyviolation", function (e) { window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || "")); });',
  );
  await page.goto(url);
  await page.waitForSelector('body[data-state=ready]', { timeout: 20_000 });
  return w;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__violations');
}

function expectOnlyTheFileWasRequested(w: Watched): void {
  expect(w.requests.filter((u) => u !== w.url && !u.startsWith('data:'))).toEqual([]);
  expect(w.requests).toContain(w.url);
}

function dataOf(html: string): { findings: (Finding & { n: number; path: string; line: number; col: number; trace: { path: string; line: number; col: number; expression: string }[] })[] } {
  const m = /<script type="application\/json" id="secreview-data">([^<]*)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

async function visibleRows(page: Page): Promise<{ severity: string; pillar: string; where: string; rule: string }[]> {
  const rows = page.locator('#list .finding');
  const out: { severity: string; pillar: string; where: string; rule: string }[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push({
      severity: (await row.locator('.badge').innerText()).toLowerCase(),
      pillar: await row.locator('.c-pillar').innerText(),
      where: await row.locator('.where').innerText(),
      rule: await row.locator('.c-rule').innerText(),
    });
  }
  return out;
}

describe('HTML report in headless Chromium', () => {
  it('shows the examples: filters, sorting, data-flow steps linked to code, nothing fetched', async () => {
    browser();
    const report = await scan({ paths: ['examples'], cwd: REPO, config: false, severity: 'low', confidence: 'low' });
    const sources = loadReportSources(report);
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    const html = renderHtml(report, { color: false, sources });
    const file = join(OUT, 'examples.html');
    writeFileSync(file, html);
    const w = await open(file);
    const { page } = w;

    const total = report.findings.length;
    expect(total).toBeGreaterThan(20);
    expect(await page.locator('h1#verdict').innerText()).toBe(`${total} security defects found`);
    expect(await page.locator('#list .finding').count()).toBe(Math.min(total, 100));
    await page.screenshot({ path: join(OUT, 'examples-overview.png') });

    // Severity filter: only "high" (click the other chips off).
    for (const s of ['critical', 'medium', 'low']) await page.locator(`label.chip.sev-${s}`).click();
    const high = report.findings.filter((f) => f.severity === 'high');
    let rows = await visibleRows(page);
    expect(rows.length).toBe(high.length);
    expect(new Set(rows.map((r) => r.severity))).toEqual(new Set(['high']));

    // Plus a pillar filter: high and CWE-664.
    await page.selectOption('#f-pillar', '664');
    const expected = high.filter((f) => f.pillar.id === 664);
    expect(expected.length).toBeGreaterThan(0);
    rows = await visibleRows(page);
    expect(rows.length).toBe(expected.length);
    for (const r of rows) expect(r).toMatchObject({ severity: 'high', pillar: 'Improper Control of a Resource Through its Lifetime' });
    expect(await page.locator('#count').innerText()).toBe(`${expected.length} of ${total} findings`);

    // Sort by file, then reverse it.
    await page.locator('[data-sort=file]').click();
    const key = (where: string): [string, number] => {
      const m = /^(.*):(\d+):\d+$/.exec(where)!;
      return [m[1]!, Number(m[2])];
    };
    const cmp = (a: string, b: string): number => {
      const [pa, la] = key(a);
      const [pb, lb] = key(b);
      return pa < pb ? -1 : pa > pb ? 1 : la - lb;
    };
    const ascending = (await visibleRows(page)).map((r) => r.where);
    expect(ascending).toEqual([...ascending].sort(cmp));
    expect(await page.locator('[data-sort=file]').getAttribute('data-dir')).toBe('asc');
    await page.locator('[data-sort=file]').click();
    const descending = (await visibleRows(page)).map((r) => r.where);
    expect(descending).toEqual([...ascending].reverse());

    // Reset, then find the cross-file command injection and expand its data flow.
    await page.locator('#f-reset').click();
    expect(await page.locator('#list .finding').count()).toBe(Math.min(total, 100));
    await page.fill('#f-q', 'python/command-injection');
    // (Polled from here: waitForFunction would evaluate a string in the page, which the CSP forbids.)
    await expect.poll(() => page.locator('#list .finding').count()).toBe(report.findings.filter((f) => f.ruleId === 'python/command-injection').length);
    const article = page.locator('#list .finding').first();
    const n = Number(await article.getAttribute('data-n'));
    const finding = dataOf(html).findings.find((f) => f.n === n)!;
    expect(finding.trace.length).toBeGreaterThan(2);
    await article.locator('.row').click();
    expect(await article.locator('.row').getAttribute('aria-expanded')).toBe('true');
    const main = article.locator('.main-code .cl.hl');
    expect(await main.first().locator('.ln').getAttribute('data-n')).toBe(String(finding.line));
    expect(await article.locator('.main-code mark.hit').first().isVisible()).toBe(true);

    const steps = article.locator('.flow .steps > li');
    expect(await steps.count()).toBe(finding.trace.length);
    for (let i = 0; i < finding.trace.length; i++) {
      const step = finding.trace[i]!;
      const link = steps.nth(i).locator('a.loc');
      expect(await steps.nth(i).isVisible()).toBe(true);
      expect(await steps.nth(i).locator('.step-n').innerText()).toBe(String(i + 1));
      expect(await link.innerText()).toBe(`${step.path}:${step.line}:${step.col}`);
      const href = await link.getAttribute('href');
      expect(href).toMatch(/^#f\d+-s\d+$/);
      const target = page.locator(href!);
      expect(await target.count()).toBe(1);
      expect(await target.isVisible()).toBe(true);
      // The step's code: its line, highlighted, from the embedded source, holding the expression.
      const hl = target.locator('.cl.hl').first();
      expect(await hl.locator('.ln').getAttribute('data-n')).toBe(String(step.line));
      expect(await hl.innerText()).toContain(step.expression.split('\n')[0]!);
    }
    // Following the last step's link brings its code into view.
    await page.evaluate('window.scrollTo(0, 0)');
    const lastLink = steps.last().locator('a.loc');
    await lastLink.click();
    const lastTarget = page.locator((await lastLink.getAttribute('href'))!);
    const box = (await lastTarget.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(900);
    expect(await lastTarget.getAttribute('class')).toContain('flash');
    await article.scrollIntoViewIfNeeded();
    await article.locator('.row').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, 'examples-finding.png') });
    await article.screenshot({ path: join(OUT, 'examples-finding-detail.png') });

    expectOnlyTheFileWasRequested(w);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    expect(w.console.filter((m) => m.type() === 'error' || m.type() === 'warning').map((m) => m.text())).toEqual([]);
    expect(await violations(page)).toEqual([]);
    await page.close();
  });

  it('renders a long list in chunks as the reader scrolls, and filters it in memory', async () => {
    browser();
    const severities = ['critical', 'high', 'medium', 'low'] as const;
    const findings: Finding[] = Array.from({ length: 1000 }, (_, i) => ({
      ...SHELL_FINDING,
      severity: severities[i % 4]!,
      location: { ...SHELL_FINDING.location, path: `pkg/m${String(i % 50).padStart(2, '0')}.py`, startLine: 10 + i, endLine: 10 + i },
      fingerprint: i.toString(16).padStart(32, '0'),
    }));
    const file = join(OUT, 'long-list.html');
    writeFileSync(file, renderHtml(makeReport({ findings }), { color: false }));
    const w = await open(file);
    const { page } = w;
    const rows = page.locator('#list .finding');
    expect(await rows.count()).toBe(100);
    expect(await page.locator('#more-btn').isVisible()).toBe(true);
    await page.locator('#more').scrollIntoViewIfNeeded();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(200);
    await page.locator('#more-btn').click();
    expect(await rows.count()).toBeGreaterThanOrEqual(300);

    await page.locator('label.chip.sev-low').click();
    expect(await page.locator('#count').innerText()).toBe('750 of 1,000 findings');
    expect(await rows.count()).toBe(100);
    await page.fill('#f-q', 'pkg/m07.py');
    await expect.poll(() => page.locator('#count').innerText()).toBe('10 of 1,000 findings'); // i % 50 === 7 alternates high and low
    expect(await rows.count()).toBe(10);
    expect(await page.locator('#more-btn').isVisible()).toBe(false);
    await page.fill('#f-q', 'no such thing');
    await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);
    expect(w.errors).toEqual([]);
    expectOnlyTheFileWasRequested(w);
    await page.close();
  });

  it('shows hostile code, paths and messages as text: no script runs from data, no CSP violation', async () => {
    browser();
    // The fixture under a path with a quote and markup in it.
    const root = mkdtempSync(join(tmpdir(), 'secreview-hostile-'));
    try {
      const dir = join(root, 'we"ird<b>dir');
      mkdirSync(dir);
      cpSync(HOSTILE_FIXTURE, join(dir, 'app"<img src=x onerror=alert(2)>.py'));
      const scanned = await scan({ paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low' });
      expect(scanned.findings.length).toBeGreaterThanOrEqual(2);
      expect(scanned.findings.some((f) => (f.trace?.length ?? 0) > 0)).toBe(true);
      const sources = loadReportSources(scanned);
      expect(Object.keys(sources)).toEqual(['we"ird<b>dir/app"<img src=x onerror=alert(2)>.py']);

      // Text a later stage (an LLM triage, a baseline) could add, with fields the type lacks.
      const llm = {
        ...scanned.findings[0]!,
        origin: 'llm-verified',
        baselineState: '"><img src=x onerror=alert(3)>',
        llmNote: 'LLM: <img src=x onerror=alert(12)> `</script>` {{7*7}}',
        title: '<img src=x onerror=alert(4)> {{7*7}}',
        message: 'The model says: </script><script>alert(5)</script> ${7*7} `<svg onload=alert(6)>` javascript:alert(7)',
        fingerprint: 'llm-1',
      } as unknown as Finding;
      const report: Report = {
        ...scanned,
        findings: [...scanned.findings, llm],
        rules: scanned.rules.map((r) => ({ ...r, references: ['javascript:alert(8)', ...r.references], whyItMatters: `${r.whyItMatters} <b onmouseover=alert(9)>hover</b>` })),
        diagnostics: [{ kind: 'parse-error', level: 'error', path: 'x"<img src=x onerror=alert(10)>.py', line: 1, message: '</script><script>alert(11)</script>' }],
      };
      const html = renderHtml(report, { color: false, sources });
      const file = join(OUT, 'hostile.html');
      writeFileSync(file, html);
      const w = await open(file);
      const { page } = w;

      // Open every finding (renders code, docs and traces), and every trace step's link.
      const rows = page.locator('#list .finding .row');
      for (let i = 0; i < (await rows.count()); i++) await rows.nth(i).click();
      const links = page.locator('a.loc');
      expect(await links.count()).toBeGreaterThan(2);
      for (let i = 0; i < (await links.count()); i++) await links.nth(i).click();
      await page.fill('#f-q', '{{7*7}}');
      await page.waitForTimeout(300);
      await page.fill('#f-q', '');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUT, 'hostile.png'), fullPage: true });

      const text = await page.locator('body').innerText();
      for (const s of [
        '</script><img src=x onerror=alert(1)>',
        "</script><script>alert('code')</script>",
        '{{7*7}}',
        '${7*7}',
        'javascript:alert(document.domain)',
        'we"ird<b>dir/app"<img src=x onerror=alert(2)>.py',
        '<img src=x onerror=alert(4)> {{7*7}}',
        '</script><script>alert(5)</script>',
        '<svg onload=alert(6)>',
        'baseline: "><img src=x onerror=alert(3)>',
        'javascript:alert(8)',
        '<b onmouseover=alert(9)>hover</b>',
        'x"<img src=x onerror=alert(10)>.py:1',
        'LLM: <img src=x onerror=alert(12)> </script> {{7*7}}',
        'origin: llm-verified',
        '\\u2028',
        '\\u202e',
      ]) {
        expect(text, s).toContain(s);
      }

      // Nothing from the data became an element, an attribute, a link or a script.
      expect(await page.locator('img, iframe, object, embed, svg[onload], b').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(2);
      expect(await page.evaluate<number>('[...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value))).length')).toBe(0);
      const hrefs = await page.evaluate<string[]>('[...document.querySelectorAll("a[href]")].map(a => a.getAttribute("href"))');
      for (const h of hrefs) expect(h).toMatch(/^(#f\d+-s\d+|https:\/\/cwe\.mitre\.org\/data\/definitions\/\d+\.html|https:\/\/[^\s"<>]+)$/);

      expect(w.dialogs).toEqual([]);
      expect(w.errors).toEqual([]);
      expect(w.console.map((m) => `${m.type()}: ${m.text()}`)).toEqual([]);
      expect(await violations(page)).toEqual([]);
      expectOnlyTheFileWasRequested(w);

      // The listeners do see a violation when one happens (so the empty lists above mean something).
      await page.evaluate('document.head.appendChild(Object.assign(document.createElement("style"), { textContent: "p{}" }))');
      await expect.poll(async () => (await violations(page)).length).toBeGreaterThan(0);
      expect((await violations(page))[0]).toContain('style-src');
      // And Trusted Types turn any HTML string sink into an error.
      expect(await page.evaluate<string>('(() => { try { document.body.innerHTML = "<i>x</i>"; return "assigned"; } catch (e) { return e.name; } })()')).toBe('TypeError');
      await page.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
