import { describe, expect, it } from 'vitest';
import { fn, flows, jsIR, sinkLines } from './support.js';

const HEAD = "const { exec } = require('child_process');\nconst app = require('express')();\n";
/** Line numbers below count from line 3 (after HEAD). */
const at = (n: number): string => `command-injection@${n}`;

describe('JavaScript lowering: functions, arrows, classes, methods', () => {
  it('function declarations, function and arrow expressions become functions named by their module', async () => {
    const [m] = await jsIR({
      'src/a.js': 'function f(x) { return x; }\nconst g = (y) => y;\nconst h = function (z) { return z; };\nclass K { m(a) { return a; } static s(b) { return b; } }\n',
    });
    expect(m!.functions.map((f) => f.qname)).toEqual(['src.a.f', 'src.a.g', 'src.a.h', 'src.a.K.m', 'src.a.K.s']);
    // A method's receiver is a first parameter `this`; a static method has none.
    expect(fn(m!, 'src.a.K.m')!.params.map((p) => p.name)).toEqual(['this', 'a']);
    expect(fn(m!, 'src.a.K.s')!.params.map((p) => p.name)).toEqual(['b']);
    expect(m!.classes[0]!.methods.has('m')).toBe(true);
  });

  it('a request value passed to a function reaches the sink inside it; a constant does not', async () => {
    const src = HEAD + 'function run(c) {\n  exec(c);\n}\napp.get("/a", (req, res) => { run(req.query.c); });\napp.get("/b", (req, res) => { run("ls"); });\n';
    expect(await sinkLines(src)).toEqual([at(4)]);
  });

  it('class fields set in the constructor through `this` reach sinks in other methods', async () => {
    const src =
      HEAD +
      'class Job {\n  constructor(cmd) { this.cmd = cmd; }\n  start() { exec(this.cmd); }\n}\n' +
      'app.post("/job", (req, res) => { new Job(req.body.cmd).start(); });\n' +
      'app.post("/safe", (req, res) => { new Job("uptime").start(); });\n';
    expect(await sinkLines(src)).toEqual([at(5)]);
  });
});

describe('JavaScript lowering: closures and callbacks', () => {
  it('an arrow function sees the variables around it; a route callback gets request values through its `req`', async () => {
    const src = HEAD + 'app.get("/x", (req, res) => {\n  const cmd = req.params.cmd;\n  const go = () => exec(cmd);\n  go();\n});\n';
    expect(await sinkLines(src)).toEqual([at(5)]);
  });

  it('callbacks of array methods receive the elements', async () => {
    const src = HEAD + 'app.get("/x", (req, res) => {\n  [req.query.a].forEach((item) => exec(item));\n  ["ls"].forEach((item) => exec(item));\n});\n';
    expect(await sinkLines(src)).toEqual([at(4)]);
  });
});

describe('JavaScript lowering: promises and async/await', () => {
  it('await passes taint through; .then callbacks receive what the promise holds', async () => {
    const src =
      HEAD +
      'async function load(req) { return req.body.cmd; }\n' +
      'app.post("/a", async (req, res) => {\n  const cmd = await load(req);\n  exec(cmd);\n});\n' +
      'app.post("/b", (req, res) => {\n  load(req).then((cmd) => exec(cmd));\n});\n' +
      'app.post("/c", (req, res) => {\n  Promise.resolve("date").then((cmd) => exec(cmd));\n});\n';
    expect(await sinkLines(src)).toEqual([at(6), at(9)]);
  });
});

describe('JavaScript lowering: destructuring, spread, templates, optional chaining', () => {
  it('object and array destructuring, with renames, defaults and nesting', async () => {
    const src =
      HEAD +
      'app.post("/d", (req, res) => {\n' +
      '  const { cmd, opts: { extra } = {}, safe = "ls" } = req.body;\n' +
      '  const [first, second] = [req.query.a, "pwd"];\n' +
      '  exec(cmd);\n  exec(extra);\n  exec(first);\n  exec(second);\n' +
      '});\n';
    // `safe` keeps the body's value when present, so it is not listed: only what is executed matters.
    expect(await sinkLines(src)).toEqual([at(6), at(7), at(8)]);
  });

  it('destructured parameters of a handler', async () => {
    const src = HEAD + 'app.post("/p", ({ body }, res) => {\n  exec(body.cmd);\n});\nfunction handler({ query }, res) {\n  exec(query.cmd);\n}\napp.get("/q", handler);\n';
    // The route callback's destructured request is read from `req`; a named function registered
    // elsewhere is not known as a handler here (the engine hook in taint-semantics.ts would make it one).
    expect(await sinkLines(src)).toEqual([at(4)]);
    // Destructuring in a callback that is not a route registration stays a plain parameter.
    expect(await sinkLines(HEAD + 'emitter.on("data", ({ body }) => {\n  exec(body.cmd);\n});\n')).toEqual([]);
  });

  it('spread arguments and spread elements carry taint', async () => {
    const src = HEAD + 'app.get("/s", (req, res) => {\n  const parts = ["echo", ...req.query.words];\n  exec(parts.join(" "));\n  const args = [req.query.c];\n  exec(...args);\n});\n';
    expect(await sinkLines(src)).toEqual([at(5), at(7)]);
  });

  it('template literals and concatenation carry their parts; a template without substitutions is a constant', async () => {
    const src = HEAD + 'app.get("/t", (req, res) => {\n  exec(`ls ${req.query.dir}`);\n  exec("ls " + req.query.dir);\n  exec(`ls /tmp`);\n});\n';
    expect(await sinkLines(src)).toEqual([at(4), at(5)]);
  });

  it('optional chaining and nullish defaults read the same data', async () => {
    const src = HEAD + 'app.get("/o", (req, res) => {\n  exec(req?.query?.cmd ?? "ls");\n  exec(req.body?.["cmd"]);\n});\n';
    expect(await sinkLines(src)).toEqual([at(4), at(5)]);
  });

  it('a variable re-assigned to a constant before the sink is clean', async () => {
    const src = HEAD + 'app.get("/r", (req, res) => {\n  let cmd = req.query.cmd;\n  cmd = "ls";\n  exec(cmd);\n});\n';
    expect(await sinkLines(src)).toEqual([]);
  });
});

describe('JavaScript lowering: statements', () => {
  it('if/else, loops, switch, try/catch/finally keep the data flowing', async () => {
    const src =
      HEAD +
      'app.get("/s", (req, res) => {\n' +
      '  let c = "ls";\n' +
      '  if (req.query.a) { c = req.query.a; } else { c = "pwd"; }\n' +
      '  for (const w of req.query.list) { exec(w); }\n' +
      '  switch (req.query.mode) { case "x": exec(c); break; default: break; }\n' +
      '  try { exec(req.query.t); } catch (e) { exec(String(e)); } finally { exec("true"); }\n' +
      '  for (let i = 0; i < 3; i++) { exec(`echo ${i}`); }\n' +
      '});\n';
    expect(await sinkLines(src)).toEqual([at(6), at(7), at(8)]);
  });
});

describe('JavaScript lowering: TypeScript types', () => {
  it('a parameter typed number, boolean, an enum or a literal union carries no text; string and any do', async () => {
    const src =
      "import { exec } from 'child_process';\n" +
      'enum Mode { Fast, Slow }\n' +
      'export function byNumber(n: number) { exec(`seq ${n}`); }\n' +
      'export function byFlag(b: boolean) { exec(`echo ${b}`); }\n' +
      'export function byEnum(m: Mode) { exec(`run ${m}`); }\n' +
      "export function byUnion(s: 'asc' | 'desc') { exec(`sort ${s}`); }\n" +
      'export function byText(s: string) { exec(`echo ${s}`); }\n' +
      'export function byAny(s: any) { exec(`echo ${s}`); }\n' +
      'export function handle(req: any) {\n  byNumber(req.query.n); byFlag(req.query.b); byEnum(req.query.m); byUnion(req.query.u);\n  byText(req.query.t); byAny(req.query.a);\n}\n';
    const found = await flows({ 'app.ts': src });
    expect(found.map((f) => f.sink)).toEqual(['app.ts:7', 'app.ts:8']);
    // Type annotations and `as` casts do not hide data.
    expect(await sinkLines("import { exec } from 'child_process';\nexport function h(req: any) { exec(req.query.c as string); exec(req.body!.c); }\n", 'h.ts')).toEqual([
      'command-injection@2',
      'command-injection@2',
    ]);
  });
});
