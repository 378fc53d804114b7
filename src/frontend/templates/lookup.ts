import { createHash } from 'node:crypto';
import type { TemplateLookup, TemplateSink } from '../../analysis/taint/response-sinks.js';
import { readTemplate, unescaped, type TemplateFacts } from './reader.js';

/**
 * The scan's template files, read once, and how a render call's template name finds them.
 *
 * Name resolution, per engine (the `engine` of a `renders:` model):
 * - flask: `templates/` next to the module, or the folder of a literal `template_folder='…'` in
 *   the module, then `templates/` folders of the module's ancestors; failing those, any
 *   `…/templates/<name>` of the scan;
 * - django: every `…/templates/<name>` of the scan (an app's folder or a DIRS folder);
 * - jinja2: as flask, then any file whose path ends with `/<name>` (a FileSystemLoader folder
 *   relative to the working directory is not known).
 *
 * Autoescaping: Django always; Flask for .html, .htm, .xml, .xhtml and .svg files (Flask's
 * `select_jinja_autoescape`); a jinja2 Environment when the module passes `autoescape=True`
 * (every file) or `select_autoescape(` (.html, .htm, .xml), none otherwise (Jinja2's default).
 */

const TEMPLATE_EXTENSIONS = ['html', 'htm', 'jinja', 'jinja2', 'j2', 'djhtml'];

/** What discovery globs for templates: these extensions, and any file under a `templates/` folder. */
export const TEMPLATE_GLOBS = [`**/*.{${TEMPLATE_EXTENSIONS.join(',')}}`, '**/templates/**'];

/** Whether discovery should hand this (relative, forward-slash) path to the template reader. */
export function isTemplatePath(path: string): boolean {
  const lower = path.toLowerCase();
  if (TEMPLATE_EXTENSIONS.some((e) => lower.endsWith(`.${e}`))) return true;
  return /(^|\/)templates\//.test(lower) && !/\.(py|pyc|pyi|png|jpe?g|gif|ico|webp|woff2?|ttf|eot|pdf|zip|gz|mo)$/.test(lower);
}

const FLASK_AUTOESCAPED = ['.html', '.htm', '.xml', '.xhtml', '.svg'];
const SELECT_AUTOESCAPE = ['.html', '.htm', '.xml'];

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const joinPath = (dir: string, name: string): string => normalise(dir ? `${dir}/${name}` : name);

function normalise(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export class TemplateIndex {
  private readonly facts = new Map<string, TemplateFacts>();
  private readonly paths: string[];

  /** `templates`: relative path → text. */
  constructor(templates: ReadonlyMap<string, string>) {
    for (const [path, text] of templates) this.facts.set(path, readTemplate(text));
    this.paths = [...templates.keys()].sort();
    const hash = createHash('sha256');
    for (const p of this.paths) hash.update(p).update('\0').update(templates.get(p)!).update('\0');
    this.fingerprint = hash.digest('hex');
  }

  /** Hash of every template's path and text: what the taint pass's results depend on. */
  readonly fingerprint: string;

  get size(): number {
    return this.facts.size;
  }

  /** The `{% autoescape false/off %}` blocks of a template (for tests and reports). */
  factsOf(path: string): TemplateFacts | undefined {
    return this.facts.get(path);
  }

  /** Candidate files for a template name rendered from a module. */
  resolve(modulePath: string, moduleSource: string, engine: 'flask' | 'django' | 'jinja2', name: string): string[] {
    const clean = normalise(name);
    if (engine !== 'django') {
      const dirs: string[] = [];
      const moduleDir = dirOf(modulePath);
      for (const m of moduleSource.matchAll(/template_folder\s*=\s*['"]([^'"]+)['"]/g)) dirs.push(joinPath(moduleDir, m[1]!));
      for (let d = moduleDir; ; d = dirOf(d)) {
        dirs.push(joinPath(d, 'templates'));
        if (d === '') break;
      }
      for (const d of dirs) {
        const p = joinPath(d, clean);
        if (this.facts.has(p)) return [p];
      }
    }
    const suffix = `templates/${clean}`;
    const found = this.paths.filter((p) => p === suffix || p.endsWith(`/${suffix}`));
    if (found.length > 0 || engine !== 'jinja2') return found;
    return this.paths.filter((p) => p === clean || p.endsWith(`/${clean}`));
  }

  /** Answers by engine, module and name (a module's text is the same for the whole run). */
  private readonly answers = new Map<string, TemplateSink[]>();

  /** The lookup the taint engine calls at render calls (each call, each time its function is analysed). */
  readonly lookup: TemplateLookup = (modulePath, moduleSource, engine, name) => {
    const key = `${engine}\0${modulePath}\0${name}`;
    const known = this.answers.get(key);
    if (known) return known;
    const sinks: TemplateSink[] = [];
    this.answers.set(key, sinks);
    for (const path of this.resolve(modulePath, moduleSource, engine, name)) {
      const autoescapes = fileAutoescapes(engine, path, moduleSource);
      for (const output of this.facts.get(path)!.outputs) {
        const why = unescaped(output, autoescapes);
        if (!why) continue;
        for (const variable of output.variables) sinks.push({ path, span: output.span, variable, why });
      }
    }
    return sinks;
  };
}

/** Whether the engine escapes a template's outputs by default. */
export function fileAutoescapes(engine: 'flask' | 'django' | 'jinja2', path: string, moduleSource: string): boolean {
  const lower = path.toLowerCase();
  if (engine === 'django') return true;
  if (engine === 'flask') return FLASK_AUTOESCAPED.some((e) => lower.endsWith(e));
  if (/\bautoescape\s*=\s*True\b/.test(moduleSource)) return true;
  if (/\bselect_autoescape\s*\(/.test(moduleSource)) return SELECT_AUTOESCAPE.some((e) => lower.endsWith(e));
  return false;
}
