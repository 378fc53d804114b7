/**
 * What characters a Python regular expression can let through when it is used as a whole-value
 * check: `re.fullmatch(P, s)` (`full`), `re.match(P, s)` (`start`: anchored at the start only) or
 * `re.search(P, s)` (`none`). The answer is undefined unless every character of a matching string
 * must come from the pattern's classes and literals: the pattern must be anchored where the call
 * does not anchor it (`\Z` or `$` at the end, `^` or `\A` at the start for `search`), must not
 * use `.`, negated classes (`[^…]`), `\D` `\W` `\S`, lookarounds, inline flags or backreferences,
 * and without `fullmatch` must not have a top-level `|` (the anchors would bind to one
 * alternative). `$` at the end also matches before a final line break, so a `\n` is added.
 * Letters are taken in both cases (IGNORECASE); `\w` also matches non-ASCII letters, and `\s`
 * non-ASCII spaces, which `otherLetters` / `otherAny` note.
 */
export interface RegexCharacters {
  /** ASCII characters a match may contain. */
  ascii: Set<string>;
  /** Non-ASCII letters and digits (`\w`, literal letters). */
  otherLetters: boolean;
  /** Other non-ASCII characters (`\s`: Unicode spaces and line separators). */
  otherAny: boolean;
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const WORD = `${DIGITS}${LOWER}${UPPER}_`;
const SPACE = ' \t\n\r\f\v';
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };

export function regexCharacters(pattern: string, anchoring: 'full' | 'start' | 'none'): RegexCharacters | undefined {
  let body = pattern;
  if (body.startsWith('^')) body = body.slice(1);
  else if (body.startsWith('\\A')) body = body.slice(2);
  else if (anchoring === 'none') return undefined;
  const out: RegexCharacters = { ascii: new Set(), otherLetters: false, otherAny: false };
  if (body.endsWith('\\Z') && !escapedAt(body, body.length - 2)) body = body.slice(0, -2);
  else if (body.endsWith('$') && !escapedAt(body, body.length - 1)) {
    body = body.slice(0, -1);
    if (anchoring !== 'full') out.ascii.add('\n');
  } else if (anchoring !== 'full') return undefined;
  return scan(body, anchoring === 'full', out) ? out : undefined;
}

/** Whether the character at `i` is escaped by an odd run of backslashes before it. */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function addLiteral(c: string, out: RegexCharacters): void {
  if (c.charCodeAt(0) > 127) {
    if (/\p{L}|\p{N}/u.test(c)) out.otherLetters = true;
    else out.otherAny = true;
    return;
  }
  out.ascii.add(c);
  // IGNORECASE may be on: both cases of a letter.
  out.ascii.add(c.toLowerCase());
  out.ascii.add(c.toUpperCase());
}

function addAll(chars: string, out: RegexCharacters): void {
  for (const c of chars) out.ascii.add(c);
}

/**
 * An escape at `s[i] === '\\'`: adds what it matches and returns the index after it, or -1 for an
 * escape that is not followed (classes we cannot bound, backreferences, anchors).
 */
function escape(s: string, i: number, inClass: boolean, out: RegexCharacters): number {
  const c = s[i + 1];
  if (c === undefined) return -1;
  if (c === 'd') addAll(DIGITS, out);
  else if (c === 'w') {
    addAll(WORD, out);
    out.otherLetters = true;
  } else if (c === 's') {
    addAll(SPACE, out);
    out.otherAny = true;
  } else if (c === 'b' && !inClass) {
    /* a word boundary matches no character */
  } else if (c in CONTROL_ESCAPES) out.ascii.add(CONTROL_ESCAPES[c]!);
  else if (c === 'x') {
    const hex = s.slice(i + 2, i + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return -1;
    addLiteral(String.fromCharCode(parseInt(hex, 16)), out);
    return i + 4;
  } else if (/[A-Za-z0-9]/.test(c)) return -1; // \D \W \S \B \A \Z, backreferences, \N{...}, \u...
  else addLiteral(c, out);
  return i + 2;
}

/** A character class starting at `s[i] === '['`: returns the index after its `]`, or -1. */
function charClass(s: string, i: number, out: RegexCharacters): number {
  let j = i + 1;
  if (s[j] === '^') return -1;
  let first = true;
  let previous: string | undefined;
  while (j < s.length) {
    const c = s[j]!;
    if (c === ']' && !first) return j + 1;
    first = false;
    if (c === '\\') {
      const next = escape(s, j, true, out);
      if (next < 0) return -1;
      // A range from an escape (`[\x41-\x5a]`) is not followed.
      if (s[next] === '-' && s[next + 1] !== undefined && s[next + 1] !== ']') return -1;
      previous = undefined;
      j = next;
      continue;
    }
    if (c === '-' && previous !== undefined && s[j + 1] !== undefined && s[j + 1] !== ']') {
      const to = s[j + 1]!;
      if (to === '\\') return -1;
      const lo = previous.charCodeAt(0);
      const hi = to.charCodeAt(0);
      if (hi < lo || hi > 127) return -1;
      for (let code = lo; code <= hi; code++) addLiteral(String.fromCharCode(code), out);
      previous = undefined;
      j += 2;
      continue;
    }
    if (c === '[' && s[j + 1] === ':') return -1; // POSIX-like classes are literal in Python, but rare: not followed
    addLiteral(c, out);
    previous = c;
    j++;
  }
  return -1;
}

function scan(s: string, full: boolean, out: RegexCharacters): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    switch (c) {
      case '\\': {
        const next = escape(s, i, false, out);
        if (next < 0) return false;
        i = next;
        break;
      }
      case '[': {
        const next = charClass(s, i, out);
        if (next < 0) return false;
        i = next;
        break;
      }
      case '(':
        if (s[i + 1] === '?') {
          if (s[i + 2] === ':') i += 3;
          else if (s.startsWith('?P<', i + 1)) {
            const close = s.indexOf('>', i);
            if (close < 0) return false;
            i = close + 1;
          } else return false; // lookarounds, inline flags, comments, conditionals
        } else i++;
        depth++;
        break;
      case ')':
        depth--;
        if (depth < 0) return false;
        i++;
        break;
      case '|':
        if (depth === 0 && !full) return false;
        i++;
        break;
      case '*':
      case '+':
      case '?':
        i++;
        break;
      case '{': {
        const m = /^\{\d*(,\d*)?\}/.exec(s.slice(i));
        if (m) i += m[0].length;
        else {
          addLiteral(c, out);
          i++;
        }
        break;
      }
      case '.':
      case '^':
      case '$':
        return false;
      default:
        addLiteral(c, out);
        i++;
    }
  }
  return depth === 0;
}
