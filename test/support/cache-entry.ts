/** Reading and forging scan-cache entries in tests (the layout is src/cache/scan-cache.ts's `entryBytes`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { entryBytes } from '../../src/cache/scan-cache.js';

/** An entry's key and sections, as written. */
export function entryParts(bytes: Buffer): { key: string; sections: Buffer[] } {
  const magicEnd = bytes.indexOf(0x0a) + 1;
  const keyEnd = bytes.indexOf(0x0a, magicEnd);
  const lineEnd = bytes.indexOf(0x0a, keyEnd + 1);
  const key = bytes.toString('latin1', magicEnd, keyEnd);
  let at = lineEnd + 1;
  const sections = bytes.toString('latin1', keyEnd + 1, lineEnd).split(' ').map((part) => {
    const length = Number(part.split(':')[0]);
    const section = bytes.subarray(at, at + length);
    at += length;
    return section;
  });
  return { key, sections };
}

/** An entry's body: its sections, one after the other. */
export function payload(bytes: Buffer): Buffer {
  return Buffer.concat(entryParts(bytes).sections);
}

/** Rewrites an entry with other sections under its own key, with valid checksums (a forged entry). */
export function forgeEntry(file: string, sections: readonly Uint8Array[]): void {
  writeFileSync(file, entryBytes(entryParts(readFileSync(file)).key, sections));
}
