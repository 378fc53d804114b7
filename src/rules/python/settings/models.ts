import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../../files/package-root.js';
import { ModelError, parseModelYaml } from '../../../analysis/model-yaml.js';

/**
 * Framework settings as data (models/python/settings/*.yml): which setting, assigned which
 * constant, is which defect. Validated on load; a mistake is a ModelError naming the file and line.
 */

export const DEFECTS = ['weak-password-hasher', 'pickle-session-serializer', 'allowed-hosts-wildcard', 'cors-allow-all-origins'] as const;
export type SettingDefect = (typeof DEFECTS)[number];

const constant = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const entrySchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a setting name is UPPER_CASE'),
    defect: z.enum(DEFECTS),
    equals: z.array(constant).min(1).optional(),
    contains: z.array(z.string()).min(1).optional(),
    'first-in': z.array(z.string()).min(1).optional(),
    says: z.string().min(10),
  })
  .strict()
  .refine((e) => [e.equals, e.contains, e['first-in']].filter((t) => t !== undefined).length === 1, 'give exactly one of `equals`, `contains` or `first-in`');

const fileSchema = z.object({ language: z.literal('python'), settings: z.array(entrySchema) }).strict();

export interface SettingModel {
  readonly name: string;
  readonly defect: SettingDefect;
  readonly test: { kind: 'equals'; values: readonly (string | number | boolean | null)[] } | { kind: 'contains' | 'first-in'; values: readonly string[] };
  readonly says: string;
}

export const SETTINGS_MODEL_DIR = join(packageRoot(), 'models', 'python', 'settings');
const BUILTIN_FILES = ['django.yml'];

let builtin: SettingModel[] | undefined;

/** The built-in settings models, read once per process. */
export function settingModels(): SettingModel[] {
  return (builtin ??= BUILTIN_FILES.flatMap((f) => loadSettingModelFile(join(SETTINGS_MODEL_DIR, f))));
}

export function loadSettingModelFile(file: string): SettingModel[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(file, undefined, `cannot read model file: ${(error as Error).message}`);
  }
  return parseSettingModelFile(file, text);
}

/** Parse and validate one settings model file. */
export function parseSettingModelFile(file: string, text: string): SettingModel[] {
  const { data } = parseModelYaml(file, text, fileSchema);
  return data.settings.map((e) => ({
    name: e.name,
    defect: e.defect,
    test: e.equals ? { kind: 'equals', values: e.equals } : e.contains ? { kind: 'contains', values: e.contains } : { kind: 'first-in', values: e['first-in']! },
    says: e.says,
  }));
}
