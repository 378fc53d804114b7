import type { Node, Tree } from '../../parse/tree-sitter.js';
import type { GrammarId } from '../../parse/tree-sitter.js';
import { SyntaxTree } from '../../parse/syntax-tree.js';
import type { SourceModule } from '../types.js';
import { lineStartsOf } from '../../parse/line-starts.js';
import { JS_GLOBALS } from './globals.js';

/** Parents whose children are statements (for suppressions and fingerprints). */
const STATEMENT_PARENTS = new Set(['program', 'statement_block', 'switch_case', 'switch_default', 'class_body']);

/** Extensions each JavaScript-family file is read as, and the grammar that parses it. */
export const JS_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx'] as const;
export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'] as const;
export const TSX_EXTENSIONS = ['.tsx'] as const;

/** `src/lib/helpers.js` → `src.lib.helpers`; `src/lib/index.ts` → `src.lib`. */
export function jsModuleNameForPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .replace(/\.(?:[cm]?[jt]sx?)$/i, '')
    .split('/')
    .filter((p) => p && p !== '.');
  if (parts.length > 1 && parts[parts.length - 1] === 'index') parts.pop();
  return parts.join('.');
}

/**
 * The qualified name a module specifier denotes, seen from the module at `fromPath`:
 * `'child_process'` and `'node:child_process'` are `child_process`, `'fs/promises'` is
 * `fs.promises`, `'./helpers.js'` next to `src/app.js` is `src.helpers`.
 */
export function resolveSpecifier(specifier: string, fromPath: string): string {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const dir = fromPath.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
    dir.pop();
    for (const part of specifier.replace(/\.(?:[cm]?[jt]sx?)$/i, '').split('/')) {
      if (part === '.' || part === '') continue;
      if (part === '..') dir.pop();
      else dir.push(part);
    }
    return jsModuleNameForPath(dir.join('/') + '.js');
  }
  return specifier.replace(/^node:/, '').replace(/\/index$/, '').split('/').filter(Boolean).join('.');
}

/**
 * The JavaScript/TypeScript front end's view of one file: the tree copy, comments, and the
 * import table (ES `import`, CommonJS `require`, destructured requires) that gives calls their
 * qualified names.
 */
export class JavaScriptModule implements SourceModule {
  readonly language = 'javascript';
  /** Local name → qualified name (`exec` → `child_process.exec`). */
  readonly imports = new Map<string, string>();
  readonly comments: Node[] = [];
  /** Names declared at the top level (they shadow globals such as `fetch` or `location`). */
  readonly topLevelNames = new Set<string>();
  /** Local names bound by imports of the scan's own modules (`./helpers`): not libraries. */
  readonly importedLocally = new Set<string>();
  /** Names of TypeScript enums declared in the file (a parameter of such a type carries no text). */
  readonly enums = new Set<string>();
  private syntaxTree: SyntaxTree | undefined;
  private lineStarts: Int32Array | undefined;

  constructor(
    readonly path: string,
    readonly source: string,
    readonly tree: Tree | undefined,
    readonly grammar: GrammarId,
    syntax?: SyntaxTree,
  ) {
    this.syntaxTree = syntax;
  }

  get syntax(): SyntaxTree {
    return (this.syntaxTree ??= new SyntaxTree(this.source, this.tree!));
  }

  get root(): Node {
    return this.syntax.root;
  }

  /** Whether the file is TypeScript (annotations mean something). */
  get typed(): boolean {
    return this.grammar === 'typescript' || this.grammar === 'tsx';
  }

  text(node: Node): string {
    return node.text;
  }

  get lineCount(): number {
    const starts = this.starts();
    // A final line break does not start a line of its own.
    return starts.length > 1 && starts[starts.length - 1] === this.source.length ? starts.length - 1 : starts.length;
  }

  line(n: number): string {
    const starts = this.starts();
    const start = starts[n - 1];
    if (start === undefined) return '';
    let end = n < starts.length ? starts[n]! : this.source.length;
    while (end > start && (this.source[end - 1] === '\n' || this.source[end - 1] === '\r')) end--;
    return this.source.slice(start, end);
  }

  private starts(): Int32Array {
    return (this.lineStarts ??= lineStartsOf(this.source));
  }

  /** `// text` → ` text`; `/* text *\/` → ` text ` (leading `*` of continuation lines removed). */
  commentBody(comment: Node): string {
    const t = comment.text;
    if (t.startsWith('//')) return t.slice(2);
    if (t.startsWith('/*')) {
      return t
        .slice(2, t.endsWith('*/') ? -2 : undefined)
        .split('\n')
        .map((l) => l.replace(/^\s*\*(?!\/)/, ''))
        .join('\n');
    }
    return t;
  }

  statementOf(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = current.parent;
      if (!parent || STATEMENT_PARENTS.has(parent.type)) return current;
      current = parent;
    }
  }

  /** The qualified name of a global the file does not shadow at its top level (`fetch`, `eval`). */
  globalName(name: string): string | undefined {
    return JS_GLOBALS.has(name) && !this.topLevelNames.has(name) ? name : undefined;
  }

  // ---- collection (the front end calls these while walking) ----------------------------

  /** `import … from 'm'` and `export … from 'm'` bindings. */
  addImport(node: Node): void {
    const sourceNode = node.childForFieldName('source');
    if (!sourceNode) return;
    const specifier = stringValue(sourceNode);
    const from = resolveSpecifier(specifier, this.path);
    if (node.type !== 'import_statement') return;
    const set = (local: string, q: string): void => {
      this.imports.set(local, q);
      if (specifier.startsWith('.')) this.importedLocally.add(local);
    };
    for (const clause of node.namedChildren) {
      if (clause.type !== 'import_clause') continue;
      for (const part of clause.namedChildren) {
        if (part.type === 'identifier') set(part.text, from); // default import: the module (CommonJS interop)
        else if (part.type === 'namespace_import') {
          const id = part.namedChildren.find((c) => c.type === 'identifier');
          if (id) set(id.text, from);
        } else if (part.type === 'named_imports') {
          for (const spec of part.namedChildren) {
            if (spec.type !== 'import_specifier') continue;
            const name = spec.childForFieldName('name');
            const alias = spec.childForFieldName('alias') ?? name;
            if (name && alias) set(alias.text, name.text === 'default' ? from : `${from}.${stringValue(name)}`);
          }
        }
      }
    }
  }

  /**
   * A declarator whose value is a `require()` (possibly with members after it):
   * `const cp = require('child_process')`, `const { exec, spawn: run } = require('child_process')`,
   * `const exec = require('child_process').exec`.
   */
  addRequire(declarator: Node): void {
    const name = declarator.childForFieldName('name');
    const value = declarator.childForFieldName('value');
    if (!name || !value) return;
    const q = this.requiredName(value);
    if (q === undefined) return;
    const local = /require\(\s*['"`]\./.test(value.text);
    const set = (name: string, qname: string): void => {
      this.imports.set(name, qname);
      if (local) this.importedLocally.add(name);
    };
    if (name.type === 'identifier') set(name.text, q);
    else if (name.type === 'object_pattern') {
      for (const p of name.namedChildren) {
        if (p.type === 'shorthand_property_identifier_pattern') set(p.text, `${q}.${p.text}`);
        else if (p.type === 'pair_pattern') {
          const key = p.childForFieldName('key');
          const v = p.childForFieldName('value');
          if (key && v?.type === 'identifier') set(v.text, `${q}.${stringValue(key)}`);
        }
      }
    }
  }

  /** The qualified name of `require('m')` / `require('m').a.b` / `await import('m')`, if `value` is one. */
  requiredName(value: Node): string | undefined {
    let v = value;
    const members: string[] = [];
    while (v.type === 'member_expression' || v.type === 'await_expression' || v.type === 'parenthesized_expression') {
      if (v.type === 'member_expression') {
        const prop = v.childForFieldName('property');
        if (!prop) return undefined;
        members.unshift(prop.text);
        v = v.childForFieldName('object')!;
      } else v = v.namedChildren[0]!;
      if (!v) return undefined;
    }
    if (v.type !== 'call_expression') return undefined;
    const fn = v.childForFieldName('function');
    if (!fn || !(fn.type === 'import' || (fn.type === 'identifier' && fn.text === 'require'))) return undefined;
    const arg = v.childForFieldName('arguments')?.namedChildren[0];
    if (!arg || arg.type !== 'string') return undefined;
    return [resolveSpecifier(stringValue(arg), this.path), ...members].join('.');
  }
}

/** The value of a string literal node (or an identifier's text). */
export function stringValue(node: Node): string {
  if (node.type === 'string') return node.namedChildren.filter((c) => c.type === 'string_fragment' || c.type === 'escape_sequence').map((c) => c.text).join('');
  return node.text;
}
