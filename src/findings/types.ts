/** The shapes every stage after analysis agrees on: findings, diagnostics and the report. */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
export function confidenceRank(c: Confidence): number {
  return CONFIDENCES.indexOf(c);
}

/** 1-based lines and columns; columns count UTF-16 code units (SARIF's default). */
export interface Location {
  path: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** One step of a data-flow path, source first, sink last. */
export interface TraceStep {
  kind: 'source' | 'step' | 'call' | 'return' | 'sink';
  location: Location;
  expression: string;
  note: string;
}

/**
 * A place a finding refers to besides its own location: for a race, the other access, the
 * lock held (or not) there, and the concurrent entry point that reaches the code.
 */
export interface RelatedLocation {
  role: 'access' | 'entry' | 'call';
  location: Location;
  expression: string;
  note: string;
}

/**
 * One text edit of a mechanical fix, in the finding's own file: the text between start and end
 * (1-based lines and columns in UTF-16 code units, end exclusive, as in Location) becomes `text`.
 */
export interface FixEdit {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  text: string;
}

/**
 * A fix a rule declares safe to apply mechanically (`yaml.safe_load`, `verify=True`, …): applied
 * by `secreview fix`, carried as SARIF `fixes`, review suggestions and editor code actions.
 */
export interface FindingFix {
  /** What the edit does, imperative ("Use yaml.safe_load"). */
  description: string;
  /** Non-overlapping edits, in document order. */
  edits: FixEdit[];
}

export interface CweRef {
  id: number;
  name: string;
}

export interface Finding {
  ruleId: string;
  title: string;
  cwe: CweRef[];
  /** The CWE-1000 pillar of the primary CWE, derived from MITRE's catalogue. */
  pillar: CweRef;
  severity: Severity;
  confidence: Confidence;
  location: Location;
  /** The flagged source line(s), verbatim. */
  snippet: string;
  /** What is wrong here, specific to this occurrence. */
  message: string;
  /** How to fix it (the rule's guidance). */
  fix: string;
  /** A mechanical fix for this occurrence, when the rule has one that is safe to apply. */
  autofix?: FindingFix;
  /** Stable across whitespace edits and line moves; see findings/fingerprint.ts. */
  fingerprint: string;
  /** First line of the statement holding the finding (suppressions may sit there). */
  statementLine: number;
  /**
   * `static`: found by rules or the taint engine. `static+llm`: a static finding the LLM second
   * opinion agreed with (its explanation is in `llmNote`; nothing else is changed by the LLM).
   * `llm-verified`: found only by the LLM, every claim checked against the code (src/llm/verify.ts).
   */
  origin: FindingOrigin;
  trace?: TraceStep[];
  /** Other places the finding involves (the other access of a race, the entry point that reaches it), in reading order. */
  related?: RelatedLocation[];
  /** The LLM's explanation, on a static finding the LLM second opinion confirmed (origin `static+llm`). */
  llmNote?: string;
  /** Set by a rule when this occurrence's relevance in test code differs from the rule's `inTests`. */
  inTests?: boolean;
  /** With a baseline (`--baseline`): `unchanged` if the baseline recorded it, else `new`. */
  baselineState?: 'new' | 'unchanged';
}

export type FindingOrigin = 'static' | 'static+llm' | 'llm-verified';

export type DiagnosticKind =
  | 'path-error'
  | 'read-error'
  | 'decode-error'
  | 'binary-file'
  | 'parse-error'
  | 'config-error'
  | 'suppression-error'
  | 'unused-suppression'
  | 'unqualified-suppression'
  | 'skipped'
  /** Generated JavaScript (declarations, minified files, build output) left out of a folder walk. */
  | 'generated-skipped'
  | 'internal-error';

export interface Diagnostic {
  kind: DiagnosticKind;
  path: string;
  line?: number;
  message: string;
  /** Errors mean the file (or setting) could not be used as asked; warnings do not. */
  level: 'error' | 'warning';
}

export interface ScanStats {
  filesDiscovered: number;
  filesScanned: number;
  filesWithErrors: number;
  lines: number;
  durationMs: number;
  suppressed: number;
  belowThreshold: number;
  /**
   * Findings in test code left out because their rule is not marked meaningful in tests
   * (shown with `--include-tests` or the setting `tests: show`). Absent when none were.
   */
  hiddenInTests?: number;
  /**
   * Of `suppressed`, findings silenced by bare foreign comments (`# nosec`, `# nosemgrep` naming
   * no rule); each such comment is listed as an `unqualified-suppression` diagnostic.
   */
  suppressedUnqualified?: number;
  /** Template files read for the XSS rule (Jinja2, Django); absent when none were. */
  templatesRead?: number;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'secreview'; version: string };
  /** Absolute folder that finding paths are relative to. */
  root: string;
  findings: Finding[];
  diagnostics: Diagnostic[];
  stats: ScanStats;
  /** Rule metadata for every rule that produced a finding (reporters need docs). */
  rules: RuleSummary[];
  /** The LLM second opinion (`--llm`): what it cost, what it could not review, what was rejected. */
  llm?: LlmReviewSummary;
  /** `secreview diff`: the change reviewed; findings are those touching it (src/diff/). */
  change?: ChangeInfo;
  /** `--baseline`: how the findings compare with the baseline file (src/baseline/). */
  baseline?: BaselineComparison;
}

/** A reviewed change: a commit range, staged changes, the working tree or a patch. */
export interface ChangeInfo {
  /** What the change is compared with, e.g. `1a2b3c4d5e6f (merge base with main)`. */
  base: string;
  /** The changed state, e.g. `working tree`, `feature (9f8e7d6c5b4a)`, `fix.patch on 1a2b3c4d5e6f`. */
  head: string;
  /** Commit message(s) of the range, or the patch's Subject and body. */
  message?: string;
  files: ChangedFile[];
  /** Findings of the tree not shown because they do not touch the change or existed before it. */
  notShown: number;
}

export interface ChangedFile {
  path: string;
  /** Previous path of a renamed or copied file. */
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';
  /** Added or rewritten lines on the new side, as [start, end] ranges (1-based, inclusive). */
  lines: [number, number][];
  /** New-side lines after which old lines were removed (0: at the top); those neighbours count as changed. */
  deletedAfter?: number[];
}

export interface BaselineComparison {
  /** The baseline file, as named on the command line. */
  file: string;
  /** Reported findings the baseline does not account for. */
  new: number;
  /** Reported findings recorded in the baseline (hidden in text and Markdown, kept in JSON and SARIF). */
  unchanged: number;
  /** Findings recorded in the baseline and not found now (fixed, or no longer reported). */
  absent: number;
  /** Their baseline keys and how many of each are missing, sorted by key. */
  absentKeys: { key: string; count: number }[];
}

/** An LLM claim as the model made it, kept for the rejected list. */
export interface LlmClaimRecord {
  path: string;
  /** Lines the claim cites (the first range is the main one); absent when it cites none. */
  startLine?: number;
  endLine?: number;
  cwe: number[];
  title: string;
  description: string;
  /** Code the claim quotes as its location, if any. */
  quote?: string;
}

export interface LlmReviewSummary {
  model: string;
  baseUrl: string;
  /** The prompt template (src/llm/prompt.ts) and whether a commit message went with it. */
  prompt: { mode: string; commitMessage: 'sent' | 'none available' | 'not used' };
  /** How replies were requested: a JSON schema, or plain text (server without structured output). */
  responseFormat: 'json_schema' | 'text';
  /** HTTP requests sent, retries included (cache hits send none). */
  requests: number;
  cacheHits: number;
  tokens: { prompt: number; completion: number; total: number; budget: number };
  filesReviewed: number;
  /** Files no static front end reads, handed to the LLM alone (LLM-only coverage), path order. */
  llmOnly: { path: string; language: string }[];
  chunks: number;
  /** LLM-only findings that passed verification (before thresholds). */
  verified: number;
  /** Claims that confirmed a static finding (added as `llmNote`). */
  merged: number;
  /** Verified LLM-only findings hidden by --severity/--confidence. */
  belowThreshold: number;
  /** Files (or line ranges of them) the LLM did not review, with the reason; never skipped silently. */
  notReviewed: { path: string; startLine?: number; endLine?: number; reason: string }[];
  /** Claims that failed verification, with the reason and its code (e.g. `quote-missing`; src/llm/cwe-choice.ts lists them). */
  rejected: { claim: LlmClaimRecord; reason: string; code: string }[];
  /** Problems that cost nothing but a later re-run (e.g. the reply cache could not be written). */
  warnings?: string[];
}

export interface RuleSummary {
  id: string;
  title: string;
  cwe: CweRef[];
  pillar: CweRef;
  severity: Severity;
  confidence: Confidence;
  description: string;
  whyItMatters: string;
  fix: { guidance: string; before: string; after: string };
  references: string[];
  language: string;
}

export const NO_DEFECTS_VERDICT = 'No security defects are detected in the code';
