/** The comment an editor's "suppress" action appends to a line, in the line's language. */
import { extname } from 'node:path';
import { REASON_PLACEHOLDER } from '../filters/suppressions.js';

const HASH_COMMENTS = new Set(['.py', '.pyi', '.pyw']);
const SLASH_COMMENTS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);
const EXISTING = /secreview\s*:\s*ignore\[([^\]]*)\]/;

/**
 * Text to append to `line` so that it suppresses `ruleId`: a new comment, or nothing when the
 * line already has a secreview suppression (adding an id inside someone's reasoned comment
 * would silently borrow their reason). Undefined when the file's comment syntax is unknown.
 */
export function suppressionComment(path: string, line: string, ruleId: string): string | undefined {
  if (EXISTING.test(line)) return undefined;
  const ext = extname(path).toLowerCase();
  const marker = HASH_COMMENTS.has(ext) ? '#' : SLASH_COMMENTS.has(ext) ? '//' : undefined;
  if (!marker) return undefined;
  return `  ${marker} secreview: ignore[${ruleId}] ${REASON_PLACEHOLDER}`;
}
