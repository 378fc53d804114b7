import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILTIN_MODEL_DIR,
  ModelError,
  SINK_KINDS,
  loadModels,
  parseModelFile,
  type ModelSet,
} from '../../src/analysis/taint/models.js';
import { tempTree } from '../support/tmp.js';

const models: ModelSet = loadModels();

/** The thrown ModelError (fails the test if nothing or something else is thrown). */
function modelError(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe('built-in Python models', () => {
  it('loads every file in models/python without error', () => {
    const ymls = readdirSync(BUILTIN_MODEL_DIR).filter((f) => /\.ya?ml$/.test(f));
    expect(ymls.length).toBeGreaterThan(5);
    expect(models.files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort()).toEqual(ymls.sort());
    for (const list of [models.sources, models.sinks, models.sanitizers, models.summaries]) expect(list.length).toBeGreaterThan(0);
    expect(models.handlers.length).toBeGreaterThan(0);
  });

  it('contains the key entries', () => {
    const shell = models.sinks.find((s) => s.name === 'subprocess.run' && s.kind === 'command-injection');
    expect(shell?.when?.keyword).toBe('shell');
    expect(shell?.when?.equals).toBe(true);
    expect(shell?.args).toEqual(expect.arrayContaining([0, 'args']));
    const list = models.sinks.find((s) => s.name === 'subprocess.run' && s.kind === 'argument-injection');
    expect(list).toBeDefined();
    expect(list?.when).toBeUndefined();
    expect(models.sinks.find((s) => s.name === 'os.system')?.kind).toBe('command-injection');
    expect(models.sinks.find((s) => s.method === 'execute')?.kind).toBe('sql-injection');
    expect(models.sinks.find((s) => s.name === 'requests.get')?.args).toEqual([0, 'url']);
    expect(models.sinks.find((s) => s.name === 'yaml.load')?.unless).toEqual({
      arg: [1, 'Loader'],
      is: ['yaml.SafeLoader', 'yaml.CSafeLoader', 'yaml.BaseLoader', 'yaml.CBaseLoader', 'yaml.loader.SafeLoader', 'yaml.loader.BaseLoader', 'yaml.cyaml.CSafeLoader', 'yaml.cyaml.CBaseLoader'],
    });

    const args = models.sources.find((s) => s.name === 'flask.request.args');
    expect(args).toMatchObject({ on: 'access', threat: 'remote' });
    expect(models.sources.find((s) => s.name === 'sys.argv')?.threat).toBe('local');
    expect(models.sources.find((s) => s.name === 'input')).toMatchObject({ on: 'call', threat: 'local' });
    expect(models.sources.find((s) => s.parameter === 'request' && s.name === 'request.GET')).toBeDefined();

    const quote = models.sanitizers.find((s) => s.name === 'shlex.quote');
    expect(quote?.kinds).toContain('command-injection');
    // shlex.quote('--output=x') is unchanged: no protection against option injection.
    expect(quote?.kinds).not.toContain('argument-injection');
    // A number is safe for every kind but the ones that take a size (allocation.yml).
    expect(models.sanitizers.find((s) => s.name === 'int')?.kinds).toEqual(SINK_KINDS.filter((k) => k !== 'uncontrolled-allocation'));

    expect(models.summaries.find((s) => s.name === 'os.path.join')?.from).toEqual(['*']);
    expect(models.summaries.find((s) => s.method === 'format')?.from).toEqual(expect.arrayContaining(['receiver', '*']));
    expect(models.handlers.map((h) => h.decorator)).toEqual(expect.arrayContaining(['*.route', '*.get', '*.post']));
  });

  it('has a sink for every sink kind (NoSQL injection is modelled for JavaScript only so far)', () => {
    const kinds = new Set(models.sinks.map((s) => s.kind));
    const missing = SINK_KINDS.filter((k) => !kinds.has(k));
    expect(missing).toEqual(['nosql-injection']);
    const js = loadModels([], process.cwd(), undefined, 'javascript');
    expect(js.sinks.some((s) => s.kind === 'nosql-injection')).toBe(true);
    // Each language's scan takes only its own files.
    expect(js.files.every((f) => f.includes('/models/javascript/'))).toBe(true);
    expect(models.files.some((f) => f.includes('/models/javascript/'))).toBe(false);
  });

  it('keeps out what is deliberately not a sink or sanitizer', () => {
    expect(models.sinks.find((s) => s.name === 'yaml.safe_load')).toBeUndefined();
    expect(models.sinks.find((s) => s.name?.startsWith('xml.etree.'))).toBeUndefined();
    expect(models.sinks.find((s) => s.method === 'get' || s.method === 'info')).toBeUndefined();
    // An IPv6 scope id is kept verbatim ('fe80::1%$(id)' is a valid address).
    expect(models.sanitizers.find((s) => s.name === 'ipaddress.ip_address')).toBeUndefined();
    expect(models.sanitizers.find((s) => s.name === 'os.path.realpath')).toBeUndefined();
    expect(models.sanitizers.find((s) => s.name === 're.escape')).toBeUndefined();
  });

  it('has no duplicate entries', () => {
    const key = (e: object): string => JSON.stringify({ ...e, file: undefined, description: undefined });
    const target = (e: { name?: string; method?: string; parameter?: string }): string => JSON.stringify([e.parameter, e.name, e.method]);
    const dups = (keys: string[]): string[] => keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(dups(models.sources.map((s) => target(s) + s.on))).toEqual([]);
    expect(dups(models.sinks.map((s) => key({ ...s, args: undefined })))).toEqual([]);
    expect(dups(models.sanitizers.map(target))).toEqual([]);
    expect(dups(models.summaries.map(target))).toEqual([]);
    expect(dups(models.handlers.map((h) => h.decorator))).toEqual([]);
  });

  it('uses well-formed argument references', () => {
    const entries = [
      ...models.sinks.map((s) => ({ entry: s, refs: s.args ?? [] })),
      ...models.summaries.map((s) => ({ entry: s, refs: s.from })),
    ];
    for (const { entry, refs } of entries) {
      for (const ref of refs) {
        if (typeof ref === 'number') continue;
        expect(ref, `${entry.file}: ${entry.name ?? entry.method}`).toMatch(/^(\*|\*\*|receiver|[A-Za-z_][A-Za-z0-9_]*)$/);
        if (ref === 'receiver') expect(entry.method, `${entry.file}: receiver on ${entry.name}`).toBeDefined();
      }
    }
    for (const s of models.sources) if (s.parameter) expect(s.name?.startsWith(`${s.parameter}.`)).toBe(true);
  });
});

describe('parseModelFile errors', () => {
  const badKind = [
    'language: python',
    'library: bad',
    'sinks:',
    '  - name: os.system',
    '    args: [0]',
    '    description: runs a shell command',
    '    kind: shell-injection',
    '',
  ].join('\n');

  it('names the file and the line of a schema error (file on disk)', () => {
    const root = tempTree({ 'bad.yml': badKind });
    const file = join(root, 'bad.yml');
    const error = modelError(() => parseModelFile(file));
    expect(error.file).toBe(file);
    expect(error.line).toBe(7);
    expect(error.message).toContain(`${file}:7: sinks.0.kind`);
  });

  it('names the file and the line of a schema error (text given)', () => {
    const error = modelError(() => parseModelFile('my-models.yml', badKind));
    expect(error.message).toMatch(/^my-models\.yml:7: /);
  });

  it('names the line of a missing field', () => {
    const text = ['language: python', 'library: bad', 'sanitizers:', '  - name: int', '    kinds: all', '    description: integer', '  - name: float', '    kinds: all', ''].join('\n');
    const error = modelError(() => parseModelFile('missing.yml', text));
    // sanitizers.1.description is missing: reported at the entry (line 7).
    expect(error.message).toMatch(/^missing\.yml:7: sanitizers\.1\.description/);
  });

  it('rejects a bad `unless` entry with the line and a clear message', () => {
    const sink = (unless: string[]): string =>
      ['language: python', 'library: bad', 'sinks:', '  - name: yaml.load', '    kind: unsafe-deserialization', '    args: [0]', '    unless:', ...unless, '    description: parses YAML', ''].join('\n');
    const star = modelError(() => parseModelFile('star.yml', sink(['      arg: [1, "*"]', '      is: [yaml.SafeLoader]'])));
    expect(star.message).toBe('star.yml:8: sinks.0.unless.arg.1: expected an argument position or a keyword name (not `*` or `receiver`)');
    const receiver = modelError(() => parseModelFile('receiver.yml', sink(['      arg: [receiver]', '      is: [yaml.SafeLoader]'])));
    expect(receiver.message).toMatch(/^receiver\.yml:8: sinks\.0\.unless\.arg\.0: expected an argument position or a keyword name/);
    const name = modelError(() => parseModelFile('name.yml', sink(['      arg: [1, Loader]', '      is: [yaml.SafeLoader, "yaml Loader"]'])));
    expect(name.message).toBe('name.yml:9: sinks.0.unless.is.1: expected a qualified name like `yaml.SafeLoader`');
    const empty = modelError(() => parseModelFile('empty.yml', sink(['      arg: [1]', '      is: []'])));
    expect(empty.message).toMatch(/^empty\.yml:9: sinks\.0\.unless\.is: /);
    const missing = modelError(() => parseModelFile('missing.yml', sink(['      arg: [1, Loader]'])));
    expect(missing.message).toBe('missing.yml:8: sinks.0.unless: expected `is` or `constant`');
    const regex = modelError(() => parseModelFile('regex.yml', sink(['      arg: [mimetype]', '      constant: "(unclosed"'])));
    expect(regex.message).toBe('regex.yml:9: sinks.0.unless.constant: expected a valid regular expression');
    expect(parseModelFile('constant.yml', sink(['      arg: [mimetype]', '      constant: "^text/plain"'])).sinks[0]?.unless).toEqual({ arg: ['mimetype'], constant: '^text/plain' });
    const extra = modelError(() => parseModelFile('extra.yml', sink(['      arg: [1]', '      is: [yaml.SafeLoader]', '      equals: true'])));
    expect(extra.message).toMatch(/^extra\.yml:8: sinks\.0\.unless: .*equals/);
    expect(parseModelFile('ok.yml', sink(['      arg: [1, Loader]', '      is: [yaml.SafeLoader]'])).sinks[0]?.unless).toEqual({ arg: [1, 'Loader'], is: ['yaml.SafeLoader'] });
  });

  it('checks the shapes of receiver sinks, responses and renders', () => {
    const file = (...body: string[]): string => ['language: python', 'library: web', ...body, ''].join('\n');
    const stray = modelError(() => parseModelFile('stray.yml', file('sinks:', '  - name: x.write', '    receiver: self.wfile', '    kind: xss', '    description: d')));
    expect(stray.message).toBe('stray.yml: sink 1: `receiver` needs `method` (the receiver of which method call)');
    const render = modelError(() => parseModelFile('render.yml', file('renders:', '  - method: render', '    template: [0]', '    context: keywords', '    engine: jinja2', '    description: d')));
    expect(render.message).toBe('render.yml: render 1: `receiver-call` goes with `method`, and `name` without it');
    const engine = modelError(() => parseModelFile('engine.yml', file('renders:', '  - name: a.render', '    template: [0]', '    context: keywords', '    engine: mako', '    description: d')));
    expect(engine.message).toMatch(/^engine\.yml:7: renders\.0\.engine: /);
    const response = parseModelFile('ok.yml', file('responses:', "  - decorator: '*.route'", '    kind: xss', '    imports: [flask]', '    description: d'));
    expect(response.responses).toEqual([{ decorator: '*.route', kind: 'xss', imports: ['flask'], description: 'd' }]);
  });

  it('names the file and the line of invalid YAML', () => {
    const text = ['language: python', 'library: bad', 'sinks:', '  - name: os.system', '    name: os.popen', ''].join('\n');
    const error = modelError(() => parseModelFile('dup.yml', text));
    expect(error.message).toMatch(/^dup\.yml:5: invalid YAML/);
    const unclosed = modelError(() => parseModelFile('open.yml', 'language: python\nlibrary: x\nsinks: [\n'));
    expect(unclosed.message).toMatch(/^open\.yml:\d+: invalid YAML/);
    expect(unclosed.line).toBeGreaterThanOrEqual(3);
  });

  it('loads user model files and folders after the built-in ones, and names a bad one', () => {
    const own = ['language: python', 'library: acme', 'sinks:', '  - name: acme.run', '    kind: command-injection', '    args: [0]', '    description: runs a shell command', ''].join('\n');
    const root = tempTree({ 'models/acme.yml': own, 'one.yaml': own.replace('acme.run', 'acme.run2'), 'broken.yml': badKind });
    const set = loadModels(['models', 'one.yaml'], root);
    expect(set.sinks.filter((s) => s.name?.startsWith('acme.run')).map((s) => s.name)).toEqual(['acme.run', 'acme.run2']);
    expect(set.sinks.length).toBe(models.sinks.length + 2);
    expect(() => loadModels(['broken.yml'], root)).toThrow(`${join(root, 'broken.yml')}:7:`);
    expect(() => loadModels(['nope.yml'], root)).toThrow(ModelError);
  });
});
