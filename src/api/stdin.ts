/**
 * Standard input as a scan input: read a chunk at a time and given up as soon as it passes the
 * size limit, so `--max-file-size` bounds what is read (and held) from a pipe that may never end.
 */

/** Source given to `scan()` for the `-` path: text already read, or a stream read up to the limit. */
export type StdinInput =
  | { text: string; filename: string }
  | {
      filename: string;
      /** Chunks of the file's bytes (e.g. `process.stdin`); iteration stops early past the limit. */
      stream: AsyncIterable<Uint8Array | string>;
    };

/**
 * The stream's bytes, or how much was read when it passed `max` bytes. Leaving the loop early
 * ends the iteration, which destroys a Node stream: nothing more is read from it.
 */
export async function readStreamLimited(source: AsyncIterable<Uint8Array | string>, max: number): Promise<Buffer | { tooLarge: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += bytes.length;
    if (size > max) return { tooLarge: size };
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
