import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { analyseProgram, type TaintHit, type TaintResult } from '../../src/analysis/taint/engine.js';
import type { ModuleIR, Span } from '../../src/analysis/taint/ir.js';
import { loadModels } from '../../src/analysis/taint/models.js';
import { isMemoFile, moduleFingerprint, type MemoFile } from '../../src/analysis/taint/replay.js';
import { moduleFromShape, type Deferred } from '../../src/analysis/taint/shapes.js';
import { unpackMemo, type PackedMemo } from '../../src/analysis/taint/memo-codec.js';
import type { Label } from '../../src/analysis/taint/values.js';
import { irOf } from '../support/ir.js';

/**
 * Replaying a previous run's analyses (src/analysis/taint/replay.ts): a run given a memo must give
 * exactly the result of a run without one on the same program, whatever changed since the memo
 * was recorded.
 */

const models = loadModels();

type Files = Record<string, string>;


/** Records go through the disk cache packed and v8-serialized. */
const roundTrip = (packed: PackedMemo): MemoFile => unpackMemo(deserialize(serialize(packed)))!;

const spanOf = (s: Span) => [s.line, s.column, s.endLine, s.endColumn, s.text];
const labelOf = (l: Label) => ({
  origin: l.origin,
  what: l.what,
  threat: l.threat ?? null,
  param: l.param ?? null,
  field: l.field ?? null,
  lowered: l.lowered,
  sanitized: [...l.sanitized],
  steps: l.steps.map((s) => [s.path, spanOf(s.span), s.note]),
});
const hitOf = (h: TaintHit) => ({
  kind: h.kind,
  label: labelOf(h.label),
  sink: {
    path: h.sink.path,
    span: spanOf(h.sink.span),
    callSpan: spanOf(h.sink.callSpan),
    callee: h.sink.callee,
    description: h.sink.description,
    statementLine: h.sink.statementLine,
  },
});

/** Everything a result says, in its order: equal strings are equal results. */
function canonical(r: TaintResult): string {
  return JSON.stringify({
    sourceHits: r.sourceHits.map(hitOf),
    parameterHits: r.parameterHits.map(({ fn, hit }) => ({ fn: [fn.qname, fn.path], hit: hitOf(hit) })),
  });
}

/** A recording run's memo, as the cache would give it back. */
async function recorded(files: Files): Promise<{ result: TaintResult; memo: MemoFile }> {
  const result = analyseProgram(await irOf(files), models, { record: true });
  expect(result.memo).toBeDefined();
  const memo = roundTrip(result.memo!());
  expect(isMemoFile(memo)).toBe(true);
  return { result, memo };
}

/**
 * Records a run on `before`, replays on `after` with the round-tripped memo, runs `after` plainly:
 * the replaying run's result must be the plain run's.
 */
/**
 * The program as a replaying scan gives it: modules the memo knows with the same source enter as
 * shapes (shapes.ts), built from their files only if one of their analyses has to run.
 */
async function shaped(files: Files, memo: MemoFile): Promise<{ modules: ModuleIR[]; deferred: Map<ModuleIR, Deferred>; built: string[] }> {
  const full = await irOf(files);
  const index = new Map(memo.modules.map((p, i) => [p, i]));
  const deferred = new Map<ModuleIR, Deferred>();
  const built: string[] = [];
  const modules = full.map((m) => {
    const at = index.get(m.path);
    const fingerprint = moduleFingerprint(m);
    if (at === undefined || memo.fingerprints[at] !== fingerprint) return m;
    const shape = moduleFromShape(memo.moduleShapes[at]!, m.path, m.spans.source, fingerprint, () => {
      built.push(m.path);
      return m;
    }, m.language);
    deferred.set(shape.module, shape.deferred);
    return shape.module;
  });
  return { modules, deferred, built };
}

async function check(before: Files, after: Files): Promise<{ replaying: TaintResult; plain: TaintResult; recording: TaintResult }> {
  const { result: recording, memo } = await recorded(before);
  const replaying = analyseProgram(await irOf(after), models, { memo });
  const plain = analyseProgram(await irOf(after), models);
  expect(canonical(replaying)).toBe(canonical(plain));
  const lazy = await shaped(after, memo);
  expect(canonical(analyseProgram(lazy.modules, models, { memo, deferred: lazy.deferred }))).toBe(canonical(plain));
  expect(replaying.stats.analyses).toBe(plain.stats.analyses);
  expect(replaying.stats.functions).toBe(plain.stats.functions);
  expect(plain.stats.replayed).toBe(0);
  return { replaying, plain, recording };
}

const computed = (r: TaintResult): number => r.stats.analyses - r.stats.replayed;

/** Source hits as `kind@path:line`, in order. */
const sinks = (r: TaintResult): string[] => r.sourceHits.map((h) => `${h.kind}@${h.sink.path}:${h.sink.span.line}`);

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** A Flask app whose routes send request data into helpers of other modules. */
const APP = lines(
  'from flask import Flask, request',
  'from helpers import run_it, call_it',
  'import db',
  '',
  'app = Flask(__name__)',
  '',
  '@app.route("/run")',
  'def run():',
  '    cmd = request.args["cmd"]',
  '    run_it(cmd)',
  '    return "ok"',
  '',
  '@app.route("/call")',
  'def call():',
  '    call_it(request.args["prog"])',
  '    return "ok"',
  '',
  '@app.route("/find")',
  'def find():',
  '    name = request.args["name"]',
  '    return str(db.lookup(name))',
);

const HELPERS = lines(
  'import os',
  'import subprocess',
  '',
  'def run_it(c):',
  '    os.system("echo " + c)',
  '',
  'def call_it(p):',
  '    subprocess.call(p, shell=True)',
  '',
  'def unused(x):',
  '    return x.strip()',
);

const DB = lines(
  'import sqlite3',
  '',
  'def connect():',
  '    return sqlite3.connect("app.db")',
  '',
  'def lookup(name):',
  '    cursor = connect().cursor()',
  '    cursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
  '    return cursor.fetchall()',
  '',
  'def count(table):',
  '    cursor = connect().cursor()',
  '    cursor.execute("SELECT COUNT(*) FROM " + table)',
  '    return cursor.fetchone()',
);

const PROGRAM: Files = { 'app.py': APP, 'helpers.py': HELPERS, 'db.py': DB };

describe('taint replay: a run given a memo gives the plain run result', () => {
  it('replays everything but module top levels on an unchanged program', async () => {
    const { replaying, plain, recording } = await check(PROGRAM, PROGRAM);
    expect(sinks(plain)).toEqual(['command-injection@helpers.py:5', 'command-injection@helpers.py:8', 'sql-injection@db.py:8']);
    // `db.count` is called by nobody: its parameter reaching a sink is a parameter hit.
    expect(plain.parameterHits.map((p) => p.fn.qname)).toEqual(['db.count']);
    expect(canonical(recording)).toBe(canonical(plain));
    expect(replaying.stats.replayed).toBeGreaterThan(0);
    // At most the three module top levels ran (their variables are replayed only when self-contained).
    expect(computed(replaying)).toBeLessThanOrEqual(3);
    expect(computed(plain)).toBeGreaterThan(3);
  });

  it('re-analyses the callers of a callee that newly passes its parameter to a sink', async () => {
    const after = {
      ...PROGRAM,
      'helpers.py': HELPERS.replace('def unused(x):\n    return x.strip()', 'def unused(x):\n    os.system(x)\n    return x.strip()'),
      'app.py': APP.replace('from helpers import run_it, call_it', 'from helpers import run_it, call_it, unused').replace(
        '    return str(db.lookup(name))',
        '    unused(name)\n    return str(db.lookup(name))',
      ),
    };
    // The same edit in helpers.py alone: app.py unchanged, its callers must see the new summary.
    const helpersOnly = {
      ...PROGRAM,
      'helpers.py': HELPERS.replace('def run_it(c):\n    os.system("echo " + c)', 'def run_it(c):\n    os.system("echo " + c)\n    subprocess.call(c, shell=True)'),
    };
    const { replaying, plain, recording } = await check(PROGRAM, helpersOnly);
    expect(sinks(recording)).not.toContain('command-injection@helpers.py:6');
    expect(sinks(plain)).toContain('command-injection@helpers.py:6');
    expect(sinks(replaying)).toContain('command-injection@helpers.py:6');
    expect(sinks(plain)).toHaveLength(4);
    expect(replaying.stats.replayed).toBeGreaterThan(0);
    expect(computed(replaying)).toBeLessThan(plain.stats.analyses);

    const both = await check(PROGRAM, after);
    expect(sinks(both.plain)).toContain('command-injection@helpers.py:11');
    expect(sinks(both.replaying)).toContain('command-injection@helpers.py:11');
    expect(both.replaying.stats.replayed).toBeGreaterThan(0);
  });

  it('drops a flow an edit sanitises or removes (no fact kept alive by the old code)', async () => {
    const sanitised = {
      ...PROGRAM,
      'helpers.py': HELPERS.replace('import subprocess', 'import shlex\nimport subprocess').replace(
        '    os.system("echo " + c)',
        '    os.system("echo " + shlex.quote(c))',
      ),
    };
    const a = await check(PROGRAM, sanitised);
    expect(sinks(a.recording)).toContain('command-injection@helpers.py:5');
    expect(sinks(a.plain)).toEqual(['command-injection@helpers.py:9', 'sql-injection@db.py:8']);
    expect(a.replaying.stats.replayed).toBeGreaterThan(0);

    // The caller stops calling: its module changed, the callee's records still hold.
    const removed = { ...PROGRAM, 'app.py': APP.replace('    run_it(cmd)\n', '    print(cmd)\n') };
    const b = await check(PROGRAM, removed);
    expect(sinks(b.plain)).toEqual(['command-injection@helpers.py:8', 'sql-injection@db.py:8']);
    // `run_it` has no caller any more: its sink is a parameter hit now.
    expect(b.plain.parameterHits.map((p) => p.fn.qname)).toEqual(['db.count', 'helpers.run_it']);
    expect(b.replaying.stats.replayed).toBeGreaterThan(0);

    // The reverse of the previous test: the callee forgets its sink.
    const c = await check(PROGRAM, { ...PROGRAM, 'db.py': DB.replace('    cursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")\n', '') });
    expect(sinks(c.recording)).toContain('sql-injection@db.py:8');
    expect(sinks(c.plain)).toEqual(['command-injection@helpers.py:5', 'command-injection@helpers.py:8']);
  });

  it('follows a function added to a module under a name a caller in another module already looked up', async () => {
    const before: Files = {
      'app.py': lines(
        'from flask import request',
        'from helpers import run_it',
        'from tools import prepare',
        '',
        'def view():',
        '    run_it(prepare(request.args["cmd"]))',
        '',
        'def other():',
        '    return prepare("x")',
      ),
      'helpers.py': lines('import os', '', 'def safe(c):', '    return c'),
      'tools.py': lines('def prepare(x):', '    return x'),
    };
    const after: Files = { ...before, 'helpers.py': lines('import os', '', 'def safe(c):', '    return c', '', 'def run_it(c):', '    os.system(c)') };
    const { replaying, plain, recording } = await check(before, after);
    expect(sinks(recording)).toEqual([]);
    expect(sinks(plain)).toEqual(['command-injection@helpers.py:7']);
    expect(replaying.stats.replayed).toBeGreaterThan(0);
    // The change of shape goes the other way too: the function removed again.
    const back = await check(after, before);
    expect(sinks(back.recording)).toEqual(['command-injection@helpers.py:7']);
    expect(sinks(back.plain)).toEqual([]);
  });

  it('follows a function removed from a module', async () => {
    const after = {
      ...PROGRAM,
      // call_it goes; the route still calls the name (now unresolved, so no finding there).
      'helpers.py': HELPERS.replace('def call_it(p):\n    subprocess.call(p, shell=True)\n\n', ''),
    };
    const { replaying, plain, recording } = await check(PROGRAM, after);
    expect(sinks(recording)).toContain('command-injection@helpers.py:8');
    expect(sinks(plain)).toEqual(['command-injection@helpers.py:5', 'sql-injection@db.py:8']);
    expect(replaying.stats.replayed).toBeGreaterThan(0);
  });

  it('follows module variables of another module (G cells)', async () => {
    const settings = (shell: string, prefix: string): string => lines('import os', '', `SHELL = ${shell}`, `PREFIX = ${prefix}`);
    const before: Files = {
      'app.py': lines(
        'from flask import request',
        'from runner import go, show',
        '',
        'def view():',
        '    go(request.args["cmd"])',
        '    return show()',
      ),
      'runner.py': lines(
        'import subprocess',
        'import os',
        'from settings import SHELL, PREFIX',
        '',
        'def go(c):',
        '    subprocess.call(c, shell=SHELL)',
        '',
        'def show():',
        '    os.system("echo " + PREFIX)',
        '',
        'def other(x):',
        '    return x',
      ),
      'settings.py': settings('False', '"hello"'),
    };
    const shellOn = { ...before, 'settings.py': settings('True', '"hello"') };
    const a = await check(before, shellOn);
    expect(sinks(a.recording)).not.toContain('command-injection@runner.py:6');
    expect(sinks(a.plain)).toContain('command-injection@runner.py:6');
    expect(a.replaying.stats.replayed).toBeGreaterThan(0);
    expect(computed(a.replaying)).toBeLessThan(a.plain.stats.analyses);

    // A variable now holding an environment variable (a local source) rather than a constant.
    const fromEnv = { ...before, 'settings.py': settings('False', 'os.environ["PREFIX"]') };
    const b = await check(before, fromEnv);
    expect(sinks(b.recording)).toEqual(['argument-injection@runner.py:6']);
    expect(sinks(b.plain)).toEqual(['argument-injection@runner.py:6', 'command-injection@runner.py:9']);
    expect(b.replaying.stats.replayed).toBeGreaterThan(0);

    // And back.
    const c = await check(fromEnv, before);
    expect(sinks(c.recording)).toEqual(['argument-injection@runner.py:6', 'command-injection@runner.py:9']);
    expect(sinks(c.plain)).toEqual(['argument-injection@runner.py:6']);
  });

  it('follows class hierarchies across modules: inherited methods, `self` fields, new bases (m/a facts, F cells)', async () => {
    const base = (body: string): string => lines('import os', '', 'class Base:', '    def __init__(self, cmd):', '        self.cmd = cmd', '', body);
    const before: Files = {
      'app.py': lines(
        'from flask import request',
        'from jobs import Job',
        '',
        'def view():',
        '    job = Job(request.args["cmd"])',
        '    job.start()',
      ),
      'jobs.py': lines(
        'from base import Base',
        '',
        'class Job(Base):',
        '    def start(self):',
        '        self.execute()',
        '',
        'class Plain:',
        '    def execute(self):',
        '        return 1',
      ),
      'base.py': base(lines('    def execute(self):', '        return self.cmd.strip()')),
    };
    // The base's method now runs the command stored by the inherited `__init__`.
    const runs = { ...before, 'base.py': base(lines('    def execute(self):', '        os.system(self.cmd)')) };
    const a = await check(before, runs);
    expect(sinks(a.recording)).toEqual([]);
    expect(sinks(a.plain)).toEqual(['command-injection@base.py:8']);
    expect(a.replaying.stats.replayed).toBeGreaterThan(0);

    // The base loses the method (a shape change): `self.execute()` resolves to nothing.
    const gone = { ...runs, 'base.py': base('') };
    const b = await check(runs, gone);
    expect(sinks(b.recording)).toEqual(['command-injection@base.py:8']);
    expect(sinks(b.plain)).toEqual([]);

    // The class overrides the method itself.
    const own = {
      ...runs,
      'jobs.py': before['jobs.py']!.replace('        self.execute()\n', '        self.execute()\n\n    def execute(self):\n        return 0\n'),
    };
    const c = await check(runs, own);
    expect(sinks(c.plain)).toEqual([]);

    // A class gains a base: `Plain` becomes a `Base`, and a view uses it.
    const gains: Files = {
      ...runs,
      'app.py': lines('from flask import request', 'from jobs import Plain', '', 'def view():', '    Plain(request.args["cmd"]).execute()'),
    };
    const gained = { ...gains, 'jobs.py': gains['jobs.py']!.replace('class Plain:\n    def execute(self):\n        return 1\n', 'class Plain(Base):\n    pass\n') };
    const d = await check(gains, gained);
    expect(sinks(d.recording)).toEqual([]);
    expect(sinks(d.plain)).toEqual(['command-injection@base.py:8']);
  });

  it('follows a method a base class gains, reached through `super()` from a class in another module', async () => {
    // The list of Child's ancestors is the same before and after: what changed is which of them
    // defines `go`, a fact of its own (`s`). Without it Child.go's record was replayed and the new
    // flow missed.
    const before: Files = {
      'app.py': lines(
        'from flask import request',
        'from child import Child',
        '',
        'def view():',
        '    Child().go(request.args["cmd"])',
      ),
      'child.py': lines(
        'from base import Base',
        '',
        'class Child(Base):',
        '    def go(self, c):',
        '        super().go(c)',
      ),
      'base.py': lines('import os', '', 'class Base:', '    def stop(self):', '        return 0'),
    };
    const after: Files = { ...before, 'base.py': lines('import os', '', 'class Base:', '    def stop(self):', '        return 0', '', '    def go(self, c):', '        os.system(c)') };
    const { plain, recording } = await check(before, after);
    expect(sinks(recording)).toEqual([]);
    expect(sinks(plain)).toEqual(['command-injection@base.py:8']);
  });

  it('follows a class that starts or stops deriving from a request handler through a base in another module', async () => {
    // `self.path` is request input only in classes deriving from http.server's handlers: which
    // sources apply to a method's `self` is a fact about its class's chain of bases.
    const handler = lines('import os', 'from base import Handler', '', 'class Files(Handler):', '    def do_GET(self):', '        os.system("cat " + self.path)');
    const plainBase: Files = { 'app.py': handler, 'base.py': lines('class Handler:', '    pass') };
    const httpBase: Files = { ...plainBase, 'base.py': lines('import http.server', '', 'class Handler(http.server.BaseHTTPRequestHandler):', '    pass') };
    const gains = await check(plainBase, httpBase);
    expect(sinks(gains.recording)).toEqual([]);
    expect(sinks(gains.plain)).toEqual(['command-injection@app.py:6']);
    const loses = await check(httpBase, plainBase);
    expect(sinks(loses.recording)).toEqual(['command-injection@app.py:6']);
    expect(sinks(loses.plain)).toEqual([]);
  });

  it('maps records by path when files are added and removed between the runs', async () => {
    const extra = lines('import os', '', 'def also(c):', '    os.system(c)');
    const withExtra: Files = {
      // Sorted first: every other module's index moves.
      'aaa.py': extra,
      ...PROGRAM,
      'app.py': APP.replace('import db\n', 'import db\nfrom aaa import also\n').replace('    run_it(cmd)\n', '    run_it(cmd)\n    also(cmd)\n'),
    };
    const added = await check(PROGRAM, withExtra);
    expect(sinks(added.plain)).toEqual([
      'command-injection@helpers.py:5',
      'command-injection@aaa.py:4',
      'command-injection@helpers.py:8',
      'sql-injection@db.py:8',
    ]);
    expect(added.replaying.stats.replayed).toBeGreaterThan(0);
    expect(computed(added.replaying)).toBeLessThan(added.plain.stats.analyses);

    // helpers.py removed: app.py's imports resolve to nothing; aaa.py stays.
    const { 'helpers.py': _gone, ...withoutHelpers } = withExtra;
    const removed = await check(withExtra, withoutHelpers);
    expect(sinks(removed.recording)).toContain('command-injection@helpers.py:5');
    expect(sinks(removed.plain)).toEqual(['command-injection@aaa.py:4', 'sql-injection@db.py:8']);
    expect(removed.replaying.stats.replayed).toBeGreaterThan(0);

    // Both at once, and back to the first program.
    const back = await check(withoutHelpers, PROGRAM);
    expect(sinks(back.plain)).toEqual(['command-injection@helpers.py:5', 'command-injection@helpers.py:8', 'sql-injection@db.py:8']);
  });

  it('moves every span of a module whose top gained lines', async () => {
    const shifted = { ...PROGRAM, 'helpers.py': `# a comment\n\n"""Docs."""\n${HELPERS}` };
    const a = await check(PROGRAM, shifted);
    expect(sinks(a.plain)).toEqual(['command-injection@helpers.py:8', 'command-injection@helpers.py:11', 'sql-injection@db.py:8']);
    expect(a.replaying.stats.replayed).toBeGreaterThan(0);
    // The caller's module moved instead: the source spans move, the callees' records hold.
    const b = await check(PROGRAM, { ...PROGRAM, 'app.py': `\n\n${APP}` });
    expect(b.plain.sourceHits[0]!.label.steps[0]!.span.line).toBe(11);
    expect(b.replaying.stats.replayed).toBeGreaterThan(0);
  });

  it('replays from a memo written by a run that itself replayed', async () => {
    const second = { ...PROGRAM, 'db.py': `${DB}\ndef extra(x):\n    return x\n` };
    const third = { ...second, 'helpers.py': HELPERS.replace('os.system("echo " + c)', 'os.system("echo " + c.strip())') };
    const { memo } = await recorded(PROGRAM);
    const middle = analyseProgram(await irOf(second), models, { memo, record: true });
    expect(middle.stats.replayed).toBeGreaterThan(0);
    const memo2 = roundTrip(middle.memo!());
    expect(isMemoFile(memo2)).toBe(true);
    const replaying = analyseProgram(await irOf(third), models, { memo: memo2 });
    const plain = analyseProgram(await irOf(third), models);
    expect(sinks(plain)).toHaveLength(3);
    expect(canonical(replaying)).toBe(canonical(plain));
    expect(replaying.stats.replayed).toBeGreaterThan(0);
    expect(replaying.stats.analyses).toBe(plain.stats.analyses);
  });

  it('gives the plain result for every one-module edit between variants of a program', async () => {
    // Each module in a few versions; every program of the product is recorded once, then replayed
    // for every other program that differs from it in one module (absent = the file is removed).
    const variants: Record<string, (string | undefined)[]> = {
      'app.py': [
        lines(
          'from flask import request',
          'from jobs import Job, Child',
          'from state import set_cmd, run_cmd',
          'from helpers import run_it',
          'RUNNER = Job("x")',
          'def view():',
          '    Job(request.args["a"]).start()',
          '    Child().go(request.args["b"])',
          '    set_cmd(request.args["c"])',
          '    run_it(request.args["d"])',
          'def view2():',
          '    RUNNER.start()',
          '    run_cmd()',
        ),
        lines(
          'from flask import request',
          'from jobs import Job, Child',
          'from state import set_cmd, run_cmd',
          'from helpers import run_it',
          'handler = run_it',
          'def view():',
          '    Job("safe").start()',
          '    Child().go("x")',
          '    set_cmd("const")',
          '    handler(request.args["d"])',
          'def view2():',
          '    run_cmd()',
        ),
      ],
      'jobs.py': [
        lines('from base import Base', 'class Job(Base):', '    def start(self):', '        self.execute()', 'class Child(Base):', '    def go(self, c):', '        Base.go(self, c)'),
        lines('from base import Base, Mid', 'class Job(Mid):', '    def start(self):', '        self.execute()', 'class Child(Mid):', '    def go(self, c):', '        self.execute()'),
        lines('from base import Base', 'class Job(Base):', '    def start(self):', '        self.execute()', 'class Child(Base):', '    def go(self, c):', '        super().go(c)'),
      ],
      'base.py': [
        lines('import os', 'class Base:', '    def __init__(self, cmd=None):', '        self.cmd = cmd', '    def execute(self):', '        os.system(self.cmd)', 'class Mid(Base):', '    pass'),
        lines(
          'import os',
          'class Base:',
          '    def __init__(self, cmd=None):',
          '        self.cmd = cmd',
          '    def execute(self):',
          '        return self.cmd',
          '    def go(self, c):',
          '        return c',
          'class Mid(Base):',
          '    def execute(self):',
          '        os.system(self.cmd)',
        ),
        lines('import os', 'class Base:', '    def __init__(self, cmd=None):', '        self.cmd = cmd.strip()', '    def go(self, c):', '        os.system(c)', 'class Mid(Base):', '    def execute(self):', '        os.system(self.cmd)'),
      ],
      'state.py': [
        lines('import os', 'CMD = "ls"', 'def set_cmd(c):', '    global CMD', '    CMD = c', 'def run_cmd():', '    os.system(CMD)'),
        lines('import os', 'CMD = os.environ["X"]', 'def set_cmd(c):', '    return c', 'def run_cmd():', '    os.system(CMD)'),
      ],
      'helpers.py': [lines('import os', 'def run_it(c):', '    os.system(c)'), lines('import os', 'def safe(c):', '    return c'), undefined],
    };
    const names = Object.keys(variants);
    const choices: number[][] = [[]];
    for (const name of names) {
      const next: number[][] = [];
      for (const c of choices) variants[name]!.forEach((_, i) => next.push([...c, i]));
      choices.splice(0, choices.length, ...next);
    }
    const programOf = (c: number[]): Files => {
      const files: Files = {};
      names.forEach((name, i) => {
        const text = variants[name]![c[i]!];
        if (text !== undefined) files[name] = text;
      });
      return files;
    };
    const plain: string[] = [];
    const memos: MemoFile[] = [];
    for (const c of choices) {
      const { result, memo } = await recorded(programOf(c));
      plain.push(canonical(result));
      memos.push(memo);
    }
    // The programs differ in their results (the edits matter).
    expect(new Set(plain).size).toBeGreaterThan(choices.length / 3);
    const differing: string[] = [];
    let pairs = 0;
    let replayed = 0;
    /** Modules that stayed shapes (never built) in the runs from shapes. */
    let unbuilt = 0;
    for (let a = 0; a < choices.length; a++) {
      for (let b = 0; b < choices.length; b++) {
        const changed = names.filter((_, i) => choices[a]![i] !== choices[b]![i]);
        if (changed.length !== 1) continue;
        pairs++;
        const result = analyseProgram(await irOf(programOf(choices[b]!)), models, { memo: memos[a] });
        replayed += result.stats.replayed;
        if (canonical(result) !== plain[b]) differing.push(`${choices[a]!.join('')} -> ${choices[b]!.join('')} (${changed[0]})`);
        const lazy = await shaped(programOf(choices[b]!), memos[a]!);
        const fromShapes = analyseProgram(lazy.modules, models, { memo: memos[a], deferred: lazy.deferred });
        if (canonical(fromShapes) !== plain[b]) differing.push(`${choices[a]!.join('')} -> ${choices[b]!.join('')} (${changed[0]}, from shapes)`);
        unbuilt += lazy.modules.length - new Set(lazy.built).size;
      }
    }
    // Each program is edited into each other variant of each module, one module at a time.
    expect(pairs).toBe(choices.length * names.reduce((n, name) => n + variants[name]!.length - 1, 0));
    expect(replayed).toBeGreaterThan(pairs);
    expect(unbuilt).toBeGreaterThan(pairs);
    expect(differing).toEqual([]);
  });

  it('rejects what is not a memo and accepts a round-tripped one', async () => {
    const { memo } = await recorded(PROGRAM);
    expect(isMemoFile(memo)).toBe(true);
    expect(isMemoFile(undefined)).toBe(false);
    expect(isMemoFile(null)).toBe(false);
    expect(isMemoFile('garbage')).toBe(false);
    expect(isMemoFile({ format: 'secreview' })).toBe(false);
    expect(isMemoFile({ ...memo, format: 999 })).toBe(false);
    expect(isMemoFile({ ...memo, records: [...memo.records] })).toBe(false);
    expect(isMemoFile({ ...memo, facts: undefined })).toBe(false);
    expect(isMemoFile({ ...memo, shapes: memo.shapes.slice(1) })).toBe(false);
  });

  it('gives the same result when recording', async () => {
    const plain = analyseProgram(await irOf(PROGRAM), models);
    const recording = analyseProgram(await irOf(PROGRAM), models, { record: true });
    expect(sinks(plain)).toHaveLength(3);
    expect(canonical(recording)).toBe(canonical(plain));
    expect(recording.stats).toEqual(plain.stats);
    expect(plain.memo).toBeUndefined();
    // And when replaying and recording at once.
    const { memo } = await recorded(PROGRAM);
    const both = analyseProgram(await irOf(PROGRAM), models, { memo, record: true });
    expect(canonical(both)).toBe(canonical(plain));
  });
});
