/**
 * Every LLM claim is checked against the code before it is shown:
 *
 * 1. it cites a line, and every cited line exists in the file (and was shown to the model);
 * 2. code it quotes as its location occurs at the cited lines or within ±3 lines (whitespace
 *    ignored); the finding is re-anchored to where the code really is; code it names elsewhere in
 *    its text must be near the cited lines too, except plain identifiers (a method or variable
 *    name), which must occur somewhere in the file;
 * 3. its CWE is chosen among the ids it names (cwe-choice.ts): the most specific one MITRE allows
 *    for mapping, under the pillar it names if it names one; a claim naming only a pillar or a
 *    class MITRE discourages is kept at low confidence under it, saying so;
 * 4. a claim on the same lines (±2) as a static finding with the same CWE or the same pillar
 *    confirms that finding: the static finding keeps its evidence, severity and confidence, and
 *    gains the LLM's explanation (`llmNote`, origin `static+llm`);
 * 5. a race or locking claim in a file the concurrency analysis read is checked against its facts
 *    (verify-race.ts): shared state accessed at the cited lines, two accesses of it without a
 *    common lock; a lock acquired where it says one is not released;
 * 6. otherwise it becomes an `llm-verified` finding (rule `llm/cwe-<id>`).
 *
 * A claim failing a check is rejected with the reason. Nothing here can remove or change a static
 * finding other than adding the note: the model's output is only ever additive.
 */
import { getCwe, pillarOf } from '../cwe/catalogue.js';
import { fingerprint } from '../findings/fingerprint.js';
import type { Finding, LlmClaimRecord } from '../findings/types.js';
import { chooseCwe, cweLabel, type CweChoice, type RejectionCode } from './cwe-choice.js';
import type { LineRange, ParsedClaim } from './parse-review.js';
import type { FileConcurrencyFacts } from './concurrency-facts.js';
import { checkConcurrencyClaim, concurrencyClaimKind } from './verify-race.js';

export type { RejectionCode } from './cwe-choice.js';

/** How far (in lines) quoted code may sit from the line the claim cites. */
export const QUOTE_WINDOW = 3;
/** How far (in lines) a claim may sit from a static finding it duplicates. */
export const MERGE_WINDOW = 2;

export interface VerifyContext {
  path: string;
  /** The file's lines (no line ends). */
  lines: readonly string[];
  /** Lines the model was shown; claims outside them are rejected. Default: the whole file. */
  shown?: LineRange;
  /** Static findings of this file, as reported. */
  staticFindings: readonly Finding[];
  /** The file's concurrency facts, when the concurrency analysis read it (race claims are checked against them). */
  concurrency?: FileConcurrencyFacts;
}

export type VerifyOutcome =
  | { kind: 'verified'; finding: Finding }
  | { kind: 'merged'; target: Finding; note: string }
  | { kind: 'rejected'; claim: LlmClaimRecord; reason: string; code: RejectionCode };

export function claimRecord(path: string, claim: ParsedClaim): LlmClaimRecord {
  const main = claim.ranges[0];
  return {
    path,
    ...(main ? { startLine: main.start, endLine: main.end } : {}),
    cwe: [...claim.cwe],
    title: claim.title,
    description: claim.description,
    ...(claim.quotes[0] ? { quote: claim.quotes[0] } : {}),
  };
}

const squash = (s: string): string => s.replace(/\s+/g, '');

/** A quote as the model may have written it: line-number prefixes (`38 | `) removed. */
function cleanQuote(quote: string): string {
  const lines = quote.replace(/\r\n?/g, '\n').split('\n');
  if (lines.every((l) => /^\s*\d+\s*[|:]\s?/.test(l) || l.trim() === '')) {
    return lines.map((l) => l.replace(/^\s*\d+\s*[|:]\s?/, '')).join('\n');
  }
  return quote;
}

/** Where `quote` (whitespace ignored; `...` gaps allowed) occurs within lines from..to, if it does. */
export function locate(quote: string, lines: readonly string[], from: number, to: number): LineRange | undefined {
  const first = Math.max(1, from);
  const last = Math.min(lines.length, to);
  if (first > last) return undefined;
  const fragments = cleanQuote(quote)
    .split(/\.\.\.|…/)
    .map(squash)
    .filter((f) => f.length > 0);
  if (fragments.length === 0) return undefined;
  let text = '';
  const lineAt: number[] = [];
  for (let n = first; n <= last; n++) {
    const s = squash(lines[n - 1] ?? '');
    text += s;
    for (let i = 0; i < s.length; i++) lineAt.push(n);
  }
  // Try every occurrence of the first fragment, nearest to the start first.
  let begin = text.indexOf(fragments[0]!);
  while (begin >= 0) {
    let at = begin + fragments[0]!.length;
    let ok = true;
    for (const fragment of fragments.slice(1)) {
      const next = text.indexOf(fragment, at);
      if (next < 0) {
        ok = false;
        break;
      }
      at = next + fragment.length;
    }
    if (ok) return { start: lineAt[begin]!, end: lineAt[at - 1]! };
    begin = text.indexOf(fragments[0]!, begin + 1);
  }
  return undefined;
}

/** `name`, `obj.attr`, `func()`, `RuntimeError`: names, which a claim may mention away from its line. */
export function isIdentifierLike(snippet: string): boolean {
  return /^[A-Za-z_][\w.]*(?:\(\))?:?$/.test(snippet.trim());
}

/** Where a name occurs as a whole word (`x` is not found in `exception`) within lines from..to. */
export function locateName(name: string, lines: readonly string[], from: number, to: number): LineRange | undefined {
  const bare = name.trim().replace(/(?:\(\))?:?$/, '');
  const re = new RegExp(`(?<!\\w)${bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`);
  for (let n = Math.max(1, from); n <= Math.min(lines.length, to); n++) {
    if (re.test(lines[n - 1] ?? '')) return { start: n, end: n };
  }
  return undefined;
}

/** `locate` for code, `locateName` for names. */
function find(snippet: string, lines: readonly string[], from: number, to: number): LineRange | undefined {
  return isIdentifierLike(snippet) ? locateName(snippet, lines, from, to) : locate(snippet, lines, from, to);
}

function rangeText(r: LineRange): string {
  return r.start === r.end ? `line ${r.start}` : `lines ${r.start}-${r.end}`;
}

/** Nearest location of `quote` near any cited range (main range first), with the range it was near. */
function findNear(quote: string, ranges: readonly LineRange[], lines: readonly string[]): LineRange | undefined {
  for (const r of ranges) {
    const hit = find(quote, lines, r.start - QUOTE_WINDOW, r.end + QUOTE_WINDOW);
    if (hit) return hit;
  }
  return undefined;
}

function shortQuote(q: string): string {
  const one = q.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

function overlaps(a: LineRange, line: number, slack: number): boolean {
  return line >= a.start - slack && line <= a.end + slack;
}

/** Checks one claim; see the module comment for the rules. */
export function verifyClaim(claim: ParsedClaim, ctx: VerifyContext): VerifyOutcome {
  const record = claimRecord(ctx.path, claim);
  const reject = (reason: string, code: RejectionCode): VerifyOutcome => ({ kind: 'rejected', claim: record, reason, code });
  const total = ctx.lines.length;
  const shown = ctx.shown ?? { start: 1, end: total };

  // 1. Lines.
  if (claim.ranges.length === 0) return reject('cites no line', 'no-line');
  for (const r of claim.ranges) {
    if (r.start < 1 || r.start > total || r.end > total) {
      return reject(`${rangeText(r)} does not exist (${ctx.path} has ${total} ${total === 1 ? 'line' : 'lines'})`, 'line-missing');
    }
    if (r.end < shown.start || r.start > shown.end) {
      return reject(`${rangeText(r)} is outside the lines shown to the model (${shown.start}-${shown.end})`, 'outside-shown');
    }
  }
  const main = claim.ranges[0]!;

  // 2. Quoted and named code.
  let anchor: LineRange | undefined;
  const rejectElsewhere = (q: string): VerifyOutcome => {
    const anywhere = find(q, ctx.lines, 1, total);
    return anywhere
      ? reject(`quotes \`${shortQuote(q)}\`, which is at ${rangeText(anywhere)}, not at ${rangeText(main)} (±${QUOTE_WINDOW})`, 'quote-elsewhere')
      : reject(`quotes \`${shortQuote(q)}\`, which does not occur in ${ctx.path}`, 'quote-missing');
  };
  for (const q of claim.quotes) {
    if (!squash(q)) continue;
    const hit = findNear(q, claim.ranges, ctx.lines);
    if (!hit) return rejectElsewhere(q);
    anchor ??= hit;
  }
  for (const m of claim.mentions) {
    if (!squash(m)) continue;
    const hit = findNear(m, claim.ranges, ctx.lines);
    if (hit) {
      // Code (not a bare name) named in the text anchors a claim that gave no location quote.
      if (!isIdentifierLike(m)) anchor ??= hit;
      continue;
    }
    if (isIdentifierLike(m)) {
      if (!locateName(m, ctx.lines, 1, total)) return reject(`names \`${shortQuote(m)}\`, which does not occur in ${ctx.path}`, 'name-missing');
      continue;
    }
    return rejectElsewhere(m);
  }

  // 3. CWE and pillar (cwe-choice.ts). Only ids MITRE will not let anyone map to wait until after
  // the duplicate check: such a claim may still confirm a static finding of the same pillar.
  const choice = chooseCwe(claim.cwe, claim.pillar);
  if (choice.kind === 'rejected' && choice.code !== 'not-mappable') return reject(choice.reason, choice.code);
  const pillar =
    choice.kind === 'specific' ? pillarOf(choice.cwe[0]!) : choice.kind === 'broad' ? choice.pillar : pillarOf(claim.cwe.find((id) => getCwe(id)) ?? 0);

  // Where the finding is: the quoted code if it lies outside the cited lines (or pins a single line).
  let location = main;
  if (anchor && (main.start === main.end || anchor.start < main.start || anchor.end > main.end)) location = anchor;

  // 4. Duplicate of a static finding: same lines ±2 and same CWE or same pillar.
  const candidates = ctx.staticFindings.filter(
    (f) =>
      f.location.path === ctx.path &&
      overlaps(location, f.location.startLine, MERGE_WINDOW) &&
      (f.cwe.some((c) => claim.cwe.includes(c.id)) || (pillar !== undefined && f.pillar.id === pillar.id)),
  );
  if (candidates.length > 0) {
    const target = [...candidates].sort(
      (a, b) => Math.abs(a.location.startLine - location.start) - Math.abs(b.location.startLine - location.start),
    )[0]!;
    return { kind: 'merged', target, note: noteText(claim) };
  }

  if (choice.kind === 'rejected') return reject(choice.reason, choice.code);
  // 5. Races and locking, against the concurrency facts.
  if (ctx.concurrency) {
    const kind = concurrencyClaimKind(choice.kind === 'specific' ? choice.cwe[0]! : choice.id, claim);
    const problem = kind && checkConcurrencyClaim(kind, claim, [...claim.ranges, location], ctx.lines, ctx.concurrency);
    if (problem) return reject(problem.reason, problem.code);
  }

  // 6. A finding of its own.
  return { kind: 'verified', finding: toFinding(claim, ctx, location, choice, anchor !== undefined, main) };
}

/** What the report says about how the claim's CWE was chosen, if anything. */
function choiceNote(choice: Exclude<CweChoice, { kind: 'rejected' }>): string | undefined {
  if (choice.kind === 'broad') {
    const e = getCwe(choice.id)!;
    return e.abstraction === 'Pillar'
      ? `(Unmapped: ${choice.note}; MITRE discourages mapping to pillars, so this is reported at low confidence under the pillar.)`
      : `(Unmapped: ${choice.note}; reported at low confidence under it, pillar ${cweLabel(choice.pillar.id)}.)`;
  }
  if (choice.mappedFrom.length === 0) return undefined;
  const broad = choice.mappedFrom.map((id) => `CWE-${id}`).join(', ');
  return `(The model also named ${broad}, which MITRE discourages for mapping; reported under the most specific CWE it named, CWE-${choice.cwe[0]}.)`;
}

function noteText(claim: ParsedClaim): string {
  const parts = [claim.description || claim.title, claim.solution ? `Fix: ${claim.solution}` : ''].filter(Boolean);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function toFinding(
  claim: ParsedClaim,
  ctx: VerifyContext,
  location: LineRange,
  choice: Exclude<CweChoice, { kind: 'rejected' }>,
  quoted: boolean,
  cited: LineRange,
): Finding {
  const cweIds = choice.kind === 'specific' ? choice.cwe : [choice.id];
  const primary = getCwe(cweIds[0]!)!;
  const pillar = pillarOf(primary.id);
  const startText = ctx.lines[location.start - 1] ?? '';
  const endText = ctx.lines[location.end - 1] ?? '';
  const snippetLines = ctx.lines.slice(location.start - 1, Math.min(location.end, location.start + 2));
  const ruleId = `llm/cwe-${primary.id}`;
  let message = claim.description || claim.title || primary.name;
  if (location.start !== cited.start || location.end !== cited.end) {
    message += ` (The model cited ${rangeText(cited)}; the code it quotes is at ${rangeText(location)}.)`;
  }
  const note = choiceNote(choice);
  if (note) message += ` ${note}`;
  return {
    ruleId,
    title: claim.title || primary.name,
    cwe: cweIds.map((id) => ({ id, name: getCwe(id)!.name })),
    pillar: pillar ? { id: pillar.id, name: pillar.name } : { id: 0, name: 'unknown pillar' },
    severity: claim.severity ?? 'medium',
    // The code is where the model says; whether it is a defect is the model's opinion.
    // A claim naming only a pillar or a discouraged class says too little to be more than a lead.
    confidence: quoted && choice.kind === 'specific' ? 'medium' : 'low',
    location: {
      path: ctx.path,
      startLine: location.start,
      startColumn: startText.length - startText.trimStart().length + 1,
      endLine: location.end,
      endColumn: endText.trimEnd().length + 1,
    },
    snippet: snippetLines.join('\n'),
    message: message.replace(/\s+/g, ' ').trim(),
    fix: claim.solution.replace(/\s+/g, ' ').trim(),
    fingerprint: fingerprint(ruleId, ctx.path, ctx.lines.slice(location.start - 1, location.end).join('\n')),
    statementLine: location.start,
    origin: 'llm-verified',
  };
}
