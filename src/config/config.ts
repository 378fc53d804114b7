import { readFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import { SEVERITIES, CONFIDENCES } from '../findings/types.js';
import { llmConfigSchema } from '../llm/config-schema.js';
import { parseSize } from '../scheduling/budget.js';

const severity = z.enum(SEVERITIES);
const confidence = z.enum(CONFIDENCES);
const failOn = z.enum([...SEVERITIES, 'none']);
const globs = z.array(z.string().min(1));
const ruleIds = z.array(z.string().min(1));

const overrideSchema = z
  .object({
    paths: globs.min(1),
    enable: ruleIds.optional(),
    disable: ruleIds.optional(),
    severity: severity.optional(),
    confidence: confidence.optional(),
  })
  .strict();

/** The settings file schema; keys are kebab-case in files, as users type them. */
export const configSchema = z
  .object({
    severity: severity.optional(),
    confidence: confidence.optional(),
    'fail-on': failOn.optional(),
    /** Rule ids or `CWE-<n>`: run only these rules. */
    select: ruleIds.optional(),
    enable: ruleIds.optional(),
    disable: ruleIds.optional(),
    include: globs.optional(),
    exclude: globs.optional(),
    gitignore: z.boolean().optional(),
    /** Bytes (number) or a size such as "5MiB" / "500k". */
    'max-file-size': z
      .union([z.number().int().positive(), z.string().refine((v) => parseSize(v) !== undefined, 'expected a size such as 5MiB, 500k or 1048576')])
      .optional(),
    /** Seconds. */
    'file-timeout': z.number().positive().optional(),
    /** Extra model files or folders (taint, concurrency, failure paths), relative to the settings file. */
    models: z.array(z.string().min(1)).optional(),
    /** Findings in test code: `hide` (default) shows only rules marked meaningful in tests; `show` shows all. */
    tests: z.enum(['show', 'hide']).optional(),
    /** Globs (relative to the root) of test code; replaces the default list (src/filters/test-code.ts). */
    'test-paths': globs.optional(),
    /** Honour other tools' suppression comments (`# nosec`, `# noqa: S…`, `# nosemgrep`); default true. */
    'foreign-suppressions': z.boolean().optional(),
    overrides: z.array(overrideSchema).optional(),
    llm: llmConfigSchema.optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;
export type PathOverride = z.infer<typeof overrideSchema>;

export interface LoadedConfig {
  /** Where it came from (for messages); undefined when no file was found. */
  source?: string;
  config: ConfigFile;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Settings files, in the order they win when one folder holds several (see settingsInFolder). */
export const SETTINGS_FILES = ['.secreview.yml', '.secreview.yaml', 'pyproject.toml', 'package.json'] as const;

/**
 * Load one explicit settings file (`--config`): YAML, or a pyproject.toml / package.json, which
 * must then hold the section.
 */
export function loadSettingsFile(file: string): LoadedConfig {
  if (!existsSync(file)) throw new ConfigError(file, 'config file not found');
  if (file.endsWith('.toml')) return loadPyproject(file, true);
  if (basename(file) === 'package.json') return loadPackageJson(file, true);
  return loadYaml(file);
}

/**
 * The settings one folder holds: `.secreview.yml`, else `.secreview.yaml`, else `[tool.secreview]`
 * in pyproject.toml, else the `"secreview"` key of package.json (a pyproject.toml or package.json
 * without the section holds none). `shadowed` lists the other files of the folder that hold
 * settings too and lose to the first. Every file is read as data, never executed.
 */
export function settingsInFolder(folder: string): { found?: LoadedConfig & { source: string }; shadowed: string[] } {
  let found: (LoadedConfig & { source: string }) | undefined;
  const shadowed: string[] = [];
  for (const name of SETTINGS_FILES) {
    const file = join(folder, name);
    if (!existsSync(file)) continue;
    const loaded = name === 'pyproject.toml' ? loadPyproject(file, false) : name === 'package.json' ? loadPackageJson(file, false) : loadYaml(file);
    if (loaded.source === undefined) continue;
    if (found) shadowed.push(file);
    else found = { source: loaded.source, config: loaded.config };
  }
  return { found, shadowed };
}

/** Settings from an explicit file, else from the folder itself (no search upwards: see discover-settings.ts). */
export function loadConfig(folder: string, explicit?: string): LoadedConfig {
  if (explicit) return loadSettingsFile(resolve(folder, explicit));
  return settingsInFolder(folder).found ?? { config: {} };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot read: ${(error as Error).message}`);
  }
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readText(file)) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0].line;
      throw new ConfigError(file, `invalid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

function loadYaml(file: string): LoadedConfig {
  return { source: file, config: validate(file, readYaml(file), '') };
}

function loadPyproject(file: string, required: boolean): LoadedConfig {
  let data: Record<string, unknown>;
  try {
    data = parseToml(readText(file)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ConfigError(file, `invalid TOML at line ${error.line}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  const section = tool?.secreview;
  if (section === undefined) {
    if (required) throw new ConfigError(file, 'no [tool.secreview] section');
    return { config: {} };
  }
  return { source: file, config: validate(file, section, 'tool.secreview.') };
}

function loadPackageJson(file: string, required: boolean): LoadedConfig {
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof SyntaxError) throw new ConfigError(file, `invalid JSON: ${error.message}`);
    throw error;
  }
  const section = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).secreview : undefined;
  if (section === undefined) {
    if (required) throw new ConfigError(file, 'no "secreview" key');
    return { config: {} };
  }
  return { source: file, config: validate(file, section, 'secreview.') };
}

/** The user's own settings file: only an `llm:` section (same schema as in `.secreview.yml`). */
export const userConfigSchema = z.object({ llm: llmConfigSchema.optional() }).strict();
export type UserConfigFile = z.infer<typeof userConfigSchema>;

/**
 * Loads the user's settings file (see userConfigPath in src/llm/settings.ts); a missing file is no
 * settings, a bad one a ConfigError naming it.
 */
export function loadUserConfig(file: string | undefined): { source?: string; config: UserConfigFile } {
  if (!file || !existsSync(file)) return { config: {} };
  return { source: file, config: validate(file, readYaml(file), '', userConfigSchema) };
}

function validate<S extends z.ZodObject>(file: string, data: unknown, prefix: string, schema: S): z.infer<S>;
function validate(file: string, data: unknown, prefix: string): ConfigFile;
function validate(file: string, data: unknown, prefix: string, schema: z.ZodObject = configSchema): unknown {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let key = [prefix.replace(/\.$/, ''), ...issue.path.map(String)].filter(Boolean).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    key = [key, keys[0]].filter(Boolean).join('.');
    const inLlm = issue.path.length === 1 && issue.path[0] === 'llm';
    message = `unknown key (allowed: ${Object.keys((inLlm ? llmConfigSchema : schema).shape).join(', ')})`;
  }
  throw new ConfigError(file, `${key || '(top level)'}: ${message}`);
}
