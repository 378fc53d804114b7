export type Decoded =
  | { ok: true; text: string }
  | { ok: false; kind: 'binary-file' | 'decode-error'; message: string };

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
  const declared = codingDeclaration(bytes);
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

/** PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2. */
function codingDeclaration(bytes: Uint8Array): string | undefined {
  let end = 0;
  let newlines = 0;
  while (end < bytes.length && end < 400 && newlines < 2) {
    if (bytes[end] === 10) newlines++;
    end++;
  }
  const head = String.fromCharCode(...bytes.subarray(0, end));
  for (const line of head.split('\n').slice(0, 2)) {
    const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (m) return m[1];
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
