/**
 * Several encoded outcomes in one buffer, so a batch crosses threads as a single moved
 * ArrayBuffer: a count, each length, then the bytes, all lengths as little-endian uint32. An
 * outcome may be given as pieces that follow each other (copied straight into the buffer).
 */
export function packOutcomes(outcomes: readonly (Uint8Array | readonly Uint8Array[])[]): Uint8Array {
  const pieces = outcomes.map((o) => (o instanceof Uint8Array ? [o] : o));
  const lengths = pieces.map((p) => p.reduce((n, b) => n + b.byteLength, 0));
  const header = 4 * (outcomes.length + 1);
  const out = new Uint8Array(lengths.reduce((n, l) => n + l, header));
  const view = new DataView(out.buffer);
  view.setUint32(0, outcomes.length, true);
  let at = header;
  pieces.forEach((p, i) => {
    view.setUint32(4 * (i + 1), lengths[i]!, true);
    for (const b of p) {
      out.set(b, at);
      at += b.byteLength;
    }
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
