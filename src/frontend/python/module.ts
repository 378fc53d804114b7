import type { HidingDeclaration } from '../../parse/decode.js';
import type { Node, Tree } from '../../parse/tree-sitter.js';
import { SyntaxTree } from '../../parse/syntax-tree.js';
import type { SourceModule } from '../types.js';
import { PYTHON_BUILTINS } from './builtins.js';

/** A constant Python value as far as we can fold it statically. */
export type PyConstant = string | number | boolean | null;

/** A call site with its callee resolved through imports and aliases. */
export interface PyCall {
  readonly node: Node;
  readonly callee: Node;
  /**
   * Qualified name when the callee resolves through an import or is an unshadowed builtin:
   * `sp.Popen` with `import subprocess as sp` gives `subprocess.Popen`; `system` with
   * `from os import system` gives `os.system`; `eval` gives `eval`.
   */
  readonly qname: string | undefined;
  /** For `x.y(...)`: `y`. */
  readonly method: string | undefined;
  /** For `x.y(...)`: the node `x`. */
  readonly receiver: Node | undefined;
  readonly positional: readonly Node[];
  readonly keywords: ReadonlyMap<string, Node>;
  readonly hasStarArgs: boolean;
  readonly hasStarKwargs: boolean;
  /** The argument bound to positional `index` or keyword `keyword`. */
  arg(index: number | undefined, keyword?: string): Node | undefined;
}

const STATEMENT_PARENTS = new Set(['block', 'module']);

/**
 * The Python front end's view of one file: the tree plus import/alias resolution, constant
 * folding and the small structural helpers rules need.
 */
export class PythonModule implements SourceModule {
  readonly language = 'python';
  /** Local name → qualified name, from every import statement in the file. */
  readonly imports = new Map<string, string>();
  /** The modules plain `import a.b.c` statements name in full (`imports` binds only `a`). */
  readonly importedModules: string[] = [];
  /** Names defined at module level by def/class/assignment (they shadow builtins). */
  readonly moduleDefinitions = new Set<string>();
  /** Module-level names assigned exactly once: name → value node. */
  readonly moduleConstants = new Map<string, Node>();
  readonly comments: Node[] = [];
  /** A declared encoding that can hide code, with which the source was decoded (see parse/decode.ts). */
  sourceEncoding?: HidingDeclaration;
  /**
   * Could `name` be bound in this file other than by an import (a parameter, an assignment,
   * a loop or `as` target, a definition)? A superset answered from the source text: any use
   * of the name that is not an attribute access, call or subscript, outside import lines.
   * `false` is certain and lets scope checks skip the tree; `true` means "look closer".
   */
  mayRebind(name: string): boolean {
    let v = this.rebindCache.get(name);
    if (v === undefined) {
      v = false;
      const next = name ? (from: number) => this.nextUse(name, from) : emptyNameUses(this.source);
      for (let i = next(0); i >= 0; i = next(i + name.length)) {
        const lineStart = this.source.lastIndexOf('\n', i) + 1;
        if (!/^[ \t]*(?:from[ \t].*[ \t])?import[ \t]/.test(this.source.slice(lineStart, i + name.length + 200))) {
          v = true;
          break;
        }
      }
      this.rebindCache.set(name, v);
    }
    return v;
  }

  /**
   * The next match of /(?<![\w.])name(?![\w])(?![ \t]*[.(\[])/g from `from`, found with indexOf:
   * a regex with a look-behind, compiled per name, cost more than anything else in this class.
   */
  private nextUse(name: string, from: number): number {
    const s = this.source;
    for (let i = s.indexOf(name, from); i >= 0; i = s.indexOf(name, i + 1)) {
      if (i > 0 && isWordOrDot(s.charCodeAt(i - 1))) continue;
      let j = i + name.length;
      if (j < s.length && isWord(s.charCodeAt(j))) continue;
      while (j < s.length && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
      const next = s.charCodeAt(j);
      if (next === 46 || next === 40 || next === 91) continue; // . ( [
      return i;
    }
    return -1;
  }

  private readonly rebindCache = new Map<string, boolean>();
  private lineStarts: number[] | undefined;
  private readonly callCache = new Map<number, PyCall>();
  private readonly assignedTwice = new Set<string>();

  private syntaxTree: SyntaxTree | undefined;

  /** From a parsed tree, or (`tree` undefined) from a tree copy made by another thread. */
  constructor(
    readonly path: string,
    readonly source: string,
    readonly tree: Tree | undefined,
    syntax?: SyntaxTree,
  ) {
    this.syntaxTree = syntax;
  }

  /** The tree copied into JavaScript on first use (one cursor walk); see SyntaxTree. */
  get syntax(): SyntaxTree {
    return (this.syntaxTree ??= new SyntaxTree(this.source, this.tree!));
  }

  get root(): Node {
    return this.syntax.root;
  }

  // ---- text and lines -------------------------------------------------------------------

  text(node: Node): string {
    return node.text;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  /** 1-based line text without its line break. */
  line(n: number): string {
    const starts = this.starts();
    const start = starts[n - 1];
    if (start === undefined) return '';
    const next = starts[n];
    let end = next === undefined ? this.source.length : next;
    while (end > start && (this.source[end - 1] === '\n' || this.source[end - 1] === '\r')) end--;
    return this.source.slice(start, end);
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const s = this.source;
      if (!s.includes('\r')) {
        for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) starts.push(i + 1);
      } else {
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c === 10) starts.push(i + 1);
          else if (c === 13 && s.charCodeAt(i + 1) !== 10) starts.push(i + 1);
        }
      }
      if (starts.length > 1 && starts[starts.length - 1] === s.length) starts.pop();
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  commentBody(comment: Node): string {
    return comment.text.replace(/^#/, '');
  }

  // ---- structure ------------------------------------------------------------------------

  statementOf(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = current.parent;
      if (!parent || STATEMENT_PARENTS.has(parent.type)) return current;
      current = parent;
    }
  }

  /** The innermost function definition around `node`, if any. */
  enclosingFunction(node: Node): Node | undefined {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'function_definition') return p;
    }
    return undefined;
  }

  /** Strip redundant parentheses. */
  unwrap(node: Node): Node {
    let n = node;
    while (n.type === 'parenthesized_expression') {
      const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
      if (!inner) break;
      n = inner;
    }
    return n;
  }

  // ---- front-end construction (called by the front end while walking) -------------------

  /** Record an import statement's bindings. */
  addImport(node: Node): void {
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          // `import a.b.c` binds `a`, and attribute access spells out the rest.
          const first = child.namedChildren[0]?.text;
          if (first) this.imports.set(first, first);
          this.importedModules.push(child.text);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) this.imports.set(alias, name);
        }
      }
      return;
    }
    if (node.type === 'import_from_statement') {
      const moduleNode = node.childForFieldName('module_name');
      if (!moduleNode) return;
      const moduleName = moduleNode.text.replace(/\s+/g, '');
      for (const child of node.childrenForFieldName('name')) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          this.imports.set(child.text, `${moduleName}${moduleName.endsWith('.') ? '' : '.'}${child.text}`);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) this.imports.set(alias, `${moduleName}${moduleName.endsWith('.') ? '' : '.'}${name}`);
        }
      }
    }
  }

  /** Record a module-level definition or assignment (they shadow builtins; single ones fold). */
  addModuleDefinition(statement: Node): void {
    let node = statement;
    if (node.type === 'decorated_definition') {
      const def = node.childForFieldName('definition');
      if (!def) return;
      node = def;
    }
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const name = node.childForFieldName('name')?.text;
      if (name) this.moduleDefinitions.add(name);
      return;
    }
    if (node.type === 'expression_statement') {
      const assignment = node.namedChildren[0];
      if (!assignment || assignment.type !== 'assignment') return;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier') return;
      const name = left.text;
      this.moduleDefinitions.add(name);
      if (this.moduleConstants.has(name) || this.assignedTwice.has(name)) {
        this.moduleConstants.delete(name);
        this.assignedTwice.add(name);
      } else if (right) {
        this.moduleConstants.set(name, right);
      }
    }
  }

  // ---- name resolution ------------------------------------------------------------------

  /**
   * The qualified name of a dotted expression, or undefined when its root is neither an
   * import nor an unshadowed builtin (a local variable, `self`, a call result...).
   */
  resolve(node: Node): string | undefined {
    const n = this.unwrap(node);
    if (n.type === 'identifier') {
      const name = n.text;
      const imported = this.imports.get(name);
      if (imported) return imported;
      if (PYTHON_BUILTINS.has(name) && !this.moduleDefinitions.has(name)) return name;
      return undefined;
    }
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute');
      if (!object || !attr) return undefined;
      const base = this.resolve(object);
      return base === undefined ? undefined : `${base}.${attr.text}`;
    }
    return undefined;
  }

  /** Dotted spelling of an identifier/attribute chain (`self.conn.execute`), else undefined. */
  dottedName(node: Node): string | undefined {
    const n = this.unwrap(node);
    if (n.type === 'identifier') return n.text;
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute');
      if (!object || !attr) return undefined;
      const base = this.dottedName(object);
      return base === undefined ? undefined : `${base}.${attr.text}`;
    }
    return undefined;
  }

  /** Call-site view of a `call` node (cached per node). */
  call(node: Node): PyCall {
    const cached = this.callCache.get(node.id);
    if (cached) return cached;
    const call = new LazyCall(this, node);
    this.callCache.set(node.id, call);
    return call;
  }

  // ---- constants ------------------------------------------------------------------------

  /**
   * Fold an expression to a constant: literals, implicit and `+` string concatenation,
   * unary minus, and module-level names assigned once to a constant. Undefined otherwise.
   */
  constantValue(node: Node, depth = 0): PyConstant | undefined {
    if (depth > 20) return undefined;
    const n = this.unwrap(node);
    switch (n.type) {
      case 'string':
        return this.stringLiteral(n);
      case 'concatenated_string': {
        let out = '';
        for (const part of n.namedChildren) {
          if (!part) continue;
          const v = this.stringLiteral(part);
          if (v === undefined) return undefined;
          out += v;
        }
        return out;
      }
      case 'integer': {
        const v = Number(n.text.replace(/_/g, '').replace(/[lL]$/, ''));
        return Number.isFinite(v) ? v : undefined;
      }
      case 'float': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? v : undefined;
      }
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'unary_operator': {
        const op = n.childForFieldName('operator')?.text;
        const arg = n.childForFieldName('argument');
        const v = arg ? this.constantValue(arg, depth + 1) : undefined;
        if (typeof v !== 'number') return undefined;
        return op === '-' ? -v : op === '+' ? v : undefined;
      }
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if (!l || !r) return undefined;
        const a = this.constantValue(l, depth + 1);
        const b = this.constantValue(r, depth + 1);
        if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
        if (typeof a === 'number' && typeof b === 'number') {
          switch (op) {
            case '+': return a + b;
            case '-': return a - b;
            case '*': return a * b;
            case '|': return a | b;
            case '&': return a & b;
            case '<<': return a << b;
            default: return undefined;
          }
        }
        return undefined;
      }
      case 'identifier': {
        const value = this.moduleConstants.get(n.text);
        if (!value || value === n) return undefined;
        return this.constantValue(value, depth + 1);
      }
      default:
        return undefined;
    }
  }

  /** The value of a plain (non-f) string literal, with simple escapes decoded. */
  stringLiteral(n: Node): string | undefined {
    if (n.type !== 'string') return undefined;
    const parts = n.namedChildren;
    const start = parts[0];
    const prefix = start?.type === 'string_start' ? stringPrefix(start.text) : '';
    if (prefix.includes('f') || prefix.includes('t')) {
      // An f-string folds only when it has no interpolation.
      if (parts.some((c) => c?.type === 'interpolation')) return undefined;
    }
    if (prefix.includes('b')) return undefined;
    const raw = prefix.includes('r');
    let out = '';
    for (const c of parts) {
      if (!c) continue;
      if (c.type === 'string_content') out += raw ? c.text : decodeEscapes(c.text);
      else if (c.type === 'escape_sequence') out += raw ? c.text : decodeEscapes(c.text);
    }
    return out;
  }

  /** True for a string literal (of any kind, including f-strings) node. */
  isStringLiteral(node: Node): boolean {
    const n = this.unwrap(node);
    return n.type === 'string' || n.type === 'concatenated_string';
  }

  /**
   * True when the value cannot carry data from outside the program: folded constants,
   * containers of constants, UPPER_CASE names (constants by convention, possibly imported),
   * f-strings/format/`%` whose every part is constant.
   */
  isConstantExpression(node: Node, depth = 0): boolean {
    if (depth > 20) return false;
    const n = this.unwrap(node);
    if (this.constantValue(n) !== undefined) return true;
    switch (n.type) {
      case 'string':
        return n.namedChildren.every(
          (c) => !c || c.type !== 'interpolation' || this.isConstantExpression(c.childForFieldName('expression') ?? c, depth + 1),
        );
      case 'concatenated_string':
        return n.namedChildren.every((c) => !c || this.isConstantExpression(c, depth + 1));
      case 'list':
      case 'tuple':
      case 'set':
        return n.namedChildren.every((c) => !c || c.type === 'comment' || this.isConstantExpression(c, depth + 1));
      case 'dictionary':
        return n.namedChildren.every((pair) => {
          if (!pair || pair.type === 'comment') return true;
          if (pair.type !== 'pair') return false;
          const k = pair.childForFieldName('key');
          const v = pair.childForFieldName('value');
          return !!k && !!v && this.isConstantExpression(k, depth + 1) && this.isConstantExpression(v, depth + 1);
        });
      case 'identifier':
        return isConstantName(n.text);
      case 'attribute': {
        // `CONF.MAX`, `constants.DEVICE_NAME`, `Mode.READ`: an UPPER_CASE attribute of a module,
        // class or constant. Not of a value: Django's `request.GET` is request data.
        const attr = n.childForFieldName('attribute')?.text;
        const object = n.childForFieldName('object');
        if (attr === undefined || !isConstantName(attr) || !object) return false;
        const base = this.unwrap(object);
        if (base.type === 'identifier') {
          return this.imports.has(base.text) || isConstantName(base.text) || /^[A-Z]/.test(base.text);
        }
        return base.type === 'attribute' && this.isConstantExpression(base, depth + 1);
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        return !!l && !!r && this.isConstantExpression(l, depth + 1) && this.isConstantExpression(r, depth + 1);
      }
      case 'call': {
        // "...".format(<constants>) and str(<constant>)
        const call = this.call(n);
        if (call.hasStarArgs || call.hasStarKwargs) return false;
        const argsConstant =
          call.positional.every((a) => this.isConstantExpression(a, depth + 1)) &&
          [...call.keywords.values()].every((a) => this.isConstantExpression(a, depth + 1));
        if (call.method === 'format' && call.receiver && this.isConstantExpression(call.receiver, depth + 1)) return argsConstant;
        if ((call.qname === 'str' || call.qname === 'int') && argsConstant) return true;
        if (call.method === 'join' && call.receiver && this.isConstantExpression(call.receiver, depth + 1)) return argsConstant;
        return false;
      }
      default:
        return false;
    }
  }
}

const NO_KEYWORDS: ReadonlyMap<string, Node> = new Map();

/**
 * A call site whose parts are read from the tree on first use: ~30 rules see every call,
 * most look only at `qname` or `method`, and each tree read crosses into WebAssembly.
 */
class LazyCall implements PyCall {
  readonly callee: Node;
  private resolved = false;
  private qnameValue: string | undefined;
  private calleeParts: { method: string | undefined; receiver: Node | undefined } | undefined;
  private args: { positional: Node[]; keywords: ReadonlyMap<string, Node>; starArgs: boolean; starKwargs: boolean } | undefined;

  constructor(
    private readonly module: PythonModule,
    readonly node: Node,
  ) {
    this.callee = node.childForFieldName('function') ?? node;
  }

  get qname(): string | undefined {
    if (!this.resolved) {
      this.qnameValue = this.module.resolve(this.callee);
      this.resolved = true;
    }
    return this.qnameValue;
  }

  private parts(): { method: string | undefined; receiver: Node | undefined } {
    if (!this.calleeParts) {
      const unwrapped = this.module.unwrap(this.callee);
      const isAttribute = unwrapped.type === 'attribute';
      this.calleeParts = {
        method: isAttribute ? unwrapped.childForFieldName('attribute')?.text : undefined,
        receiver: isAttribute ? (unwrapped.childForFieldName('object') ?? undefined) : undefined,
      };
    }
    return this.calleeParts;
  }

  get method(): string | undefined {
    return this.parts().method;
  }

  get receiver(): Node | undefined {
    return this.parts().receiver;
  }

  private argumentsOf(): { positional: Node[]; keywords: ReadonlyMap<string, Node>; starArgs: boolean; starKwargs: boolean } {
    if (this.args) return this.args;
    const positional: Node[] = [];
    // Most calls pass no keyword: they share one empty map.
    let keywords: Map<string, Node> | undefined;
    let starArgs = false;
    let starKwargs = false;
    const args = this.node.childForFieldName('arguments');
    if (args && args.type === 'argument_list') {
      for (const a of args.namedChildren) {
        if (!a) continue;
        const type = a.type;
        if (type === 'comment') continue;
        if (type === 'keyword_argument') {
          const name = a.childForFieldName('name')?.text;
          const value = a.childForFieldName('value');
          if (name && value) (keywords ??= new Map()).set(name, value);
        } else if (type === 'list_splat') {
          starArgs = true;
        } else if (type === 'dictionary_splat') {
          starKwargs = true;
        } else {
          positional.push(a);
        }
      }
    } else if (args) {
      // `f(x for x in y)`: a lone generator argument.
      positional.push(args);
    }
    this.args = { positional, keywords: keywords ?? NO_KEYWORDS, starArgs, starKwargs };
    return this.args;
  }

  get positional(): readonly Node[] {
    return this.argumentsOf().positional;
  }

  get keywords(): ReadonlyMap<string, Node> {
    return this.argumentsOf().keywords;
  }

  get hasStarArgs(): boolean {
    return this.argumentsOf().starArgs;
  }

  get hasStarKwargs(): boolean {
    return this.argumentsOf().starKwargs;
  }

  arg(index: number | undefined, keyword?: string): Node | undefined {
    const { positional, keywords } = this.argumentsOf();
    if (keyword !== undefined) {
      const k = keywords.get(keyword);
      if (k) return k;
    }
    return index === undefined ? undefined : positional[index];
  }
}

/** `rb'''` → `rb`: the text without its trailing quotes, lower-cased (as /['"]+$/ strips them). */
function stringPrefix(start: string): string {
  let end = start.length;
  while (end > 0 && (start.charCodeAt(end - 1) === 39 || start.charCodeAt(end - 1) === 34)) end--;
  return end === 0 ? '' : start.slice(0, end).toLowerCase();
}

/** UPPER_CASE names are constants by Python convention (PEP 8). */
export function isConstantName(name: string): boolean {
  return /^_*[A-Z][A-Z0-9_]*$/.test(name) && /[A-Z]/.test(name);
}

function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.|\n)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        return String.fromCharCode(parseInt(e, 8));
      case 'x': case 'u': case 'U':
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      case '\n': return '';
      case '\\': return '\\';
      case "'": return "'";
      case '"': return '"';
      default: return `\\${e}`;
    }
  });
}

/** The regex of `nextUse` for an empty name (a MISSING identifier's text), as matchAll steps it. */
function emptyNameUses(source: string): (from: number) => number {
  const use = /(?<![\w.])(?![\w])(?![ \t]*[.(\[])/g;
  let last = -1;
  return (from) => {
    // matchAll moves one past an empty match.
    use.lastIndex = from === last ? from + 1 : from;
    const m = use.exec(source);
    last = m ? m.index : -1;
    return last;
  };
}

/** \w as JavaScript regexes read it without the u flag: [A-Za-z0-9_]. */
function isWord(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isWordOrDot(c: number): boolean {
  return c === 46 || isWord(c);
}
