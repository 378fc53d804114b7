/**
 * A small analyser for Python `re` patterns that finds the two shapes of exponential
 * backtracking that are unambiguous to recognise statically:
 *
 * 1. Nested quantifier: an unbounded repetition of a group whose body can match a run of text
 *    in more than one way because it is one unbounded repetition plus only optional parts,
 *    e.g. `(a+)+`, `(\w+\s?)*`, `(?:x|[^"]+)*`. Each extra character doubles the ways to split.
 * 2. Overlapping alternation: an unbounded repetition of alternatives where two single-character
 *    alternatives can match the same character, e.g. `(.|\s)*`, `([^"]|\w)*`, or two identical
 *    alternatives, e.g. `(ab|ab)*`. (`(\w|\d)+` is fine in Python: see `overlapping`.)
 *
 * Either only blows up when the engine has to backtrack, i.e. when something after the
 * repetition can fail (more pattern, `$`, a lookahead, or `fullmatch`). A repetition that ends
 * the pattern under `match`/`search` succeeds greedily and is not reported.
 *
 * Possessive quantifiers (`a++`) and atomic groups (`(?>...)`, Python 3.11+) do not backtrack
 * and are not reported. Patterns using verbose mode, conditionals, or anything this parser does
 * not understand are skipped rather than guessed at.
 */

export interface Ambiguity {
  kind: 'nested-quantifier' | 'overlapping-alternation';
  /** Source of the repeated group, with its quantifier. */
  repeated: string;
  /** Source of the inner repetition or of the overlapping alternatives. */
  inner: string;
}

type CharTest = (ch: string) => boolean;

type Atom =
  | { kind: 'char'; test: CharTest; /** `sre_parse` folds single-char alternatives of this kind into one set. */ settable: boolean }
  | { kind: 'group'; alts: Item[][]; atomic: boolean }
  | { kind: 'assert' }
  | { kind: 'backref' };

interface Item {
  atom: Atom;
  min: number;
  max: number;
  possessive: boolean;
  start: number;
  end: number;
}

type Escape = { kind: 'lit'; ch: string } | { kind: 'class'; test: CharTest } | { kind: 'assert' } | { kind: 'backref' };

class Unsupported extends Error {}

/** Characters used to decide whether two character sets overlap (plus the pattern's own literals). */
const SAMPLE = 'aAzZmM09_ \t\n\r.-/:@!#,;=+*?$%&\'"()[]{}<>\\|^~`é€\u00a0\u4e00';

export function findAmbiguity(pattern: string, anchoredAtEnd: boolean): Ambiguity | undefined {
  let alts: Item[][];
  try {
    alts = new Parser(pattern).parse();
  } catch {
    return undefined;
  }
  const universe = [...new Set([...SAMPLE, ...pattern])];
  for (const alt of alts) {
    const found = visit(pattern, alt, anchoredAtEnd, universe);
    if (found) return found;
  }
  return undefined;
}

function visit(src: string, seq: Item[], outerCanFail: boolean, universe: string[]): Ambiguity | undefined {
  for (let i = 0; i < seq.length; i++) {
    const item = seq[i]!;
    if (item.atom.kind !== 'group') continue;
    const canFail = outerCanFail || seq.slice(i + 1).some(canFailItem);
    const group = item.atom;
    if (item.max === Infinity && !item.possessive && !group.atomic && canFail) {
      for (const alt of group.alts) {
        const core = unboundedCore(alt);
        if (core) return { kind: 'nested-quantifier', repeated: src.slice(item.start, item.end), inner: src.slice(core.start, core.end) };
      }
      const overlap = overlapping(src, group.alts, universe);
      if (overlap) return { kind: 'overlapping-alternation', repeated: src.slice(item.start, item.end), inner: overlap };
    }
    for (const alt of group.alts) {
      const found = visit(src, alt, canFail, universe);
      if (found) return found;
    }
  }
  return undefined;
}

function atomNullable(atom: Atom): boolean {
  if (atom.kind === 'char') return false;
  if (atom.kind === 'group') return atom.alts.some((alt) => alt.every(nullable));
  return true;
}

function nullable(item: Item): boolean {
  return item.min === 0 || atomNullable(item.atom);
}

/** Something that can make the overall match fail and force backtracking into what precedes it. */
function canFailItem(item: Item): boolean {
  return item.atom.kind === 'assert' || !nullable(item);
}

/**
 * The unbounded, backtracking repetition that makes `seq` ambiguous under an outer repetition:
 * `seq` is that repetition plus only optional parts, or a plain group one of whose
 * alternatives is.
 */
function unboundedCore(seq: Item[]): Item | undefined {
  for (let j = 0; j < seq.length; j++) {
    const item = seq[j]!;
    if (!seq.every((other, k) => k === j || nullable(other))) continue;
    if (item.possessive) continue;
    if (item.max === Infinity && !atomNullable(item.atom) && !(item.atom.kind === 'group' && item.atom.atomic)) return item;
    if (item.max === 1 && item.atom.kind === 'group' && !item.atom.atomic) {
      for (const alt of item.atom.alts) {
        const core = unboundedCore(alt);
        if (core) return core;
      }
    }
  }
  return undefined;
}

/**
 * Two alternatives that can match the same text: identical ones, or single characters with a
 * common member. When every alternative is a literal, a non-negated class or `\d`/`\w`/`\s`,
 * Python's parser folds the alternation into one character set (`(\w|\d)` is `[\w\d]`), so
 * there is nothing to backtrack over; `.` and negated classes are not folded.
 */
function overlapping(src: string, alts: Item[][], universe: string[]): string | undefined {
  const texts = alts.map((alt) => (alt.length === 0 ? '' : src.slice(alt[0]!.start, alt.at(-1)!.end)));
  for (let a = 0; a < alts.length; a++) {
    for (let b = a + 1; b < alts.length; b++) {
      const x = alts[a]!;
      if (x.length > 0 && texts[a] === texts[b] && !x.every(nullable)) return `${texts[a]}|${texts[b]}`;
    }
  }
  const singles = alts.map(singleChar);
  const folded = singles.every((c) => c?.settable);
  if (folded) return undefined;
  for (let a = 0; a < alts.length; a++) {
    for (let b = a + 1; b < alts.length; b++) {
      const cx = singles[a];
      const cy = singles[b];
      if (cx && cy && universe.some((ch) => cx.test(ch) && cy.test(ch))) return `${texts[a]}|${texts[b]}`;
    }
  }
  return undefined;
}

function singleChar(alt: Item[]): { test: CharTest; settable: boolean } | undefined {
  if (alt.length !== 1) return undefined;
  const item = alt[0]!;
  return item.atom.kind === 'char' && item.min === 1 && item.max === 1 ? item.atom : undefined;
}

// ---- parser ----------------------------------------------------------------------------

const isDigit: CharTest = (c) => c >= '0' && c <= '9';
const isWord: CharTest = (c) => /[\p{L}\p{N}_]/u.test(c);
const isSpace: CharTest = (c) => /\s/u.test(c);
const not = (t: CharTest): CharTest => (c) => !t(c);

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Item[][] {
    const alts = this.alternation();
    if (this.i < this.s.length) throw new Unsupported('unbalanced )');
    return alts;
  }

  private alternation(): Item[][] {
    const alts: Item[][] = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts;
  }

  private sequence(): Item[] {
    const items: Item[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const start = this.i;
      const atom = this.atom();
      if (!atom) continue; // comment or inline flags
      const item: Item = { atom, min: 1, max: 1, possessive: false, start, end: this.i };
      this.quantifier(item);
      items.push(item);
    }
    return items;
  }

  private quantifier(item: Item): void {
    const c = this.s[this.i];
    let q: [number, number] | undefined;
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.s.slice(this.i));
      if (m && (m[1] || m[3])) {
        const min = m[1] ? Number(m[1]) : 0;
        const max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
        this.i += m[0].length - 1;
        q = [min, max];
      }
    }
    if (!q) return;
    this.i++;
    item.min = q[0];
    item.max = q[1];
    if (this.s[this.i] === '?') this.i++;
    else if (this.s[this.i] === '+') {
      item.possessive = true;
      this.i++;
    }
    item.end = this.i;
    const next = this.s[this.i];
    if (next === '*' || next === '+' || next === '?') throw new Unsupported('multiple repeat');
  }

  private atom(): Atom | undefined {
    const c = this.s[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
      {
        const negated = this.s[this.i + 1] === '^';
        return { kind: 'char', test: this.charClass(), settable: !negated };
      }
      case '.':
        this.i++;
        return { kind: 'char', test: (ch) => ch !== '\n', settable: false };
      case '^':
      case '$':
        this.i++;
        return { kind: 'assert' };
      case '\\': {
        const e = this.escape(false);
        if (e.kind === 'lit') return { kind: 'char', test: (ch) => ch === e.ch, settable: true };
        if (e.kind === 'class') return { kind: 'char', test: e.test, settable: true };
        return e;
      }
      case '*':
      case '+':
      case '?':
        throw new Unsupported('nothing to repeat');
      default:
        this.i++;
        return { kind: 'char', test: (ch) => ch === c, settable: true };
    }
  }

  private group(): Atom | undefined {
    const s = this.s;
    this.i++; // (
    let kind: 'group' | 'assert' | 'atomic' = 'group';
    if (s[this.i] === '?') {
      const rest = s.slice(this.i + 1);
      if (rest.startsWith('#')) {
        const close = s.indexOf(')', this.i);
        if (close < 0) throw new Unsupported('comment');
        this.i = close + 1;
        return undefined;
      }
      if (rest.startsWith(':')) this.i += 2;
      else if (rest.startsWith('>')) {
        kind = 'atomic';
        this.i += 2;
      } else if (rest.startsWith('=') || rest.startsWith('!')) {
        kind = 'assert';
        this.i += 2;
      } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
        kind = 'assert';
        this.i += 3;
      } else if (rest.startsWith('P<')) {
        const close = s.indexOf('>', this.i);
        if (close < 0) throw new Unsupported('group name');
        this.i = close + 1;
      } else if (rest.startsWith('P=')) {
        const close = s.indexOf(')', this.i);
        if (close < 0) throw new Unsupported('backreference');
        this.i = close + 1;
        return { kind: 'backref' };
      } else {
        // Inline flags: `(?i)` applies to the pattern, `(?i:...)` scopes a group.
        const m = /^([aiLmsux]*)(?:-([imsx]+))?([:)])/.exec(rest);
        if (!m) throw new Unsupported('group syntax'); // conditionals and the like
        if ((m[1] ?? '').includes('x')) throw new Unsupported('verbose');
        this.i += 1 + m[0].length;
        if (m[3] === ')') return undefined;
      }
    }
    const alts = this.alternation();
    if (s[this.i] !== ')') throw new Unsupported('missing )');
    this.i++;
    if (kind === 'assert') return { kind: 'assert' };
    return { kind: 'group', alts, atomic: kind === 'atomic' };
  }

  /** After a backslash. In a class, `\b` is a backspace and anchors or references are errors. */
  private escape(inClass: boolean): Escape {
    const s = this.s;
    this.i++; // backslash
    const c = s[this.i];
    if (c === undefined) throw new Unsupported('trailing backslash');
    this.i++;
    const lit = (ch: string): Escape => ({ kind: 'lit', ch });
    const cls = (test: CharTest): Escape => ({ kind: 'class', test });
    switch (c) {
      case 'd': return cls(isDigit);
      case 'D': return cls(not(isDigit));
      case 'w': return cls(isWord);
      case 'W': return cls(not(isWord));
      case 's': return cls(isSpace);
      case 'S': return cls(not(isSpace));
      case 'b': return inClass ? lit('\b') : { kind: 'assert' };
      case 'B': case 'A': case 'Z':
        if (inClass) throw new Unsupported('bad escape in class');
        return { kind: 'assert' };
      case 'n': return lit('\n');
      case 't': return lit('\t');
      case 'r': return lit('\r');
      case 'f': return lit('\f');
      case 'v': return lit('\v');
      case 'a': return lit('\x07');
      case 'x': return lit(this.codePoint(/^[0-9a-fA-F]{2}/));
      case 'u': return lit(this.codePoint(/^[0-9a-fA-F]{4}/));
      case 'U': return lit(this.codePoint(/^[0-9a-fA-F]{8}/));
      case 'N': {
        const m = /^\{[^}]*\}/.exec(s.slice(this.i));
        if (!m) throw new Unsupported('\\N');
        this.i += m[0].length;
        return cls(() => false); // a named character we do not look up: overlaps nothing we know
      }
      default:
        if (c >= '0' && c <= '9') {
          // Octal escape (`\0`, `\012`, any number in a class) or a group reference (`\1`).
          const more = /^[0-7]{0,2}/.exec(s.slice(this.i))![0];
          if (c === '0' || (c <= '7' && (more.length === 2 || inClass))) {
            this.i += more.length;
            return lit(String.fromCharCode(parseInt(c + more, 8)));
          }
          if (inClass) throw new Unsupported('reference in class');
          while (s[this.i] !== undefined && s[this.i]! >= '0' && s[this.i]! <= '9') this.i++;
          return { kind: 'backref' };
        }
        return lit(c);
    }
  }

  private codePoint(re: RegExp): string {
    const m = re.exec(this.s.slice(this.i));
    if (!m) throw new Unsupported('bad escape');
    this.i += m[0].length;
    return String.fromCodePoint(parseInt(m[0], 16));
  }

  private charClass(): CharTest {
    const s = this.s;
    this.i++; // [
    let negate = false;
    if (s[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const tests: CharTest[] = [];
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      const lo = this.classChar();
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && s[this.i + 1] !== undefined && typeof lo === 'string') {
        this.i++;
        const hi = this.classChar();
        if (typeof hi !== 'string') throw new Unsupported('bad range');
        tests.push((ch) => ch >= lo && ch <= hi);
      } else {
        tests.push(typeof lo === 'string' ? (ch) => ch === lo : lo);
      }
    }
    if (s[this.i] !== ']') throw new Unsupported('unterminated class');
    this.i++;
    const inSet: CharTest = (ch) => tests.some((t) => t(ch));
    return negate ? not(inSet) : inSet;
  }

  /** One class member: a literal character (string) or a predefined class (test). */
  private classChar(): string | CharTest {
    const s = this.s;
    if (s[this.i] === '\\') {
      const e = this.escape(true);
      if (e.kind === 'lit') return e.ch;
      if (e.kind === 'class') return e.test;
      throw new Unsupported('bad escape in class');
    }
    const ch = String.fromCodePoint(s.codePointAt(this.i)!);
    this.i += ch.length;
    return ch;
  }
}
