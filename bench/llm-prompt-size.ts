/**
 * What `--llm` costs in prompt tokens: builds the exact prompts the review would send for every
 * Python file under a folder (default: examples/), with the default settings, and prints tokens
 * per 1,000 lines. Sends nothing anywhere. Tokens are estimated at 3.5 characters per token (see
 * src/llm/tokens.ts); a server's tokenizer may differ by some 10-20 %. The prompts include the
 * concurrency facts of each chunk as the review sends them; `--no-concurrency-facts` leaves them
 * out, to see what they cost.
 *
 *   npx tsx bench/llm-prompt-size.ts [folder] [--context-tokens N] [--no-concurrency-facts]
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { scan } from '../src/api/scan.js';
import { discoverFiles } from '../src/discover/discover.js';
import { planChunks } from '../src/llm/chunk.js';
import { buildMessages, DEFAULT_PROMPT_MODE, IDENTITY_FENCE, type PromptInput } from '../src/llm/prompt.js';
import { splitLines } from '../src/llm/review.js';
import { concurrencyOf } from '../src/api/analysis-results.js';
import { ConcurrencyFactsIndex, factsBudget, factsSection } from '../src/llm/concurrency-facts.js';
import { LLM_DEFAULTS } from '../src/llm/settings.js';
import { estimateTokens } from '../src/llm/tokens.js';

const args = process.argv.slice(2);
const ctxFlag = args.indexOf('--context-tokens');
const contextTokens = ctxFlag >= 0 ? Number(args[ctxFlag + 1]) : LLM_DEFAULTS.contextTokens;
const folder = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--context-tokens') ?? 'examples');
const maxOutput = LLM_DEFAULTS.maxOutputTokens;
const withFacts = !args.includes('--no-concurrency-facts');

const report = await scan({ paths: ['.'], cwd: folder, config: false });
const analysis = withFacts ? concurrencyOf(report) : undefined;
const concurrency = analysis ? new ConcurrencyFactsIndex(analysis) : undefined;
const { files } = await discoverFiles({ root: folder, paths: ['.'], extensions: ['.py'] });

let totalLines = 0;
let totalPrompt = 0;
let totalRequests = 0;
const rows: string[][] = [];
for (const file of files) {
  const text = await readFile(file.absPath, 'utf8');
  const lines = splitLines(text);
  if (text.trim() === '') continue;
  const staticFindings = report.findings.filter((f) => f.location.path === file.path);
  const base: PromptInput = {
    path: file.path,
    language: 'Python',
    lines,
    contextStart: 1,
    start: 1,
    end: 0,
    chunkIndex: 0,
    chunkCount: 2,
    staticFindings,
    mode: DEFAULT_PROMPT_MODE,
  };
  const facts = concurrency?.forFile(file.path);
  const overhead = estimateTokens(buildMessages({ ...base, lines: [] }, IDENTITY_FENCE).map((m) => m.content).join('\n'));
  // As src/llm/review.ts plans it.
  const room = Math.floor((contextTokens - maxOutput - overhead) * 0.9);
  const factsChars = factsBudget(room);
  const wholeFacts = factsSection(facts, { start: 1, end: lines.length }, factsChars);
  const codeTokens = wholeFacts ? room - estimateTokens(`${wholeFacts}\n\n`) : room;
  const chunks = await planChunks(text, lines, { codeTokens, overlap: LLM_DEFAULTS.chunkOverlap });
  let prompt = 0;
  chunks.forEach((c, i) => {
    const input = { ...base, contextStart: c.contextStart, start: c.start, end: c.end, chunkIndex: i, chunkCount: chunks.length };
    input.staticFindings = staticFindings.filter((f) => f.location.startLine >= c.contextStart && f.location.startLine <= c.end);
    input.concurrencyFacts = factsSection(facts, { start: c.contextStart, end: c.end }, factsChars);
    prompt += estimateTokens(buildMessages(input, IDENTITY_FENCE).map((m) => m.content).join('\n'));
  });
  totalLines += lines.length;
  totalPrompt += prompt;
  totalRequests += chunks.length;
  rows.push([file.path, String(lines.length), String(chunks.length), String(prompt), String(Math.round((prompt / lines.length) * 1000))]);
}

const header = ['file', 'lines', 'requests', 'prompt tokens', 'per 1,000 lines'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`LLM prompt size for ${folder} (context ${contextTokens} tokens, estimate: 3.5 characters per token, concurrency facts ${withFacts ? 'included' : 'left out'})\n`);
console.log(line(header));
for (const r of rows) console.log(line(r));
const per1000 = Math.round((totalPrompt / totalLines) * 1000);
console.log(line(['total', String(totalLines), String(totalRequests), String(totalPrompt), String(per1000)]));
console.log(
  `\nPrompt tokens per 1,000 lines: ${per1000}. The fixed instructions cost about ` +
    `${estimateTokens(buildMessages({ path: 'x.py', language: 'Python', lines: [], contextStart: 1, start: 1, end: 0, chunkIndex: 0, chunkCount: 1, staticFindings: [], mode: DEFAULT_PROMPT_MODE }, IDENTITY_FENCE).map((m) => m.content).join('\n'))} tokens per request; ` +
    `replies add up to ${maxOutput} tokens per request (typically a few hundred).`,
);
