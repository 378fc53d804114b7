import { describe, expect, it } from 'vitest';
import { SourceParser } from '../../src/parse/tree-sitter.js';
import { pythonFrontEnd, type PythonModule } from '../../src/frontend/python/index.js';
import type { Node } from '../../src/parse/tree-sitter.js';

async function load(source: string): Promise<{ module: PythonModule; calls: Node[] }> {
  const parser = await SourceParser.create('python');
  const module = pythonFrontEnd.createModule('m.py', source, parser.parse(source));
  const calls = pythonFrontEnd.collect(module, new Set(['call']));
  return { module, calls };
}

describe('Python front end', () => {
  it('resolves imports and aliases to qualified names', async () => {
    const { module, calls } = await load(
      [
        'import subprocess as sp',
        'import os.path',
        'from os import system',
        'from xml.etree import ElementTree as ET',
        'from .utils import run',
        'def f(x):',
        '    import pickle',
        '    sp.call(x)',
        '    os.path.join(x)',
        '    system(x)',
        '    ET.parse(x)',
        '    run(x)',
        '    pickle.loads(x)',
        '    eval(x)',
        '    x.execute(y)',
        '    self.helper(x)',
      ].join('\n'),
    );
    expect(calls.map((c) => module.call(c).qname)).toEqual([
      'subprocess.call',
      'os.path.join',
      'os.system',
      'xml.etree.ElementTree.parse',
      '.utils.run',
      'pickle.loads',
      'eval',
      undefined,
      undefined,
    ]);
    const execute = module.call(calls[7]!);
    expect(execute.method).toBe('execute');
    expect(module.text(execute.receiver!)).toBe('x');
  });

  it('does not treat a builtin shadowed at module level as the builtin', async () => {
    const { module, calls } = await load('def open(p):\n    return p\nopen("x")\n');
    expect(module.call(calls[0]!).qname).toBeUndefined();
  });

  it('splits positional and keyword arguments and notes splats', async () => {
    const { module, calls } = await load('f(a, b, shell=True, *rest, **kw)\n');
    const call = module.call(calls[0]!);
    expect(call.positional.map((n) => n.text)).toEqual(['a', 'b']);
    expect([...call.keywords.keys()]).toEqual(['shell']);
    expect(call.hasStarArgs).toBe(true);
    expect(call.hasStarKwargs).toBe(true);
    expect(call.arg(5, 'shell')?.text).toBe('True');
  });

  it('folds constants, including module-level names assigned once', async () => {
    const { module, calls } = await load(
      [
        'BASE = "/usr/bin/"',
        'TOOL = BASE + "ip"',
        'MODE = 0o700 | 0o077',
        'changed = "a"',
        'changed = "b"',
        'f("a" "b", TOOL, MODE, -3, None, True, r"\\d", "x\\ty", f"{TOOL}", changed, b"raw")',
      ].join('\n'),
    );
    const args = module.call(calls[0]!).positional;
    expect(args.map((a) => module.constantValue(a))).toEqual([
      'ab', '/usr/bin/ip', 0o777, -3, null, true, '\\d', 'x\ty', undefined, undefined, undefined,
    ]);
    expect(module.isConstantExpression(args[8]!)).toBe(true);
    expect(module.isConstantExpression(args[9]!)).toBe(false);
  });

  it('treats formatted strings as constant only when every part is', async () => {
    const { module, calls } = await load(
      'g("ls %s" % CMD, "ls %s" % name, "{}".format(MAX_SIZE), f"x{user}", ["ip", "link"], CONF.NAME)\n',
    );
    const args = module.call(calls[0]!).positional;
    expect(args.map((a) => module.isConstantExpression(a))).toEqual([true, false, true, false, true, true]);
  });

  it('treats UPPER_CASE attributes of modules and classes as constants, not of values', async () => {
    const { module, calls } = await load('from oslo_config import cfg\ndef v(request):\n    g(cfg.CONF.MAX, Mode.READ, request.GET, self.conf.LIMIT)\n');
    const args = module.call(calls[0]!).positional;
    expect(args.map((a) => module.isConstantExpression(a))).toEqual([true, true, false, false]);
  });

  it('finds the statement and its first line for a node deep in a multi-line call', async () => {
    const { module, calls } = await load('x = 1\nresult = run(\n    [\n        cmd(a),\n    ]\n)\n');
    const inner = calls.find((c) => c.text === 'cmd(a)')!;
    expect(module.statementOf(inner).startPosition.row + 1).toBe(2);
  });

  it('counts lines for LF, CRLF and CR endings', async () => {
    const { module } = await load('a = 1\r\nb = 2\rc = 3\n');
    expect(module.lineCount).toBe(3);
    expect([module.line(1), module.line(2), module.line(3)]).toEqual(['a = 1', 'b = 2', 'c = 3']);
  });
});
