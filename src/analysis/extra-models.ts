import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap } from 'yaml';
import { ModelError } from './model-yaml.js';
import { parseConcurrencyModel, type ConcurrencyModelFile } from './concurrency/model.js';
import { parseFailureModelFile } from '../rules/python/failure-paths/models.js';

/**
 * The `models:` setting: extra model files and folders (paths relative to the settings file),
 * sorted by what they hold, since one list serves three kinds of model with their own schemas:
 *
 * - concurrency models (`locks`, `named-locks`, `lock-decorators`, `spawners`, … as in
 *   models/python/concurrency/*.yml);
 * - failure-path models (`resources`, `fallbacks`, `pure`, as in models/python/failure-paths/*.yml);
 * - taint models (everything else: `sources`, `sinks`, `sanitizers`, …), read by the taint loader.
 *
 * Models are data, never code, so a scanned repository's settings may supply them (README "Trust
 * model"); but they only add to the built-in models: built-in files are always read first, a
 * lookup by name keeps the first entry that names a call, and an extra concurrency entry whose
 * name is nothing but wildcards (`*`, `*.*`: it would match every call, making every object a
 * lock or a queue) is refused. Every file is parsed and checked in the main thread before any
 * file is scanned, so a mistake is one error naming the file and the line, not a diagnostic per file.
 */

export interface ExtraModels {
  /** Absolute paths, in the order given (a folder's files sorted by name). */
  taint: string[];
  concurrency: string[];
  failure: string[];
}

export const NO_EXTRA_MODELS: ExtraModels = { taint: [], concurrency: [], failure: [] };

const CONCURRENCY_KEYS = ['library', 'locks', 'named-locks', 'lock-decorators', 'safe-types', 'spawners', 'endpoint-lists', 'endpoint-markers', 'thread-classes', 'green-threads'];
const FAILURE_KEYS = ['resources', 'fallbacks', 'pure'];
/** Keys only taint model files have: `library` alone does not make a file a concurrency model. */
const TAINT_KEYS = ['sources', 'sinks', 'sanitizers', 'summaries', 'handlers', 'types'];

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(file, undefined, `cannot read model file: ${(error as Error).message}`);
  }
}

function listFolder(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/** What kind of model a file holds, from its top-level keys. */
function kindOf(file: string, text: string): keyof ExtraModels {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ModelError(file, e.linePos?.[0].line, `invalid YAML: ${e.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents)) throw new ModelError(file, 1, '(top level): expected a mapping of model keys');
  const keys = doc.contents.items.map((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key));
  const has = (list: readonly string[]): boolean => keys.some((k) => list.includes(k));
  if (has(FAILURE_KEYS)) return 'failure';
  if (has(TAINT_KEYS)) return 'taint';
  if (has(CONCURRENCY_KEYS.filter((k) => k !== 'library'))) return 'concurrency';
  return 'taint';
}

/** A concurrency entry that would match every call (`*`, `*.*`). */
function matchesEverything(name: string | undefined): boolean {
  return name !== undefined && /^\*(\.\*)*$/.test(name);
}

function checkConcurrency(file: string, text: string): ConcurrencyModelFile {
  const model = parseConcurrencyModel(file, text);
  const lines = text.split('\n');
  for (const key of ['locks', 'named-locks', 'lock-decorators', 'safe-types', 'spawners', 'endpoint-lists', 'endpoint-markers', 'green-threads'] as const) {
    for (const e of model[key] as { name?: string }[]) {
      if (!matchesEverything(e.name)) continue;
      const at = lines.findIndex((l) => /name:\s*['"]?\*/.test(l));
      throw new ModelError(file, at >= 0 ? at + 1 : undefined, `${key}: \`name: ${e.name}\` would match every call and switch the built-in models off; name the calls`);
    }
  }
  return model;
}

/**
 * The setting's entries as files of each kind, every concurrency and failure-path file parsed and
 * checked (taint files are the taint loader's to check). `base` is the folder of the settings file.
 */
export function sortExtraModels(entries: readonly string[], base: string): ExtraModels {
  const out: ExtraModels = { taint: [], concurrency: [], failure: [] };
  for (const entry of entries) {
    const abs = resolve(base, entry);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (error) {
      throw new ModelError(abs, undefined, `cannot read model file: ${(error as Error).message}`);
    }
    for (const file of isDir ? listFolder(abs) : [abs]) {
      const text = read(file);
      const kind = kindOf(file, text);
      if (kind === 'concurrency') checkConcurrency(file, text);
      else if (kind === 'failure') parseFailureModelFile(file, text);
      out[kind].push(file);
    }
  }
  return out;
}

/** A digest of the extra concurrency and failure-path files' paths and contents (cached outcomes depend on them). */
export function extraModelsDigest(extra: ExtraModels): string | null {
  const files = [...extra.concurrency, ...extra.failure];
  if (files.length === 0) return null;
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(read(f)).update('\0');
  return h.digest('hex');
}
