import type { Node } from '../../parse/tree-sitter.js';

/** TypeScript types whose values cannot carry attacker text into a string sink. */
const TEXTLESS_PREDEFINED = new Set(['number', 'boolean', 'bigint', 'symbol', 'void', 'never', 'undefined', 'null']);

/**
 * Whether a parameter's declared type carries no text: `number`, `boolean`, an enum declared
 * in the file, a literal type or a union of such (`'asc' | 'desc'`, `1 | 2`), an array of such.
 * `string`, `any`, `unknown`, objects and other named types may carry text.
 */
export function carriesNoText(type: Node, enums: ReadonlySet<string>): boolean {
  let t: Node | null = type;
  if (t.type === 'type_annotation') t = t.namedChildren[0] ?? null;
  if (!t) return false;
  switch (t.type) {
    case 'predefined_type':
      return TEXTLESS_PREDEFINED.has(t.text);
    case 'type_identifier':
      return enums.has(t.text);
    case 'literal_type':
      // A string literal type is one fixed string: no attacker text either.
      return true;
    case 'union_type':
      return t.namedChildren.length > 0 && t.namedChildren.every((c) => carriesNoText(c, enums));
    case 'parenthesized_type':
    case 'array_type':
    case 'readonly_type':
      return t.namedChildren.length > 0 && t.namedChildren.every((c) => carriesNoText(c, enums));
    default:
      return false;
  }
}
