import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan, type ScanOptions } from '../../src/api/scan.js';
import { discoverFiles } from '../../src/discover/discover.js';
import { readTemplate, rootNames, unescaped } from '../../src/frontend/templates/reader.js';
import { TEMPLATE_GLOBS, TemplateIndex, fileAutoescapes, isTemplatePath } from '../../src/frontend/templates/lookup.js';
import { findRule } from '../../src/rules/index.js';
import { tempTree } from '../support/tmp.js';
import { scanChange } from '../../src/diff/review.js';
import { Repo } from '../diff/repo.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('template reader', () => {
  it('finds outputs, their variables, filters and autoescape blocks, with exact positions', () => {
    const facts = readTemplate(
      lines(
        '<p>{{ user.name }}</p>', // 1
        '{{- bio | safe -}}', // 2
        '{% autoescape false %}', // 3
        '  {{ a ~ b }} {{ c|e }}', // 4
        '{% endautoescape %}', // 5
        '{# {{ hidden|safe }} #}', // 6
        '{% raw %}{{ raw|safe }}{% endraw %}', // 7
        '{% for item in items if item %}{{ item|safe }}{% endfor %}', // 8
        '{{ Markup(note) }} {{ "lit"|safe }} {{ f(x, key=y) }}', // 9
      ),
    );
    const brief = facts.outputs.map((o) => [o.span.line, o.span.column, o.variables, o.marked ?? '', o.escaped, o.autoescape]);
    expect(brief).toEqual([
      [1, 3, ['user'], '', false, undefined],
      [2, 0, ['bio'], 'the `|safe` filter', false, undefined],
      [4, 2, ['a', 'b'], '', false, false],
      [4, 14, ['c'], '', true, false],
      [8, 31, ['items'], 'the `|safe` filter', false, undefined],
      [9, 0, ['note'], '`Markup(...)` in the template', false, undefined],
      [9, 19, [], 'the `|safe` filter', false, undefined],
      [9, 36, ['f', 'x', 'y'], '', false, undefined],
    ]);
    expect(facts.autoescapeOff.map((s) => s.line)).toEqual([3]);
  });

  it('decides what is unescaped from the block, the filters and the file default', () => {
    const [plain, safe, escaped] = readTemplate('{{ a }}{{ b|safe }}{{ c|safe|e }}').outputs;
    expect(unescaped(plain!, true)).toBeUndefined();
    expect(unescaped(plain!, false)).toBe('a template that is not autoescaped');
    expect(unescaped(safe!, true)).toBe('the `|safe` filter');
    expect(unescaped(escaped!, false)).toBeUndefined();
    const [inOn] = readTemplate('{% autoescape on %}{{ a }}{% endautoescape %}').outputs;
    expect(unescaped(inOn!, false)).toBeUndefined();
  });

  it('takes the names an expression starts from', () => {
    expect(rootNames('user.profile.bio')).toEqual(['user']);
    expect(rootNames('"a" ~ x[key] if flag else none')).toEqual(['x', 'key', 'flag']);
  });

  it('skips Django comment blocks and verbatim bodies', () => {
    const outputs = readTemplate('{% comment %}{{ a|safe }}{% endcomment %}{% verbatim %}{{ b|safe }}{% endverbatim %}{{ c|safe }}').outputs;
    expect(outputs.map((o) => o.variables)).toEqual([['c']]);
  });

  it('never fails on unterminated or odd text', () => {
    expect(readTemplate('{{ a ').outputs).toEqual([]);
    expect(readTemplate('{% endautoescape %}{{ a|safe }}{% autoescape %}').outputs).toHaveLength(1);
  });
});

describe('template lookup', () => {
  const index = new TemplateIndex(
    new Map([
      ['app/templates/page.html', '{{ x|safe }}'],
      ['templates/page.html', '{{ y|safe }}'],
      ['app/ui/page.html', '{{ z|safe }}'],
      ['blog/templates/blog/post.html', '{{ body }}'],
      ['shop/templates/blog/post.html', '{{ body|safe }}'],
    ]),
  );
  it('resolves Flask names next to the module first, then above it, then template_folder', () => {
    expect(index.resolve('app/views.py', '', 'flask', 'page.html')).toEqual(['app/templates/page.html']);
    expect(index.resolve('main.py', '', 'flask', 'page.html')).toEqual(['templates/page.html']);
    expect(index.resolve('app/views.py', 'Flask(__name__, template_folder="ui")', 'flask', 'page.html')).toEqual(['app/ui/page.html']);
    expect(index.resolve('other/deep/views.py', '', 'flask', 'page.html')).toEqual(['templates/page.html']);
  });
  it('resolves Django names in every templates/ folder', () => {
    expect(index.resolve('blog/views.py', '', 'django', 'blog/post.html')).toEqual(['blog/templates/blog/post.html', 'shop/templates/blog/post.html']);
    expect(index.resolve('blog/views.py', '', 'django', 'missing.html')).toEqual([]);
  });
  it('knows which files each engine autoescapes', () => {
    expect(fileAutoescapes('flask', 'templates/a.html', '')).toBe(true);
    expect(fileAutoescapes('flask', 'templates/a.svg', '')).toBe(true);
    expect(fileAutoescapes('flask', 'templates/a.txt', '')).toBe(false);
    expect(fileAutoescapes('flask', 'templates/a.j2', '')).toBe(false);
    expect(fileAutoescapes('django', 'templates/a.txt', '')).toBe(true);
    expect(fileAutoescapes('jinja2', 'templates/a.html', 'Environment()')).toBe(false);
    expect(fileAutoescapes('jinja2', 'templates/a.html', 'Environment(autoescape=select_autoescape())')).toBe(true);
    expect(fileAutoescapes('jinja2', 'templates/a.txt', 'Environment(autoescape=select_autoescape())')).toBe(false);
    expect(fileAutoescapes('jinja2', 'templates/a.txt', 'Environment(autoescape=True)')).toBe(true);
  });
  it('picks template paths for discovery', () => {
    for (const p of ['a.html', 'x/y.jinja2', 'z.j2', 'templates/mail.txt', 'app/templates/x/y.xml', 'p.djhtml']) expect(isTemplatePath(p), p).toBe(true);
    for (const p of ['a.py', 'templates/helpers.py', 'templates/logo.png', 'notes.txt', 'data.xml']) expect(isTemplatePath(p), p).toBe(false);
  });
});

const APP = lines(
  'from flask import Flask, render_template, request', // 1
  '', // 2
  'app = Flask(__name__)', // 3
  '', // 4
  '@app.route("/p")', // 5
  'def page():', // 6
  '    bio = request.args.get("bio", "")', // 7
  '    return render_template("page.html", bio=bio)', // 8
);

const xss = findRule('python/xss')!;
const options = (root: string, extra: Partial<ScanOptions> = {}): ScanOptions => ({
  paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low', rules: [xss], ...extra,
});

describe('views connected to templates', () => {
  it('traces request data through the view to the unescaped output, located in the template', async () => {
    const root = tempTree({ 'app.py': APP, 'templates/page.html': lines('<h1>Bio</h1>', '<div>{{ bio|safe }}</div>') });
    const result = await scan(options(root));
    expect(result.stats.templatesRead).toBe(1);
    expect(result.findings).toHaveLength(1);
    const f = result.findings[0]!;
    expect([f.ruleId, f.location.path, f.location.startLine, f.location.startColumn]).toEqual(['python/xss', 'templates/page.html', 2, 5]);
    expect(f.snippet).toBe('<div>{{ bio|safe }}</div>');
    expect(f.trace?.map((t) => [t.kind, t.location.path, t.location.startLine])).toEqual([
      ['source', 'app.py', 7],
      ['step', 'app.py', 7],
      ['call', 'app.py', 8],
      ['sink', 'templates/page.html', 2],
    ]);
    expect(f.trace?.[2]?.note).toBe('passed as `bio` to template `page.html` (templates/page.html)');
  });

  it('re-checks a view when only its template changes, with and without the cache', async () => {
    const root = tempTree({ 'app.py': APP, 'templates/page.html': '<div>{{ bio }}</div>\n' });
    const cacheDir = join(tempTree({}), 'cache');
    const cold = await scan(options(root, { cache: { dir: cacheDir } }));
    expect(cold.findings).toEqual([]);
    writeFileSync(join(root, 'templates/page.html'), '<div>{{ bio|safe }}</div>\n');
    const warm = await scan(options(root, { cache: { dir: cacheDir } }));
    expect(warm.findings.map((f) => `${f.location.path}:${f.location.startLine}`)).toEqual(['templates/page.html:1']);
    // And back: the fixed template is not reported from a stale run entry or stale replay records.
    writeFileSync(join(root, 'templates/page.html'), '<div>{{ bio|e }}</div>\n');
    const fixed = await scan(options(root, { cache: { dir: cacheDir } }));
    expect(fixed.findings).toEqual([]);
  });

  it('scans a tree of templates without Python: nothing to connect, no error', async () => {
    const root = tempTree({ 'templates/page.html': '{% autoescape false %}{{ x }}{% endautoescape %}\n' });
    const result = await scan(options(root));
    expect(result.stats.templatesRead).toBe(1);
    expect(result.findings).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });

  it('reports a template that cannot be read as text and goes on', async () => {
    const root = tempTree({ 'app.py': APP, 'templates/page.html': '{{ bio|safe }}\n', 'templates/bad.html': Buffer.from([0xc3, 0x28, 0x41]) });
    const result = await scan(options(root));
    expect(result.diagnostics.map((d) => [d.path, d.message])).toEqual([['templates/bad.html', 'template not read: not UTF-8 text']]);
    expect(result.findings.map((f) => f.location.path)).toEqual(['templates/page.html']);
  });
});

describe('discovery of templates', () => {
  it('lists templates apart from source files, and only when asked', async () => {
    const root = tempTree({ 'a.py': '', 'templates/x.txt': '', 'web/page.html': '', 'notes.txt': '', 'templates/sub/helper.py': '' });
    const asked = await discoverFiles({ root, paths: ['.'], extensions: ['.py'], extra: { globs: TEMPLATE_GLOBS, accept: isTemplatePath } });
    expect(asked.files.map((f) => f.path)).toEqual(['a.py', 'templates/sub/helper.py']);
    expect(asked.extra.map((f) => f.path)).toEqual(['templates/x.txt', 'web/page.html']);
    const plain = await discoverFiles({ root, paths: ['.'], extensions: ['.py'] });
    expect(plain.extra).toEqual([]);
  });
});

describe('secreview diff and templates', () => {
  it('reviews a change to a template alone, and reports the output it made unescaped', async () => {
    const repo = Repo.init({ 'app.py': APP, 'templates/page.html': lines('<h1>Bio</h1>', '<div>{{ bio }}</div>') });
    repo.write({ 'templates/page.html': lines('<h1>Bio</h1>', '<div>{{ bio|safe }}</div>') });
    const result = await scanChange({ cwd: repo.root, rules: [xss], config: false, severity: 'low', confidence: 'low' });
    expect(result.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`)).toEqual(['python/xss templates/page.html:2']);
  });
});
