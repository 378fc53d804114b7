import { describe, expect, it } from 'vitest';
import { analyseProgram } from '../../src/analysis/taint/engine.js';
import { registerTaintSemantics, taintSemanticsFor } from '../../src/analysis/taint/language.js';
import { loadModels } from '../../src/analysis/taint/models.js';
import { pythonTaintSemantics } from '../../src/frontend/python/taint-semantics.js';
import { irOf } from '../support/ir.js';

const VIEW = [
  'import os',
  'from flask import Flask',
  '',
  'app = Flask(__name__)',
  '',
  '@app.route("/run/<name>")',
  'def run(name):',
  '    os.system("echo " + name)',
  '',
].join('\n');

// A language like Python in every way but one: no decorator makes a request handler.
registerTaintSemantics({ ...pythonTaintSemantics, language: 'no-handlers', isRequestHandler: () => false });

describe('taint engine: the language semantics of each module', () => {
  it('Python modules say they are Python, and Python has registered its semantics', async () => {
    const [m] = await irOf({ 'app.py': VIEW });
    expect(m!.language).toBe('python');
    expect(taintSemanticsFor('python')).toBe(pythonTaintSemantics);
  });

  it("interprets each module with its own language's semantics", async () => {
    const modules = await irOf({ 'a/app.py': VIEW, 'b/app.py': VIEW });
    modules[1]!.language = 'no-handlers';
    const result = analyseProgram(modules, loadModels());
    // The route parameter is a request source only where the language makes `run` a handler...
    expect(result.sourceHits.map((h) => [h.sink.path, h.sink.span.line, h.label.what])).toEqual([['a/app.py', 8, 'request parameter `name`']]);
    // ...and is a parameter of unknown provenance in the other module.
    expect(result.parameterHits.map((h) => [h.fn.path, h.hit.label.what])).toEqual([['b/app.py', 'name']]);
  });

  it('names the language and its front end when no semantics is registered', async () => {
    const modules = await irOf({ 'app.py': VIEW });
    modules[0]!.language = 'cobol';
    expect(() => analyseProgram(modules, loadModels())).toThrow("no taint semantics for language 'cobol': its front end (src/frontend/cobol/) registers them when it loads");
  });
});
