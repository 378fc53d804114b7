// The HTML report with 10,000 findings in headless Chromium: how long until the list is
// interactive, and how long filters and sorting take to apply. Prints figures; asserts nothing.
//   npm run bench:html            (or: npx tsx bench/html-report.ts [findings])
// Needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { Finding, Report, TraceStep } from '../src/findings/types.js';
import { renderHtml } from '../src/report/html.js';
import { ruleSummary } from '../src/rules/catalogue-info.js';
import { allRules } from '../src/rules/index.js';
import { SEVERITIES, CONFIDENCES } from '../src/findings/types.js';

const CHROMIUM = '/usr/bin/chromium';
const COUNT = Number(process.argv[2] ?? 10_000);
const FILES = 250;
const LINES_PER_FILE = 600;
const OUT = fileURLToPath(new URL('../test-output/bench/', import.meta.url));

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  process.exit(2);
}

/** A deterministic pseudo-random sequence (so every run measures the same page). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function syntheticReport(): { report: Report; sources: Record<string, string> } {
  const rand = lcg(42);
  const rules = allRules.map(ruleSummary);
  const paths = Array.from({ length: FILES }, (_, i) => `service_${i % 17}/module_${String(i).padStart(3, '0')}/handlers.py`);
  const sources: Record<string, string> = {};
  for (const p of paths) {
    const lines: string[] = ['import os', 'import subprocess', 'from flask import request', ''];
    while (lines.length < LINES_PER_FILE) {
      const n = lines.length;
      lines.push(`def handler_${n}(arg):`, `    value = request.args.get("k${n}")  # ${n}`, `    result = subprocess.run("echo " + value, shell=True)`, `    return str(result.returncode) + "${'x'.repeat(n % 40)}"`, '');
    }
    sources[p] = lines.join('\n') + '\n';
  }
  const findings: Finding[] = [];
  for (let i = 0; i < COUNT; i++) {
    const rule = rules[Math.floor(rand() * rules.length)]!;
    const path = paths[Math.floor(rand() * paths.length)]!;
    const fn = 4 + 5 * Math.floor(rand() * ((LINES_PER_FILE - 10) / 5));
    const line = fn + 3;
    const text = sources[path]!.split('\n')[line - 1]!;
    const trace: TraceStep[] | undefined =
      rand() < 0.35
        ? [
            { kind: 'source', location: { path, startLine: fn + 2, startColumn: 13, endLine: fn + 2, endColumn: 25 }, expression: 'request.args', note: '`request.args` (query string parameters)' },
            { kind: 'step', location: { path, startLine: fn + 2, startColumn: 5, endLine: fn + 2, endColumn: 10 }, expression: 'value', note: 'assigned to `value`' },
            { kind: 'sink', location: { path, startLine: line, startColumn: 29, endLine: line, endColumn: 45 }, expression: '"echo " + value', note: 'reaches `subprocess.run`' },
          ]
        : undefined;
    findings.push({
      ruleId: rule.id,
      title: rule.title,
      cwe: rule.cwe,
      pillar: rule.pillar,
      severity: SEVERITIES[Math.floor(rand() * SEVERITIES.length)]!,
      confidence: CONFIDENCES[Math.floor(rand() * CONFIDENCES.length)]!,
      location: { path, startLine: line, startColumn: 29, endLine: line, endColumn: 45 },
      snippet: text,
      message: `\`${rule.id}\` matched \`"echo " + value\` in \`handler_${fn}\` (synthetic finding ${i}).`,
      fix: rule.fix.guidance,
      fingerprint: i.toString(16).padStart(32, '0'),
      statementLine: line,
      origin: 'static',
      ...(trace ? { trace } : {}),
    });
  }
  const used = new Set(findings.map((f) => f.ruleId));
  return {
    report: {
      schemaVersion: 1,
      tool: { name: 'secreview', version: 'bench' },
      root: '/bench',
      findings,
      diagnostics: [],
      stats: { filesDiscovered: FILES, filesScanned: FILES, filesWithErrors: 0, lines: FILES * LINES_PER_FILE, durationMs: 0, suppressed: 0, belowThreshold: 0 },
      rules: rules.filter((r) => used.has(r.id)),
    },
    sources,
  };
}

type Action = 'pillar' | 'severity-high' | 'rule' | 'reset' | 'sort-file' | 'sort-rule' | 'expand';

/**
 * Runs one action in the page and waits for the next frame: the cost a reader sees. Written with
 * loose types (no DOM lib here); Playwright sends the function's source, not a string to eval.
 */
async function timeInPage(page: Page, action: Action): Promise<number> {
  return page.evaluate(async (name: Action) => {
    // No named inner functions: tsx would wrap them in a __name() helper the page does not have.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const g = globalThis as any;
    const doc = g.document;
    const start = performance.now();
    if (name === 'pillar' || name === 'rule') {
      const s = doc.querySelector(name === 'pillar' ? '#f-pillar' : '#f-rule');
      s.value = s.options[name === 'pillar' ? 1 : 2].value;
      s.dispatchEvent(new g.Event('change'));
    } else if (name === 'severity-high') {
      for (const v of ['critical', 'medium', 'low']) {
        const i = doc.querySelector(`input[name=severity][value=${v}]`);
        i.checked = false;
        i.dispatchEvent(new g.Event('change'));
      }
    } else if (name === 'reset') doc.querySelector('#f-reset').click();
    else if (name === 'sort-file') doc.querySelector('[data-sort=file]').click();
    else if (name === 'sort-rule') doc.querySelector('[data-sort=rule]').click();
    else if (name === 'expand') doc.querySelector('#list .finding .row').click();
    await new Promise<void>((resolve) => g.requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - start;
  }, action);
}

const ms = (n: number): string => `${n.toFixed(0)} ms`;

const started = performance.now();
const { report, sources } = syntheticReport();
const built = performance.now();
const html = renderHtml(report, { color: false, sources });
const rendered = performance.now();
mkdirSync(OUT, { recursive: true });
const file = join(OUT, `html-${COUNT}.html`);
writeFileSync(file, html);
console.log(`findings: ${COUNT.toLocaleString('en-US')} in ${FILES} files (${Object.keys(sources).length} sources embedded)`);
console.log(`report: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB, rendered in ${ms(rendered - built)} (synthetic data ${ms(built - started)})`);

const userDataDir = mkdtempSync(join(tmpdir(), 'secreview-bench-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1366, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-state=ready]', { timeout: 120_000 });
  const wall = performance.now() - t0;
  const marks = await page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const perf = (globalThis as any).performance;
    const nav = perf.getEntriesByType('navigation')[0];
    const ready = perf.getEntriesByName('secreview-interactive')[0];
    return { interactive: Number(ready?.startTime ?? NaN), domContentLoaded: Number(nav?.domContentLoadedEventEnd ?? NaN) };
  });
  const rows = await page.locator('#list .finding').count();
  console.log(`open: list interactive ${ms(marks.interactive)} after navigation start (DOMContentLoaded ${ms(marks.domContentLoaded)}; ${ms(wall)} wall clock from goto), ${rows} rows in the first chunk`);

  const figures: [string, Action][] = [
    ['filter: pillar', 'pillar'],
    ['filter: + severity (high only)', 'severity-high'],
    ['filter: reset', 'reset'],
    ['filter: rule', 'rule'],
    ['filter: reset', 'reset'],
    ['sort: by file', 'sort-file'],
    ['sort: by rule', 'sort-rule'],
    ['expand the first finding', 'expand'],
  ];
  for (const [label, action] of figures) {
    const t = await timeInPage(page, action);
    console.log(`${label.padEnd(44)} ${ms(t).padStart(7)}  (${await page.locator('#count').innerText()})`);
  }
  // Text search goes through a 120 ms debounce; time from typing to the list being updated.
  const before = performance.now();
  await page.fill('#f-q', 'module_007');
  for (;;) {
    const count = await page.locator('#count').innerText();
    if (!count.startsWith(`${COUNT.toLocaleString('en-US')} `)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  console.log(`${'search "module_007" (incl. 120 ms debounce)'.padEnd(44)} ${ms(performance.now() - before).padStart(7)}  (${await page.locator('#count').innerText()})`);
  if (errors.length > 0) console.log(`page errors: ${errors.join('; ')}`);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
