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

describe('decodeSource: declarations of encodings that hide code', () => {
  it('decodes UTF-7 as Python does and places the declaration in the decoded text', () => {
    const r = decodeSource(bytes('# +AAo-import os\n# -*- coding: utf-7 -*-\n# +AAo-os.system(x)\n'));
    expect(r.ok && r.text).toBe('# \nimport os\n# -*- coding: utf-7 -*-\n# \nos.system(x)\n');
    expect(r.ok && r.encoding).toEqual({
      declared: 'utf-7', codec: 'utf-7', line: 3, column: 0, offset: 13, storedLine: 2, storedLines: 3, decodedLines: 5, hidden: true,
    });
  });
  it('decodes unicode_escape and raw_unicode_escape over latin-1 bytes', () => {
    const r = decodeSource(new Uint8Array([...bytes('# coding=unicode_escape\n# a\\nrun()\nx = "'), 0xe9, ...bytes('"\n')]));
    expect(r.ok && r.text).toBe('# coding=unicode_escape\n# a\nrun()\nx = "é"\n');
    const raw = decodeSource(bytes('# coding: raw_unicode_escape\ns = "\\n"  # \\u000arun()\n'));
    expect(raw.ok && raw.text).toBe('# coding: raw_unicode_escape\ns = "\\n"  # \nrun()\n');
  });
  it('notes a declaration that hides nothing yet', () => {
    const r = decodeSource(bytes('# vim: set fileencoding=U7 :\nx = 1\n'));
    expect(r.ok && r.encoding).toMatchObject({ declared: 'U7', codec: 'utf-7', line: 1, hidden: false });
  });
  it('ignores a declaration on line 2 after code, as Python does', () => {
    const r = decodeSource(bytes('x = 1\n# coding: utf-7\n# +AAo-run()\n'));
    expect(r).toEqual({ ok: true, text: 'x = 1\n# coding: utf-7\n# +AAo-run()\n' });
  });
  it('reports bytes the declared codec rejects (Python refuses the file too)', () => {
    const r = decodeSource(bytes('# coding: utf-7\nx = a + b\n'));
    expect(r).toMatchObject({ ok: false, kind: 'decode-error' });
    expect(!r.ok && r.message).toContain('not valid utf-7: ill-formed sequence at byte offset 22');
  });
  it('leaves harmless declarations without a note', () => {
    for (const name of ['utf-8', 'latin-1', 'cp1252', 'ascii']) {
      const r = decodeSource(bytes(`# -*- coding: ${name} -*-\nx = 1\n`));
      expect(r, name).toEqual({ ok: true, text: `# -*- coding: ${name} -*-\nx = 1\n` });
    }
  });
});
