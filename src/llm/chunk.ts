/**
 * Splits a file that does not fit the model's context into chunks along function boundaries:
 * the top-level `function_definition` / `class_definition` nodes of the tree-sitter parse (with
 * their decorators and the comments right above them), then the methods of a class too large on
 * its own, then plain line ranges as a last resort. Chunks after the first repeat a few lines
 * before them (overlap) so a statement cut by a boundary is seen whole at least once. Other
 * languages are cut at blank lines before unindented code (paragraphBoundaries), then by lines.
 */
import type { Node } from '../parse/tree-sitter.js';
import { SourceParser } from '../parse/tree-sitter.js';
import { CHARS_PER_TOKEN } from './tokens.js';

export interface Chunk {
  /** First line shown (overlap context starts here). */
  contextStart: number;
  /** First line of the chunk proper. */
  start: number;
  /** Last line (inclusive). */
  end: number;
}

export interface ChunkOptions {
  /** Tokens available for the numbered code of one request. */
  codeTokens: number;
  /** Lines repeated before each chunk after the first. */
  overlap: number;
  /** Python (the default) is cut along its syntax tree; other languages at blank lines before unindented code. */
  language?: string;
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** Tokens of lines first..last as the prompt numbers them. */
export function rangeTokens(lines: readonly string[], first: number, last: number): number {
  const width = String(last).length + 3;
  let chars = 0;
  for (let n = first; n <= last; n++) chars += (lines[n - 1]?.length ?? 0) + width + 1;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

interface Boundaries {
  /** Start lines of top-level definitions. */
  top: number[];
  /** Start lines of definitions inside top-level classes (methods). */
  inner: number[];
}

/** Definition start lines from the syntax tree; comments directly above a definition go with it. */
export async function definitionBoundaries(text: string, lines: readonly string[]): Promise<Boundaries> {
  const parser = await SourceParser.create('python');
  const tree = parser.parse(text);
  try {
    const withComments = (node: Node): number => {
      let line = node.startPosition.row + 1;
      while (line > 1 && /^\s*#/.test(lines[line - 2] ?? '')) line--;
      return line;
    };
    const top: number[] = [];
    const inner: number[] = [];
    for (const child of tree.rootNode.namedChildren) {
      if (!DEFINITIONS.has(child.type)) continue;
      top.push(withComments(child));
      const cls = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
      if (cls?.type !== 'class_definition') continue;
      for (const member of cls.childForFieldName('body')?.namedChildren ?? []) {
        if (DEFINITIONS.has(member.type)) inner.push(withComments(member));
      }
    }
    return { top, inner };
  } finally {
    tree.delete();
    parser.dispose();
  }
}

/**
 * Boundaries for languages without a parser here: a line starting in the first column right after a
 * blank line (a new top-level function, type or block in C, Go, Java, Rust, shell…); no inner ones.
 */
export function paragraphBoundaries(lines: readonly string[]): Boundaries {
  const top: number[] = [];
  for (let n = 2; n <= lines.length; n++) {
    if ((lines[n - 2] ?? '').trim() === '' && /^[^\s}\])]/.test(lines[n - 1] ?? '')) top.push(n);
  }
  return { top, inner: [] };
}

/** Ranges [start, end] covering first..last, cut at the given boundary lines. */
function cut(first: number, last: number, at: readonly number[]): [number, number][] {
  const points = [...new Set(at.filter((b) => b > first && b <= last))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let start = first;
  for (const p of points) {
    out.push([start, p - 1]);
    start = p;
  }
  out.push([start, last]);
  return out;
}

/** Plans the chunks of a file; one chunk when it fits. */
export async function planChunks(text: string, lines: readonly string[], options: ChunkOptions): Promise<Chunk[]> {
  const n = lines.length;
  if (n === 0) return [{ contextStart: 1, start: 1, end: 1 }];
  if (rangeTokens(lines, 1, n) <= options.codeTokens) return [{ contextStart: 1, start: 1, end: n }];

  const { top, inner } = (options.language ?? 'Python') === 'Python' ? await definitionBoundaries(text, lines) : paragraphBoundaries(lines);
  // Room for a unit once the overlap is added in front of it.
  const overlapTokens = (start: number): number => (start > 1 ? rangeTokens(lines, Math.max(1, start - options.overlap), start - 1) : 0);
  const fits = (s: number, e: number): boolean => rangeTokens(lines, s, e) + overlapTokens(s) <= options.codeTokens;

  const units: [number, number][] = [];
  for (const [s, e] of cut(1, n, top)) {
    if (fits(s, e)) {
      units.push([s, e]);
      continue;
    }
    for (const [ms, me] of cut(s, e, inner)) {
      if (fits(ms, me)) {
        units.push([ms, me]);
        continue;
      }
      // Still too large (one huge function): plain line ranges.
      let start = ms;
      while (start <= me) {
        let end = start;
        while (end < me && fits(start, end + 1)) end++;
        units.push([start, end]);
        start = end + 1;
      }
    }
  }

  const chunks: Chunk[] = [];
  let current: [number, number] | undefined;
  for (const [s, e] of units) {
    if (current && fits(current[0], e)) {
      current[1] = e;
      continue;
    }
    if (current) chunks.push(toChunk(current, options.overlap));
    current = [s, e];
  }
  if (current) chunks.push(toChunk(current, options.overlap));
  return chunks;
}

function toChunk([start, end]: [number, number], overlap: number): Chunk {
  return { contextStart: Math.max(1, start - overlap), start, end };
}
