/**
 * Python's codecs that can hide code behind a PEP 263 declaration: text that reads as a comment
 * or a string in the file as stored becomes statements once Python decodes it (`+AAo-` is a
 * newline in UTF-7; `\n` is one in unicode_escape). Written to match CPython 3.11's codecs
 * (Objects/unicodeobject.c) byte for byte, errors included: a file they reject is one Python
 * refuses to compile.
 */

/** The codecs secreview decodes itself because they can hide code. */
export type HidingCodec = 'utf-7' | 'unicode-escape' | 'raw-unicode-escape';

export class CodecError extends Error {
  constructor(readonly codec: HidingCodec, readonly offset: number, reason: string) {
    super(`${reason} at byte offset ${offset}`);
  }
}

export interface CodecOutput {
  text: string;
  /** Offset in `text` where the byte at `mark` was decoded (the whole length if `mark` is past the end). */
  markAt: number;
}

/**
 * `encodings.normalize_encoding` and the alias table, reduced to what matters here: the hiding
 * codec a declared name selects, if any. Python lower-cases the name, joins runs of punctuation
 * into `_` (dropping them at the ends) and looks the result up among the aliases, then with dots
 * as underscores; a name with dots that is no alias is unknown.
 */
export function hidingCodecFor(declared: string): HidingCodec | undefined {
  let normal = '';
  let punct = false;
  for (const c of declared.toLowerCase()) {
    if (/[a-z0-9.]/.test(c)) {
      if (punct && normal) normal += '_';
      normal += c;
      punct = false;
    } else punct = true;
  }
  const aliased = ALIASES[normal] ?? ALIASES[normal.replace(/\./g, '_')];
  const module = aliased ?? (normal.includes('.') ? undefined : normal);
  return module === undefined ? undefined : MODULES[module];
}

const ALIASES: Readonly<Record<string, string>> = { u7: 'utf_7', utf7: 'utf_7', unicode_1_1_utf_7: 'utf_7' };
const MODULES: Readonly<Record<string, HidingCodec>> = {
  utf_7: 'utf-7',
  unicode_escape: 'unicode-escape',
  raw_unicode_escape: 'raw-unicode-escape',
};

export function decodeWith(codec: HidingCodec, bytes: Uint8Array, mark: number): CodecOutput {
  if (codec === 'utf-7') return decodeUtf7(bytes, mark);
  if (codec === 'unicode-escape') return decodeUnicodeEscape(bytes, mark);
  return decodeRawUnicodeEscape(bytes, mark);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const FROM_BASE64 = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) FROM_BASE64[BASE64.charCodeAt(i)] = i;
const isBase64 = (b: number): boolean => b < 128 && FROM_BASE64[b]! >= 0;
const PLUS = 0x2b;
const MINUS = 0x2d;

/** A decoder's output, and where in it the byte at `mark` landed. */
class MarkedText {
  private readonly parts: string[] = [];
  private length = 0;
  private markAt = -1;

  constructor(private readonly mark: number) {}

  put(s: string): void {
    this.parts.push(s);
    this.length += s.length;
  }

  /** The decoder is about to read the byte at `offset`. */
  reach(offset: number): void {
    if (this.markAt < 0 && offset >= this.mark) this.markAt = this.length;
  }

  result(): CodecOutput {
    return { text: this.parts.join(''), markAt: this.markAt < 0 ? this.length : this.markAt };
  }
}

const BACKSLASH = 0x5c;

/** RFC 2152 as CPython decodes it: any ASCII byte but `+` is direct; `+-` is `+`; base64 runs are UTF-16. */
export function decodeUtf7(bytes: Uint8Array, mark: number): CodecOutput {
  const out = new MarkedText(mark);
  const put = (s: string): void => out.put(s);
  let inShift = false;
  let shiftStart = 0;
  let bits = 0;
  let buffer = 0;
  let surrogate = 0;
  let i = 0;
  while (i < bytes.length) {
    out.reach(i);
    const b = bytes[i]!;
    if (inShift) {
      if (isBase64(b)) {
        buffer = (buffer << 6) | FROM_BASE64[b]!;
        bits += 6;
        i++;
        if (bits >= 16) {
          const unit = (buffer >>> (bits - 16)) & 0xffff;
          bits -= 16;
          buffer &= (1 << bits) - 1;
          if (surrogate) {
            if (unit >= 0xdc00 && unit <= 0xdfff) {
              put(String.fromCharCode(surrogate, unit));
              surrogate = 0;
              continue;
            }
            put(String.fromCharCode(surrogate));
            surrogate = 0;
          }
          if (unit >= 0xd800 && unit <= 0xdbff) surrogate = unit;
          else put(String.fromCharCode(unit));
        }
        continue;
      }
      // Leaving the base64 run: what is left must be fewer than 6 bits, all zero.
      inShift = false;
      if (bits >= 6) throw new CodecError('utf-7', shiftStart, 'partial character in shift sequence');
      if (bits > 0 && buffer !== 0) throw new CodecError('utf-7', shiftStart, 'non-zero padding bits in shift sequence');
      if (surrogate) put(String.fromCharCode(surrogate));
      surrogate = 0;
      if (b === MINUS) i++; // absorbed; any other byte ends the run and is itself decoded below
      continue;
    }
    if (b === PLUS) {
      const next = bytes[i + 1];
      if (next === MINUS) {
        put('+');
        i += 2;
      } else if (next !== undefined && !isBase64(next)) {
        throw new CodecError('utf-7', i, 'ill-formed sequence');
      } else {
        inShift = true;
        shiftStart = i;
        bits = 0;
        buffer = 0;
        surrogate = 0;
        i++;
      }
      continue;
    }
    if (b > 127) throw new CodecError('utf-7', i, `unexpected special character (byte 0x${b.toString(16)})`);
    put(String.fromCharCode(b));
    i++;
  }
  if (inShift && (surrogate || bits >= 6 || (bits > 0 && buffer !== 0))) {
    throw new CodecError('utf-7', shiftStart, 'unterminated shift sequence');
  }
  return out.result();
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * `unicode_escape`: latin-1 bytes with Python's string-literal escapes. `\` before a newline
 * drops both; an unknown escape keeps its backslash. `\N{…}` knows the names and aliases of the
 * ASCII characters (all that can change how Python reads the code); any other well-formed name
 * becomes U+FFFD, as secreview carries no Unicode name table.
 */
export function decodeUnicodeEscape(bytes: Uint8Array, mark: number): CodecOutput {
  const out = new MarkedText(mark);
  const put = (s: string): void => out.put(s);
  let i = 0;
  while (i < bytes.length) {
    out.reach(i);
    const b = bytes[i]!;
    if (b !== BACKSLASH) {
      put(String.fromCharCode(b));
      i++;
      continue;
    }
    const start = i;
    if (i + 1 >= bytes.length) throw new CodecError('unicode-escape', start, '\\ at end of string');
    const c = String.fromCharCode(bytes[i + 1]!);
    i += 2;
    if (c === '\n') continue;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      put(simple);
      continue;
    }
    if (c >= '0' && c <= '7') {
      let value = Number(c);
      for (let k = 0; k < 2 && i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x37; k++) value = value * 8 + (bytes[i++]! - 0x30);
      put(String.fromCodePoint(value));
      continue;
    }
    if (c === 'x' || c === 'u' || c === 'U') {
      const digits = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const value = hexAt(bytes, i, digits);
      if (value === undefined) throw new CodecError('unicode-escape', start, `truncated \\${c}${'X'.repeat(digits)} escape`);
      if (value > 0x10ffff) throw new CodecError('unicode-escape', start, 'illegal Unicode character');
      i += digits;
      put(codePoint(value));
      continue;
    }
    if (c === 'N') {
      const close = bytes[i] === 0x7b ? bytes.indexOf(0x7d, i + 1) : -1;
      if (close < 0 || close === i + 1) throw new CodecError('unicode-escape', start, 'malformed \\N character escape');
      const name = String.fromCharCode(...bytes.subarray(i + 1, close)).toUpperCase();
      const known = ASCII_NAMES.get(name);
      if (known === undefined && !/^[A-Z0-9][A-Z0-9 -]*$/.test(name)) throw new CodecError('unicode-escape', start, 'unknown Unicode character name');
      put(known === undefined ? '\ufffd' : String.fromCharCode(known));
      i = close + 1;
      continue;
    }
    // Not an escape: the backslash stays and the byte after it is read again as itself.
    put('\\');
    i--;
  }
  return out.result();
}

/**
 * `raw_unicode_escape`: latin-1 bytes where only `\uXXXX` and `\UXXXXXXXX` are escapes, and
 * only after an odd number of backslashes (`\\u0041` stays as it is).
 */
export function decodeRawUnicodeEscape(bytes: Uint8Array, mark: number): CodecOutput {
  const out = new MarkedText(mark);
  const put = (s: string): void => out.put(s);
  let i = 0;
  while (i < bytes.length) {
    out.reach(i);
    const b = bytes[i]!;
    if (b !== BACKSLASH) {
      put(String.fromCharCode(b));
      i++;
      continue;
    }
    let run = 0;
    while (i + run < bytes.length && bytes[i + run] === BACKSLASH) run++;
    const after = bytes[i + run];
    if (run % 2 === 1 && (after === 0x75 || after === 0x55)) {
      put('\\'.repeat(run - 1));
      const start = i + run - 1;
      const digits = after === 0x75 ? 4 : 8;
      const value = hexAt(bytes, i + run + 1, digits);
      if (value === undefined) throw new CodecError('raw-unicode-escape', start, `truncated \\${after === 0x75 ? 'uXXXX' : 'UXXXXXXXX'} escape`);
      if (value > 0x10ffff) throw new CodecError('raw-unicode-escape', start, '\\Uxxxxxxxx out of range');
      put(codePoint(value));
      i += run + 1 + digits;
    } else {
      put('\\'.repeat(run));
      i += run;
    }
  }
  return out.result();
}

function hexAt(bytes: Uint8Array, at: number, digits: number): number | undefined {
  if (at + digits > bytes.length) return undefined;
  let value = 0;
  for (let k = 0; k < digits; k++) {
    const d = Number.parseInt(String.fromCharCode(bytes[at + k]!), 16);
    if (Number.isNaN(d)) return undefined;
    value = value * 16 + d;
  }
  return value;
}

/** A code point as a JavaScript string; lone surrogates stay lone, as in Python's str. */
function codePoint(value: number): string {
  return value >= 0xd800 && value <= 0xdfff ? String.fromCharCode(value) : String.fromCodePoint(value);
}

/** Names and aliases of the ASCII characters, as `unicodedata.lookup` (and `\N{…}`) accepts them. */
const ASCII_NAMES: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const controls = [
    'NULL|NUL', 'START OF HEADING|SOH', 'START OF TEXT|STX', 'END OF TEXT|ETX', 'END OF TRANSMISSION|EOT', 'ENQUIRY|ENQ',
    'ACKNOWLEDGE|ACK', 'ALERT|BEL', 'BACKSPACE|BS', 'CHARACTER TABULATION|HORIZONTAL TABULATION|HT|TAB',
    'LINE FEED|NEW LINE|END OF LINE|LF|NL|EOL', 'LINE TABULATION|VERTICAL TABULATION|VT', 'FORM FEED|FF',
    'CARRIAGE RETURN|CR', 'SHIFT OUT|LOCKING-SHIFT ONE|SO', 'SHIFT IN|LOCKING-SHIFT ZERO|SI', 'DATA LINK ESCAPE|DLE',
    'DEVICE CONTROL ONE|DC1', 'DEVICE CONTROL TWO|DC2', 'DEVICE CONTROL THREE|DC3', 'DEVICE CONTROL FOUR|DC4',
    'NEGATIVE ACKNOWLEDGE|NAK', 'SYNCHRONOUS IDLE|SYN', 'END OF TRANSMISSION BLOCK|ETB', 'CANCEL|CAN', 'END OF MEDIUM|EOM',
    'SUBSTITUTE|SUB', 'ESCAPE|ESC', 'INFORMATION SEPARATOR FOUR|FILE SEPARATOR|FS',
    'INFORMATION SEPARATOR THREE|GROUP SEPARATOR|GS', 'INFORMATION SEPARATOR TWO|RECORD SEPARATOR|RS',
    'INFORMATION SEPARATOR ONE|UNIT SEPARATOR|US',
  ];
  controls.forEach((names, code) => {
    for (const name of names.split('|')) m.set(name, code);
  });
  const printable = [
    'SPACE|SP', 'EXCLAMATION MARK', 'QUOTATION MARK', 'NUMBER SIGN', 'DOLLAR SIGN', 'PERCENT SIGN', 'AMPERSAND', 'APOSTROPHE',
    'LEFT PARENTHESIS', 'RIGHT PARENTHESIS', 'ASTERISK', 'PLUS SIGN', 'COMMA', 'HYPHEN-MINUS', 'FULL STOP', 'SOLIDUS',
  ];
  printable.forEach((names, k) => {
    for (const name of names.split('|')) m.set(name, 0x20 + k);
  });
  ['ZERO', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX', 'SEVEN', 'EIGHT', 'NINE'].forEach((d, k) => m.set(`DIGIT ${d}`, 0x30 + k));
  const more: [string, number][] = [
    ['COLON', 0x3a], ['SEMICOLON', 0x3b], ['LESS-THAN SIGN', 0x3c], ['EQUALS SIGN', 0x3d], ['GREATER-THAN SIGN', 0x3e],
    ['QUESTION MARK', 0x3f], ['COMMERCIAL AT', 0x40], ['LEFT SQUARE BRACKET', 0x5b], ['REVERSE SOLIDUS', 0x5c],
    ['RIGHT SQUARE BRACKET', 0x5d], ['CIRCUMFLEX ACCENT', 0x5e], ['LOW LINE', 0x5f], ['GRAVE ACCENT', 0x60],
    ['LEFT CURLY BRACKET', 0x7b], ['VERTICAL LINE', 0x7c], ['RIGHT CURLY BRACKET', 0x7d], ['TILDE', 0x7e], ['DELETE', 0x7f], ['DEL', 0x7f],
  ];
  for (const [name, code] of more) m.set(name, code);
  for (let k = 0; k < 26; k++) {
    const letter = String.fromCharCode(0x41 + k);
    m.set(`LATIN CAPITAL LETTER ${letter}`, 0x41 + k);
    m.set(`LATIN SMALL LETTER ${letter}`, 0x61 + k);
  }
  return m;
})();
