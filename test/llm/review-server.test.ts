/**
 * End to end against a real OpenAI-compatible HTTP server on 127.0.0.1: the real `openai` client,
 * retries, timeouts, the reply cache, the free-text parser on every seed review, and the verifier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { scan, type ScanResult } from '../../src/api/scan.js';
import type { Finding, Report } from '../../src/findings/types.js';
import { runLlmForScan, type ScanLlmOptions } from '../../src/llm/index.js';
import type { LlmOverrides } from '../../src/llm/settings.js';
import { tempTree } from '../support/tmp.js';
import { always, sequence, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from './fake-server.js';
import { FIXTURES, jsonReply, seed } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A scratch folder holding copies of the named fixtures. */
function workspace(...names: string[]): string {
  const dir = tempTree({});
  for (const n of names) cpSync(join(FIXTURES, n), join(dir, n));
  return dir;
}

interface Run {
  report: ScanResult;
  static: ScanResult;
  sleeps: number[];
}

async function run(
  dir: string,
  replies: (r: RecordedRequest, n: number) => FakeReply,
  options: { overrides?: LlmOverrides; confidence?: 'low' | 'medium' | 'high'; paths?: string[]; reuseServer?: boolean } = {},
): Promise<Run> {
  if (!options.reuseServer || !server) {
    await server?.close();
    server = await startFakeServer(replies);
  }
  const paths = options.paths ?? ['.'];
  const report = await scan({ paths, cwd: dir, config: false, confidence: options.confidence });
  const sleeps: number[] = [];
  const llmOptions: ScanLlmOptions = {
    paths,
    config: false,
    confidence: options.confidence,
    env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'fake-coder:7b', SECREVIEW_LLM_API_KEY: 'sk-test' },
    overrides: { contextTokens: 32_768, backoffMs: 1, retries: 2, timeoutMs: 5_000, ...options.overrides },
    clientOptions: {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  };
  const reviewed = await runLlmForScan(report, llmOptions);
  return { report: reviewed, static: report, sleeps };
}

const staticPart = (f: Finding): Omit<Finding, 'origin' | 'llmNote'> => {
  const { origin: _o, llmNote: _n, ...rest } = f;
  return rest;
};

/** Every static finding is still there, unchanged but for origin/llmNote. */
function expectStaticKept(before: Report, after: Report): void {
  const kept = after.findings.filter((f) => f.origin !== 'llm-verified');
  expect(kept.map(staticPart)).toEqual(before.findings.map(staticPart));
}

const APP_REPLY = jsonReply([
  {
    cwe: 78,
    pillar: 707,
    title: 'OS command injection',
    startLine: 13,
    endLine: 13,
    code: "subprocess.check_output('ping -c 1 ' + host, shell=True)",
    description: 'The host query parameter is concatenated into a shell command.',
    solution: 'Call subprocess with an argument list and no shell.',
    severity: 'critical',
  },
  {
    cwe: 306,
    pillar: 284,
    title: 'Destructive endpoint without authentication',
    startLine: 19,
    endLine: 20,
    code: 'os.remove(os.path.join(UPLOAD_DIR, name))',
    description: 'Anyone can POST to /admin/purge and delete every upload.',
    solution: 'Require an authenticated administrator before deleting files.',
    severity: 'high',
  },
  {
    cwe: 22,
    pillar: 664,
    title: 'Path traversal',
    startLine: 99,
    endLine: 99,
    code: 'open(path)',
    description: 'Hallucinated line.',
    solution: '',
    severity: 'high',
  },
  {
    cwe: 95,
    pillar: 707,
    title: 'Eval injection',
    startLine: 12,
    endLine: 12,
    code: 'eval(request.args["expr"])',
    description: 'Hallucinated code.',
    solution: '',
    severity: 'critical',
  },
  {
    cwe: 78,
    pillar: 664,
    title: 'Wrong pillar',
    startLine: 20,
    endLine: 20,
    code: 'os.remove(os.path.join(UPLOAD_DIR, name))',
    description: 'CWE-78 is not under CWE-664.',
    solution: '',
    severity: 'low',
  },
]);

describe('LLM review against a local OpenAI-compatible server', () => {
  it('JSON reply: merges, verifies, rejects with reasons; the second run is served from the cache', async () => {
    const dir = workspace('app.py');
    const first = await run(dir, always({ content: APP_REPLY, usage: { prompt: 1234, completion: 321 } }));
    const req = server!.requests[0]!;
    expect(server!.requests).toHaveLength(1);
    expect(req.body.model).toBe('fake-coder:7b');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body.temperature).toBe(0);
    expect(req.body.max_tokens).toBe(2048);
    expect(req.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'security_review', strict: true } });
    expect(req.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(req.body.messages[1]!.content).toContain("13 |     return subprocess.check_output('ping -c 1 ' + host, shell=True)");

    const r = first.report;
    expectStaticKept(first.static, r);
    const ci = r.findings.find((f) => f.ruleId === 'python/command-injection')!;
    expect(ci.origin).toBe('static+llm');
    expect(ci.llmNote).toBe('The host query parameter is concatenated into a shell command. Fix: Call subprocess with an argument list and no shell.');
    const llm = r.findings.filter((f) => f.origin === 'llm-verified');
    expect(llm.map((f) => [f.ruleId, f.location.startLine, f.location.endLine, f.severity, f.confidence])).toEqual([
      ['llm/cwe-306', 19, 20, 'high', 'medium'],
    ]);
    expect(r.llm).toMatchObject({
      model: 'fake-coder:7b',
      baseUrl: server!.baseUrl,
      responseFormat: 'json_schema',
      requests: 1,
      cacheHits: 0,
      tokens: { prompt: 1234, completion: 321, total: 1555, budget: 250_000 },
      filesReviewed: 1,
      chunks: 1,
      verified: 1,
      merged: 1,
      belowThreshold: 0,
      notReviewed: [],
    });
    expect(r.llm!.rejected.map((x) => [x.claim.startLine, x.claim.cwe, x.reason])).toEqual([
      [99, [22], 'line 99 does not exist (app.py has 21 lines)'],
      [12, [95], 'quotes `eval(request.args["expr"])`, which does not occur in app.py'],
      [
        20,
        [78],
        "names pillar CWE-664 (Improper Control of a Resource Through its Lifetime), but CWE-78 (Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')) falls under CWE-707 (Improper Neutralization)",
      ],
    ]);

    // Second run, same cache: no request at all, everything from the cache, same result.
    const second = await run(dir, always({ status: 500 }));
    expect(server!.requests).toHaveLength(0);
    expect(second.report.llm).toMatchObject({ requests: 0, cacheHits: 1, tokens: { total: 0 } });
    expect(second.report.findings).toEqual(r.findings);
    expect(second.report.llm!.rejected).toEqual(r.llm!.rejected);
  });

  it('--no-llm-cache (cache: false) neither reads nor writes the cache', async () => {
    const dir = workspace('app.py');
    await run(dir, always({ content: APP_REPLY }), { overrides: { cache: false } });
    const again = await run(dir, always({ content: APP_REPLY }), { overrides: { cache: false } });
    expect(again.report.llm).toMatchObject({ requests: 1, cacheHits: 0 });
  });

  describe('each seed review as a free-text reply', () => {
    const reasonsOf = (r: Report): string[] => r.llm!.rejected.map((x) => x.reason);

    it('seed 000: pillar-level claims merge into static findings of that pillar or are kept at low confidence under the pillar', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report, static: before } = await run(dir, always({ content: seed('000') }), { confidence: 'low' });
      expectStaticKept(before, report);
      expect(report.llm!.responseFormat).toBe('json_schema');
      const merged = report.findings.filter((f) => f.origin === 'static+llm').map((f) => [f.ruleId, f.location.startLine]);
      expect(merged).toEqual([
        ['python/command-argument-injection', 131], // CWE-707 claim at line 131, same pillar as CWE-88
        ['python/unchecked-security-command', 141], // CWE-703 claim at lines 142-155, same pillar as CWE-252
      ]);
      expect(report.llm!.rejected).toEqual([]);
      const llm = report.findings.filter((f) => f.origin === 'llm-verified');
      expect(llm.map((f) => [f.ruleId, f.pillar.id, f.location.startLine, f.location.endLine, f.confidence])).toEqual([
        ['llm/cwe-682', 682, 38, 38, 'low'],
        ['llm/cwe-693', 693, 158, 159, 'low'],
        ['llm/cwe-664', 664, 169, 186, 'low'],
        ['llm/cwe-691', 691, 262, 285, 'low'],
      ]);
      for (const f of llm) expect(f.message).toContain(`(Unmapped: the model named only CWE-${f.pillar.id}, a CWE-1000 pillar;`);
    });

    it('seed 000 at the default confidence: the pillar-only findings are counted below the threshold', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report } = await run(dir, always({ content: seed('000') }));
      expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
      // One of the two static findings the claims merged into is itself below the threshold here, so its claim stands alone.
      expect(report.llm).toMatchObject({ verified: 5, belowThreshold: 5, merged: 1 });
    });

    it('a seed-000-style race claim "CWE-691 (…) … a race condition, CWE-362" at the right line and quote is shown as CWE-362', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const reply = [
        'After reviewing the provided code, I have identified the following potential security defect:',
        '',
        '1. **CWE-691 (Insufficient Control Flow Management):**',
        '   - **Location:** Lines 307-309 (`if not rtr_2_fip_dev.exists():`)',
        '   - **Description:** The device is checked for and then created in two steps, a race condition, CWE-362: another',
        '     worker can create it in between.',
        '   - **Solution:** Create the veth pair and treat "already exists" as success.',
      ].join('\n');
      // The default confidence (medium): the finding is shown, not only counted.
      const { report, static: before } = await run(dir, always({ content: reply }));
      expectStaticKept(before, report);
      const llm = report.findings.filter((f) => f.origin === 'llm-verified');
      expect(llm.map((f) => [f.ruleId, f.cwe.map((c) => c.id), f.pillar.id, f.location.startLine, f.confidence])).toEqual([
        ['llm/cwe-362', [362], 691, 307, 'medium'],
      ]);
      expect(report.llm!.rejected).toEqual([]);
    });

    it('seed 001: claims without a CWE are rejected (with their lines checked first)', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report, static: before } = await run(dir, always({ content: seed('001') }));
      expectStaticKept(before, report);
      expect(reasonsOf(report)).toEqual(['names no CWE', 'cites no line', 'names no CWE', 'names no CWE', 'names no CWE']);
      expect(report.llm!.rejected.map((x) => x.claim.title)).toEqual([
        'Potential for Race Conditions',
        'Error Handling',
        'Hardcoded Values',
        'Resource Cleanup and Leakages',
        'Security Settings',
      ]);
    });

    it('seed 002: CWE-77 at line 318 is verified, CWE-20 kept low as a discouraged class; CWE-391 and a line-less claim are rejected', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report, static: before } = await run(dir, always({ content: seed('002') }), { confidence: 'low' });
      expectStaticKept(before, report);
      const llm = report.findings.filter((f) => f.origin === 'llm-verified');
      expect(llm.map((f) => [f.ruleId, f.location.startLine, f.confidence, f.title])).toEqual([
        ['llm/cwe-20', 318, 'low', 'Improper Input Validation'],
        ['llm/cwe-77', 318, 'low', 'Potential Command Injection'],
      ]);
      expect(llm[1]!.snippet).toBe('            ip_lib.add_ip_address(fip_cidr, interface_name, namespace=self.name)');
      expect(llm[0]!.message).toMatch(/\(Unmapped: the model named only CWE-20, a class MITRE discourages for mapping;/);
      expect(reasonsOf(report)).toEqual([
        'CWE-391 mapping is prohibited by MITRE',
        'cites no line',
      ]);
    });

    it('seed 002 at the default confidence: the unquoted LLM finding is counted below the threshold, not dropped silently', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report } = await run(dir, always({ content: seed('002') }));
      expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
      expect(report.llm).toMatchObject({ verified: 2, belowThreshold: 2 });
    });

    it('seed 003: hedged review without CWE ids', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report } = await run(dir, always({ content: seed('003') }));
      expect(reasonsOf(report)).toEqual(['names no CWE', 'names no CWE', 'names no CWE', 'cites no line', 'cites no line']);
    });

    it('seed 004: the "No critical security defects" verdict removes nothing; its issues are checked one by one', async () => {
      const dir = workspace('dvr_local_router.py');
      const { report, static: before } = await run(dir, always({ content: seed('004') }));
      expect(report.findings).toEqual(before.findings);
      expect(report.llm!.notReviewed).toEqual([]);
      expect(reasonsOf(report)).toEqual(['cites no line', 'names no CWE', 'cites no line', 'names no CWE', 'names no CWE']);
    });

    it('a review of another file: cited lines that do not exist are rejected', async () => {
      const dir = workspace('dvr_fip_ns.py');
      const { report } = await run(dir, always({ content: seed('004') }));
      expect(report.llm!.rejected.map((x) => x.reason)).toEqual([
        'cites no line',
        // Line 266 exists here, but the claim names a method this file does not have.
        'names `_update_arp_entry`, which does not occur in dvr_fip_ns.py',
        'cites no line',
        'line 710 does not exist (dvr_fip_ns.py has 325 lines)',
        'line 496 does not exist (dvr_fip_ns.py has 325 lines)',
      ]);
    });
  });

  describe('server trouble is reported, never silent', () => {
    it('malformed JSON: the file is listed as not reviewed, and the reply is not cached', async () => {
      const dir = workspace('app.py');
      const { report } = await run(dir, always({ content: '{"findings": [{"cwe": 78, "startLine": 13, "code": "subprocess' }));
      expect(report.llm!.notReviewed).toEqual([{ path: 'app.py', reason: 'the reply was malformed JSON and no review could be read from it' }]);
      expect(report.llm!.filesReviewed).toBe(0);
      const again = await run(dir, always({ content: APP_REPLY }));
      expect(again.report.llm).toMatchObject({ requests: 1, cacheHits: 0, notReviewed: [] });
    });

    it('truncated output (finish_reason "length"): not reviewed, tokens still counted, not cached', async () => {
      const dir = workspace('app.py');
      const { report } = await run(dir, always({ content: APP_REPLY.slice(0, 300), finishReason: 'length', usage: { prompt: 900, completion: 2048 } }));
      expect(report.llm!.notReviewed).toEqual([{ path: 'app.py', reason: 'the reply was cut off at 2048 tokens (raise llm.max-output-tokens)' }]);
      expect(report.llm!.tokens).toMatchObject({ prompt: 900, completion: 2048, total: 2948 });
      const again = await run(dir, always({ content: APP_REPLY }));
      expect(again.report.llm).toMatchObject({ requests: 1, cacheHits: 0 });
    });

    it('429 with Retry-After: 0, then success: retried at once', async () => {
      const dir = workspace('app.py');
      const { report, sleeps } = await run(dir, sequence({ status: 429, headers: { 'retry-after': '0' } }, { content: APP_REPLY }));
      expect(server!.requests).toHaveLength(2);
      expect(sleeps).toEqual([0]);
      expect(report.llm).toMatchObject({ requests: 2, notReviewed: [], verified: 1, merged: 1 });
    });

    it('500 every time: retried with exponential backoff, then listed as not reviewed', async () => {
      const dir = workspace('app.py');
      const { report, sleeps } = await run(dir, always({ status: 500 }), { overrides: { retries: 2, backoffMs: 100 } });
      expect(server!.requests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
      expect(sleeps[0]).toBeGreaterThanOrEqual(75);
      expect(sleeps[0]).toBeLessThanOrEqual(125);
      expect(sleeps[1]).toBeGreaterThanOrEqual(150);
      expect(sleeps[1]).toBeLessThanOrEqual(250);
      expect(report.llm!.requests).toBe(3);
      expect(report.llm!.notReviewed).toEqual([{ path: 'app.py', reason: 'the server answered HTTP 500: 500 fake error 500 (after 3 attempts)' }]);
    });

    it('a reply slower than the timeout: not retried, listed with the reason', async () => {
      const dir = workspace('app.py');
      const started = Date.now();
      const { report } = await run(dir, always({ delayMs: 3_000, then: { content: APP_REPLY } }), { overrides: { timeoutMs: 300 } });
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(server!.requests).toHaveLength(1);
      expect(report.llm!.notReviewed).toEqual([{ path: 'app.py', reason: 'no reply within 0.3 s (llm.timeout)' }]);
    });

    it('a server refusing the JSON schema: plain text from then on, replies read by the free-text parser', async () => {
      const dir = workspace('app.py', 'injected.py');
      const { report } = await run(dir, (r) =>
        r.body.response_format ? { status: 400, body: { error: { message: "response_format 'json_schema' is not supported" } } } : { content: seed('002') },
      { overrides: { concurrency: 1 } });
      // app.py: schema refused, retried as text; injected.py: text straight away.
      expect(server!.requests.map((r) => r.body.response_format?.type ?? 'text')).toEqual(['json_schema', 'text', 'text']);
      expect(report.llm).toMatchObject({ responseFormat: 'text', requests: 3, filesReviewed: 2, notReviewed: [] });
    });

    it('a rejected API key stops further requests; every file is listed', async () => {
      const dir = workspace('app.py', 'injected.py');
      const { report } = await run(dir, always({ status: 401, body: { error: { message: 'Incorrect API key' } } }), { overrides: { concurrency: 1 } });
      expect(server!.requests).toHaveLength(1);
      expect(report.llm!.notReviewed.map((x) => x.path)).toEqual(['app.py', 'injected.py']);
      expect(report.llm!.notReviewed[1]!.reason).toMatch(/^not sent: the server refused the API key \(HTTP 401/);
    });

    it('the token budget: files past it are listed, not silently skipped', async () => {
      const dir = workspace('app.py', 'injected.py');
      const { report } = await run(dir, always({ content: APP_REPLY, usage: { prompt: 2500, completion: 200 } }), {
        overrides: { concurrency: 1, tokenBudget: 5_000 },
      });
      expect(server!.requests).toHaveLength(1);
      expect(report.llm!.tokens).toMatchObject({ total: 2700, budget: 5_000 });
      expect(report.llm!.notReviewed).toEqual([
        { path: 'injected.py', reason: 'token budget of 5000 tokens per run reached (llm.token-budget; 2700 used)' },
      ]);
    });
  });

  it('a file larger than the context is reviewed in chunks; claims outside a chunk are rejected', async () => {
    const dir = workspace('dvr_local_router.py');
    const { report } = await run(
      dir,
      (r) => {
        // Each chunk answers with a claim at line 710 (only the last chunk shows it).
        return {
          content: jsonReply([
            {
              cwe: 78,
              pillar: 707,
              title: 'Interface name in a sysctl command',
              startLine: 710,
              endLine: 710,
              code: 'ip_wrapper.netns.execute(cmd, check_exit_code=False)',
              description: `seen in ${/lines (\d+-\d+) of/.exec(r.body.messages[1]!.content)![1]}`,
              solution: 'Validate interface_name.',
              severity: 'medium',
            },
          ]),
        };
      },
      { overrides: { contextTokens: 6_000, maxOutputTokens: 1_000 }, confidence: 'low' },
    );
    const chunks = report.llm!.chunks;
    expect(chunks).toBeGreaterThan(1);
    expect(server!.requests).toHaveLength(chunks);
    // The claim verified once, from the chunk that showed line 710, merged into the static finding there.
    expect(report.llm!.merged).toBe(1);
    expect(report.findings.find((f) => f.origin === 'static+llm')!.location.startLine).toBe(709);
    expect(report.llm!.rejected).toHaveLength(chunks - 1);
    for (const r of report.llm!.rejected) expect(r.reason).toMatch(/^line 710 is outside the lines shown to the model \(\d+-\d+\)$/);
  });
});
