/**
 * A dead or hung LLM server must not cost every file the whole timeout: after
 * llm.max-consecutive-failures (3) failed attempts in a row the client stops asking, and the rest of
 * the files are listed as not reviewed, with all static findings and the usual exit code.
 *
 * Timing assertions are generous upper bounds that only the breaker can meet: 50 files at 1 s per
 * request and 2 in flight take at least 25 s without it (a refused server, with 3 retries backing
 * off 1 + 2 + 4 s, some 175 s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { scan } from '../../src/api/scan.js';
import { runLlmForScan, type LlmOverrides } from '../../src/llm/index.js';
import { tempTree } from '../support/tmp.js';
import { always, sequence, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from './fake-server.js';
import { FIXTURES, jsonReply } from './helpers.js';
import { runCli } from './run-cli.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A port nothing listens on: bound, then closed. */
async function refusedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/v1`;
}

/** Accepts connections, reads what comes, never answers; counts the connections a request came over. */
async function hungServer(): Promise<{ baseUrl: string; requests: () => number }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => count++);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => count };
}

/** 50 Python files, each with one static finding; llm.timeout of 1 s from the (harmless) repository settings. */
function fiftyFiles(): string {
  const dir = tempTree({ '.secreview.yml': 'llm:\n  timeout: 1\n' });
  for (let i = 0; i < 50; i++) cpSync(join(FIXTURES, 'injected.py'), join(dir, `app_${String(i).padStart(2, '0')}.py`));
  return dir;
}

interface NotReviewed {
  path: string;
  reason: string;
}

async function expectBrokenRun(dir: string, baseUrl: string, reasonOfFirst: RegExp): Promise<void> {
  const plain = await runCli(['scan', '.', '--format', 'json'], dir);
  const before = JSON.parse(plain.stdout);
  expect(before.findings).toHaveLength(50);
  const run = await runCli(['scan', '.', '--format', 'json', '--llm', '--no-llm-cache'], dir, {
    SECREVIEW_LLM_BASE_URL: baseUrl,
    SECREVIEW_LLM_MODEL: 'fake-coder:7b',
    SECREVIEW_LLM_API_KEY: 'secret-key-123',
  });
  const report = JSON.parse(run.stdout);
  // Static findings and exit code as without --llm.
  expect(run.code).toBe(plain.code);
  expect(report.findings).toEqual(before.findings);
  // Every file is listed as not reviewed, most of them without having been asked.
  const notReviewed: NotReviewed[] = report.llm.notReviewed;
  expect(notReviewed.map((n) => n.path).sort()).toEqual(before.findings.map((f: { location: { path: string } }) => f.location.path).sort());
  expect(report.llm.filesReviewed).toBe(0);
  const notAsked = notReviewed.filter((n) => /^LLM server failed 3 times in a row: .+; not asked$/.test(n.reason));
  expect(notAsked.length).toBeGreaterThanOrEqual(45);
  expect(notAsked[0]!.reason).toMatch(reasonOfFirst);
  expect(report.llm.requests).toBeLessThanOrEqual(6);
  // The LLM part took seconds, not the 25 s (hung) or minutes (refused) of asking for every file.
  expect(run.ms - plain.ms).toBeLessThan(10_000);
}

describe('circuit breaker: a dead or hung server costs a bounded time', () => {
  it('connection refused: 50 files end in seconds, all listed as not asked', async () => {
    const url = await refusedBaseUrl();
    await expectBrokenRun(fiftyFiles(), url, /^LLM server failed 3 times in a row: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: .*ECONNREFUSED/);
  }, 60_000);

  it('a server that accepts and never answers: the breaker opens after about 2 timeouts of 1 s', async () => {
    const hung = await hungServer();
    await expectBrokenRun(fiftyFiles(), hung.baseUrl, /^LLM server failed 3 times in a row: no reply within 1 s \(llm\.timeout\); not asked$/);
    // Two rounds of two requests; the breaker opened on the third timeout.
    expect(hung.requests()).toBeLessThanOrEqual(4);
  }, 60_000);
});

describe('circuit breaker and Retry-After (library, waits recorded instead of slept)', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(files: number, replies: (r: RecordedRequest, n: number) => FakeReply, overrides: LlmOverrides = {}) {
    server = await startFakeServer(replies);
    const dir = tempTree({});
    for (let i = 0; i < files; i++) cpSync(join(FIXTURES, 'injected.py'), join(dir, `f${i}.py`));
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    const sleeps: number[] = [];
    const reviewed = await runLlmForScan(report, {
      paths: ['.'],
      config: false,
      env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'm', SECREVIEW_LLM_API_KEY: 'k' },
      overrides: { contextTokens: 32_768, cache: false, ...overrides },
      clientOptions: {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    });
    return { llm: reviewed.llm!, sleeps };
  }

  it('429 with Retry-After: 3600 waits at most 30 s, whatever llm settings allow, and opens the breaker', async () => {
    const { llm, sleeps } = await run(5, always({ status: 429, headers: { 'retry-after': '3600' } }), { retries: 3, maxBackoffMs: 3_600_000 });
    expect(sleeps.length).toBeGreaterThan(0);
    expect(sleeps.every((ms) => ms === 30_000)).toBe(true);
    // Three 429s in a row open the breaker; the other request in flight then is the last one sent.
    expect(llm.requests).toBeLessThanOrEqual(4);
    expect(server!.requests.length).toBeLessThanOrEqual(llm.requests);
    expect(llm.notReviewed).toHaveLength(5);
    expect(llm.notReviewed.filter((n) => n.reason === 'LLM server failed 3 times in a row: the server answered HTTP 429: 429 fake error 429; not asked')).toHaveLength(3);
    expect(llm.notReviewed.filter((n) => /^(request abandoned|.*not retried): LLM server failed 3 times in a row|\(after 2 attempts\)$/.test(n.reason))).toHaveLength(2);
  });

  it('a reply in between resets the count: a flaky server that answers every other time reviews every file', async () => {
    const ok = { content: jsonReply([]) };
    const { llm } = await run(6, sequence({ status: 503 }, ok, { status: 503 }, ok, { status: 503 }, ok, { status: 503 }, ok, { status: 503 }, ok, { status: 503 }, ok), {
      concurrency: 1,
      retries: 1,
      backoffMs: 1,
    });
    expect(llm.notReviewed).toEqual([]);
    expect(llm.filesReviewed).toBe(6);
    expect(llm.requests).toBe(12);
  });

  it('llm.max-consecutive-failures sets N', async () => {
    const { llm } = await run(6, always({ status: 500 }), { concurrency: 1, retries: 0, maxConsecutiveFailures: 5 });
    expect(llm.requests).toBe(5);
    expect(llm.notReviewed.map((n) => n.reason)).toEqual([
      ...Array(5).fill('the server answered HTTP 500: 500 fake error 500'),
      'LLM server failed 5 times in a row: the server answered HTTP 500: 500 fake error 500; not asked',
    ]);
  });
});
