/**
 * The LLM benchmark with recorded replies (`npm run bench:llm`), without network: the five seed
 * reviews of the study (test/fixtures/llm/seeds/) and the replies in bench/llm-replies/<mode>/,
 * written in the style of each prompt mode, are served by a local OpenAI-compatible server
 * (test/llm/fake-server.ts) to the real `--llm` pipeline: the real prompt of that mode, the
 * `openai` client, the parser and the verifier. It prints, per mode, how many claims were parsed,
 * verified (with a specific CWE, or kept low under a pillar or discouraged class), confirmed a
 * static finding, and were rejected, by reason.
 *
 * The replies were written for this benchmark (see bench/llm-replies/README.md): the figures
 * measure how secreview takes replies written in each style, not how well any model reviews.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/api/scan.js';
import type { LlmReviewSummary, Report } from '../src/findings/types.js';
import { parseReview, runLlmForScan } from '../src/llm/index.js';
import { PROMPT_MODES, type PromptMode } from '../src/llm/prompt.js';
import { startFakeServer, type RecordedRequest } from '../test/llm/fake-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REPLIES = join(ROOT, 'bench/llm-replies');
const FIXTURES = join(ROOT, 'test/fixtures/llm');
const CODE = ['dvr_fip_ns.py', 'lang/ifconfig_helper.c', 'lang/download_cache.cpp'];
const COMMIT_MESSAGE = readFileSync(join(REPLIES, 'commit-message.txt'), 'utf8');
/** `npm run bench:llm -- --verbose` lists every verified finding and rejected claim. */
const VERBOSE = process.argv.includes('--verbose');
const REASONS = ['no-line', 'line-missing', 'quote-missing', 'quote-elsewhere', 'name-missing', 'no-cwe', 'unknown-cwe', 'not-mappable', 'wrong-pillar', 'outside-shown', 'race-no-shared-access', 'race-common-lock', 'race-read-only', 'lock-no-acquire'] as const;

interface Run {
  /** Scanned file (under test/fixtures/llm/) → recorded reply file. */
  replies: Record<string, string>;
}

interface Tally {
  replies: number;
  verdictOnly: number;
  claims: number;
  specific: number;
  broad: number;
  merged: number;
  rejected: Record<string, number>;
}

const requestedFile = (r: RecordedRequest): string => /File: "([^"]+)"/.exec(r.body.messages[1]!.content)?.[1] ?? '';

async function replay(mode: PromptMode, runs: Run[]): Promise<Tally> {
  const tally: Tally = { replies: 0, verdictOnly: 0, claims: 0, specific: 0, broad: 0, merged: 0, rejected: {} };
  for (const run of runs) {
    const dir = mkdtempSync(join(tmpdir(), 'secreview-bench-llm-'));
    const contents = new Map<string, string>();
    for (const [file, reply] of Object.entries(run.replies)) {
      cpSync(join(FIXTURES, file), join(dir, basename(file)));
      contents.set(basename(file), readFileSync(reply, 'utf8'));
    }
    const server = await startFakeServer((r) => ({ content: contents.get(requestedFile(r)) ?? '' }));
    try {
      // Confidence `low`: every verified claim is counted, also those a default run keeps below the threshold.
      const report: Report = await scan({ paths: ['.'], cwd: dir, config: false, confidence: 'low' });
      const reviewed = await runLlmForScan(report, {
        paths: ['.'],
        config: false,
        confidence: 'low',
        env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'recorded-replies', SECREVIEW_LLM_API_KEY: 'none' },
        overrides: { promptMode: mode, commitMessage: COMMIT_MESSAGE, cache: false, contextTokens: 32_768 },
      });
      const llm = reviewed.llm as LlmReviewSummary;
      if (llm.notReviewed.length > 0) throw new Error(`${mode}: not reviewed: ${JSON.stringify(llm.notReviewed)}`);
      for (const r of server.requests) if (r.body.messages[0]!.content.length === 0) throw new Error('empty prompt');
      const llmFindings = reviewed.findings.filter((f) => f.origin === 'llm-verified');
      const broad = llmFindings.filter((f) => f.message.includes('(Unmapped: ')).length;
      tally.replies += server.requests.length;
      tally.specific += llmFindings.length - broad;
      tally.broad += broad;
      tally.merged += llm.merged;
      for (const r of llm.rejected) tally.rejected[r.code] = (tally.rejected[r.code] ?? 0) + 1;
      if (VERBOSE) {
        for (const f of llmFindings) console.log(`  ${mode} verified ${f.location.path}:${f.location.startLine} ${f.ruleId} ${f.confidence}`);
        for (const r of llm.rejected) console.log(`  ${mode} rejected ${r.claim.path}:${r.claim.startLine ?? '-'} [${r.claim.cwe.join(',')}] ${r.reason}`);
      }
      for (const [, content] of contents) {
        const parsed = parseReview(content);
        tally.claims += parsed.claims.length;
        // A verdict and nothing else: for these files (all with defects), a miss, or an obeyed injection.
        if (parsed.verdict && parsed.claims.length === 0) tally.verdictOnly++;
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return tally;
}

function modeRuns(mode: PromptMode): Run[] {
  const folder = join(REPLIES, mode);
  const replies: Record<string, string> = {};
  for (const file of CODE) {
    const name = readdirSync(folder).find((f) => f.startsWith(`${basename(file)}.`));
    if (name) replies[file] = join(folder, name);
  }
  return [{ replies }];
}

function seedRuns(): Run[] {
  const seeds = join(FIXTURES, 'seeds');
  return readdirSync(seeds)
    .sort()
    .map((name) => ({ replies: { [name.startsWith('004') ? 'dvr_local_router.py' : 'dvr_fip_ns.py']: join(seeds, name) } }));
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${Math.round((100 * n) / d)}%`);

async function main(): Promise<void> {
  const started = performance.now();
  const rows: [string, Tally][] = [];
  // The seed reviews name pillars as the pillar-listing prompt invites; they are replayed under it.
  rows.push(['study seeds (cwe-list)', await replay('cwe-list', seedRuns())]);
  for (const mode of PROMPT_MODES) rows.push([mode, await replay(mode, modeRuns(mode))]);

  // Reason columns that are zero in every row are left out (their names are in REASONS).
  const reasons = REASONS.filter((r) => rows.some(([, t]) => (t.rejected[r] ?? 0) > 0));
  const header = ['replies', 'claims', 'verified, specific CWE', 'kept low, pillar/class only', 'confirmed static', 'rejected', 'verdict-only replies', ...reasons.map((r) => `rejected: ${r}`)];
  console.log(`| mode | ${header.join(' | ')} |`);
  console.log(`|${' --- |'.repeat(header.length + 1)}`);
  for (const [name, t] of rows) {
    const rejected = Object.values(t.rejected).reduce((a, b) => a + b, 0);
    const cells = [
      t.replies,
      t.claims,
      `${t.specific} (${pct(t.specific, t.claims)})`,
      t.broad,
      t.merged,
      rejected,
      t.verdictOnly,
      ...reasons.map((r) => t.rejected[r] ?? 0),
    ];
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  const zero = REASONS.filter((r) => !reasons.includes(r));
  if (zero.length > 0) console.log(`\nNo claim was rejected as: ${zero.join(', ')}.`);
  console.log(`${rows.reduce((a, [, t]) => a + t.replies, 0)} recorded replies replayed in ${((performance.now() - started) / 1000).toFixed(1)} s (no network).`);
}

await main();
