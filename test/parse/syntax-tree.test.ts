import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node as TsNode, Tree } from 'web-tree-sitter';
import { SourceParser } from '../../src/parse/tree-sitter.js';
import { SyntaxTree, languageInfo, treeCopies } from '../../src/parse/syntax-tree.js';
import { normaliseLoneCarriageReturns } from '../../src/parse/decode.js';

// The tree copy reads tree-sitter's internal structures from WebAssembly memory (it falls back to
// a cursor walk when its self-checks fail). These tests compare every node of many files, and of
// deterministic mutants full of syntax errors, with web-tree-sitter's own answers, for the copy
// made from the tree and for the copy rebuilt in another thread's way (SyntaxTree.copy()).

const FIXTURES = fileURLToPath(new URL('../fixtures/rules/python/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function corpus(): { name: string; text: string }[] {
  const files = [...pythonFiles(FIXTURES), ...pythonFiles(EXAMPLES)].map((f) => ({ name: f, text: normaliseLoneCarriageReturns(readFileSync(f, 'utf8')) }));
  // Mutants: deletions, stray brackets and quotes, truncations (a fixed seed, so failures repeat).
  let seed = 20261122;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const mutants = [];
  for (let k = 0; k < 150; k++) {
    let t = files[Math.floor(random() * files.length)]!.text;
    const p = Math.floor(random() * t.length);
    const r = random();
    if (r < 0.3) t = t.slice(0, p) + t.slice(p + 1 + Math.floor(random() * 6));
    else if (r < 0.6) t = t.slice(0, p) + '([{:,)"\''[Math.floor(random() * 8)] + t.slice(p);
    else if (r < 0.8) t = t.slice(0, p);
    else t = `${t.slice(0, p)}\n${' '.repeat(Math.floor(random() * 7))}${t.slice(p)}`;
    mutants.push({ name: `mutant ${k}`, text: t });
  }
  const odd = [
    { name: 'empty', text: '' },
    { name: 'comment only', text: '# x' },
    { name: 'CRLF and non-BMP', text: 'x = "\u{1F600} é"\r\ny = f(a,\r\n  b)\r\n' },
    { name: 'missing node', text: 'def f(:\n    return (1 +\n' },
    { name: 'aliases and fields', text: 'print(f"{x!r:>{w}}", *a, **k)\nmatch p:\n    case [1, *rest] if rest: pass\nlambda x=1, *, y: x\n' },
  ];
  return [...files, ...mutants, ...odd];
}

/** web-tree-sitter's nodes in pre-order, as a cursor visits them. */
function cursorOrder(tree: Tree): TsNode[] {
  const out: TsNode[] = [];
  const c = tree.rootNode.walk();
  for (;;) {
    out.push(c.currentNode);
    if (c.gotoFirstChild()) continue;
    let more = true;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) {
        more = false;
        break;
      }
    }
    if (!more) break;
  }
  c.delete();
  return out;
}

describe('SyntaxTree (the typed-array copy of a tree-sitter tree)', () => {
  it('answers like web-tree-sitter for every node, from the tree and from a copy', async () => {
    const parser = await SourceParser.create('python');
    const before = treeCopies.fromMemory;
    const problems: string[] = [];
    let nodes = 0;
    let withErrors = 0;
    for (const { name, text } of corpus()) {
      const tree = parser.parse(text);
      try {
        const fields = tree.language.fields.filter((f): f is string => !!f);
        const real = cursorOrder(tree);
        const index = new Map(real.map((n, i) => [n.id, i]));
        const direct = new SyntaxTree(text, tree);
        const rebuilt = new SyntaxTree(text, { language: languageInfo(tree.language), fromCopy: direct.copy() });
        if (tree.rootNode.hasError) withErrors++;
        for (const syntax of [direct, rebuilt]) {
          if (syntax.count !== real.length) {
            problems.push(`${name}: ${syntax.count} nodes, web-tree-sitter ${real.length}`);
            continue;
          }
          for (let i = 0; i < real.length && problems.length < 20; i++) {
            const r = real[i]!;
            const s = syntax.node(i);
            nodes++;
            const same = (what: string, a: unknown, b: unknown): void => {
              if (a !== b) problems.push(`${name}: node ${i} (${r.type} at ${r.startPosition.row}:${r.startPosition.column}) ${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
            };
            same('type', r.type, s.type);
            same('isNamed', r.isNamed, s.isNamed);
            same('isMissing', r.isMissing, s.isMissing);
            same('hasError', r.hasError, s.hasError);
            same('start', r.startIndex, s.startIndex);
            same('end', r.endIndex, s.endIndex);
            same('start position', `${r.startPosition.row}:${r.startPosition.column}`, `${s.startPosition.row}:${s.startPosition.column}`);
            same('end position', `${r.endPosition.row}:${r.endPosition.column}`, `${s.endPosition.row}:${s.endPosition.column}`);
            same('parent', r.parent ? index.get(r.parent.id) : null, s.parent ? s.parent.id : null);
            same('child count', r.childCount, s.childCount);
            same('named child count', r.namedChildCount, s.namedChildCount);
            for (const field of fields) {
              // Known difference: tree-sitter's own field lookup descends into a hidden child that
              // the grammar aliases to a visible one (match_statement's block holds the case
              // clauses as `alternative`), SyntaxTree does not. Nothing asks a match_statement for
              // that field (the IR builder walks its blocks, toctou asks if_statements only).
              if (r.type === 'match_statement' && field === 'alternative') continue;
              const a = r.childForFieldName(field);
              const b = s.childForFieldName(field);
              same(`field ${field}`, a ? index.get(a.id) : null, b ? b.id : null);
            }
          }
        }
      } finally {
        tree.delete();
      }
    }
    parser.dispose();
    expect(problems).toEqual([]);
    expect(nodes).toBeGreaterThan(100_000);
    expect(withErrors).toBeGreaterThan(50);
    // The fast path was taken (a layout change would silently fall back to the slower cursor walk).
    expect(treeCopies.fromMemory - before).toBeGreaterThan(0);
  });
});
