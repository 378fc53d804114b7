/**
 * A small reader of Jinja2 and Django templates, for one purpose: which expressions a
 * template outputs without HTML escaping, and which context variables they read.
 *
 * It is a tokenizer of `{{ … }}`, `{% … %}` and `{# … #}` (with Jinja's `-`/`+` whitespace
 * control), not a parser of the template languages: an output's variables are the names its
 * expression starts from (`user.bio|safe` reads `user`), loop and `set`/`with` variables stand
 * for the names they are bound from, and everything else (macros, includes, extends, custom
 * filters and tags) is not followed. It never fails: text it cannot make sense of is text.
 */

/** Where an expression is in the template (1-based line, 0-based column, as the engine's spans). */
export interface TemplateSpan {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  text: string;
}

/** One `{{ … }}` output. */
export interface TemplateOutput {
  span: TemplateSpan;
  /** Context variables the expression reads (loop and `set` variables resolved to their sources). */
  variables: string[];
  /** Why it is not escaped whatever the engine's default: `|safe`, `Markup(...)`. */
  marked?: string;
  /** An escaping or converting filter applies (`|e`, `|escape`, `|int`, `|tojson`…): safe. */
  escaped: boolean;
  /**
   * The innermost `{% autoescape %}` block around it: true (on), false (off), or undefined
   * (none: the engine's default for the file applies).
   */
  autoescape?: boolean;
}

export interface TemplateFacts {
  outputs: TemplateOutput[];
  /** `{% autoescape false %}` / `{% autoescape off %}` blocks: where they start. */
  autoescapeOff: TemplateSpan[];
}

/** Filters whose result is marked safe, so autoescaping does not apply. */
const SAFE_FILTERS = new Set(['safe', 'safeseq', 'mark_safe', 'markup']);
/** Filters that escape, or whose result cannot hold markup. */
const ESCAPING_FILTERS = new Set([
  'e', 'escape', 'forceescape', 'force_escape', 'escapejs', 'urlencode', 'tojson', 'json_script',
  'int', 'float', 'length', 'count', 'wordcount', 'filesizeformat',
]);
/** Calls in an expression whose result is marked safe: `{{ Markup(x) }}`. */
const SAFE_CALLS = /\b(?:markupsafe\.)?Markup\s*\(|\bmark_safe\s*\(/;
/** Words of the expression language that are not variables. */
const KEYWORDS = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else', 'true', 'false', 'none', 'True', 'False', 'None',
  'loop', 'super', 'self', 'caller', 'varargs', 'kwargs', 'range', 'lipsum', 'dict', 'cycler', 'joiner',
  'namespace', 'Markup', 'markupsafe', 'mark_safe', 'forloop', 'block', 'csrf_token', 'request',
]);

interface Token {
  kind: 'output' | 'tag' | 'comment';
  /** The inside, without delimiters and whitespace control. */
  body: string;
  start: number;
  end: number;
}

/** The template's tags, outputs and comments, in order; `{% raw %}`, `{% verbatim %}` and `{% comment %}` bodies are skipped. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const open = /\{([{%#])/g;
  let rawEnd: RegExp | undefined;
  let at = 0;
  while (at < source.length) {
    open.lastIndex = at;
    const m = open.exec(source);
    if (!m) break;
    const kind = m[1] === '{' ? 'output' : m[1] === '%' ? 'tag' : 'comment';
    const close = kind === 'output' ? '}}' : kind === 'tag' ? '%}' : '#}';
    const end = source.indexOf(close, m.index + 2);
    if (end < 0) break;
    const body = source.slice(m.index + 2, end).replace(/^[-+]/, '').replace(/[-+]$/, '').trim();
    const token: Token = { kind, body, start: m.index, end: end + 2 };
    at = token.end;
    if (rawEnd) {
      if (kind === 'tag' && rawEnd.test(body)) rawEnd = undefined;
      continue;
    }
    // Jinja's raw and Django's verbatim output their body as text; Django's comment block drops it.
    if (kind === 'tag' && /^(raw|verbatim|comment)\b/.test(body)) rawEnd = /^end(raw|verbatim|comment)\b/;
    tokens.push(token);
  }
  return tokens;
}

/** Line starts of a text (\n, \r\n and lone \r end lines). */
function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && source.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! };
}

/** Split at `|` outside strings, parentheses and brackets (`||` does not occur in these languages). */
function splitFilters(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let from = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expr.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(expr.slice(from));
  return parts.map((p) => p.trim());
}

/** Names an expression starts from: identifiers not after a `.`, outside strings, not keywords or keyword-argument names. */
export function rootNames(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const names: string[] = [];
  const word = /[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  while ((m = word.exec(noStrings))) {
    const before = noStrings.slice(0, m.index).trimEnd();
    if (before.endsWith('.')) continue;
    const after = noStrings.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('=') && !after.startsWith('==')) continue;
    if (/^\d/.test(m[0]) || KEYWORDS.has(m[0])) continue;
    if (!names.includes(m[0])) names.push(m[0]);
  }
  return names;
}

/** The filter's name (`truncate(20)` → `truncate`). */
const filterName = (f: string): string => /^[A-Za-z_][A-Za-z0-9_]*/.exec(f)?.[0] ?? '';

/** Read a template's unescaped-output facts. */
export function readTemplate(source: string): TemplateFacts {
  const starts = lineStartsOf(source);
  const spanOf = (t: Token): TemplateSpan => {
    const a = position(starts, t.start);
    const b = position(starts, t.end);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column, text: source.slice(t.start, t.end) };
  };
  const outputs: TemplateOutput[] = [];
  const autoescapeOff: TemplateSpan[] = [];
  const autoescape: boolean[] = [];
  /** Loop and `set`/`with` variables → the context variables they come from. */
  const aliases = new Map<string, string[]>();
  const resolve = (names: readonly string[]): string[] => {
    const out: string[] = [];
    for (const n of names) for (const r of aliases.get(n) ?? [n]) if (!out.includes(r)) out.push(r);
    return out;
  };
  for (const t of tokenize(source)) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'tag') {
      const [, tag = '', rest = ''] = /^(\w+)\s*([\s\S]*)$/.exec(t.body) ?? [];
      if (tag === 'autoescape') {
        const on = !/^(false|False|off|no)\b/.test(rest.trim());
        autoescape.push(on);
        if (!on) autoescapeOff.push(spanOf(t));
      } else if (tag === 'endautoescape') autoescape.pop();
      else if (tag === 'for') {
        const m = /^([\w\s,()]+?)\s+in\s+([\s\S]+)$/.exec(rest);
        if (m) {
          const from = resolve(rootNames(splitFilters(m[2]!.replace(/\s+(if|recursive)\b[\s\S]*$/, ''))[0]!));
          for (const v of m[1]!.split(/[\s,()]+/).filter(Boolean)) aliases.set(v, from);
        }
      } else if (tag === 'set' || tag === 'with') {
        // `{% set x = expr %}`, `{% with x=expr y=expr %}`, `{% with expr as x %}`.
        for (const m of rest.matchAll(/([A-Za-z_]\w*)\s*=\s*((?:"[^"]*"|'[^']*'|[^\s=])+)/g)) aliases.set(m[1]!, resolve(rootNames(m[2]!)));
        const as = /^([\s\S]+?)\s+as\s+([A-Za-z_]\w*)\s*$/.exec(rest);
        if (as) aliases.set(as[2]!, resolve(rootNames(as[1]!)));
      }
      continue;
    }
    const parts = splitFilters(t.body);
    const head = parts[0] ?? '';
    const filters = parts.slice(1).map(filterName);
    const variables = resolve(rootNames(head));
    const marked = filters.find((f) => SAFE_FILTERS.has(f)) ? `the \`|${filters.find((f) => SAFE_FILTERS.has(f))}\` filter` : SAFE_CALLS.test(head) ? '`Markup(...)` in the template' : undefined;
    const escaped = filters.some((f) => ESCAPING_FILTERS.has(f));
    const output: TemplateOutput = { span: spanOf(t), variables, escaped };
    if (marked) output.marked = marked;
    if (autoescape.length > 0) output.autoescape = autoescape[autoescape.length - 1];
    outputs.push(output);
  }
  return { outputs, autoescapeOff };
}

/** Whether an output reaches the page unescaped, given whether the engine autoescapes the file. */
export function unescaped(output: TemplateOutput, fileAutoescapes: boolean): string | undefined {
  if (output.escaped) return undefined;
  if (output.marked) return output.marked;
  const on = output.autoescape ?? fileAutoescapes;
  if (on) return undefined;
  return output.autoescape === false ? 'an `{% autoescape off %}` block' : 'a template that is not autoescaped';
}
