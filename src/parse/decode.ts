import { CodecError, decodeWith, hidingCodecFor, type HidingCodec } from './python-codecs.js';

export type Decoded =
  | { ok: true; text: string; encoding?: HidingDeclaration }
  | { ok: false; kind: 'binary-file' | 'decode-error'; message: string };

/**
 * A PEP 263 declaration of a codec that can hide code (see python-codecs.ts). The file is decoded
 * with it, as Python does when it imports the file, and positions are those of the decoded text.
 */
export interface HidingDeclaration {
  /** The name as written in the declaration. */
  declared: string;
  codec: HidingCodec;
  /** Where the declaration's `#` is in the decoded text: 1-based line, 0-based column, offset. */
  line: number;
  column: number;
  offset: number;
  /** Its line in the file as stored (1 or 2). */
  storedLine: number;
  /** Lines of the file as stored and as decoded. */
  storedLines: number;
  decodedLines: number;
  /** The decoded text differs from the stored bytes read as latin-1: text the reader does not see is code. */
  hidden: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Source bytes to text. UTF-8 only (PEP 3120's default); a BOM is dropped. Files with NUL
 * bytes are binary; invalid UTF-8 is reported with the byte offset of the first bad byte.
 * A PEP 263 coding declaration naming another encoding is honoured when Node can decode it.
 */
export function decodeSource(bytes: Uint8Array): Decoded {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ok: false, kind: 'decode-error', message: 'file is UTF-16 encoded (byte-order mark found); only UTF-8 source is analysed' };
  }
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, kind: 'binary-file', message: 'file contains NUL bytes; it is binary, not source code' };
  const declaration = codingDeclaration(bytes);
  const declared = declaration?.name;
  if (declaration) {
    const codec = hidingCodecFor(declaration.name);
    if (codec) return decodeHiding(bytes, declaration, codec);
  }
  if (declared && !/^(utf-?8|utf_8)(-sig)?$/i.test(declared)) {
    try {
      return { ok: true, text: new TextDecoder(whatwgLabel(declared), { fatal: true }).decode(bytes) };
    } catch {
      // Unknown label or bytes invalid for it: fall through to UTF-8 and its error.
    }
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    return { ok: false, kind: 'decode-error', message: `file is not valid UTF-8 (first invalid byte at offset ${offset})` };
  }
}

/** Python codec names to WHATWG encoding labels where they differ. */
function whatwgLabel(python: string): string {
  const name = python.toLowerCase().replace(/_/g, '-');
  const aliases: Record<string, string> = { 'latin-1': 'latin1', 'iso-8859-1': 'latin1', 'iso8859-1': 'latin1', cp1252: 'windows-1252' };
  return aliases[name] ?? name;
}

function decodeHiding(bytes: Uint8Array, declaration: Declaration, codec: HidingCodec): Decoded {
  let decoded;
  try {
    decoded = decodeWith(codec, bytes, declaration.offset);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return { ok: false, kind: 'decode-error', message: `file declares the encoding "${declaration.name}" (line ${declaration.line}) but is not valid ${codec}: ${error.message}; Python refuses to compile it` };
  }
  const { text, markAt } = decoded;
  const before = text.slice(0, markAt);
  const breaks = before.match(LINE_BREAK) ?? [];
  const lastBreak = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  const stored = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return {
    ok: true,
    text,
    encoding: {
      declared: declaration.name,
      codec,
      line: breaks.length + 1,
      column: markAt - (lastBreak + 1),
      offset: markAt,
      storedLine: declaration.line,
      storedLines: lineCount(stored),
      decodedLines: lineCount(text),
      hidden: text !== stored,
    },
  };
}

const LINE_BREAK = /\r\n|\r|\n/g;

/** Lines as Python counts them (a final line break ends the last line, it starts none). */
function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const breaks = text.match(LINE_BREAK)?.length ?? 0;
  return /[\r\n]$/.test(text) ? breaks : breaks + 1;
}

interface Declaration {
  name: string;
  /** 1 or 2. */
  line: number;
  /** Byte offset of the declaration's `#`. */
  offset: number;
}

/**
 * PEP 263 as CPython's tokenizer reads it: `# -*- coding: latin-1 -*-` on line 1, or on line 2
 * when line 1 holds nothing but blanks or a comment (a declaration after code is ignored).
 */
function codingDeclaration(bytes: Uint8Array): Declaration | undefined {
  let end = 0;
  let newlines = 0;
  while (end < bytes.length && end < 400 && newlines < 2) {
    if (bytes[end] === 10) newlines++;
    end++;
  }
  const head = String.fromCharCode(...bytes.subarray(0, end));
  const [first = '', second] = head.split('\n');
  let offset = 0;
  for (const [index, line] of [first, second].entries()) {
    if (line === undefined) break;
    const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (m) return { name: m[1]!, line: index + 1, offset: offset + line.indexOf('#') };
    if (index === 0 && !/^[ \t\f]*(#.*)?\r?$/.test(line)) break;
    offset += line.length + 1;
  }
  return undefined;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return i;
}

/**
 * Python ends lines at \n, \r\n or a lone \r; tree-sitter counts rows at \n only. A lone \r
 * becomes \n (same length, so columns and offsets hold), so line numbers match Python's.
 */
export function normaliseLoneCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}
