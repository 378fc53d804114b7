import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../../files/package-root.js';
import { ModelError, parseModelYaml } from '../../../analysis/model-yaml.js';
import type { PyCall } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';

/**
 * Failure-path knowledge as data (models/python/failure-paths/*.yml): which calls acquire a
 * resource and which calls release it, and which calls make a security- or state-changing
 * fallback. Validated on load; a mistake is a ModelError naming the file and the line.
 */

const regex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s.replace(/^\(\?i\)/, ''));
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const callPattern = z
  .object({
    name: z.string().min(1).optional(),
    method: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a method is one identifier').optional(),
    receiver: regex.optional(),
    'min-args': z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((p) => (p.name === undefined) !== (p.method === undefined), 'give exactly one of `name` or `method`')
  .refine((p) => p.receiver === undefined || p.method !== undefined, '`receiver` narrows a `method`, not a `name`');

const resourceSchema = z
  .object({
    acquire: callPattern,
    kind: z.string().min(1),
    lifetime: z.enum(['scoped', 'persistent']),
    release: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a method name or a dotted qualified name')).min(1),
    confidence: z.enum(['low', 'medium', 'high']),
    description: z.string().optional(),
  })
  .strict();

const fallbackSchema = z
  .object({
    name: z.string().min(1).optional(),
    method: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a method is one identifier').optional(),
    receiver: regex.optional(),
    kind: z.enum(['sysctl', 'firewall', 'permissions', 'status']),
  })
  .strict()
  .refine((p) => (p.name === undefined) !== (p.method === undefined), 'give exactly one of `name` or `method`');

const fileSchema = z
  .object({
    language: z.literal('python'),
    resources: z.array(resourceSchema).optional(),
    fallbacks: z.array(fallbackSchema).optional(),
    /** Calls that do not fail in practice: the statement that can raise is looked for past them. */
    pure: z.array(callPattern).optional(),
  })
  .strict();

export type FallbackKind = z.infer<typeof fallbackSchema>['kind'];

interface Matcher {
  name?: string;
  method?: string;
  receiver?: RegExp;
  minArgs?: number;
}

export interface ResourceModel {
  readonly kind: string;
  readonly lifetime: 'scoped' | 'persistent';
  readonly confidence: Confidence;
  readonly acquire: Matcher;
  /** Method names (any receiver). */
  readonly releaseMethods: ReadonlySet<string>;
  /** Dotted qualified names (suffix match). */
  readonly releaseNames: readonly string[];
  readonly file: string;
}

export interface FallbackModel extends Matcher {
  readonly kind: FallbackKind;
}

export interface FailureModels {
  resources: ResourceModel[];
  fallbacks: FallbackModel[];
  pure: Matcher[];
}

export const FAILURE_MODEL_DIR = join(packageRoot(), 'models', 'python', 'failure-paths');
const BUILTIN_FILES = ['resources.yml', 'fallbacks.yml'];

let builtin: FailureModels | undefined;
let current: FailureModels | undefined;
let currentKey = '';

/**
 * The models the rules use: the built-in ones (read once per thread), then the files of the
 * `models:` setting the scan asked for with `useExtraFailureModels` (they only add entries; the
 * built-in ones come first).
 */
export function failureModels(): FailureModels {
  builtin ??= loadFailureModels(BUILTIN_FILES.map((f) => join(FAILURE_MODEL_DIR, f)));
  return current ?? builtin;
}

/** Use these extra failure-path model files (absolute paths, checked on load) from now on in this thread. */
export function useExtraFailureModels(files: readonly string[] | undefined): void {
  const key = (files ?? []).join('\0');
  if (key === currentKey) return;
  currentKey = key;
  if (!files || files.length === 0) {
    current = undefined;
    return;
  }
  const base = failureModels();
  const extra = loadFailureModels(files);
  current = { resources: [...base.resources, ...extra.resources], fallbacks: [...base.fallbacks, ...extra.fallbacks], pure: [...base.pure, ...extra.pure] };
}

export function loadFailureModels(files: readonly string[]): FailureModels {
  const out: FailureModels = { resources: [], fallbacks: [], pure: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ModelError(file, undefined, `cannot read model file: ${(error as Error).message}`);
    }
    const parsed = parseFailureModelFile(file, text);
    out.resources.push(...parsed.resources);
    out.fallbacks.push(...parsed.fallbacks);
    out.pure.push(...parsed.pure);
  }
  return out;
}

/** Parse and validate one failure-path model file. */
export function parseFailureModelFile(file: string, text: string): FailureModels {
  const { data } = parseModelYaml(file, text, fileSchema);
  return {
    resources: (data.resources ?? []).map((r) => ({
      kind: r.kind,
      lifetime: r.lifetime,
      confidence: r.confidence,
      acquire: matcher(r.acquire),
      releaseMethods: new Set(r.release.filter((n) => !n.includes('.'))),
      releaseNames: r.release.filter((n) => n.includes('.')),
      file,
    })),
    fallbacks: (data.fallbacks ?? []).map((f) => ({ ...matcher(f), kind: f.kind })),
    pure: (data.pure ?? []).map(matcher),
  };
}

function matcher(p: { name?: string; method?: string; receiver?: string; 'min-args'?: number }): Matcher {
  const m: Matcher = {};
  if (p['min-args'] !== undefined) m.minArgs = p['min-args'];
  if (p.name !== undefined) m.name = p.name;
  if (p.method !== undefined) m.method = p.method;
  if (p.receiver !== undefined) {
    const insensitive = p.receiver.startsWith('(?i)');
    m.receiver = new RegExp(insensitive ? p.receiver.slice(4) : p.receiver, insensitive ? 'i' : '');
  }
  return m;
}

/** `open` matches only `open`; `ip_lib.sysctl` also matches `neutron.agent.linux.ip_lib.sysctl`. */
export function nameMatches(qname: string | undefined, name: string): boolean {
  if (qname === undefined) return false;
  if (qname === name) return true;
  return name.includes('.') && qname.endsWith(`.${name}`);
}

/** Does a call site match a name/method pattern? `receiverText` is the receiver's source. */
export function callMatches(call: PyCall, m: Matcher, receiverText: () => string | undefined): boolean {
  if (m.minArgs !== undefined && call.positional.length + call.keywords.size < m.minArgs && !call.hasStarArgs && !call.hasStarKwargs) return false;
  if (m.name !== undefined) {
    if (nameMatches(call.qname, m.name)) return true;
    // `ip_lib.sysctl(...)` where ip_lib is not resolved through an import (a relative import).
    if (!m.name.includes('.') || call.qname !== undefined) return false;
    const text = receiverText();
    return text !== undefined && `${text}.${call.method}`.endsWith(m.name);
  }
  if (call.method !== m.method) return false;
  if (!m.receiver) return true;
  const text = receiverText();
  return text !== undefined && m.receiver.test(text);
}

/** Is `call` one of the resource's release calls? */
export function isRelease(call: PyCall, model: ResourceModel, receiverText: () => string | undefined): boolean {
  if (call.method !== undefined && model.releaseMethods.has(call.method)) return true;
  return model.releaseNames.some((n) => nameMatches(call.qname, n) || (call.qname === undefined && `${receiverText() ?? ''}.${call.method}`.endsWith(n)));
}

