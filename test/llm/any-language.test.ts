/**
 * `--llm` over files of languages with no static front end (C here): the same grounding checks
 * (the cited line exists, the quoted code is near it), the same report formats, marked as LLM-only
 * coverage; discovery still honours .gitignore, excludes, the size limit and skips binaries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/api/scan.js';
import type { Report } from '../../src/findings/types.js';
import { runLlmForScan, type ScanLlmOptions } from '../../src/llm/index.js';
import { frontEndLanguageOf, llmOnlyLanguageOf } from '../../src/llm/languages.js';
import { getReporter } from '../../src/report/index.js';
import { checkSchema } from '../report/schema-check.js';
import { tempTree } from '../support/tmp.js';
import { startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from './fake-server.js';
import { fixture, jsonReply } from './helpers.js';

const C_FILE = fixture('lang/ifconfig_helper.c');
const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../src/report/json-schema.json', import.meta.url)), 'utf8'));

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The reply for the file named in the request. */
const byFile =
  (replies: Record<string, string>) =>
  (r: RecordedRequest): FakeReply => {
    const path = /File: "([^"]+)"/.exec(r.body.messages[1]!.content)?.[1] ?? '';
    return { content: replies[path] ?? jsonReply([], 'No security defects are detected in the code') };
  };

async function review(files: Record<string, string | Uint8Array>, replies: Record<string, string>, extra: Partial<ScanLlmOptions> = {}) {
  server = await startFakeServer(byFile(replies));
  const dir = tempTree(files);
  const report = await scan({ paths: ['.'], cwd: dir, config: false, confidence: 'low' });
  const reviewed = await runLlmForScan(report, {
    paths: ['.'],
    config: false,
    confidence: 'low',
    env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'fake', SECREVIEW_LLM_API_KEY: 'k' },
    overrides: { cache: false, contextTokens: 32_768 },
    ...extra,
  });
  return { report: reviewed, static: report, requests: server.requests };
}

const C_REPLY = jsonReply([
  {
    cwe: 120,
    pillar: 664,
    title: 'Unbounded copy into a fixed-size name',
    startLine: 25,
    endLine: 25,
    code: 'strcpy(dev->name, requested);',
    description: 'requested may be longer than IFNAME_LEN bytes and overflows dev->name.',
    solution: 'Check the length and copy with a bounded function.',
    severity: 'high',
  },
  {
    cwe: 78,
    pillar: 707,
    title: 'Command built from the interface name',
    startLine: 61,
    endLine: 61,
    code: 'system(cmd);',
    description: 'An invented line: the file has 39 lines.',
    solution: 'Do not use the shell.',
    severity: 'high',
  },
  {
    cwe: 78,
    pillar: 707,
    title: 'Command built from the interface name',
    startLine: 19,
    endLine: 19,
    code: 'execl("/bin/sh", "sh", "-c", cmd, NULL);',
    description: 'A quote that is not in the file.',
    solution: 'Do not use the shell.',
    severity: 'high',
  },
]);

describe('languages by extension', () => {
  it('C, C++, Go, Java, Rust, shell, Ruby, PHP, C#; Python and JavaScript/TypeScript stay with their front ends', () => {
    expect(
      ['a.c', 'a.h', 'a.cpp', 'a.hpp', 'a.go', 'A.java', 'a.rs', 'a.sh', 'a.rb', 'a.php', 'a.cs'].map(llmOnlyLanguageOf),
    ).toEqual(['C', 'C', 'C++', 'C++', 'Go', 'Java', 'Rust', 'shell', 'Ruby', 'PHP', 'C#']);
    expect(['a.js', 'a.mjs', 'a.ts', 'a.tsx'].map(llmOnlyLanguageOf)).toEqual([undefined, undefined, undefined, undefined]);
    // The prompt still names their language (Python is its default).
    expect(['a.js', 'a.jsx', 'a.ts', 'a.tsx', 'a.py'].map(frontEndLanguageOf)).toEqual(['JavaScript', 'JavaScript', 'TypeScript', 'TypeScript', undefined]);
    expect(llmOnlyLanguageOf('a.py')).toBeUndefined();
    expect(llmOnlyLanguageOf('README.md')).toBeUndefined();
    expect(llmOnlyLanguageOf('dir.c/Makefile')).toBeUndefined();
  });
});

describe('a C file under --llm', () => {
  it('a claim at a real line with its quote is shown; one at an invented line, or with a quote not in the file, is not', async () => {
    const { report, static: before, requests } = await review({ 'src/ifconfig_helper.c': C_FILE }, { 'src/ifconfig_helper.c': C_REPLY });
    expect(before.stats.filesScanned).toBe(0);
    expect(before.findings).toEqual([]);
    // The prompt says which language it is.
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.messages[0]!.content).toContain('reviewing C source code for security defects');
    expect(requests[0]!.body.messages[1]!.content).toContain('Review this C file for security defects.');
    expect(requests[0]!.body.messages[1]!.content).toContain('25 |     strcpy(dev->name, requested);');

    expect(report.findings.map((f) => [f.ruleId, f.origin, f.location.path, f.location.startLine, f.confidence, f.snippet])).toEqual([
      ['llm/cwe-120', 'llm-verified', 'src/ifconfig_helper.c', 25, 'medium', '    strcpy(dev->name, requested);'],
    ]);
    expect(report.llm!.rejected.map((r) => [r.claim.startLine, r.code, r.reason])).toEqual([
      [61, 'line-missing', 'line 61 does not exist (src/ifconfig_helper.c has 39 lines)'],
      [19, 'quote-missing', 'quotes `execl("/bin/sh", "sh", "-c", cmd, NULL);`, which does not occur in src/ifconfig_helper.c'],
    ]);
    expect(report.llm!.llmOnly).toEqual([{ path: 'src/ifconfig_helper.c', language: 'C' }]);
    expect(report.llm!.filesReviewed).toBe(1);
  });

  it('every report format says which files had only the LLM', async () => {
    const { report } = await review({ 'x.py': 'print(1)\n', 'src/ifconfig_helper.c': C_FILE }, { 'src/ifconfig_helper.c': C_REPLY });
    expect(report.llm!.llmOnly).toEqual([{ path: 'src/ifconfig_helper.c', language: 'C' }]);
    const render = (format: string): string => getReporter(format)!.render(report as Report, { color: false });
    const text = render('text');
    expect(text).toContain('Coverage:  1 file reviewed by the LLM alone (C: no static front end; listed below)');
    expect(text).toContain('Only the LLM reviewed this file (no static analysis for its language):\n     src/ifconfig_helper.c (C)');
    const md = render('markdown');
    expect(md).toContain('<details><summary>Only the LLM reviewed this file (no static analysis for its language)</summary>');
    expect(md).toContain('- src/ifconfig\\_helper.c (C)');
    const json = JSON.parse(render('json'));
    expect(json.llm.llmOnly).toEqual([{ path: 'src/ifconfig_helper.c', language: 'C' }]);
    expect(checkSchema(SCHEMA, json)).toEqual([]);
    const html = render('html');
    expect(html).toContain('Only the LLM reviewed this file (no static analysis for its language): src/ifconfig_helper.c (C).');
    const sarif = JSON.parse(render('sarif'));
    expect(sarif.runs[0].properties.llmOnlyCoverage.files).toEqual([{ path: 'src/ifconfig_helper.c', language: 'C' }]);
  });

  it('discovery honours .gitignore and excludes, skips binaries and files over the size limit, with the reason', async () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]);
    const { report, requests } = await review(
      {
        '.gitignore': 'build/\n',
        'build/generated.c': C_FILE,
        'vendor/lib.c': C_FILE,
        'blob.c': binary,
        'big.go': `package main\n\n${'// filler line for size\n'.repeat(100)}`,
        'main.go': 'package main\n\nfunc main() {}\n',
      },
      {},
      { exclude: ['vendor/**'], maxFileSize: 1000 },
    );
    const asked = requests.map((r) => /File: "([^"]+)"/.exec(r.body.messages[1]!.content)?.[1]).sort();
    expect(asked).toEqual(['main.go']);
    expect(report.llm!.llmOnly).toEqual([{ path: 'main.go', language: 'Go' }]);
    expect(report.llm!.notReviewed).toEqual([
      { path: 'big.go', reason: 'skipped: file is 2.4 KiB, over the 1000 bytes limit (--max-file-size)' },
      { path: 'blob.c', reason: 'file contains NUL bytes; it is binary, not source code' },
    ]);
  });

  it('a large C file is cut at blank lines before unindented code, and every chunk is reviewed', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `int f${i}(int x)\n{\n    return x + ${i}; /* a few words so that the lines take tokens */\n}\n`).join('\n');
    server = await startFakeServer(() => ({ content: jsonReply([], 'No security defects are detected in the code') }));
    const dir = tempTree({ 'many.c': body });
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    const reviewed = await runLlmForScan(report, {
      paths: ['.'],
      config: false,
      env: { SECREVIEW_LLM_BASE_URL: server.baseUrl, SECREVIEW_LLM_MODEL: 'fake', SECREVIEW_LLM_API_KEY: 'k' },
      overrides: { cache: false, contextTokens: 4096, maxOutputTokens: 512 },
    });
    expect(reviewed.llm!.chunks).toBeGreaterThan(1);
    const firstLines = server.requests.slice(1).map((r) => {
      const m = /<<<CODE-[0-9A-F]+\n([\s\S]*?)\nCODE-/.exec(r.body.messages[1]!.content)!;
      const part = /part \d+ of \d+; lines \d+-(\d+) repeat/.exec(r.body.messages[1]!.content)!;
      const start = Number(part[1]) + 1;
      return m![1]!.split('\n').find((l) => l.trimStart().startsWith(`${start} |`));
    });
    for (const l of firstLines) expect(l).toMatch(/\| int f\d+\(int x\)$/);
  });
});
