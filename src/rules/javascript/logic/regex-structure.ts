// A small reader of JavaScript regular expressions, enough to find nested unbounded
// quantifiers whose inner and outer repetitions can match the same text (exponential backtracking).

/** Characters a set is sampled on: printable ASCII, tab and newline. */
const SAMPLES: string[] = ['\t', '\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é'];

/** A character set as the samples it matches (bit i for SAMPLES[i]). */
type CharSet = boolean[];

interface Element {
  kind: 'set' | 'group';
  set: CharSet;
  /** For groups: the alternatives, each a sequence. */
  alts?: Element[][];
  min: number;
  max: number;
}

class Reader {
  i = 0;
  failed = false;
  constructor(readonly src: string, readonly dotAll: boolean) {}

  sequenceUntil(stop: string | undefined): Element[][] {
    const alts: Element[][] = [[]];
    while (this.i < this.src.length && !this.failed) {
      const c = this.src[this.i]!;
      if (stop && c === stop) return alts;
      if (c === '|') {
        this.i++;
        alts.push([]);
        continue;
      }
      const atom = this.atom();
      if (!atom) continue;
      this.quantifier(atom);
      alts[alts.length - 1]!.push(atom);
    }
    if (stop) this.failed = true;
    return alts;
  }

  atom(): Element | undefined {
    const c = this.src[this.i++]!;
    if (c === '(') {
      let zeroWidth = false;
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i)) { this.i += 2; zeroWidth = true; }
      else if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) { this.i += 3; zeroWidth = true; }
      else if (this.src.startsWith('?<', this.i)) {
        const end = this.src.indexOf('>', this.i);
        if (end < 0) { this.failed = true; return undefined; }
        this.i = end + 1;
      }
      const alts = this.sequenceUntil(')');
      this.i++;
      if (zeroWidth) return undefined;
      const set = SAMPLES.map((_, k) => alts.some((seq) => seq.some((e) => e.set[k])));
      return { kind: 'group', set, alts, min: 1, max: 1 };
    }
    if (c === '[') return { kind: 'set', set: this.charClass(), min: 1, max: 1 };
    if (c === '.') return { kind: 'set', set: SAMPLES.map((s) => this.dotAll || s !== '\n'), min: 1, max: 1 };
    if (c === '^' || c === '$') return undefined;
    if (c === '\\') {
      const e = this.src[this.i++];
      if (e === undefined) { this.failed = true; return undefined; }
      if (e === 'b' || e === 'B') return undefined;
      if (/[1-9k]/.test(e)) { this.failed = true; return undefined; } // back-references: not analysed
      return { kind: 'set', set: this.escape(e), min: 1, max: 1 };
    }
    if (c === ')' ) { this.failed = true; return undefined; }
    return { kind: 'set', set: SAMPLES.map((s) => s === c), min: 1, max: 1 };
  }

  escape(e: string): CharSet {
    switch (e) {
      case 'd': return SAMPLES.map((s) => /\d/.test(s));
      case 'D': return SAMPLES.map((s) => !/\d/.test(s));
      case 'w': return SAMPLES.map((s) => /\w/.test(s));
      case 'W': return SAMPLES.map((s) => !/\w/.test(s));
      case 's': return SAMPLES.map((s) => /\s/.test(s));
      case 'S': return SAMPLES.map((s) => !/\s/.test(s));
      case 'n': return SAMPLES.map((s) => s === '\n');
      case 't': return SAMPLES.map((s) => s === '\t');
      case 'p': case 'P': {
        const end = this.src.indexOf('}', this.i);
        if (end > 0) this.i = end + 1;
        return SAMPLES.map((s) => /[A-Za-zé]/.test(s) !== (e === 'P'));
      }
      case 'u': case 'x': {
        const m = /^(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4}|[0-9a-fA-F]{2})/.exec(this.src.slice(this.i));
        const len = e === 'x' ? 2 : m?.[0].length ?? 0;
        const hex = this.src.slice(this.i, this.i + len).replace(/[{}]/g, '');
        this.i += len;
        const ch = String.fromCodePoint(parseInt(hex || '0', 16));
        return SAMPLES.map((s) => s === ch);
      }
      default: return SAMPLES.map((s) => s === e);
    }
  }

  charClass(): CharSet {
    let negated = false;
    if (this.src[this.i] === '^') { negated = true; this.i++; }
    const set: CharSet = SAMPLES.map(() => false);
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let lo: string | undefined;
      let loSet: CharSet | undefined;
      const c = this.src[this.i++]!;
      if (c === '\\') {
        const e = this.src[this.i++] ?? '';
        if ('dDwWsSp P'.includes(e) && e !== ' ') loSet = this.escape(e);
        else if (e === 'b') lo = '\b';
        else { const s = this.escape(e); const k = s.indexOf(true); lo = k >= 0 ? SAMPLES[k] : e; }
      } else lo = c;
      if (lo !== undefined && this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let hi = this.src[this.i++]!;
        if (hi === '\\') { const e = this.src[this.i++] ?? ''; const s = this.escape(e); const k = s.indexOf(true); hi = k >= 0 ? SAMPLES[k]! : e; }
        SAMPLES.forEach((s, k) => { if (s >= lo! && s <= hi) set[k] = true; });
      } else if (loSet) loSet.forEach((b, k) => { if (b) set[k] = true; });
      else SAMPLES.forEach((s, k) => { if (s === lo) set[k] = true; });
    }
    if (this.src[this.i] !== ']') this.failed = true;
    this.i++;
    return negated ? set.map((b) => !b) : set;
  }

  quantifier(atom: Element): void {
    const c = this.src[this.i];
    let min = 1;
    let max = 1;
    if (c === '*') { min = 0; max = Infinity; this.i++; }
    else if (c === '+') { min = 1; max = Infinity; this.i++; }
    else if (c === '?') { min = 0; max = 1; this.i++; }
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
      this.i += m[0].length;
    } else return;
    if (this.src[this.i] === '?') this.i++;
    atom.min = min * atom.min;
    atom.max = max === Infinity || atom.max === Infinity ? (max === 0 ? 0 : Infinity) : max * atom.max;
  }
}

const subset = (a: CharSet, b: CharSet): boolean => a.every((x, k) => !x || b[k]);
const overlap = (a: CharSet, b: CharSet): boolean => a.some((x, k) => x && b[k]);
const empty = (a: CharSet): boolean => !a.some(Boolean);

/** Whether an element repeats without bound itself or holds an element that does. */
function unbounded(e: Element): boolean {
  return e.max === Infinity || (e.alts?.some((seq) => seq.some(unbounded)) ?? false);
}

/** A repeated alternative that can match the same text in more than one way. */
function ambiguousBody(alts: Element[][]): boolean {
  for (const seq of alts) {
    for (const inner of seq) {
      if (!unbounded(inner) || empty(inner.set)) continue;
      // Every other mandatory element can be matched by the inner repetition too.
      if (seq.every((e) => e === inner || e.min === 0 || subset(e.set, inner.set))) return true;
    }
  }
  // Two single-character alternatives that overlap: `(a|a)*`, `(\w|\d)+`.
  const singles = alts.filter((seq) => seq.length === 1 && seq[0]!.kind === 'set' && seq[0]!.max === 1).map((seq) => seq[0]!.set);
  for (let i = 0; i < singles.length; i++) for (let j = i + 1; j < singles.length; j++) if (overlap(singles[i]!, singles[j]!)) return true;
  return false;
}

/** The first nested quantifier with overlapping repetitions, as a description; undefined when none. */
export function findNestedQuantifier(pattern: string, flags = ''): string | undefined {
  const reader = new Reader(pattern, flags.includes('s'));
  const alts = reader.sequenceUntil(undefined);
  if (reader.failed) return undefined;
  const visit = (seqs: Element[][]): string | undefined => {
    for (const seq of seqs) {
      for (const e of seq) {
        if (e.kind !== 'group' || !e.alts) continue;
        if (e.max === Infinity && ambiguousBody(e.alts)) return 'a repeated group whose body can itself match the same text in several ways';
        const inner = visit(e.alts);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return visit(alts);
}
