// The Python edit builders on their own (a line added at a statement's indentation, a module name
// that may be shadowed), and the exact text `secreview fix` writes for the secrets, mkstemp and
// debug fixes, including the shapes where a rule reports but deliberately offers no fix.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceParser, type Node } from '../../src/parse/tree-sitter.js';
import { pythonFrontEnd, type PythonModule } from '../../src/frontend/python/index.js';
import { applyEdits, fixEdit } from '../../src/rules/autofix.js';
import { ensureImport, insertLineAfter, usedOtherThanAsModule } from '../../src/rules/python/python-edits.js';
import { scan } from '../../src/api/scan.js';
import { fixFiles } from '../../src/fix/fix-files.js';
import { tempTree } from '../support/tmp.js';

async function load(source: string): Promise<PythonModule> {
  const parser = await SourceParser.create('python');
  const module = pythonFrontEnd.createModule('m.py', source, parser.parse(source));
  pythonFrontEnd.collect(module, new Set(['call']));
  return module;
}

/** The statement holding the first call of `callee` (its text). */
function statementOfCall(module: PythonModule, callee: string): Node {
  const call = module.root.descendantsOfType('call').find((c) => c?.childForFieldName('function')?.text === callee);
  if (!call) throw new Error(`no call of ${callee}`);
  return module.statementOf(call);
}

async function withLineAfter(source: string, callee: string, text: string): Promise<string | undefined> {
  const module = await load(source);
  const edit = insertLineAfter(module, statementOfCall(module, callee), text);
  if (!edit) return undefined;
  const out = applyEdits(source, [fixEdit(edit)]);
  if ('error' in out) throw new Error(out.error);
  return out.text;
}

describe('insertLineAfter', () => {
  it('adds the line at the statement’s own indentation, after a trailing comment', async () => {
    expect(await withLineAfter('def f():\n    if x:\n        a = g()  # note\n    return a\n', 'g', 'close()')).toBe(
      'def f():\n    if x:\n        a = g()  # note\n        close()\n    return a\n',
    );
    expect(await withLineAfter('a = g(\n    1,\n)\nb = 2', 'g', 'close()')).toBe('a = g(\n    1,\n)\nclose()\nb = 2');
  });

  it('keeps CRLF line ends', async () => {
    expect(await withLineAfter('def f():\r\n\ta = g()\r\n\treturn a\r\n', 'g', 'close()')).toBe('def f():\r\n\ta = g()\r\n\tclose()\r\n\treturn a\r\n');
  });

  it('refuses a statement that shares its line with another', async () => {
    expect(await withLineAfter('if x: a = g()\n', 'g', 'close()')).toBeUndefined();
    expect(await withLineAfter('a = g(); b = 1\n', 'g', 'close()')).toBeUndefined();
  });
});

describe('usedOtherThanAsModule and ensureImport', () => {
  it('ignores imports, attribute access, attribute names, comments and strings', async () => {
    const module = await load('import random\n# random is predictable\nx = random.choice(s)\ny = obj.random\nz = "random"\n');
    expect(usedOtherThanAsModule(module, 'random')).toBe(false);
    expect(ensureImport(module, 'random')).toBeNull();
  });

  it('sees a parameter, a variable or a call argument of that name', async () => {
    for (const source of ['def f(secrets):\n    pass\n', 'secrets = load()\n', 'for secrets in vaults:\n    pass\n', 'use(secrets)\n']) {
      const module = await load(`import os\n${source}`);
      expect(usedOtherThanAsModule(module, 'secrets'), source).toBe(true);
      expect(ensureImport(module, 'secrets'), source).toBeUndefined();
    }
  });
});

describe('fixes written by secreview fix', () => {
  const fixed = async (source: string, rule: string): Promise<{ text: string; applied: number }> => {
    const dir = tempTree({ 'app.py': source });
    const result = await fixFiles({ paths: ['.'], cwd: dir, config: false, severity: 'low', confidence: 'low', select: [rule] });
    expect(result.refused).toEqual([]);
    return { text: readFileSync(join(dir, 'app.py'), 'utf8'), applied: result.applied.length };
  };
  const fixesOffered = async (source: string, rule: string): Promise<boolean[]> => {
    const dir = tempTree({ 'app.py': source });
    const report = await scan({ paths: ['.'], cwd: dir, config: false, severity: 'low', confidence: 'low', select: [rule] });
    return report.findings.map((f) => f.autofix !== undefined);
  };

  it('random → secrets, adding `import secrets`; not through an alias, a from-import or keywords', async () => {
    const source = [
      'import random',
      '',
      '',
      'def new_token():',
      '    token = random.getrandbits(128)',
      '    return token',
      '',
      '',
      'def new_key():',
      '    secret_key = random.randbytes(32)',
      '    return secret_key',
      '',
    ].join('\n');
    expect(await fixed(source, 'python/insecure-random')).toEqual({
      text: source.replace('import random\n', 'import random\nimport secrets\n').replace('random.getrandbits', 'secrets.randbits').replace('random.randbytes', 'secrets.token_bytes'),
      applied: 2,
    });
    const other = [
      'import random',
      'import random as rnd',
      'from random import choice',
      '',
      '',
      'def tokens(n):',
      '    api_token = rnd.getrandbits(128)',
      '    reset_token = choice(ALPHABET)',
      '    secret_key = random.randbytes(n=32)',
      '    return api_token, reset_token, secret_key',
      '',
    ].join('\n');
    expect(await fixesOffered(other, 'python/insecure-random')).toEqual([false, false, false]);
    // `secrets` bound to something else in the file: importing the module would be shadowed.
    const shadowed = 'import random\n\n\ndef new_token(secrets):\n    token = random.getrandbits(128)\n    return token\n';
    expect(await fixesOffered(shadowed, 'python/insecure-random')).toEqual([false]);
  });

  it('mktemp → mkstemp + os.close, adding `import os`, only when the next statement opens the name for writing', async () => {
    const source = [
      'import tempfile',
      '',
      '',
      'def export(rows, fd):',
      '    path = tempfile.mktemp(suffix=".csv")',
      '    with open(path, "w") as out:',
      '        out.writelines(rows)',
      '    return path',
      '',
    ].join('\n');
    expect(await fixed(source, 'python/insecure-temp-file')).toEqual({
      text: [
        'import tempfile',
        'import os',
        '',
        '',
        'def export(rows, fd):',
        '    tmp_fd, path = tempfile.mkstemp(suffix=".csv")',
        '    os.close(tmp_fd)',
        '    with open(path, "w") as out:',
        '        out.writelines(rows)',
        '    return path',
        '',
      ].join('\n'),
      applied: 1,
    });
    const noFix = [
      'import os',
      'import tempfile',
      '',
      '',
      'def shapes(data):',
      '    sock_path = tempfile.mktemp()', // bound as a socket: must not exist
      '    server.bind(sock_path)',
      '    probe = tempfile.mktemp()', // checked first
      '    if os.path.exists(probe):',
      '        return None',
      '    rel = tempfile.mktemp(dir="spool")', // relative name, mkstemp's is absolute
      '    with open(rel, "w") as out:',
      '        out.write(data)',
      '    excl = tempfile.mktemp()', // exclusive creation fails on an existing file
      '    with open(excl, "x") as out:',
      '        out.write(data)',
      '    return tempfile.mktemp()', // not an assignment
      '',
      '',
      'def retry(data, attempts):',
      '    last = None',
      '    for _ in range(attempts):',
      '        log(last)', // the previous iteration's name, used before the file is created
      '        last = tempfile.mktemp()',
      '        with open(last, "w") as out:',
      '            out.write(data)',
      '',
      '',
      'NAME = tempfile.mktemp()', // module level: other modules may use it
      'LOG = open(NAME, "w")',
      '',
    ].join('\n');
    expect(await fixesOffered(noFix, 'python/insecure-temp-file')).toEqual([false, false, false, false, false, false, false]);
  });

  it('debug=True → debug=False on a literal in app.run, not on a name', async () => {
    const source = 'from flask import Flask\n\napp = Flask(__name__)\nDEBUG = True\n\n\ndef serve():\n    app.run(debug=True)\n\n\ndef serve_flag():\n    app.run(debug=DEBUG)\n';
    expect(await fixesOffered(source, 'python/debug-mode-enabled')).toEqual([true, false]);
    expect((await fixed(source, 'python/debug-mode-enabled')).text).toBe(source.replace('app.run(debug=True)', 'app.run(debug=False)'));
  });
});

describe('ensureImport placement', () => {
  const placed = async (source: string, name: string): Promise<string> => {
    const module = await load(source);
    const edit = ensureImport(module, name);
    if (!edit) throw new Error('no edit');
    const out = applyEdits(source, [fixEdit(edit)]);
    if ('error' in out) throw new Error(out.error);
    return out.text;
  };

  it('goes after a docstring that follows licence comments, and after `from __future__` imports', async () => {
    expect(await placed('# Licensed under the Apache License.\n"""Disk helpers."""\n\nfrom __future__ import annotations\n\nX = 1\n', 'secrets')).toBe(
      '# Licensed under the Apache License.\n"""Disk helpers."""\n\nfrom __future__ import annotations\nimport secrets\n\nX = 1\n',
    );
    expect(await placed('# coding: utf-8\n"""Doc."""\nX = 1\n', 'os')).toBe('# coding: utf-8\n"""Doc."""\nimport os\nX = 1\n');
    expect(await placed('X = 1\n"""not a docstring"""\n', 'os')).toBe('import os\nX = 1\n"""not a docstring"""\n');
  });
});
