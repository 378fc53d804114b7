/**
 * The LLM second opinion over a finished static scan: for each file (split into chunks when it does
 * not fit the context), build the prompt, answer from the cache or the server, parse the reply,
 * verify every claim, and fold the result into the report: confirmed static findings gain a note,
 * verified LLM-only findings are added, rejected claims and unreviewed files are listed with the
 * reason. Static findings are never removed or changed in severity, confidence or location.
 */
import { compareFindings } from '../filters/policy.js';
import type { Finding, LlmReviewSummary, Report } from '../findings/types.js';
import { cacheKey, CACHE_FORMAT, ReplyCache } from './cache.js';
import { planChunks, type Chunk } from './chunk.js';
import { LlmClient, LlmRequestError, type ClientOptions } from './client.js';
import { createLimiter } from '../scheduling/limiter.js';
import { parseReview, type ParsedReview } from './parse-review.js';
import { buildMessages, promptIdentity, newFence, promptModeOf, responseSchema, usesCommitMessage, usesReasoning, type PromptInput } from './prompt.js';
import type { LlmSettings } from './settings.js';
import { estimateTokens } from './tokens.js';
import { verifyClaim, type VerifyOutcome } from './verify.js';
import { concurrencyOf } from '../api/analysis-results.js';
import type { ConcurrencyResult } from '../analysis/concurrency/races.js';
import { ConcurrencyFactsIndex, factsBudget, factsSection } from './concurrency-facts.js';

export interface ReviewFile {
  /** Path as reported (relative to the scan root). */
  path: string;
  text: string;
  /** Language name for the prompt; default Python. */
  language?: string;
  /** No static front end reads this file: only the LLM reviews it (languages.ts). */
  llmOnly?: boolean;
}

export interface LlmReviewInput<R extends Report = Report> {
  report: R;
  files: readonly ReviewFile[];
  /** Files the caller could not hand over (unreadable…), listed as not reviewed. */
  unavailable?: readonly { path: string; reason: string }[];
  settings: LlmSettings;
  /** Warnings to pass on in the summary (settings that were ignored…). */
  warnings?: readonly string[];
  /** Whether an LLM-only finding is shown (the user's --severity/--confidence); default: all. */
  meetsThresholds?: (finding: Finding) => boolean;
  clientOptions?: ClientOptions;
  /** The scan's concurrency analysis; default: the one the report carries (src/api/analysis-results.ts). */
  concurrency?: ConcurrencyResult;
}

/** Tokens kept free for the chunker's estimate being low. */
const SAFETY = 0.9;

interface ChunkResult {
  outcomes: VerifyOutcome[];
  notReviewed?: { startLine?: number; endLine?: number; reason: string };
}

/** Splits text into lines as editors number them (a final line end does not start a new line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export async function reviewWithLlm<R extends Report>(input: LlmReviewInput<R>): Promise<R> {
  const { settings, report } = input;
  const client = new LlmClient(settings, input.clientOptions);
  const cache = settings.cacheDir ? new ReplyCache(settings.cacheDir) : undefined;
  const limit = createLimiter(settings.concurrency);
  const mode = promptModeOf(settings);
  const schema = responseSchema(usesReasoning(mode));
  // Only the commit modes send the commit message; the others say so rather than drop it silently.
  const commitMessage = usesCommitMessage(mode) && settings.commitMessage?.trim() ? settings.commitMessage : undefined;
  const promptWarnings: string[] = [];
  if (settings.commitMessage?.trim() && !usesCommitMessage(mode)) {
    promptWarnings.push(`the commit message was not sent: prompt mode ${mode} does not use one (--llm-prompt commit or cot-commit do)`);
  }
  const tokens = { prompt: 0, completion: 0 };
  let reserved = 0;
  let cacheHits = 0;
  let chunkCount = 0;
  const cacheProblems = new Set<string>();
  const spent = (): number => tokens.prompt + tokens.completion;
  const analysis = input.concurrency ?? concurrencyOf(report);
  const concurrency = analysis ? new ConcurrencyFactsIndex(analysis) : undefined;

  const reviewChunk = async (file: ReviewFile, lines: string[], chunk: Chunk, index: number, count: number, factsChars: number): Promise<ChunkResult> => {
    const staticFindings = report.findings.filter((f) => f.location.path === file.path);
    const facts = concurrency?.forFile(file.path);
    const prompt: PromptInput = {
      path: file.path,
      language: file.language ?? 'Python',
      lines,
      contextStart: chunk.contextStart,
      start: chunk.start,
      end: chunk.end,
      chunkIndex: index,
      chunkCount: count,
      staticFindings: staticFindings.filter((f) => f.location.startLine >= chunk.contextStart && f.location.startLine <= chunk.end),
      commitMessage,
      mode,
      concurrencyFacts: factsSection(facts, { start: chunk.contextStart, end: chunk.end }, factsChars),
    };
    const range = count > 1 ? { startLine: chunk.contextStart, endLine: chunk.end } : {};
    const key = cacheKey(settings.model, promptIdentity(prompt, settings));
    let content: string;
    const cached = cache?.get(key, settings.model);
    if (cached) {
      cacheHits++;
      content = cached.content;
    } else {
      const messages = buildMessages(prompt, newFence(lines.join('\n'), commitMessage));
      const estimate = estimateTokens(messages.map((m) => m.content).join('\n')) + settings.maxOutputTokens;
      if (spent() + reserved + estimate > settings.tokenBudget) {
        return {
          outcomes: [],
          notReviewed: { ...range, reason: `token budget of ${settings.tokenBudget} tokens per run reached (llm.token-budget; ${spent()} used)` },
        };
      }
      reserved += estimate;
      let reply;
      try {
        reply = await client.chat(messages, schema);
      } catch (error) {
        if (error instanceof LlmRequestError) return { outcomes: [], notReviewed: { ...range, reason: error.message } };
        throw error;
      } finally {
        reserved -= estimate;
      }
      const promptTokens = reply.usage.prompt || estimate - settings.maxOutputTokens;
      tokens.prompt += promptTokens;
      tokens.completion += reply.usage.completion || estimateTokens(reply.content);
      if (reply.finishReason === 'length') {
        return {
          outcomes: [],
          notReviewed: {
            ...range,
            reason: `the reply was cut off at ${settings.maxOutputTokens} tokens (raise llm.max-output-tokens)`,
          },
        };
      }
      const problem = unusable(reply.content, parseReview(reply.content));
      if (problem) return { outcomes: [], notReviewed: { ...range, reason: problem } };
      content = reply.content;
      const failed = cache?.set({
        format: CACHE_FORMAT,
        model: settings.model,
        key,
        content,
        finishReason: reply.finishReason,
        usage: { prompt: promptTokens, completion: reply.usage.completion },
      });
      if (failed) cacheProblems.add(failed);
    }
    const parsed = parseReview(content);
    const problem = unusable(content, parsed);
    if (problem) return { outcomes: [], notReviewed: { ...range, reason: problem } };
    const shown = { start: chunk.contextStart, end: chunk.end };
    return { outcomes: parsed.claims.map((claim) => verifyClaim(claim, { path: file.path, lines, shown, staticFindings, concurrency: facts })) };
  };

  const notReviewed: LlmReviewSummary['notReviewed'] = (input.unavailable ?? []).map((u) => ({ path: u.path, reason: u.reason }));
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const perFile = await Promise.all(
    files.map(async (file) => {
      const lines = splitLines(file.text);
      const overhead = estimateTokens(
        buildMessages(
          {
            path: file.path,
            language: file.language ?? 'Python',
            lines: [],
            contextStart: 1,
            start: 1,
            end: 0,
            chunkIndex: 0,
            chunkCount: 2,
            staticFindings: report.findings.filter((f) => f.location.path === file.path).slice(0, 20),
            commitMessage,
            mode,
          },
          '0'.repeat(18),
        )
          .map((m) => m.content)
          .join('\n'),
      );
      const room = Math.floor((settings.contextTokens - settings.maxOutputTokens - overhead) * SAFETY);
      // The concurrency facts get at most a fifth of the room, and the room for code is what the whole file's
      // leave (a chunk's are a part of them, or about as long when the caps cut them; SAFETY covers the rest).
      const factsChars = factsBudget(room);
      const wholeFacts = factsSection(concurrency?.forFile(file.path), { start: 1, end: lines.length }, factsChars);
      const codeTokens = wholeFacts ? room - estimateTokens(`${wholeFacts}\n\n`) : room;
      if (codeTokens < 256) {
        return [{ outcomes: [], notReviewed: { reason: `llm.context-tokens (${settings.contextTokens}) leaves no room for code after the instructions` } }];
      }
      if (file.text.trim() === '') return [{ outcomes: [], notReviewed: { reason: 'empty file' } }];
      const chunks = await planChunks(file.text, lines, { codeTokens, overlap: settings.chunkOverlap, language: file.language ?? 'Python' });
      chunkCount += chunks.length;
      return Promise.all(chunks.map((c, i) => limit(() => reviewChunk(file, lines, c, i, chunks.length, factsChars))));
    }),
  );

  // Fold the outcomes into the report, file by file in path order, chunk by chunk.
  const notes = new Map<Finding, string[]>();
  const verified: Finding[] = [];
  const rejected: LlmReviewSummary['rejected'] = [];
  const seen = new Set<string>();
  let filesReviewed = 0;
  files.forEach((file, i) => {
    const results = perFile[i]!;
    if (results.some((r) => !r.notReviewed)) filesReviewed++;
    for (const r of results) {
      if (r.notReviewed) notReviewed.push({ path: file.path, ...r.notReviewed });
      for (const o of r.outcomes) {
        if (o.kind === 'rejected') rejected.push({ claim: o.claim, reason: o.reason, code: o.code });
        else if (o.kind === 'merged') {
          const list = notes.get(o.target) ?? [];
          if (o.note && !list.includes(o.note)) list.push(o.note);
          notes.set(o.target, list);
        } else {
          // Overlapping chunks may report the same defect twice.
          const k = `${o.finding.ruleId}\0${o.finding.location.path}\0${o.finding.location.startLine}`;
          if (seen.has(k)) continue;
          seen.add(k);
          verified.push(o.finding);
        }
      }
    }
  });

  const keep = input.meetsThresholds ?? (() => true);
  const shownLlm = verified.filter(keep);
  const findings = report.findings.map((f): Finding => {
    const list = notes.get(f);
    // Only the note and the origin change; evidence, severity and confidence stay the analyser's.
    return list ? { ...f, origin: 'static+llm', llmNote: list.join(' ') } : f;
  });
  if (shownLlm.length > 0) {
    findings.push(...shownLlm);
    findings.sort(compareFindings);
  }

  const warnings = [...(input.warnings ?? []), ...promptWarnings, ...[...cacheProblems].map((p) => `${p}; replies were used but not cached`)];
  const summary: LlmReviewSummary = {
    model: settings.model,
    baseUrl: settings.baseUrl,
    prompt: { mode, commitMessage: usesCommitMessage(mode) ? (commitMessage ? 'sent' : 'none available') : 'not used' },
    responseFormat: client.format,
    requests: client.requests,
    cacheHits,
    tokens: { prompt: tokens.prompt, completion: tokens.completion, total: spent(), budget: settings.tokenBudget },
    filesReviewed,
    llmOnly: files.filter((f) => f.llmOnly).map((f) => ({ path: f.path, language: f.language ?? 'unknown' })),
    chunks: chunkCount,
    verified: verified.length,
    merged: [...notes.values()].length,
    belowThreshold: verified.length - shownLlm.length,
    notReviewed,
    rejected,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  return { ...report, findings, llm: summary };
}

/** Why a reply cannot be used, or undefined when it can. */
function unusable(content: string, parsed: ParsedReview): string | undefined {
  if (content.trim() === '') return 'the model sent an empty reply';
  if (parsed.format === 'text' && parsed.claims.length === 0 && !parsed.verdict) {
    const looksJson = /^\s*(?:```(?:json)?\s*)?[{[]/.test(content);
    return looksJson
      ? 'the reply was malformed JSON and no review could be read from it'
      : 'the reply was neither the requested JSON nor a review with findings or a verdict';
  }
  return undefined;
}
