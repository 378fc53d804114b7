/**
 * How the reporters show the LLM second opinion: per-finding origin and note, and a section with
 * what it cost, which files it did not review (and why) and which claims it rejected. Reporters
 * import this small module; it pulls in nothing of the LLM machinery.
 */
import type { Finding, LlmReviewSummary, Report } from '../findings/types.js';
import { formatCount } from '../report/common.js';

/** The origin as a reader should see it; undefined for plain static findings. */
export function originLabel(f: Finding): string | undefined {
  switch (f.origin) {
    case 'llm-verified':
      return 'LLM second opinion only; its location and quoted code were verified, the judgement is the model\'s';
    case 'static+llm':
      return 'static analysis, confirmed by the LLM second opinion';
    default:
      return undefined;
  }
}

const n = (x: number): string => formatCount(x);
const count = (x: number, one: string, many = `${one}s`): string => `${n(x)} ${x === 1 ? one : many}`;

function where(path: string, start?: number, end?: number): string {
  if (start === undefined) return path;
  return end !== undefined && end !== start ? `${path}:${start}-${end}` : `${path}:${start}`;
}

export interface LlmLines {
  heading: string;
  /** Label/value rows. */
  rows: [string, string][];
  notReviewed: string[];
  /** Files only the LLM reviewed (no static front end for their language), `path (Language)`. */
  llmOnly: string[];
  rejected: string[];
  warnings: string[];
}

/** The heading of the LLM-only coverage list, the same in every format. */
export function llmOnlyHeading(count: number): string {
  return `Only the LLM reviewed ${count === 1 ? 'this file' : `these ${formatCount(count)} files`} (no static analysis for ${count === 1 ? 'its' : 'their'} language)`;
}

/** The facts every format shows, as plain (unescaped) text. */
export function llmSummaryLines(llm: LlmReviewSummary, showRejected: boolean): LlmLines {
  const t = llm.tokens;
  const rows: [string, string][] = [
    ['Model', `${llm.model} at ${llm.baseUrl} (${llm.responseFormat === 'json_schema' ? 'JSON schema' : 'plain text'} replies)`],
    ['Prompt', `${llm.prompt.mode}${llm.prompt.commitMessage === 'sent' ? ', with the commit message' : llm.prompt.commitMessage === 'none available' ? ', no commit message available (the prompt says so)' : ''}`],
    [
      'Cost',
      `${count(llm.requests, 'request')} · ${count(llm.cacheHits, 'cache hit')} · ${n(t.total)} tokens (${n(t.prompt)} prompt + ${n(t.completion)} completion) of a ${n(t.budget)} budget`,
    ],
    [
      'Reviewed',
      `${count(llm.filesReviewed, 'file')} in ${count(llm.chunks, 'chunk')}${llm.notReviewed.length > 0 ? ` · ${n(llm.notReviewed.length)} not reviewed (below)` : ''}`,
    ],
    [
      'Claims',
      [
        `${count(llm.verified, 'new finding')} verified${llm.belowThreshold > 0 ? ` (${n(llm.belowThreshold)} below the reporting threshold)` : ''}`,
        `${count(llm.merged, 'static finding')} confirmed`,
        `${n(llm.rejected.length)} rejected${llm.rejected.length > 0 && !showRejected ? ' (--show-rejected lists them)' : ''}`,
      ].join(' · '),
    ],
  ];
  if (llm.llmOnly.length > 0) {
    const langs = [...new Set(llm.llmOnly.map((f) => f.language))].join(', ');
    rows.push(['Coverage', `${count(llm.llmOnly.length, 'file')} reviewed by the LLM alone (${langs}: no static front end; listed below)`]);
  }
  return {
    heading: 'LLM second opinion',
    rows,
    notReviewed: llm.notReviewed.map((x) => `${where(x.path, x.startLine, x.endLine)}: ${x.reason}`),
    llmOnly: llm.llmOnly.map((f) => `${f.path} (${f.language})`),
    rejected: showRejected
      ? llm.rejected.map((r) => {
          const cwe = r.claim.cwe.length > 0 ? r.claim.cwe.map((id) => `CWE-${id}`).join(', ') : 'no CWE';
          const title = r.claim.title ? ` ${r.claim.title}` : '';
          return `${where(r.claim.path, r.claim.startLine, r.claim.endLine)} (${cwe})${title} — ${r.reason}`;
        })
      : [],
    warnings: llm.warnings ?? [],
  };
}

/** Text-reporter section; `clean` makes untrusted text safe for a terminal (one line). */
export function llmTextSection(report: Report, showRejected: boolean, clean: (s: string) => string, bold: (s: string) => string): string[] {
  if (!report.llm) return [];
  const s = llmSummaryLines(report.llm, showRejected);
  const indent = '   ';
  const out = ['', bold(s.heading)];
  for (const [label, value] of s.rows) out.push(`${indent}${`${label}:`.padEnd(10)} ${clean(value)}`);
  if (s.llmOnly.length > 0) {
    out.push(`${indent}${llmOnlyHeading(s.llmOnly.length)}:`);
    for (const x of s.llmOnly) out.push(`${indent}  ${clean(x)}`);
  }
  if (s.notReviewed.length > 0) {
    out.push(`${indent}Not reviewed:`);
    for (const x of s.notReviewed) out.push(`${indent}  ${clean(x)}`);
  }
  if (s.rejected.length > 0) {
    out.push(`${indent}Rejected claims:`);
    for (const x of s.rejected) out.push(`${indent}  ${clean(x)}`);
  }
  for (const w of s.warnings) out.push(`${indent}Warning: ${clean(w)}`);
  return out;
}

/** Markdown section; `escape` escapes untrusted inline text. */
export function llmMarkdownSection(report: Report, showRejected: boolean, escape: (s: string) => string): string[] {
  if (!report.llm) return [];
  const s = llmSummaryLines(report.llm, showRejected);
  const out = ['', `**${s.heading}**`, ''];
  for (const [label, value] of s.rows) out.push(`- ${label}: ${escape(value)}`);
  if (s.llmOnly.length > 0) {
    out.push('', `<details><summary>${escape(llmOnlyHeading(s.llmOnly.length))}</summary>`, '');
    for (const x of s.llmOnly) out.push(`- ${escape(x)}`);
    out.push('', '</details>');
  }
  if (s.notReviewed.length > 0) {
    out.push('', `<details><summary>Not reviewed by the LLM (${s.notReviewed.length})</summary>`, '');
    for (const x of s.notReviewed) out.push(`- ${escape(x)}`);
    out.push('', '</details>');
  }
  if (s.rejected.length > 0) {
    out.push('', `<details><summary>Rejected LLM claims (${s.rejected.length})</summary>`, '');
    for (const x of s.rejected) out.push(`- ${escape(x)}`);
    out.push('', '</details>');
  }
  for (const w of s.warnings) out.push('', `> ${escape(w)}`);
  return out;
}

/** The `llm` object of the JSON report (documented in docs/json-format.md), keys in fixed order. */
export interface JsonLlm {
  model: string;
  baseUrl: string;
  prompt: { mode: string; commitMessage: 'sent' | 'none available' | 'not used' };
  responseFormat: 'json_schema' | 'text';
  requests: number;
  cacheHits: number;
  tokens: { prompt: number; completion: number; total: number; budget: number };
  filesReviewed: number;
  llmOnly: { path: string; language: string }[];
  chunks: number;
  verified: number;
  merged: number;
  belowThreshold: number;
  notReviewed: { path: string; startLine?: number; endLine?: number; reason: string }[];
  rejected: {
    claim: { path: string; startLine?: number; endLine?: number; cwe: number[]; title: string; description: string; quote?: string };
    reason: string;
    code: string;
  }[];
  warnings?: string[];
}

export function llmJson(llm: LlmReviewSummary): JsonLlm {
  const lines = (x: { startLine?: number; endLine?: number }): { startLine?: number; endLine?: number } =>
    x.startLine !== undefined ? { startLine: x.startLine, endLine: x.endLine ?? x.startLine } : {};
  return {
    model: llm.model,
    baseUrl: llm.baseUrl,
    prompt: { mode: llm.prompt.mode, commitMessage: llm.prompt.commitMessage },
    responseFormat: llm.responseFormat,
    requests: llm.requests,
    cacheHits: llm.cacheHits,
    tokens: { prompt: llm.tokens.prompt, completion: llm.tokens.completion, total: llm.tokens.total, budget: llm.tokens.budget },
    filesReviewed: llm.filesReviewed,
    llmOnly: llm.llmOnly.map((f) => ({ path: f.path, language: f.language })),
    chunks: llm.chunks,
    verified: llm.verified,
    merged: llm.merged,
    belowThreshold: llm.belowThreshold,
    notReviewed: llm.notReviewed.map((x) => ({ path: x.path, ...lines(x), reason: x.reason })),
    rejected: llm.rejected.map((r) => ({
      claim: {
        path: r.claim.path,
        ...lines(r.claim),
        cwe: [...r.claim.cwe],
        title: r.claim.title,
        description: r.claim.description,
        ...(r.claim.quote !== undefined ? { quote: r.claim.quote } : {}),
      },
      reason: r.reason,
      code: r.code,
    })),
    ...(llm.warnings && llm.warnings.length > 0 ? { warnings: [...llm.warnings] } : {}),
  };
}
