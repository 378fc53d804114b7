import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import { SyntaxTree, type TreeCopy } from '../../src/parse/syntax-tree.js';
import { pythonLanguageInfo } from '../../src/workers/file-job.js';
import type { PythonModule } from '../../src/frontend/python/index.js';

async function copyOf(source: string): Promise<TreeCopy> {
  const analysis = await analysePythonSource('t.py', source, []);
  const copy = (analysis.module as PythonModule).syntax.copy();
  analysis.release();
  return copy;
}

/** The arrays of a copy, by name, as views of its buffer (see syntax-tree.ts newArrays). */
function views(copy: TreeCopy) {
  const { size, buffer } = copy;
  const int32 = (k: number): Int32Array => new Int32Array(buffer, k * size * 4, size);
  return { starts: int32(0), ends: int32(1), parents: int32(2), next: int32(3), subtreeEnds: int32(4), symbols: new Uint16Array(buffer, 20 * size, size), fields: new Uint16Array(buffer, 22 * size, size) };
}

const SOURCES = {
  plain: 'import os\n\ndef f(a, b=1):\n    return os.system(a) + b\n\nclass C(Base):\n    x = [1, 2, {"k": (3,)}]\n',
  empty: '',
  syntaxErrors: 'def f(:\n    return (1,\nclass\nx = = 2\nif x\n    pass\n',
  missing: 'print("a"\nx = [1, 2\n',
  unicode: 's = "héllo wörld ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"\ndef ƒ(ä):\n    return ä  # ✓\n',
  nested: `x = ${'('.repeat(200)}1${')'.repeat(200)}\n`,
};

describe('tree copies read back from a cache entry', () => {
  it('pass their checks when genuine, with errors, MISSING nodes, unicode, deep nesting or nothing at all', async () => {
    const language = await pythonLanguageInfo();
    for (const [name, source] of Object.entries(SOURCES)) {
      const copy = await copyOf(source);
      const tree = new SyntaxTree(source, { language, fromCopy: copy });
      expect(tree.count, name).toBe(copy.count);
      expect(tree.root.type, name).toBe('module');
    }
  });

  it('are rejected, saying which link is wrong, when any link or range does not hold together', async () => {
    const language = await pythonLanguageInfo();
    const source = SOURCES.plain;
    const base = await copyOf(source);
    const damaged = (edit: (v: ReturnType<typeof views>, copy: TreeCopy) => void): (() => SyntaxTree) => {
      const copy = { ...base, buffer: base.buffer.slice(0) };
      edit(views(copy), copy);
      return () => new SyntaxTree(source, { language, fromCopy: copy });
    };
    const { next, parents, subtreeEnds } = views(base);
    // A node with an earlier sibling: its link made to point back at that sibling (a loop).
    const looped = [...next.keys()].find((i) => i > 0 && next[i]! > 0 && parents[i - 1] === parents[i] && subtreeEnds[i - 1] === i)!;
    expect(looped).toBeDefined();
    expect(damaged((v) => (v.next[looped] = looped - 1))).toThrow(/malformed tree copy: node \d+ of \d+: next sibling/);
    expect(damaged((v) => (v.next[looped] = looped))).toThrow(/next sibling/);
    // A sibling list cut short, and one made to skip a sibling.
    const linked = [...next.keys()].find((i) => next[i]! > 0)!;
    expect(damaged((v) => (v.next[linked] = -1))).toThrow(/next sibling/);
    expect(damaged((v) => (v.next[linked] = v.next[linked]! + 1))).toThrow(/next sibling/);
    expect(damaged((v) => (v.subtreeEnds[2] = 1))).toThrow(/subtree end/);
    expect(damaged((v, c) => (v.subtreeEnds[1] = c.count + 5))).toThrow(/subtree end/);
    expect(damaged((v) => (v.parents[4] = 4))).toThrow(/parent/);
    expect(damaged((v) => (v.parents[0] = 0))).toThrow(/parent/);
    expect(damaged((v) => (v.starts[5] = v.ends[5]! + 1))).toThrow(/range/);
    expect(damaged((v) => (v.ends[5] = source.length + 1))).toThrow(/range/);
    expect(damaged((v) => (v.starts[5] = -1))).toThrow(/range/);
    expect(damaged((v) => (v.symbols[5] = 60000))).toThrow(/unknown symbol/);
    expect(damaged((v) => (v.fields[5] = 60000))).toThrow(/unknown field/);
    expect(damaged((_, c) => (c.count = 0))).toThrow(/malformed tree copy/);
    expect(damaged((_, c) => (c.count = c.size + 1))).toThrow(/malformed tree copy/);
    expect(damaged((_, c) => ((c as { size: number }).size = c.size - 1))).toThrow(/malformed tree copy/);
    expect(() => new SyntaxTree(source, { language, fromCopy: { count: 1 } as unknown as TreeCopy })).toThrow(/malformed tree copy/);
    // The undamaged copy still passes (the edits above were on copies of it).
    expect(new SyntaxTree(source, { language, fromCopy: base }).count).toBe(base.count);
  });
});
