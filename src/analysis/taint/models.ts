import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../files/package-root.js';
import { z } from 'zod';
import { ModelError, parseModelYaml } from '../model-yaml.js';

/**
 * Taint knowledge as data (models/<language>/<library>.yml): which expressions produce
 * untrusted data (sources), which calls must not receive it (sinks, each with a kind),
 * which calls make it safe for some kinds (sanitizers) and how data passes through library
 * calls (summaries). Users add their own files through the `models` setting.
 */

export const SINK_KINDS = [
  'command-injection',
  'argument-injection',
  'sql-injection',
  'code-injection',
  'path-injection',
  'ssrf',
  'xss',
  'ldap-injection',
  'xpath-injection',
  'open-redirect',
  'unsafe-deserialization',
  'xxe',
  'log-injection',
  'header-injection',
  'trust-boundary',
  'nosql-injection',
  /** Request data choosing which fields of an object are set (`Model(**request.json)`, `setattr`). */
  'mass-assignment',
  /** Exception text or a traceback sent to the client. */
  'information-exposure',
  /** A request-controlled size or count given to an allocation (`bytearray(n)`, `'x' * n`). */
  'uncontrolled-allocation',
] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

const sinkKind = z.enum(SINK_KINDS);
/**
 * Argument positions: a 0-based index, a keyword name, `*` (every argument), `receiver`, or `**`
 * (no named argument: only the `*x` / `**x` arguments, which every sink checks).
 */
const argRef = z.union([z.number().int().min(0), z.string().min(1)]);

/** How a model names code: a fully qualified callable/attribute, or a method on any receiver. */
const target = {
  /** Qualified name through imports: `subprocess.run`, `flask.request.args`. */
  name: z.string().min(1).optional(),
  /** A method name on any receiver whose qualified name is unknown (`execute` on a cursor). */
  method: z.string().min(1).optional(),
};

const condition = z
  .object({
    /** The call must have this keyword argument... */
    keyword: z.string().min(1),
    /** ...with this constant value (default: true). */
    equals: z.union([z.boolean(), z.string(), z.number(), z.null()]).optional(),
  })
  .strict();

/** A Python identifier (a keyword argument name) and a dotted qualified name. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * The sink entry does not apply to a call whose argument (at one of the positions or keywords
 * of `arg`) is a name whose qualified name through imports is in `is`:
 * `yaml.load(s, Loader=yaml.SafeLoader)`.
 */
const NOT_AN_ARGUMENT = 'expected an argument position or a keyword name (not `*` or `receiver`)';
const exception = z
  .object({
    /** Where the argument may be given: 0-based positions and/or keyword names. */
    arg: z
      .array(
        z.union([
          z.number().int().min(0),
          z
            .string()
            .regex(IDENTIFIER, NOT_AN_ARGUMENT)
            .refine((s) => s !== 'receiver', NOT_AN_ARGUMENT),
        ]),
      )
      .min(1),
    /** Qualified names (through imports) that make the call safe. */
    is: z.array(z.string().regex(QUALIFIED_NAME, 'expected a qualified name like `yaml.SafeLoader`')).min(1).optional(),
    /**
     * Or: a string literal matching this regular expression makes the call safe
     * (`mimetype="application/json"` for `flask.Response`).
     */
    constant: z
      .string()
      .min(1)
      .refine((r) => validRegex(r), 'expected a valid regular expression')
      .optional(),
  })
  .strict()
  .refine((u) => u.is !== undefined || u.constant !== undefined, 'expected `is` or `constant`');

function validRegex(r: string): boolean {
  try {
    new RegExp(r);
    return true;
  } catch {
    return false;
  }
}

const sourceSchema = z
  .object({
    ...target,
    /** `access`: reading the attribute or anything below it is the source; `call`: the call's result. */
    on: z.enum(['access', 'call']).default('access'),
    /** Parameter named so in a function (`request` in a Django view): `parameter.request.GET`. */
    parameter: z.string().min(1).optional(),
    /**
     * With `parameter`: only in methods of classes that inherit from this qualified class name
     * (`self.path` in an `http.server.BaseHTTPRequestHandler` subclass).
     */
    within: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** remote: network clients; local: command line, environment, stdin, files. */
    threat: z.enum(['remote', 'local']).default('remote'),
    /**
     * The sink kinds this data is a concern for, when it is not attacker-controlled text but
     * something that must not reach certain sinks (exception detail: information-exposure). A
     * sink kind some source names here is reached only by the sources that name it.
     */
    kinds: z.array(sinkKind).min(1).optional(),
    description: z.string().min(1),
  })
  .strict();

const sinkSchema = z
  .object({
    ...target,
    kind: sinkKind,
    /** Which arguments must not be tainted (default: all). */
    args: z.array(argRef).min(1).optional(),
    when: condition.optional(),
    unless: exception.optional(),
    /** With `method`: only when the receiver is spelled so (`self.wfile` for `self.wfile.write(...)`). */
    receiver: z.string().regex(QUALIFIED_NAME, 'expected a dotted name like `self.wfile`').optional(),
    /** Only in methods of classes deriving from one of these qualified class names (as for sources). */
    within: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    description: z.string().min(1),
  })
  .strict();

const sanitizerSchema = z
  .object({
    ...target,
    /** The sink kinds the result is safe for; `all` for type conversions like `int`. */
    kinds: z.union([z.literal('all'), z.array(sinkKind).min(1)]),
    description: z.string().min(1),
  })
  .strict();

const summarySchema = z
  .object({
    ...target,
    /** Arguments whose taint reaches the result (`receiver` for the object of a method call). */
    from: z.array(argRef).min(1),
    description: z.string().min(1).optional(),
  })
  .strict();

/**
 * Calls that return an instance of a library class (`logging.getLogger` → `logging.Logger`),
 * so that models of its methods (`logging.Logger.info`) apply to `logger.info(...)`. Calling a
 * class whose methods are modelled (`requests.Session()`) needs no entry.
 */
const typeSchema = z
  .object({
    name: z.string().min(1),
    returns: z.string().min(1),
    description: z.string().min(1).optional(),
  })
  .strict();

/** Decorators that make a function a request handler whose parameters are remote input. */
const handlerSchema = z
  .object({
    /** Decorator qualified name, or `*.route` for a method on any receiver. */
    decorator: z.string().min(1),
    description: z.string().min(1),
  })
  .strict();

/**
 * What a request handler returns is the response: a string returned from a route function
 * decorated so is the body of an HTML response (Flask), checked as a sink of `kind`.
 */
const responseSchema = z
  .object({
    /** Decorator qualified name, or `*.route` for a method on any receiver (as in `handlers`). */
    decorator: z.string().min(1),
    kind: sinkKind,
    /** Only in modules importing one of these packages (`@app.get` is Flask's or FastAPI's). */
    imports: z.array(z.string().regex(QUALIFIED_NAME, 'expected a package name like `flask`')).min(1).optional(),
    /**
     * The framework also serialises a returned dict or list as the body (JSON): what they hold
     * reaches the client too. For kinds where any format counts (exception detail), not XSS.
     */
    containers: z.boolean().optional(),
    description: z.string().min(1),
  })
  .strict();

/**
 * Calls that render a template file with a context: the template's unescaped outputs of a
 * context variable are XSS sinks for the value the call passes under that name.
 */
const renderSchema = z
  .object({
    ...target,
    /** Where the template name is: positions/keywords of this call, or of `receiver-call`. */
    template: z.array(argRef).min(1),
    /**
     * `keywords`: the context is the call's keyword arguments (`render_template(name, x=1)`);
     * otherwise the positions/keywords of a dict (`render(request, name, {'x': 1})`).
     */
    context: z.union([z.literal('keywords'), z.array(argRef).min(1)]),
    /** With `method`: the receiver is the result of this call (a qualified name, or a method name) and holds the template name. */
    'receiver-call': z.string().min(1).optional(),
    /** Decides where template names are looked up and which files autoescape. */
    engine: z.enum(['flask', 'django', 'jinja2']),
    description: z.string().min(1),
  })
  .strict();

export const modelFileSchema = z
  .object({
    /** The language whose scans use the file (a scan loads the files of each language it reads). */
    language: z.enum(['python', 'javascript']),
    library: z.string().min(1),
    sources: z.array(sourceSchema).default([]),
    sinks: z.array(sinkSchema).default([]),
    sanitizers: z.array(sanitizerSchema).default([]),
    summaries: z.array(summarySchema).default([]),
    handlers: z.array(handlerSchema).default([]),
    types: z.array(typeSchema).default([]),
    responses: z.array(responseSchema).default([]),
    renders: z.array(renderSchema).default([]),
  })
  .strict();

export type ModelFile = z.infer<typeof modelFileSchema>;
export type SourceModel = z.infer<typeof sourceSchema> & { file: string };
export type SinkModel = z.infer<typeof sinkSchema> & {
  file: string;
  /** For a kind some source names in `kinds`: the descriptions of those sources (only they reach it). */
  onlyFrom?: ReadonlySet<string>;
};
export type SanitizerModel = z.infer<typeof sanitizerSchema> & { file: string };
export type SummaryModel = z.infer<typeof summarySchema> & { file: string };
export type HandlerModel = z.infer<typeof handlerSchema> & { file: string };
export type TypeModel = z.infer<typeof typeSchema> & { file: string };
export type ResponseModel = z.infer<typeof responseSchema> & { file: string; onlyFrom?: ReadonlySet<string> };
export type RenderModel = z.infer<typeof renderSchema> & { file: string };

export { ModelError };

/** All models for one language, indexed for the engine's lookups. */
export class ModelSet {
  /** The language its files model (the schema knows only Python's yet): its naming conventions apply. */
  readonly language = 'python';
  readonly sources: SourceModel[] = [];
  readonly sinks: SinkModel[] = [];
  readonly sanitizers: SanitizerModel[] = [];
  readonly summaries: SummaryModel[] = [];
  readonly handlers: HandlerModel[] = [];
  readonly types: TypeModel[] = [];
  readonly responses: ResponseModel[] = [];
  readonly renders: RenderModel[] = [];
  readonly files: string[] = [];

  add(file: string, model: ModelFile): void {
    this.files.push(file);
    for (const s of model.sources) this.sources.push({ ...s, file });
    for (const s of model.sinks) this.sinks.push({ ...s, file });
    for (const s of model.sanitizers) this.sanitizers.push({ ...s, file });
    for (const s of model.summaries) this.summaries.push({ ...s, file });
    for (const h of model.handlers) this.handlers.push({ ...h, file });
    for (const t of model.types) this.types.push({ ...t, file });
    for (const r of model.responses) this.responses.push({ ...r, file });
    for (const r of model.renders) this.renders.push({ ...r, file });
    this.linkDedicatedKinds();
  }

  /** Sinks of a kind that sources name in `kinds` are reached only by those sources. */
  private linkDedicatedKinds(): void {
    const from = new Map<SinkKind, Set<string>>();
    for (const s of this.sources) {
      for (const kind of s.kinds ?? []) {
        let set = from.get(kind);
        if (!set) from.set(kind, (set = new Set()));
        set.add(s.description);
      }
    }
    for (const sink of [...this.sinks, ...this.responses]) {
      const only = from.get(sink.kind);
      if (only) sink.onlyFrom = only;
      else delete sink.onlyFrom;
    }
  }
}

export const BUILTIN_MODEL_DIR = join(packageRoot(), 'models', 'python');

/** The languages models are written for, each with a folder of built-in models. */
export type ModelLanguage = ModelFile['language'];

export function builtinModelDir(language: ModelLanguage): string {
  return join(packageRoot(), 'models', language);
}

/**
 * Somewhere to keep parsed model files between runs (the scan cache): parsing the YAML and
 * checking it against the schema takes longer than the rest of a run whose results are cached.
 * Keys cover the files' paths and contents.
 */
export interface ModelMemo {
  get(key: string): ModelFile[] | undefined;
  set(key: string, parsed: ModelFile[]): void;
  /** An entry whose contents fail the schema: dropped (and set again by the caller). */
  reject?(key: string, reason: string): void;
}

/** Built-in models plus the user's files/folders (from the `models` setting). */
export function loadModels(extra: readonly string[] = [], root = process.cwd(), memo?: ModelMemo, language: ModelLanguage = 'python'): ModelSet {
  const set = new ModelSet();
  const files = listModelFiles(builtinModelDir(language));
  for (const entry of extra) {
    const abs = resolve(root, entry);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (error) {
      throw new ModelError(abs, undefined, `cannot read model file: ${(error as Error).message}`);
    }
    files.push(...(isDir ? listModelFiles(abs) : [abs]));
  }
  const texts = files.map(readModelFile);
  const hash = memo && createHash('sha256');
  files.forEach((file, i) => hash?.update(file).update('\0').update(texts[i]!).update('\0'));
  const key = hash?.digest('hex');
  let parsed = key ? memo!.get(key) : undefined;
  // What the memo gives back passes the schema again (cheap next to parsing the YAML): a
  // damaged or forged entry must not become the engine's knowledge of libraries.
  const problem = parsed === undefined ? undefined : memoProblem(parsed, files.length);
  if (problem !== undefined) memo!.reject?.(key!, problem);
  if (!parsed || problem !== undefined) {
    parsed = files.map((file, i) => parseModelFile(file, texts[i]));
    if (key) memo!.set(key, parsed);
  }
  // The user's files may be for either language: each scan of a language takes its own.
  files.forEach((file, i) => {
    if (parsed[i]!.language === language) set.add(file, parsed[i]!);
  });
  return set;
}

function listModelFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

function readModelFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(file, undefined, `cannot read model file: ${(error as Error).message}`);
  }
}

/** What is wrong with model files read back from the memo (undefined: nothing). */
function memoProblem(parsed: unknown, count: number): string | undefined {
  if (!Array.isArray(parsed) || parsed.length !== count) return 'not the parsed model files';
  for (const [n, file] of parsed.entries()) {
    const result = modelFileSchema.safeParse(file);
    if (!result.success) return `model file ${n + 1}: ${result.error.issues[0]!.path.join('.') || '(top level)'}: ${result.error.issues[0]!.message}`;
    const unnamed = entryWithoutName(result.data);
    if (unnamed !== undefined) return `model file ${n + 1}: entry ${unnamed + 1} has no name`;
  }
  return undefined;
}

/** The index of an entry that names nothing to match (a model file must not have one). */
function entryWithoutName(data: ModelFile): number | undefined {
  for (const [i, entry] of [...data.sources, ...data.sinks, ...data.sanitizers, ...data.summaries, ...data.renders].entries()) {
    if (!entry.name && !entry.method && !('parameter' in entry && entry.parameter)) return i;
  }
  return undefined;
}

/** Parse and validate one model file; errors name the file and the line. */
export function parseModelFile(file: string, text?: string): ModelFile {
  const { data } = parseModelYaml(file, text ?? readModelFile(file), modelFileSchema);
  const unnamed = entryWithoutName(data);
  if (unnamed !== undefined) throw new ModelError(file, undefined, `entry ${unnamed + 1} needs \`name\`, \`method\` or \`parameter\``);
  const stray = data.sinks.findIndex((s) => s.receiver !== undefined && !s.method);
  if (stray >= 0) throw new ModelError(file, undefined, `sink ${stray + 1}: \`receiver\` needs \`method\` (the receiver of which method call)`);
  const unplaced = data.renders.findIndex((r) => (r['receiver-call'] !== undefined) !== (r.method !== undefined && !r.name));
  if (unplaced >= 0) throw new ModelError(file, undefined, `render ${unplaced + 1}: \`receiver-call\` goes with \`method\`, and \`name\` without it`);
  return data;
}

