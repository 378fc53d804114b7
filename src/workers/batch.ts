/**
 * Several encoded outcomes in one buffer, so a batch crosses threads as a single moved
 * ArrayBuffer: a count, each length, then the bytes, all lengths as little-endian uint32.
 */
export function packOutcomes(parts: readonly Uint8Array[]): Uint8Array {
  const header = 4 * (parts.length + 1);
  const total = parts.reduce((n, p) => n + p.byteLength, header);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, parts.length, true);
  let at = header;
  parts.forEach((p, i) => {
    view.setUint32(4 * (i + 1), p.byteLength, true);
    out.set(p, at);
    at += p.byteLength;
  });
  return out;
}

/** The outcomes of `packOutcomes`, as views into the same buffer. */
export function unpackOutcomes(packed: Uint8Array): Uint8Array[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = view.getUint32(0, true);
  const parts: Uint8Array[] = [];
  let at = 4 * (count + 1);
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(4 * (i + 1), true);
    parts.push(packed.subarray(at, at + length));
    at += length;
  }
  if (at !== packed.byteLength) throw new Error('malformed outcome batch');
  return parts;
}
