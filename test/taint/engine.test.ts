import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { analyseProgram } from '../../src/analysis/taint/engine.js';
import { loadModels, parseModelFile } from '../../src/analysis/taint/models.js';
import type { Finding } from '../../src/findings/types.js';
import type { AnyRule } from '../../src/rules/define-rule.js';
import { taintRules } from '../../src/rules/python/taint/index.js';
import { findRule } from '../../src/rules/index.js';
import { tempTree } from '../support/tmp.js';
import { irOf } from '../support/ir.js';

const rule = (id: string): AnyRule => {
  const r = taintRules.find((x) => x.id === id) ?? findRule(id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};
const COMMAND = rule('python/command-injection');

async function scanTree(files: Record<string, string>, rules: readonly AnyRule[] = [COMMAND]): Promise<Finding[]> {
  const cwd = tempTree(files);
  const report = await scan({ paths: Object.keys(files).sort(), cwd, rules, config: false, severity: 'low', confidence: 'low' });
  expect(report.diagnostics).toEqual([]);
  return report.findings;
}


const at = (findings: Finding[], path: string, line: number): Finding[] =>
  findings.filter((f) => f.location.path === path && f.location.startLine === line);

describe('taint engine: paths across files', () => {
  it('records the whole path of a two-file flow: source, assignment, call, sink', async () => {
    const findings = await scanTree({
      'app.py': [
        'from flask import Flask, request',
        'from helpers import run_it',
        '',
        'app = Flask(__name__)',
        '',
        '@app.route("/run")',
        'def run():',
        '    cmd = request.args.get("cmd")',
        '    run_it(cmd)',
        '    return "ok"',
        '',
      ].join('\n'),
      'helpers.py': ['import os', '', '', 'def run_it(c):', '    os.system("echo " + c)', ''].join('\n'),
    });
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.ruleId).toBe('python/command-injection');
    expect(f.location).toMatchObject({ path: 'helpers.py', startLine: 5, startColumn: 15 });
    expect(f.confidence).toBe('high');
    expect(f.trace?.map((t) => [t.kind, t.location.path, t.location.startLine])).toEqual([
      ['source', 'app.py', 8],
      ['step', 'app.py', 8],
      ['call', 'app.py', 9],
      ['sink', 'helpers.py', 5],
    ]);
    expect(f.trace?.[0]?.expression).toBe('request.args');
    expect(f.trace?.[1]?.note).toBe('assigned to `cmd`');
    expect(f.trace?.[2]?.note).toBe('passed as `c` to `run_it()`');
    expect(f.trace?.[3]?.expression).toBe('"echo " + c');
    expect(f.message).toMatch(/^`request\.args` \(query string parameters, app\.py:8\) flows into `os\.system`/);
  });

  it('follows a three-call chain and a constructor into another method through `self`', async () => {
    const findings = await scanTree({
      'app.py': [
        'from flask import request',
        'from chain import one',
        'from jobs import Job',
        '',
        'def view():',
        '    one(request.form["x"])',
        '    Job(request.form["y"]).run()',
        '',
      ].join('\n'),
      'chain.py': ['import os', 'def one(a):', '    two(a)', 'def two(b):', '    three(b)', 'def three(c):', '    os.system(c)', ''].join('\n'),
      'jobs.py': [
        'import os',
        'class Job:',
        '    def __init__(self, command):',
        '        self.command = command',
        '        self.label = "nightly"',
        '    def run(self):',
        '        os.system(self.command)',
        '        os.system(self.label)',
        '',
      ].join('\n'),
    });
    const chain = at(findings, 'chain.py', 7)[0]!;
    expect(chain.confidence).toBe('high');
    expect(chain.trace?.filter((t) => t.kind === 'call').map((t) => t.note)).toEqual([
      'passed as `a` to `one()`',
      'passed as `b` to `two()`',
      'passed as `c` to `three()`',
    ]);
    const job = at(findings, 'jobs.py', 7)[0]!;
    expect(job.confidence).toBe('high');
    expect(job.trace?.map((t) => t.note)).toContain('stored in `self.command`');
    // `self.label` is the class's own constant: neither a source finding nor an "untrusted caller" one.
    expect(at(findings, 'jobs.py', 8)).toEqual([]);
  });
});

describe('taint engine: confidence', () => {
  const files = {
    'app.py': [
      'import os',
      'import sys',
      'import vendorlib',
      'from flask import request',
      '',
      'def remote():',
      '    os.system(request.args["a"])',
      '',
      'def local():',
      '    os.system(sys.argv[1])',
      '',
      'def unresolved():',
      '    os.system(vendorlib.normalise(request.args["b"]))',
      '',
      'def unresolved_local():',
      '    os.system(vendorlib.normalise(sys.argv[2]))',
      '',
      'def public(command):',
      '    os.system(command)',
      '',
      'def _private(command):',
      '    os.system(command)',
      '',
      'def caller(name):',
      '    _private("echo " + name)',
      '',
      'def _unused(command):',
      '    os.system(command)',
      '',
    ].join('\n'),
  };

  it('is the rule\'s for a remote source, one lower for a local one or an unresolved call, low for a parameter', async () => {
    const findings = await scanTree(files);
    const byLine = (line: number): Finding => {
      const list = at(findings, 'app.py', line);
      expect(list, `line ${line}`).toHaveLength(1);
      return list[0]!;
    };
    expect(COMMAND.confidence).toBe('high');
    expect(byLine(7).confidence).toBe('high');
    expect(byLine(10).confidence).toBe('medium');
    expect(byLine(10).message).toContain('`sys.argv` (command-line arguments');
    expect(byLine(13).confidence).toBe('medium');
    expect(byLine(13).message).toContain('passes through a call secreview could not see into');
    expect(byLine(16).confidence).toBe('low');

    const param = byLine(19);
    expect(param.confidence).toBe('low');
    expect(param.message).toMatch(/^If `command` can come from an untrusted caller, it reaches `os\.system` here/);
    expect(param.trace?.[0]).toMatchObject({ kind: 'source', note: 'parameter `command` of `public()`' });

    // A private helper is reported through its public caller's parameter, at the helper's sink.
    const helper = byLine(22);
    expect(helper.confidence).toBe('low');
    expect(helper.message).toMatch(/^If `name` can come from an untrusted caller/);
    // ...and not at all when no public function passes data to it.
    expect(at(findings, 'app.py', 28)).toEqual([]);
    expect(findings).toHaveLength(6);
  });

  it('points the source of a route parameter at the parameter', async () => {
    const findings = await scanTree({
      'app.py': ['import os', 'from flask import Flask', 'app = Flask(__name__)', '', '@app.route("/u/<name>")', 'def user(name):', '    os.system("finger " + name)', ''].join('\n'),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.confidence).toBe('high');
    expect(findings[0]!.trace?.[0]).toMatchObject({ kind: 'source', expression: 'name', location: { startLine: 6, startColumn: 10 } });
  });

  it('takes route parameters with a number or UUID converter as no source (Flask and Sanic syntax, nested handlers too)', async () => {
    const findings = await scanTree({
      'app.py': [
        'import os',
        'from sanic import Sanic',
        'app = Sanic("a")',
        '@app.get("/n/<num:int>/<label:str>")',
        'async def sanic_view(request, num, label):',
        '    os.system("a " + str(num))',
        '    os.system("b " + label)',
        'def factory():',
        '    @app.route("/m/<int(min=1):num>/<name>")',
        '    def nested(num, name):',
        '        os.system("c " + str(num))',
        '        os.system("d " + name)',
        '    return nested',
        '',
      ].join('\n'),
    });
    expect(findings.map((f) => f.location.startLine)).toEqual([7, 12]);
  });
});

describe('taint engine: termination', () => {
  const recursive = {
    'app.py': [
      'import os',
      'from flask import request',
      '',
      'def walk(path, depth):',
      '    if depth == 0:',
      '        os.system("ls " + path)',
      '        return path',
      '    return walk(path + "/..", depth - 1)',
      '',
      'def ping(x, n):',
      '    return pong(x + "a", n) if n else x',
      '',
      'def pong(y, n):',
      '    os.system(y)',
      '    return ping(y + "b", n - 1)',
      '',
      'def view():',
      '    walk(request.args["dir"], 3)',
      '    ping(request.args["p"], 5)',
      '',
    ].join('\n'),
  };

  it('reaches a fixpoint on self and mutual recursion and still finds the flows', async () => {
    const findings = await scanTree(recursive);
    expect(at(findings, 'app.py', 6).map((f) => f.confidence)).toEqual(['high']);
    expect(at(findings, 'app.py', 14).map((f) => f.confidence)).toEqual(['high']);
  });

  it('analyses each function a bounded number of times', async () => {
    const result = analyseProgram(await irOf(recursive), loadModels());
    expect(result.stats.functions).toBe(5);
    expect(result.stats.analyses).toBeLessThanOrEqual(5 * 8);
    expect(result.sourceHits.length).toBeGreaterThan(0);
  });
});

describe('taint and pattern findings on the same statement', () => {
  const files = {
    'app.py': [
      'import subprocess',
      'import sys',
      'from flask import request',
      '',
      'def remote():',
      '    subprocess.run("ping " + request.args["h"], shell=True)',
      '',
      'def local():',
      '    subprocess.run("ping " + sys.argv[1], shell=True)',
      '',
    ].join('\n'),
  };
  const pattern = rule('python/subprocess-shell-injection');

  it('each rule alone reports both statements', async () => {
    expect((await scanTree(files, [COMMAND])).map((f) => f.location.startLine)).toEqual([6, 9]);
    expect((await scanTree(files, [pattern])).map((f) => f.location.startLine)).toEqual([6, 9]);
  });

  it('together they give one finding per statement, carrying the data-flow path', async () => {
    expect(COMMAND.taint?.supersedes).toContain(pattern.id);
    const findings = await scanTree(files, [COMMAND, pattern]);
    expect(findings.map((f) => f.location.startLine)).toEqual([6, 9]);
    // The taint finding is at least as confident as the pattern one: it wins.
    expect(findings[0]).toMatchObject({ ruleId: 'python/command-injection', confidence: 'high' });
    // A local source lowers the taint finding below the pattern's: the pattern finding stays,
    // with the path the engine found.
    expect(findings[1]).toMatchObject({ ruleId: 'python/subprocess-shell-injection', confidence: 'high' });
    expect(findings[1]!.trace?.[0]).toMatchObject({ kind: 'source', expression: 'sys.argv' });
  });
});

describe('taint engine: determinism', () => {
  const files = {
    'app.py': [
      'import os, pickle, sqlite3, subprocess',
      'from flask import Flask, request, redirect',
      'from helpers import run_it, load',
      'app = Flask(__name__)',
      '',
      '@app.route("/a/<name>")',
      'def a(name):',
      '    x = request.args["x"]',
      '    run_it(x + name)',
      '    load(request.data)',
      '    sqlite3.connect("db").execute("SELECT " + x)',
      '    subprocess.run(["git", x, name])',
      '    return redirect(x)',
      '',
    ].join('\n'),
    'helpers.py': ['import os, pickle', 'def run_it(c):', '    os.system(c)', 'def load(b):', '    return pickle.loads(b)', ''].join('\n'),
  };

  it('gives identical JSON for two scans, whatever the order of the paths', async () => {
    const cwd = tempTree(files);
    const run = async (paths: string[]): Promise<string> => {
      const report = await scan({ paths, cwd, rules: taintRules, config: false, severity: 'low', confidence: 'low' });
      return JSON.stringify({ findings: report.findings, diagnostics: report.diagnostics, rules: report.rules });
    };
    const first = await run(['app.py', 'helpers.py']);
    const second = await run(['app.py', 'helpers.py']);
    const reversed = await run(['helpers.py', 'app.py']);
    expect(second).toBe(first);
    expect(reversed).toBe(first);
    const ids = (JSON.parse(first) as { findings: Finding[] }).findings.map((f) => f.ruleId);
    expect(new Set(ids)).toEqual(
      new Set(['python/command-injection', 'python/tainted-deserialization', 'python/sql-injection', 'python/argument-injection', 'python/open-redirect']),
    );
  });
});

describe('taint engine: mechanisms', () => {
  it('reports a call once per kind even when several arguments carry the data', async () => {
    const findings = await scanTree(
      { 'app.py': ['import os', 'from flask import request', 'def f():', '    t = request.args["t"]', '    os.execvp(t, [t, "-v"])', ''].join('\n') },
      [rule('python/argument-injection')],
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location).toMatchObject({ startLine: 5, startColumn: 15 });
  });

  it('reports a sink nested in the argument of a sink of the same kind once, at the inner call', async () => {
    const findings = await scanTree(
      {
        'app.py': [
          'import sqlite3',
          'from flask import request',
          'from sqlalchemy import text',
          'db = sqlite3.connect("x")',
          'def f():',
          '    exec(compile(request.form["src"], "<x>", "exec"))',
          '    db.execute(text("SELECT " + request.args["c"]))',
          '',
        ].join('\n'),
      },
      [rule('python/code-injection'), rule('python/sql-injection')],
    );
    expect(findings.map((f) => [f.ruleId, f.location.startLine, f.location.startColumn, f.confidence])).toEqual([
      ['python/code-injection', 6, 18, 'high'],
      ['python/sql-injection', 7, 21, 'high'],
    ]);
  });

  it('lowers a local source by two levels for file paths and URLs (usually configuration)', async () => {
    const findings = await scanTree(
      {
        'cli.py': ['import os, sys, requests', 'def main():', '    open(sys.argv[1])', '    requests.get(os.environ["API"])', '    os.system(sys.argv[2])', ''].join('\n'),
      },
      [rule('python/path-traversal'), rule('python/ssrf'), COMMAND],
    );
    expect(findings.map((f) => [f.ruleId, f.confidence])).toEqual([
      ['python/path-traversal', 'low'],
      ['python/ssrf', 'low'],
      ['python/command-injection', 'medium'],
    ]);
  });

  it('treats `x[k] = v` on a modelled object as x.__setitem__(k, v)', async () => {
    const findings = await scanTree(
      {
        'app.py': ['from flask import request, session', 'def f():', '    session["u"] = request.form["u"]', '    session["n"] = 1', '    d = {}', '    d["u"] = request.form["u"]', ''].join('\n'),
      },
      [rule('python/trust-boundary-violation')],
    );
    expect(findings.map((f) => [f.location.startLine, f.location.startColumn])).toEqual([[3, 20]]);
    expect(findings[0]!.message).toContain('flows into `flask.session.__setitem__`');
  });

  it('knows the request attributes of http.server handlers, and only there', async () => {
    const findings = await scanTree(
      {
        'srv.py': [
          'import os',
          'from http.server import BaseHTTPRequestHandler',
          'class H(BaseHTTPRequestHandler):',
          '    def do_GET(self):',
          '        os.system("x " + self.path)',
          'class Other:',
          '    def __init__(self):',
          '        self.path = "/"',
          '    def go(self):',
          '        os.system("x " + self.path)',
          '',
        ].join('\n'),
      },
    );
    expect(findings.map((f) => [f.location.startLine, f.confidence])).toEqual([[5, 'high']]);
    expect(findings[0]!.trace?.[0]).toMatchObject({ kind: 'source', expression: 'self.path' });
  });

  it('resolves methods of library objects through their type (loggers, sessions)', async () => {
    const findings = await scanTree(
      {
        'app.py': [
          'import logging, re, requests',
          'from flask import request',
          'log = logging.getLogger(__name__)',
          'WORD = re.compile("[a-z]+")',
          'def f():',
          '    s = requests.Session()',
          '    s.get(request.args["u"])',
          '    log.info("%s", request.args["u"])',
          '    WORD.search(request.args["u"], request.args["p"])',
          '    {}.get(request.args["u"])',
          '',
        ].join('\n'),
      },
      taintRules,
    );
    expect(findings.map((f) => [f.ruleId, f.location.startLine])).toEqual([
      ['python/ssrf', 7],
      ['python/log-injection', 8],
    ]);
  });

  it('follows module variables: `global` writes, imports of another module\'s variables', async () => {
    const findings = await scanTree({
      'config.py': ['import os', 'HOOK = os.environ["HOOK"]', 'SAFE = "ls"', ''].join('\n'),
      'app.py': [
        'import os',
        'from flask import request',
        'from config import HOOK, SAFE',
        'last = "true"',
        'def remember():',
        '    global last',
        '    last = request.args["c"]',
        'def replay():',
        '    os.system(last)',
        '    os.system(HOOK)',
        '    os.system(SAFE)',
        '',
      ].join('\n'),
    });
    expect(findings.map((f) => [f.location.path, f.location.startLine, f.confidence])).toEqual([
      ['app.py', 9, 'high'],
      ['app.py', 10, 'medium'],
    ]);
    expect(findings[1]!.trace?.[0]?.location.path).toBe('config.py');
  });

  it('drops a sink model whose `unless` argument names a listed class (yaml.load with a safe Loader)', async () => {
    const findings = await scanTree(
      {
        'app.py': [
          'import yaml as y',
          'from yaml import SafeLoader as Safe, Loader',
          'from flask import request',
          'def parse(b, loader):',
          '    return y.load(b, Loader=loader)',
          'def f():',
          '    data = request.data',
          '    y.load(data, Safe)',
          '    y.load(stream=data, Loader=y.CBaseLoader)',
          '    y.load(data, Loader)',
          '    y.load(data, Loader=y.SafeLoader.__name__)',
          '    parse(data, Safe)',
          '    y.load_all(data, y.UnsafeLoader)',
          '    y.load_all(data, Loader=Safe)',
          '',
        ].join('\n'),
      },
      [rule('python/tainted-deserialization')],
    );
    // 5: the Loader is a parameter, unknown here; 11: an attribute of a safe loader is not one.
    expect(findings.map((f) => f.location.startLine)).toEqual([5, 10, 11, 13]);
  });

  it('falls back to the entries without `when` when `unless` drops the conditional one', async () => {
    const models = loadModels();
    const acme = [
      'language: python',
      'library: acme',
      'sinks:',
      '  - name: acme.run',
      '    kind: command-injection',
      '    args: [0, cmd]',
      '    when: { keyword: shell }',
      '    unless: { arg: [2, runner], is: [acme.sandbox.Jail] }',
      '    description: runs a shell command',
      '  - name: acme.run',
      '    kind: argument-injection',
      '    args: [0, cmd]',
      '    description: runs a program',
      '',
    ].join('\n');
    models.add('acme.yml', parseModelFile('acme.yml', acme));
    const result = analyseProgram(
      await irOf({
        'app.py': [
          'import acme',
          'from acme.sandbox import Jail',
          'from flask import request',
          'def f():',
          '    c = request.args["c"]',
          '    acme.run(c, shell=True)',
          '    acme.run(c, None, Jail, shell=True)',
          '    acme.run(c, shell=True, runner=acme.sandbox.Jail)',
          '    acme.run(c, shell=True, runner=acme.Jail)',
          '',
        ].join('\n'),
      }),
      models,
    );
    const hits = result.sourceHits.map((h) => [h.sink.span.line, h.kind]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(hits).toEqual([
      [6, 'command-injection'],
      [7, 'argument-injection'],
      [8, 'argument-injection'],
      [9, 'command-injection'],
    ]);
  });
});

describe('unknown provenance is asked only where no scanned code calls the function', () => {
  it('reports the uncalled public entry point, not the helper its callers feed with constants', async () => {
    const { tempTree } = await import('../support/tmp.js');
    const root = tempTree({
      'tools.py': [
        'import subprocess',
        '',
        'def run(cmd):',
        '    return subprocess.check_output(cmd, shell=True)',
        '',
        'def uptime():',
        '    return run("uptime")',
        '',
        'def run_user_command(command):',
        '    return subprocess.check_output(command, shell=True)',
        '',
      ].join('\n'),
    });
    const rule = findRule('python/command-injection')!;
    const report = await scan({ paths: ['.'], cwd: root, rules: [rule], config: false, severity: 'low', confidence: 'low' });
    expect(report.findings.map((f) => [f.location.startLine, f.confidence])).toEqual([[10, 'low']]);
    expect(report.findings[0]!.message).toContain('If `command` can come from an untrusted caller');
  });
});
