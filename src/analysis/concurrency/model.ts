import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../files/package-root.js';
import { ModelError, parseModelYaml } from '../model-yaml.js';

/**
 * Concurrency knowledge as data (models/<language>/concurrency/*.yml): what makes a lock, what
 * holds one by name, which decorators wrap a function in a lock, which calls run a function
 * concurrently, what marks a class whose methods are called concurrently, and which objects
 * synchronise themselves. Validated on load; errors name the file and the line.
 */

/** A qualified name through imports, or a method on a receiver of unknown type. */
const target = {
  name: z.string().regex(/^(\*|[A-Za-z_]\w*)(\.(\*|[A-Za-z_]\w*))*$/, 'expected a qualified name like `threading.Lock` (`*.name`: any prefix)').optional(),
  method: z.string().regex(/^[A-Za-z_]\w*$/, 'expected a method name like `spawn_n`').optional(),
  /** With `method`: the receiver's spelling must match this (case-insensitive regular expression). */
  receiver: z
    .string()
    .min(1)
    .refine((s) => {
      try {
        new RegExp(s, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  description: z.string().min(1).optional(),
};
const argRef = z.union([z.number().int().min(0), z.string().regex(/^[A-Za-z_]\w*$/)]);

const entry = z.object(target).strict();
const withArg = z.object({ ...target, args: z.array(argRef).min(1) }).strict();
const threadClass = z.object({ name: z.string().min(1), methods: z.array(z.string().min(1)).min(1), description: z.string().optional() }).strict();

export const concurrencyModelSchema = z
  .object({
    language: z.literal('python'),
    library: z.string().min(1),
    /** Calls that create a lock object (`threading.Lock()`). */
    locks: z.array(entry).default([]),
    /** Calls that take or make a lock by name (`lockutils.lock(name)`): the name is at `args`. */
    'named-locks': z.array(withArg).default([]),
    /** Decorators that hold a lock (named at `args`, or an anonymous one when `args` is absent) around the function. */
    'lock-decorators': z.array(z.object({ ...target, args: z.array(argRef).min(1).optional() }).strict()).default([]),
    /** Calls that create objects needing no lock: queues, events, thread-local storage. */
    'safe-types': z.array(entry).default([]),
    /** Calls that run the callable at `args` concurrently (a thread, a green thread, a pool, a timer, a task). */
    spawners: z.array(z.object({ ...target, args: z.array(argRef).min(1), copies: z.enum(['one', 'many']).default('many') }).strict()).default([]),
    /** Calls whose argument at `args` is a list of RPC endpoint objects. */
    'endpoint-lists': z.array(withArg).default([]),
    /** A class attribute assigned a call to one of these marks an RPC endpoint class (`target = oslo_messaging.Target(...)`). */
    'endpoint-markers': z.array(entry).default([]),
    /** Base classes whose listed methods run in their own thread (`threading.Thread.run`). */
    'thread-classes': z.array(threadClass).default([]),
    /**
     * Calls that turn the program's threads into green threads (`eventlet.monkey_patch()`): a thread
     * then switches only where it blocks (I/O, sleep, a lock), so a check and an act with no such
     * call between them cannot interleave.
     */
    'green-threads': z.array(entry).default([]),
  })
  .strict();

export type ConcurrencyModelFile = z.infer<typeof concurrencyModelSchema>;
export type ModelEntry = z.infer<typeof entry>;
export type ModelArgEntry = z.infer<typeof withArg>;
export type LockDecorator = ConcurrencyModelFile['lock-decorators'][number];

/** Every concurrency model of a language, merged. */
export interface ConcurrencyModel {
  locks: ModelEntry[];
  namedLocks: ModelArgEntry[];
  lockDecorators: LockDecorator[];
  safeTypes: ModelEntry[];
  spawners: (ModelArgEntry & { copies: 'one' | 'many' })[];
  endpointLists: ModelArgEntry[];
  endpointMarkers: ModelEntry[];
  threadClasses: { name: string; methods: string[] }[];
  greenThreads: ModelEntry[];
  files: string[];
}

export const CONCURRENCY_MODEL_DIR = join(packageRoot(), 'models', 'python', 'concurrency');

/** Parse and validate one concurrency model file. */
export function parseConcurrencyModel(file: string, text: string): ConcurrencyModelFile {
  const { data, lineOf } = parseModelYaml(file, text, concurrencyModelSchema);
  for (const key of ['locks', 'named-locks', 'lock-decorators', 'safe-types', 'spawners', 'endpoint-lists', 'endpoint-markers', 'green-threads'] as const) {
    (data[key] as { name?: string; method?: string; receiver?: string }[]).forEach((e, i) => {
      if (!e.name === !e.method) throw new ModelError(file, lineOf([key, i]), `${key}.${i}: needs exactly one of \`name\` or \`method\``);
      if (e.receiver && !e.method) throw new ModelError(file, lineOf([key, i]), `${key}.${i}: \`receiver\` only goes with \`method\``);
    });
  }
  return data;
}

let builtinParts: { file: string; model: ConcurrencyModelFile }[] | undefined;
let builtin: ConcurrencyModel | undefined;

function readModel(file: string): { file: string; model: ConcurrencyModelFile } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(file, undefined, `cannot read model file: ${(error as Error).message}`);
  }
  return { file, model: parseConcurrencyModel(file, text) };
}

function builtinModelParts(): { file: string; model: ConcurrencyModelFile }[] {
  builtinParts ??= readdirSync(CONCURRENCY_MODEL_DIR)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => readModel(join(CONCURRENCY_MODEL_DIR, f)));
  return builtinParts;
}

/** The bundled models (read once per thread). */
export function builtinConcurrencyModel(): ConcurrencyModel {
  return (builtin ??= mergeConcurrencyModels(builtinModelParts()));
}

const withExtra = new Map<string, ConcurrencyModel>();

/**
 * The bundled models and then the user's files (the `models:` setting, checked on load by
 * src/analysis/extra-models.ts): extra entries only add, since lookups keep the first entry
 * that names a call and the bundled files come first. Read once per thread and list of files.
 */
export function concurrencyModelWith(extra: readonly string[] | undefined): ConcurrencyModel {
  if (!extra || extra.length === 0) return builtinConcurrencyModel();
  const key = extra.join('\0');
  let model = withExtra.get(key);
  if (!model) withExtra.set(key, (model = mergeConcurrencyModels([...builtinModelParts(), ...extra.map(readModel)])));
  return model;
}

export function mergeConcurrencyModels(parts: readonly { file: string; model: ConcurrencyModelFile }[]): ConcurrencyModel {
  const out: ConcurrencyModel = { locks: [], namedLocks: [], lockDecorators: [], safeTypes: [], spawners: [], endpointLists: [], endpointMarkers: [], threadClasses: [], greenThreads: [], files: [] };
  for (const { file, model } of parts) {
    out.files.push(file);
    out.locks.push(...model.locks);
    out.namedLocks.push(...model['named-locks']);
    out.lockDecorators.push(...model['lock-decorators']);
    out.safeTypes.push(...model['safe-types']);
    out.spawners.push(...model.spawners);
    out.endpointLists.push(...model['endpoint-lists']);
    out.endpointMarkers.push(...model['endpoint-markers']);
    out.threadClasses.push(...model['thread-classes']);
    out.greenThreads.push(...model['green-threads']);
  }
  return out;
}

type Matcher<E> = (qname: string | undefined, method: string | undefined, receiver: string | undefined) => E | undefined;

/** The model's lists as lookups by qualified name and method name (one per call site is too many list scans). */
export interface ModelIndex {
  locks: Matcher<ModelEntry>;
  namedLocks: Matcher<ModelArgEntry>;
  lockDecorators: Matcher<LockDecorator>;
  safeTypes: Matcher<ModelEntry>;
  spawners: Matcher<ModelArgEntry & { copies: 'one' | 'many' }>;
  endpointLists: Matcher<ModelArgEntry>;
  endpointMarkers: Matcher<ModelEntry>;
  greenThreads: Matcher<ModelEntry>;
}

const indexes = new WeakMap<ConcurrencyModel, ModelIndex>();

export function modelIndex(model: ConcurrencyModel): ModelIndex {
  let index = indexes.get(model);
  if (!index) {
    index = {
      locks: matcher(model.locks),
      namedLocks: matcher(model.namedLocks),
      lockDecorators: matcher(model.lockDecorators),
      safeTypes: matcher(model.safeTypes),
      spawners: matcher(model.spawners),
      endpointLists: matcher(model.endpointLists),
      endpointMarkers: matcher(model.endpointMarkers),
      greenThreads: matcher(model.greenThreads),
    };
    indexes.set(model, index);
  }
  return index;
}

function matcher<E extends { name?: string; method?: string; receiver?: string }>(entries: readonly E[]): Matcher<E> {
  const byName = new Map<string, E>();
  const byMethod = new Map<string, E[]>();
  const patterns: { re: RegExp; entry: E }[] = [];
  for (const e of entries) {
    if (e.name?.includes('*')) patterns.push({ re: namePattern(e.name), entry: e });
    else if (e.name) {
      if (!byName.has(e.name)) byName.set(e.name, e);
    } else if (e.method) {
      const list = byMethod.get(e.method);
      if (list) list.push(e);
      else byMethod.set(e.method, [e]);
    }
  }
  return (qname, method, receiver) => {
    if (qname !== undefined) {
      const hit = byName.get(qname);
      if (hit) return hit;
      for (const p of patterns) if (p.re.test(qname)) return p.entry;
    }
    if (method !== undefined) {
      for (const e of byMethod.get(method) ?? []) if (!e.receiver || (receiver !== undefined && receiverPattern(e.receiver).test(receiver))) return e;
    }
    return undefined;
  };
}

const receiverPatterns = new Map<string, RegExp>();
function receiverPattern(source: string): RegExp {
  let re = receiverPatterns.get(source);
  if (!re) receiverPatterns.set(source, (re = new RegExp(source, 'i')));
  return re;
}

function namePattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/\./g, '\\.').replace(/\*/g, '[\\w.]*')}$`);
}

/** Does a model entry name this call (qualified name, or method and receiver spelling)? */
export function entryMatches(e: { name?: string; method?: string; receiver?: string }, qname: string | undefined, method: string | undefined, receiver: string | undefined): boolean {
  if (e.name) {
    if (qname === undefined) return false;
    if (e.name.includes('*')) return namePattern(e.name).test(qname);
    return qname === e.name;
  }
  if (e.method !== method) return false;
  if (e.receiver) return receiver !== undefined && receiverPattern(e.receiver).test(receiver);
  return true;
}

