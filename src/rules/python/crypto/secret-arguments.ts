import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../../files/package-root.js';
import { ModelError, parseModelYaml } from '../../../analysis/model-yaml.js';

/**
 * Parameters that take a secret key (models/python/secrets/key-arguments.yml): a literal passed
 * there is a hard-coded key whatever its name or shape. Validated on load; a mistake is a
 * ModelError naming the file and the line.
 */

const argRef = z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Za-z_]\w*$/, 'a keyword name')]);
const fileSchema = z
  .object({
    language: z.literal('python'),
    'key-arguments': z.array(z.object({ name: z.string().regex(/^[A-Za-z_][\w.]*$/, 'a qualified name'), args: z.array(argRef).min(1) }).strict()),
  })
  .strict();

export interface KeyArgument {
  /** Qualified name of the callee through imports. */
  readonly name: string;
  readonly position: number | undefined;
  readonly keyword: string | undefined;
}

const FILE = join(packageRoot(), 'models', 'python', 'secrets', 'key-arguments.yml');
let builtin: Map<string, KeyArgument> | undefined;

/** The built-in key-argument models by qualified name, read once per process. */
export function keyArguments(): ReadonlyMap<string, KeyArgument> {
  if (!builtin) {
    let text: string;
    try {
      text = readFileSync(FILE, 'utf8');
    } catch (error) {
      throw new ModelError(FILE, undefined, `cannot read model file: ${(error as Error).message}`);
    }
    builtin = new Map(parseKeyArgumentFile(FILE, text).map((k) => [k.name, k]));
  }
  return builtin;
}

export function parseKeyArgumentFile(file: string, text: string): KeyArgument[] {
  const { data } = parseModelYaml(file, text, fileSchema);
  return data['key-arguments'].map((e) => ({
    name: e.name,
    position: e.args.find((a): a is number => typeof a === 'number'),
    keyword: e.args.find((a): a is string => typeof a === 'string'),
  }));
}
