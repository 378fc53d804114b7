/**
 * Turns an LLM reply into claims. The requested JSON is read first (also when wrapped in a code
 * fence or in prose); a server that ignored the schema gets the free-text parser, which reads the
 * Markdown reviews models write by habit: numbered items or `###` headings, each with CWE ids,
 * `Line 38` / `Lines 142-155` / `lines 131 and 143-147` citations, `**Description**` /
 * `**Issue**`, `**Solution**` / `**Recommendation**` fields, and code quoted in backticks.
 *
 * The parser only extracts; it never judges. Whether a claim is true to the code is decided by
 * verify.ts, and a verdict sentence ("No critical security defects are detected in the code")
 * is recorded but removes nothing: claims listed next to it are still extracted and checked.
 */
import { SEVERITIES, type Severity } from '../findings/types.js';

export interface LineRange {
  start: number;
  end: number;
}

export interface ParsedClaim {
  /** CWE ids in the order given (the item's heading first). */
  cwe: number[];
  /** Pillar the claim names explicitly (JSON `pillar`), if any. */
  pillar?: number;
  /** Cited lines; the first range is the claim's location. Empty when it cites none. */
  ranges: LineRange[];
  title: string;
  description: string;
  solution: string;
  /** Code the claim gives as its location (JSON `code`, backticks in a Location field, code blocks). */
  quotes: string[];
  /** Other backticked snippets (identifiers and code named in the text, not those only in the solution). */
  mentions: string[];
  severity?: Severity;
}

export interface Verdict {
  /** The sentence as written. */
  text: string;
  /** The word between "No" and "security", e.g. `critical`; absent for the plain verdict. */
  qualifier?: string;
}

export interface ParsedReview {
  format: 'json' | 'text';
  claims: ParsedClaim[];
  verdict?: Verdict;
}

const VERDICT = /\bNo\s+(?:([A-Za-z][\w-]*)\s+)?security\s+defects?\s+(?:are|were|is|was)\s+(?:detected|found)\s+in\s+the\s+code\b/i;

export function findVerdict(text: string): Verdict | undefined {
  const m = VERDICT.exec(text);
  if (!m) return undefined;
  const qualifier = m[1]?.toLowerCase();
  return { text: m[0], ...(qualifier ? { qualifier } : {}) };
}

/** JSON reply if there is one, else the free-text reading. */
export function parseReview(content: string): ParsedReview {
  return parseJsonReview(content) ?? parseFreeTextReview(content);
}

// ---------------------------------------------------------------------------------------------
// JSON

function jsonCandidates(content: string): string[] {
  const out = [content.trim()];
  for (const m of content.matchAll(/```(?:json)?[ \t]*\n([\s\S]*?)```/gi)) out.push(m[1]!.trim());
  const first = content.indexOf('{');
  const last = content.lastIndexOf('}');
  if (first >= 0 && last > first) out.push(content.slice(first, last + 1));
  return out;
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const m = /^\s*(?:CWE[-\s_:]*)?(\d{1,9})\s*$/i.exec(v);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function cweList(v: unknown): number[] {
  const items = Array.isArray(v) ? v : [v];
  const out: number[] = [];
  for (const item of items) {
    const direct = toInt(item);
    if (direct !== undefined) out.push(direct);
    else for (const id of cweIdsIn(asString(item))) out.push(id);
  }
  return [...new Set(out)];
}

/** Parses the requested JSON shape (and the usual near misses); undefined when there is none. */
export function parseJsonReview(content: string): ParsedReview | undefined {
  for (const candidate of jsonCandidates(content)) {
    let data: unknown;
    try {
      data = JSON.parse(candidate);
    } catch {
      continue;
    }
    const obj = data as Record<string, unknown> | unknown[] | null;
    if (obj === null || typeof obj !== 'object') continue;
    const list = Array.isArray(obj)
      ? obj
      : ([obj.findings, obj.issues, obj.vulnerabilities, obj.defects].find(Array.isArray) as unknown[] | undefined);
    if (!list && !(typeof obj === 'object' && !Array.isArray(obj) && 'verdict' in obj)) continue;
    const claims = (list ?? []).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object').map(jsonClaim);
    const verdictText = Array.isArray(obj) ? '' : asString(obj.verdict);
    const verdict = findVerdict(verdictText);
    return { format: 'json', claims, ...(verdict ? { verdict } : {}) };
  }
  return undefined;
}

function jsonClaim(f: Record<string, unknown>): ParsedClaim {
  const pick = (...keys: string[]): unknown => keys.map((k) => f[k]).find((v) => v !== undefined && v !== null && v !== '');
  const cwe = cweList(pick('cwe', 'cwe_id', 'cweId', 'cwes'));
  const pillar = toInt(pick('pillar', 'pillar_id', 'pillarId'));
  let start = toInt(pick('startLine', 'start_line', 'line', 'lineNumber', 'line_number'));
  let end = toInt(pick('endLine', 'end_line'));
  const linesField = pick('lines', 'location');
  const ranges: LineRange[] = [];
  if (start === undefined && linesField !== undefined) ranges.push(...numbersAndRanges(asString(linesField)));
  else if (start !== undefined) {
    end = end !== undefined && end >= start ? end : start;
    ranges.push({ start, end });
  }
  const code = asString(pick('code', 'snippet', 'quote', 'vulnerable_code'));
  const description = asString(pick('description', 'issue', 'explanation', 'details'));
  const solution = asString(pick('solution', 'fix', 'recommendation', 'remediation', 'mitigation'));
  const severity = asString(pick('severity')).toLowerCase();
  return {
    cwe,
    ...(pillar !== undefined ? { pillar } : {}),
    ranges,
    title: asString(pick('title', 'name', 'type')).trim(),
    description: description.trim(),
    solution: solution.trim(),
    quotes: code.trim() ? [stripFence(code)] : [],
    // Code in the solution is the proposed fix, which is not in the file by nature: not checked.
    mentions: backticked(description),
    ...((SEVERITIES as readonly string[]).includes(severity) ? { severity: severity as Severity } : {}),
  };
}

function stripFence(code: string): string {
  return code.replace(/^\s*```[\w-]*\n?/, '').replace(/\n?```\s*$/, '').replace(/^`+|`+$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Free text

/** Every CWE id written as CWE-78, CWE 78, CWE_78 or CWE78. */
export function cweIdsIn(text: string): number[] {
  return [...new Set([...text.matchAll(/\bCWE[-\s_:]?(\d{1,6})\b/gi)].map((m) => Number(m[1])))];
}

const RANGE = /(\d{1,7})(?:\s*(?:-|–|—|to|through)\s*(\d{1,7}))?/g;

function toRange(a: string, b: string | undefined): LineRange | undefined {
  const start = Number(a);
  const end = b === undefined ? start : Number(b);
  if (start < 1 || end < 1) return undefined;
  return start <= end ? { start, end } : { start: end, end: start };
}

/** Every number or range in a text that is known to be about lines (a Location field). */
function numbersAndRanges(text: string): LineRange[] {
  const out: LineRange[] = [];
  for (const m of withoutCode(text).replace(/\bCWE[-\s_:]?\d+/gi, ' ').matchAll(RANGE)) {
    const r = toRange(m[1]!, m[2]);
    if (r) out.push(r);
  }
  return out;
}

const LINE_LIST = new RegExp(
  String.raw`\b(?:lines?|ll?\.|L(?=\d))\s*(?:#\s*)?(\d{1,7}(?:\s*(?:-|–|—|to|through)\s*\d{1,7})?(?:\s*(?:,|and|&|or|as well as)\s*(?:lines?\s*)?\d{1,7}(?:\s*(?:-|–|—|to|through)\s*\d{1,7})?)*)`,
  'gi',
);

/** Line citations in running text: `line 38`, `lines 142-155`, `lines 131 and 143-147`, `L12`. */
function citedRanges(text: string): LineRange[] {
  const out: LineRange[] = [];
  for (const m of withoutCode(text).matchAll(LINE_LIST)) {
    for (const r of m[1]!.matchAll(RANGE)) {
      const range = toRange(r[1]!, r[2]);
      if (range) out.push(range);
    }
  }
  return out;
}

function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
}

function backticked(text: string): string[] {
  return [...text.replace(/```[\s\S]*?```/g, ' ').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim()).filter(Boolean);
}

function dedupeRanges(ranges: LineRange[]): LineRange[] {
  const seen = new Set<string>();
  return ranges.filter((r) => {
    const k = `${r.start}-${r.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

type FieldKind = 'location' | 'description' | 'solution' | 'severity' | 'cwe' | 'code' | 'other';

const FIELD_KINDS: [RegExp, FieldKind][] = [
  [/^(?:location|lines?|line of code|line numbers?|code location|where|affected lines?)$/i, 'location'],
  [/^(?:description|issue|problem|details?|explanation|impact|risk|why(?: it matters)?|vulnerability)$/i, 'description'],
  [/^(?:solution|fix|recommendations?|remediation|mitigation|suggested fix|how to fix)$/i, 'solution'],
  [/^(?:severity|risk level)$/i, 'severity'],
  [/^(?:cwe|cwe id|cwe-id|weakness)$/i, 'cwe'],
  [/^(?:code|vulnerable code|snippet|code snippet)$/i, 'code'],
];

function fieldKind(label: string): FieldKind {
  const l = label.trim().replace(/\s+/g, ' ');
  return FIELD_KINDS.find(([re]) => re.test(l))?.[1] ?? 'other';
}

/** `- **Label:** value`, `**Label**: value` or `Label: value` (known labels only when not bold). */
function matchField(line: string): { kind: FieldKind; value: string } | undefined {
  const bold = /^\s*(?:[-*+]\s+)?\*\*([A-Za-z][A-Za-z /()-]{0,40}?)\s*:?\s*\*\*\s*:?\s*(.*)$/.exec(line);
  if (bold) {
    const kind = fieldKind(bold[1]!);
    // A bold phrase without a colon is emphasis, not a label, unless it is a known label.
    if (kind !== 'other' || /:\s*\*\*|\*\*\s*:/.test(line)) return { kind, value: bold[2]!.trim() };
    return undefined;
  }
  const plain = /^\s*(?:[-*+]\s+)?([A-Za-z][A-Za-z /-]{0,30}?)\s*:\s*(.*)$/.exec(line);
  if (plain && fieldKind(plain[1]!) !== 'other') return { kind: fieldKind(plain[1]!), value: plain[2]!.trim() };
  return undefined;
}

const NUMBERED_ITEM = /^\s?(?:#{1,6}\s*)?(?:\*\*\s*)?(?:\d{1,3}[.)]|(?:finding|issue|defect|vulnerability)\s+#?\d{1,3}\s*[:.)-]?)\s+(.*)$/i;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;

interface Item {
  header: string;
  body: string[];
  isHeading: boolean;
}

function splitItems(text: string): Item[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const items: Item[] = [];
  let current: Item | undefined;
  let inFence = false;
  let previousBlank = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (!inFence || /^\s*```/.test(line)) {
      const numbered = NUMBERED_ITEM.exec(line);
      const heading = HEADING.exec(line);
      const cweBullet = /^[-*+]\s+\*\*.*\bCWE[-\s_]?\d+/i.test(line);
      if (numbered || (heading && cweIdsIn(heading[1]!).length > 0) || cweBullet) {
        current = { header: numbered ? numbered[1]! : heading ? heading[1]! : line.replace(/^[-*+]\s+/, ''), body: [], isHeading: !!heading };
        items.push(current);
        previousBlank = false;
        continue;
      }
      if (heading) {
        current = undefined;
        previousBlank = false;
        continue;
      }
      // A paragraph back at the margin after a blank line ends a list item (not a heading item).
      if (current && !current.isHeading && previousBlank && /^\S/.test(line) && !/^[-*+]\s/.test(line) && !matchField(line)) {
        current = undefined;
      }
    }
    previousBlank = line.trim() === '';
    current?.body.push(line);
  }
  return items;
}

/** "**CWE-682 (Incorrect Calculation):**" → "Incorrect Calculation"; line references and CWE ids removed. */
function cleanTitle(raw: string): string {
  let t = raw.replace(/\*\*|__/g, '');
  t = t.replace(/\(\s*(?:e\.g\.,?\s*)?(?:lines?|ll?\.)\s*[^)]*\)/gi, ' ');
  t = t.replace(/\bCWE[-\s_:]?\d+\b\s*:?/gi, ' ');
  t = t.replace(/\(\s*\)/g, ' ');
  t = t.replace(/^[\s:–—-]+|[\s:–—.-]+$/g, '');
  const inParens = /^\((.*)\)$/.exec(t.trim());
  if (inParens) t = inParens[1]!;
  return t.replace(/^[\s:–—-]+|[\s:–—.-]+$/g, '').replace(/\s+/g, ' ').trim();
}

function parseItem(item: Item): ParsedClaim {
  // Header: "**Title** (lines 1-2): text" or "**CWE-1 (Name):**" or "Title (CWE-77)".
  let title = item.header;
  let headerRest = '';
  const bold = /^\s*\*\*(.+?)\*\*\s*:?\s*(.*)$/.exec(item.header);
  if (bold) {
    title = bold[1]!;
    headerRest = bold[2]!;
  }
  const fields: { kind: FieldKind; value: string }[] = [];
  const loose: string[] = [];
  let last: { kind: FieldKind; value: string } | undefined;
  for (const line of item.body) {
    const field = matchField(line);
    if (field) {
      fields.push(field);
      last = field;
      continue;
    }
    if (line.trim() === '') {
      last = undefined;
      continue;
    }
    // An indented line right after a field continues it; anything else is loose text.
    if (last && /^\s{2,}\S/.test(line) && !/^\s*[-*+]\s/.test(line)) last.value += ` ${line.trim()}`;
    else {
      last = undefined;
      loose.push(line.trim().replace(/^[-*+]\s+/, ''));
    }
  }
  const of = (kind: FieldKind): string[] => fields.filter((f) => f.kind === kind).map((f) => f.value);
  const locationText = of('location').join('; ');
  const all = [item.header, ...item.body].join('\n');

  const cwe = [...new Set([...cweIdsIn(item.header), ...of('cwe').flatMap(cweIdsIn), ...cweIdsIn(all)])];

  let ranges = numbersAndRanges(locationText);
  if (ranges.length === 0) ranges = citedRanges(item.header);
  if (ranges.length === 0) ranges = citedRanges(item.body.join('\n'));

  const codeBlocks = [...all.matchAll(/```[\w-]*\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\n$/, ''));
  const quotes = [...backticked(locationText), ...of('code').flatMap((v) => backticked(v).concat(v.includes('`') ? [] : [v])), ...codeBlocks];
  const quoteSet = new Set(quotes);
  // Code named only in the solution is the proposed fix, which is not in the file by nature.
  const solutionOnly = new Set(of('solution').flatMap(backticked));
  for (const m of backticked([item.header, ...of('description'), ...loose].join('\n'))) solutionOnly.delete(m);
  const mentions = backticked(all).filter((m) => !quoteSet.has(m) && !solutionOnly.has(m));

  const descriptionText = of('description').join(' ');
  const rest = [headerRest, ...loose].map((s) => s.trim()).filter((s) => s && !/^\(?\s*(?:lines?\b[^)]*)?\)?\s*:?$/i.test(s));
  const description = (descriptionText || rest.join(' ')).trim();
  const severityWord = of('severity')[0]?.toLowerCase().match(/\b(critical|high|medium|low)\b/)?.[1] as Severity | undefined;

  return {
    cwe,
    ranges: dedupeRanges(ranges),
    title: cleanTitle(title),
    description,
    solution: of('solution').join(' ').trim(),
    quotes: [...new Set(quotes)].filter((q) => q.trim()),
    mentions: [...new Set(mentions)],
    ...(severityWord ? { severity: severityWord } : {}),
  };
}

/** Reads a Markdown/prose review. */
export function parseFreeTextReview(content: string): ParsedReview {
  const claims = splitItems(content).map(parseItem);
  const verdict = findVerdict(content);
  return { format: 'text', claims, ...(verdict ? { verdict } : {}) };
}
