/**
 * Token estimates for planning (chunk sizes, the run's budget) before a server has counted anything.
 * Byte-pair tokenisers of current code models average about 3.5 characters of source code or
 * English per token; the chunker keeps a margin on top. Real usage, when the server reports it, is
 * what the report shows.
 */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
