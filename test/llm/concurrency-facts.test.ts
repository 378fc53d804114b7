/**
 * The concurrency facts in the LLM prompt and the checks of race and locking claims against them
 * (src/llm/concurrency-facts.ts, src/llm/verify-race.ts), end to end: a real scan of a Neutron-style
 * fixture, the prompts recorded by a fake OpenAI-compatible server on 127.0.0.1, its replies verified.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { carryResults, concurrencyOf } from '../../src/api/analysis-results.js';
import { pillarOf } from '../../src/cwe/catalogue.js';
import { reviewWithLlm } from '../../src/llm/review.js';
import type { LlmSettings } from '../../src/llm/settings.js';
import { always, startFakeServer, type FakeServer } from './fake-server.js';
import { FIXTURES, fixture, jsonReply, testSettings } from './helpers.js';

const DIR = `${FIXTURES}concurrency`;
const FILE = 'fip_subscriptions.py';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Claim {
  cwe: number;
  title: string;
  startLine: number;
  endLine?: number;
  code: string;
  description: string;
}

const reply = (...claims: Claim[]): string =>
  jsonReply(
    claims.map((c) => ({
      pillar: pillarOf(c.cwe)!.id,
      solution: 'Hold one lock across the check and the change.',
      severity: 'medium',
      ...c,
      endLine: c.endLine ?? c.startLine,
    })),
  );

async function review(content: string, options: { scan?: Partial<ScanOptions>; settings?: Partial<LlmSettings> } = {}): Promise<{ report: ScanResult; server: FakeServer }> {
  server = await startFakeServer(always({ content }));
  const report = await scan({ paths: [FILE], cwd: DIR, config: false, ...options.scan });
  const reviewed = await reviewWithLlm({ report, files: [{ path: FILE, text: fixture(`concurrency/${FILE}`) }], settings: testSettings(server.baseUrl, options.settings) });
  return { report: reviewed, server };
}

const userPrompts = (s: FakeServer): string[] => s.requests.map((r) => r.body.messages.find((m) => m.role === 'user')!.content);
const NO_DEFECTS = jsonReply([], 'No security defects are detected in the code');

describe('the analysis the report carries', () => {
  it('is the scan\'s own, never serialised, and lost by a copy unless carried over', async () => {
    const report = await scan({ paths: [FILE], cwd: DIR, config: false });
    const analysis = concurrencyOf(report);
    expect([...analysis!.program.functions.keys()]).toContain('fip_subscriptions.FipSubscriptions.subscribe');
    expect(JSON.stringify(report)).not.toContain('fip_subscriptions.FipSubscriptions.subscribe');
    expect(concurrencyOf({ ...report })).toBeUndefined();
    expect(concurrencyOf(carryResults(report, { ...report }))).toBe(analysis);
  });
});

describe('the concurrency facts in the prompt', () => {
  it('the prompt of a file with an unlocked check-then-act holds the facts section: its lines, lockset "none", entry points, locks', async () => {
    const { server } = await review(NO_DEFECTS);
    const [prompt] = userPrompts(server);
    const section = prompt!.slice(prompt!.indexOf('Concurrency facts'), prompt!.indexOf('<<<CODE-')).trimEnd();
    expect(section.split('\n')).toEqual([
      'Concurrency facts from static analysis (race claims are checked against them):',
      'Shared state accessed, by line (read or write) and locks held:',
      '- self._subscribers: read 22, write 23 (locks: none)',
      '- self._ports: write 28, 32 (locks: self._ports_lock)',
      'Concurrent entry points reaching these lines:',
      '- FipSubscriptions.subscribe: handed to self._pool.spawn_n at fip_subscriptions.py:41',
      '- FipSubscriptions.add_port: handed to self._pool.spawn_n at fip_subscriptions.py:42',
      '- FipSubscriptions.remove_port: handed to self._pool.spawn_n at fip_subscriptions.py:43',
      'Locks owned: FipSubscriptions: self._ports_lock.',
    ]);
    // After the static findings, outside the fenced code.
    expect(prompt!.indexOf('Concurrency facts')).toBeGreaterThan(prompt!.indexOf('Already reported by static analysis'));
  });

  it('cut into chunks: the chunk with the check-then-act gets the facts, the chunk without shared state none', async () => {
    // A context this small cuts the file in two (the class, the module's pure helpers) and leaves
    // the facts a fifth of the room for code: the first rows fit, the rest is left out.
    const { server } = await review(NO_DEFECTS, { settings: { contextTokens: 2700, maxOutputTokens: 512, chunkOverlap: 2 } });
    const prompts = userPrompts(server);
    expect(prompts.map((p) => p.split('\n')[1])).toEqual([
      'File: "fip_subscriptions.py" (lines 1-46 of 56, part 1 of 2)',
      'File: "fip_subscriptions.py" (lines 45-56 of 56, part 2 of 2; lines 45-46 repeat the end of the previous part for context)',
    ]);
    expect(prompts[0]).toContain('Shared state accessed, by line (read or write) and locks held:\n- self._subscribers: read 22, write 23 (locks: none)\n');
    expect(prompts[1]).not.toContain('Concurrency facts');
    expect(prompts[1]).not.toContain('Shared state accessed');
  });

  it('every prompt mode sends them; a scan without the concurrency rules has none to send', async () => {
    for (const mode of ['basic', 'cwe-list', 'commit', 'cot', 'cot-commit'] as const) {
      const { server } = await review(NO_DEFECTS, { settings: { promptMode: mode } });
      expect(userPrompts(server)[0], mode).toContain('- self._subscribers: read 22, write 23 (locks: none)');
      await server.close();
    }
    const { server: without } = await review(NO_DEFECTS, {
      scan: { disable: ['python/check-then-act-race', 'python/inconsistent-locking', 'python/lock-not-released'] },
    });
    expect(userPrompts(without)[0]).not.toContain('Concurrency facts');
  });
});

const CHECK_THEN_ACT: Claim = {
  cwe: 362,
  title: 'Race condition on the subscriber set',
  startLine: 22,
  endLine: 23,
  code: 'is_first = not self._subscribers',
  description: 'subscribe runs in green threads of a pool: two of them can both see an empty self._subscribers and both return True.',
};

describe('race claims, checked against the facts', () => {
  it('a race claim at the unlocked check-then-act is shown (as its own finding when the static rule is off)', async () => {
    const { report } = await review(reply(CHECK_THEN_ACT), { scan: { disable: ['python/check-then-act-race'] } });
    expect(report.llm!.rejected).toEqual([]);
    const llm = report.findings.filter((f) => f.origin === 'llm-verified');
    expect(llm.map((f) => [f.ruleId, f.location.startLine, f.location.endLine])).toEqual([['llm/cwe-362', 22, 23]]);
  });

  it('with the static rule on, the same claim confirms its finding', async () => {
    const { report } = await review(reply(CHECK_THEN_ACT));
    const confirmed = report.findings.filter((f) => f.origin === 'static+llm');
    expect(confirmed.map((f) => [f.ruleId, f.location.startLine])).toEqual([['python/check-then-act-race', 22]]);
    expect(confirmed[0]!.llmNote).toContain('two of them can both see an empty self._subscribers');
    expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
  });

  it('a race claim on a field whose every access holds the same lock is dropped, with the reason', async () => {
    const { report } = await review(
      reply({
        cwe: 362,
        title: 'Race on the port map',
        startLine: 28,
        code: 'self._ports[port_id] = port',
        description: 'add_port and remove_port can change self._ports at the same time.',
      }),
    );
    expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
    expect(report.llm!.rejected.map((r) => [r.code, r.reason])).toEqual([
      [
        'race-common-lock',
        'claims a race, but every access of `self._ports` (lines 28, 32) holds self._ports_lock, so no two of them can interleave',
      ],
    ]);
  });

  it('a race claim citing a line with no access to shared state is dropped', async () => {
    const { report } = await review(
      reply({
        cwe: 362,
        title: 'Race condition building the CIDR',
        startLine: 51,
        code: "return '%s/%d' % (address, prefix_length)",
        description: 'Concurrent callers can interleave while the CIDR string is built.',
      }),
    );
    expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
    expect(report.llm!.rejected.map((r) => [r.code, r.reason])).toEqual([
      ['race-no-shared-access', 'claims a race, but the concurrency analysis found no access to shared state at line 51 (±2)'],
    ]);
  });

  it('the same claim in a file the concurrency analysis did not read gets only the ordinary checks', async () => {
    const { report } = await review(
      reply({
        cwe: 362,
        title: 'Race condition building the CIDR',
        startLine: 51,
        code: "return '%s/%d' % (address, prefix_length)",
        description: 'Concurrent callers can interleave while the CIDR string is built.',
      }),
      { scan: { disable: ['python/check-then-act-race', 'python/inconsistent-locking', 'python/lock-not-released'] } },
    );
    expect(report.llm!.rejected).toEqual([]);
    expect(report.findings.filter((f) => f.origin === 'llm-verified').map((f) => f.location.startLine)).toEqual([51]);
  });
});

describe('claims that a lock is not released', () => {
  const NOT_RELEASED = {
    cwe: 667,
    title: 'Lock not released on error',
    description: 'If LOG.debug raises, self._ports_lock is never released and every other green thread blocks on it.',
  };

  it('one citing a line without a lock acquisition is dropped', async () => {
    const { report } = await review(reply({ ...NOT_RELEASED, startLine: 28, code: 'self._ports[port_id] = port' }));
    expect(report.findings.some((f) => f.origin === 'llm-verified')).toBe(false);
    expect(report.llm!.rejected.map((r) => [r.code, r.reason])).toEqual([
      ['lock-no-acquire', 'claims a lock is not released, but no lock is acquired (`acquire()`) at line 28 (±2)'],
    ]);
  });

  it('one citing the `acquire()` is shown (as its own finding when the static rule is off)', async () => {
    const { report } = await review(reply({ ...NOT_RELEASED, startLine: 35, code: 'self._ports_lock.acquire()' }), {
      scan: { disable: ['python/lock-not-released'] },
    });
    expect(report.llm!.rejected).toEqual([]);
    expect(report.findings.filter((f) => f.origin === 'llm-verified').map((f) => [f.ruleId, f.location.startLine])).toEqual([['llm/cwe-667', 35]]);
  });
});
