import { describe, expect, it } from 'vitest';
import { CodecError, decodeRawUnicodeEscape, decodeUnicodeEscape, decodeUtf7, hidingCodecFor } from '../../src/parse/python-codecs.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const decode = (fn: typeof decodeUtf7, s: string): string => fn(latin1(s), Infinity).text;
const failure = (fn: typeof decodeUtf7, s: string): string | undefined => {
  try {
    fn(latin1(s), Infinity);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    return (error as Error).message;
  }
};

// Expected values are what CPython 3.11 gives for `bytes.decode(codec)` (run on the development machine).
describe('UTF-7 as CPython decodes it', () => {
  const cases: [string, string][] = [
    ['+AAo-', '\n'], ['+AAo', '\n'], ['a+-b', 'a+b'], ['+AAA-', '\x00'], ['+AGEAYg-', 'ab'], ['+AGE', 'a'],
    ['+2D3cAA-', '\u{1F400}'], ['+2D0-x', '\ud83dx'], ['+ZeVnLIqe-', '日本語'], ['+/v8-', '\ufeff'], ['~\\', '~\\'],
    ['+AGE.x', 'a.x'], ['+', ''], ['a+', 'a'], ['+AGE-+AGE-', 'aa'], ['+2D0AYQ-', '\ud83da'], ['+3D0-', '\udc3d'],
    ['+2D3cAA', '\u{1F400}'], ['+AGEAYQ', 'aa'], ['+AGEAYQBi', 'aab'], ['+AGE\n', 'a\n'], ['+-+-', '++'], ['\x7f\x01', '\x7f\x01'],
    ['+ABc-', '\x17'],
  ];
  for (const [input, expected] of cases) it(`decodes ${JSON.stringify(input)}`, () => expect(decode(decodeUtf7, input)).toBe(expected));
  const errors: [string, string][] = [
    ['+!', 'ill-formed sequence'], ['+\n', 'ill-formed sequence'], ['+A-', 'partial character'], ['+AA-', 'partial character'],
    ['+AG-', 'partial character'], ['+AGF-', 'non-zero padding bits'], ['a+AGEA-b', 'partial character'], ['\xe9', 'unexpected special character'],
    ['+AGE\xe9', 'unexpected special character'], ['+AGE+AGE', 'unterminated shift sequence'], ['+AGEAYQB', 'unterminated shift sequence'],
  ];
  for (const [input, reason] of errors) it(`rejects ${JSON.stringify(input)}`, () => expect(failure(decodeUtf7, input)).toContain(reason));
  it('maps a byte offset to the decoded offset', () => {
    const bytes = latin1('# +AAoAYQ-\n# coding: utf-7\n');
    const { text, markAt } = decodeUtf7(bytes, 11);
    expect(text).toBe('# \na\n# coding: utf-7\n');
    expect(text.slice(markAt)).toBe('# coding: utf-7\n');
  });
});

describe('unicode_escape as CPython decodes it', () => {
  const cases: [string, string][] = [
    ['a\\nb', 'a\nb'], ['\\x41', 'A'], ['\\101', 'A'], ['\\1011', 'A1'], ['\\777', 'ǿ'], ['\\8', '\\8'], ['\\q', '\\q'],
    ['\\\n', ''], ['\\u0041', 'A'], ['\\U00000041', 'A'], ['\\N{LINE FEED}', '\n'], ['\\N{line feed}', '\n'], ['\\N{LF}', '\n'],
    ['\\N{NUMBER SIGN}', '#'], ["\\'\\\"\\a\\b\\f\\v\\t\\r\\\\", '\'"\x07\x08\x0c\x0b\t\r\\'], ['\xe9', 'é'], ['\\0', '\x00'],
    ['\\400', 'Ā'], ['\\\r\n', '\\\r\n'],
  ];
  for (const [input, expected] of cases) it(`decodes ${JSON.stringify(input)}`, () => expect(decode(decodeUnicodeEscape, input)).toBe(expected));
  const errors: [string, string][] = [
    ['\\x4', 'truncated \\xXX escape'], ['\\x4g', 'truncated \\xXX escape'], ['\\', '\\ at end of string'], ['\\u004', 'truncated \\uXXXX escape'],
    ['\\U00110000', 'illegal Unicode character'], ['\\N{', 'malformed \\N character escape'], ['\\N', 'malformed \\N character escape'],
  ];
  for (const [input, reason] of errors) it(`rejects ${JSON.stringify(input)}`, () => expect(failure(decodeUnicodeEscape, input)).toContain(reason));
  it('stands in U+FFFD for a non-ASCII character name (no name table)', () => {
    expect(decode(decodeUnicodeEscape, 'x = "\\N{GREEK SMALL LETTER ALPHA}"')).toBe('x = "\ufffd"');
  });
});

describe('raw_unicode_escape as CPython decodes it', () => {
  const cases: [string, string][] = [
    ['a\\nb', 'a\\nb'], ['\\u0041', 'A'], ['\\\\u0041', '\\\\u0041'], ['\\\\\\u0041', '\\\\A'], ['\\U00000041', 'A'],
    ['\\x41', '\\x41'], ['\xe9', 'é'], ['\\u000a', '\n'], ['\\', '\\'], ['\\N{LF}', '\\N{LF}'], ['\\uD800', '\ud800'],
  ];
  for (const [input, expected] of cases) it(`decodes ${JSON.stringify(input)}`, () => expect(decode(decodeRawUnicodeEscape, input)).toBe(expected));
  it('rejects a truncated or out-of-range escape', () => {
    expect(failure(decodeRawUnicodeEscape, '\\u004')).toContain('truncated \\uXXXX escape');
    expect(failure(decodeRawUnicodeEscape, '\\U00110000')).toContain('out of range');
  });
});

describe('codec names as Python normalises them', () => {
  it('finds the hiding codecs under every spelling Python accepts', () => {
    for (const name of ['utf-7', 'UTF-7', 'utf_7', 'Utf7', 'U7', 'u7', 'unicode-1-1-utf-7', 'utf-7-', '-utf-7', 'utf--7', 'unicode.1.1.utf.7']) {
      expect(hidingCodecFor(name), name).toBe('utf-7');
    }
    for (const name of ['unicode-escape', 'unicode_escape', 'Unicode-Escape', 'UNICODE_ESCAPE']) expect(hidingCodecFor(name), name).toBe('unicode-escape');
    for (const name of ['raw-unicode-escape', 'raw_unicode_escape', 'Raw-Unicode-Escape']) expect(hidingCodecFor(name), name).toBe('raw-unicode-escape');
  });
  it('leaves harmless and unknown names alone', () => {
    for (const name of ['utf-8', 'latin-1', 'cp1252', 'ascii', 'utf.7', 'unicode.escape', 'x-utf-7', 'csunicode11utf7', 'utf_7.', 'utf-16']) {
      expect(hidingCodecFor(name), name).toBeUndefined();
    }
  });
});
