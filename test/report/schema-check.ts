/**
 * A small JSON Schema (draft 2020-12) checker for the keywords src/report/json-schema.json uses.
 * No validator package is installed, so the tests check the output against the real schema file
 * with this; an unsupported keyword throws, so the schema cannot silently outgrow the checker.
 */
type Schema = { [key: string]: unknown };

const SUPPORTED = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  '$comment',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'minimum',
  'minLength',
  'pattern',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Returns the list of violations (empty when `value` conforms), as `path: problem`. */
export function checkSchema(root: Schema, value: unknown): string[] {
  const errors: string[] = [];

  const resolve = (ref: string): Schema => {
    const m = /^#\/\$defs\/([\w-]+)$/.exec(ref);
    const defs = root.$defs as Record<string, Schema> | undefined;
    const target = m ? defs?.[m[1]!] : undefined;
    if (!target) throw new Error(`unsupported or dangling $ref ${ref}`);
    return target;
  };

  const visit = (schema: Schema, v: unknown, path: string): void => {
    for (const key of Object.keys(schema)) {
      if (!SUPPORTED.has(key)) throw new Error(`schema keyword "${key}" at ${path} is not supported by the test checker`);
    }
    if (typeof schema.$ref === 'string') visit(resolve(schema.$ref), v, path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) {
      errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(v)}`);
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errors.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof v === 'string') {
      if (typeof schema.minLength === 'number' && [...v].length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) {
        errors.push(`${path}: ${JSON.stringify(v)} does not match ${schema.pattern}`);
      }
    }
    if (typeof v === 'number' && typeof schema.minimum === 'number' && v < schema.minimum) {
      errors.push(`${path}: ${v} is less than ${schema.minimum}`);
    }
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
      if (schema.items && typeof schema.items === 'object') v.forEach((item, i) => visit(schema.items as Schema, item, `${path}[${i}]`));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) {
        if (!(key in obj)) errors.push(`${path}: missing required "${key}"`);
      }
      for (const [key, child] of Object.entries(obj)) {
        if (props[key]) visit(props[key], child, `${path}.${key}`);
        else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property "${key}"`);
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          visit(schema.additionalProperties as Schema, child, `${path}.${key}`);
        }
      }
    }
  };

  visit(root, value, '$');
  return errors;
}
