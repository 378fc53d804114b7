import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import { NO_SPAN, type CallExpr, type ModuleIR, type Stmt } from '../../src/analysis/taint/ir.js';
import { SpanTableBuilder, resolveSpan, spanLine, spanText } from '../../src/analysis/taint/spans.js';
import { pythonToIR } from '../../src/frontend/python/to-ir.js';
import type { PythonModule } from '../../src/frontend/python/index.js';

async function irOf(source: string): Promise<ModuleIR> {
  const analysis = await analysePythonSource('app.py', source, []);
  try {
    return pythonToIR(analysis.module as PythonModule);
  } finally {
    analysis.release();
  }
}

describe('span tables', () => {
  it('resolves ids to 1-based lines and columns in UTF-16 units, with the text', () => {
    const source = 'x = 1\n  é = f(a,\n b)\n';
    const table = new SpanTableBuilder(source, Int32Array.of(0, 6, 17, 21));
    const call = table.add(source.indexOf('f('), source.indexOf('b)') + 2);
    const name = table.add(8, 9);
    const built = table.finish();
    expect(resolveSpan(built, call)).toEqual({ line: 2, column: 7, endLine: 3, endColumn: 4, text: 'f(a,\n b)' });
    expect(resolveSpan(built, name)).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 4, text: 'é' });
    expect([spanLine(built, call), spanText(built, name)]).toEqual([2, 'é']);
    // One object per span, so trace steps share it.
    expect(resolveSpan(built, call)).toBe(resolveSpan(built, call));
    expect(resolveSpan(built, NO_SPAN)).toEqual({ line: 0, column: 0, endLine: 0, endColumn: 0, text: '' });
  });

  it('cuts long texts to 120 characters with an ellipsis', () => {
    const source = `f(${'a'.repeat(200)})`;
    const table = new SpanTableBuilder(source, Int32Array.of(0));
    const id = table.add(0, source.length);
    const text = resolveSpan(table.finish(), id).text;
    expect(text).toHaveLength(120);
    expect(text.endsWith('…')).toBe(true);
  });

  it('gives the IR of a module the places of its statements and calls', async () => {
    const ir = await irOf('import os\n\ndef run(cmd):\n    os.system(cmd)\n');
    const def = ir.top.body.find((s) => s.k === 'def') as Extract<Stmt, { k: 'def' }>;
    const call = (def.fn.body[0] as Extract<Stmt, { k: 'expr' }>).expr as CallExpr;
    expect(resolveSpan(ir.spans, def.span)).toMatchObject({ line: 3, column: 1, endLine: 4, endColumn: 19 });
    expect(resolveSpan(ir.spans, call.span)).toEqual({ line: 4, column: 5, endLine: 4, endColumn: 19, text: 'os.system(cmd)' });
    expect(resolveSpan(ir.spans, def.fn.params[0]!.span!)).toMatchObject({ line: 3, column: 9, text: 'cmd' });
  });
});
