/**
 * Reading a model file (models as data: taint, concurrency, failure paths): YAML parsed with
 * line positions, validated against the file's schema, and every error a ModelError naming the
 * file and the line of the offending node.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';

export class ModelError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
    this.name = 'ModelError';
  }
}

/**
 * The file's data as the schema accepts it, and the line of any node along a validation path (for
 * checks the schema cannot express). Throws ModelError for invalid YAML or data the schema rejects.
 */
export function parseModelYaml<S extends z.ZodType>(file: string, text: string, schema: S): { data: z.infer<S>; lineOf: (path: readonly PropertyKey[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ModelError(file, e.linePos?.[0].line, `invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    const node = nodeAt(doc.contents as YamlNode | null, path);
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ModelError(file, lineOf(issue.path), `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return { data: result.data, lineOf };
}

/** The deepest YAML node along a validation path. */
function nodeAt(root: YamlNode | null, path: readonly PropertyKey[]): YamlNode | null {
  let node: YamlNode | null = root;
  for (const key of path) {
    if (isMap(node)) {
      const next = node.get(String(key), true) as YamlNode | undefined;
      if (!next) return node;
      node = next;
    } else if (isSeq(node) && typeof key === 'number') {
      const next = node.items[key] as YamlNode | undefined;
      if (!next) return node;
      node = next;
    } else return node;
  }
  return node;
}
