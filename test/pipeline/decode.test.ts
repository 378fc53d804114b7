import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/parse/decode.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeSource', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeSource(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('x = "é"\n')]))).toEqual({ ok: true, text: 'x = "é"\n' });
  });
  it('rejects NUL bytes as binary', () => {
    const r = decodeSource(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
    expect(r).toMatchObject({ ok: false, kind: 'binary-file' });
  });
  it('names the offset of invalid UTF-8', () => {
    const r = decodeSource(new Uint8Array([...bytes('x = 1\n# '), 0xff, 0x41]));
    expect(r).toMatchObject({ ok: false, kind: 'decode-error' });
    expect(!r.ok && r.message).toContain('offset 8');
  });
  it('reports UTF-16 instead of decoding garbage', () => {
    const r = decodeSource(new Uint8Array([0xff, 0xfe, 0x78, 0x00]));
    expect(r).toMatchObject({ ok: false, kind: 'decode-error' });
    expect(!r.ok && r.message).toContain('UTF-16');
  });
  it('honours a PEP 263 latin-1 declaration', () => {
    const r = decodeSource(new Uint8Array([...bytes('# -*- coding: latin-1 -*-\nx = "'), 0xe9, ...bytes('"\n')]));
    expect(r).toEqual({ ok: true, text: '# -*- coding: latin-1 -*-\nx = "é"\n' });
  });
});
