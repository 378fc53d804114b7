import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { scan } from '../../src/api/scan.js';
import type { AnyRule } from '../../src/rules/define-rule.js';
import type { Finding } from '../../src/findings/types.js';
import { isTemplatePath } from '../../src/frontend/templates/lookup.js';

export const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/rules/', import.meta.url));

/**
 * test/fixtures/rules/<language>/<rule-name>.py for rule id `<language>/<rule-name>`, or a
 * folder of that name when the fixture needs several files (cross-file data flow).
 */
export function fixturePathFor(rule: AnyRule): string {
  const [language, name] = rule.id.split('/') as [string, string];
  const folder = join(FIXTURE_ROOT, language, name);
  if (existsSync(folder) && statSync(folder).isDirectory()) return folder;
  if (language === 'javascript') {
    // A JavaScript rule's fixture is a .js, .ts, .jsx or .tsx file (the first that exists).
    for (const ext of JS_FIXTURE_EXTENSIONS) {
      const file = join(FIXTURE_ROOT, language, `${name}${ext}`);
      if (existsSync(file)) return file;
    }
    return join(FIXTURE_ROOT, language, `${name}.js`);
  }
  return join(FIXTURE_ROOT, language, `${name}.py`);
}

const JS_FIXTURE_EXTENSIONS = ['.js', '.ts', '.jsx', '.tsx', '.mjs', '.cjs'];
const FIXTURE_SOURCE = /\.(?:py|[cm]?js|jsx|ts|tsx)$/;

/** The fixture's files: the one file, or every source file (.py, .js, .ts…) and template in the folder (relative paths). */
export function fixtureFiles(fixture: string): { cwd: string; files: string[] } {
  if (existsSync(fixture) && statSync(fixture).isDirectory()) {
    const files = (readdirSync(fixture, { recursive: true }) as string[])
      .map((f) => f.split('\\').join('/'))
      .filter((f) => FIXTURE_SOURCE.test(f) || (isTemplatePath(f) && statSync(join(fixture, f)).isFile()))
      .sort();
    return { cwd: fixture, files };
  }
  return { cwd: dirname(fixture), files: [basename(fixture)] };
}

export interface Annotation {
  kind: 'ruleid' | 'ok';
  ruleId: string;
  /** The line the annotation applies to: the next line that is not an annotation. */
  line: number;
  annotationLine: number;
}

const ANNOTATION = /^\s*(?:#|\/\/)\s*(ruleid|ok):\s*([\w/-]+)\s*$/;
/** In templates, the same inside a template comment: `{# ruleid: python/xss #}`. */
const TEMPLATE_ANNOTATION = /^\s*\{#\s*(ruleid|ok):\s*([\w/-]+)\s*#\}\s*$/;

/**
 * Semgrep-style annotations: `# ruleid: <id>` (must find) and `# ok: <id>` (must not); `//` in
 * JavaScript; in a template, `{# ruleid: <id> #}` and `{# ok: <id> #}`.
 */
export function parseAnnotations(source: string): Annotation[] {
  const lines = source.split(/\r\n|\r|\n/);
  const out: Annotation[] = [];
  let pending: Omit<Annotation, 'line'>[] = [];
  lines.forEach((text, index) => {
    const m = ANNOTATION.exec(text) ?? TEMPLATE_ANNOTATION.exec(text);
    if (m) {
      pending.push({ kind: m[1] as 'ruleid' | 'ok', ruleId: m[2]!, annotationLine: index + 1 });
      return;
    }
    for (const p of pending) out.push({ ...p, line: index + 1 });
    pending = [];
  });
  return out;
}

export interface FixtureCheck {
  ruleId: string;
  fixture: string;
  passed: number;
  failed: number;
  /** Human-readable failures: missed must-finds, hits on ok lines, unannotated hits. */
  failures: string[];
  positives: number;
  negatives: number;
  findings: Finding[];
}

/** Run one rule over its fixture and compare finding lines with the annotations, both ways. */
export async function checkRuleFixture(rule: AnyRule): Promise<FixtureCheck> {
  const fixture = fixturePathFor(rule);
  const result: FixtureCheck = {
    ruleId: rule.id, fixture, passed: 0, failed: 0, failures: [], positives: 0, negatives: 0, findings: [],
  };
  if (!existsSync(fixture)) {
    result.failed = 1;
    result.failures.push(`no fixture at ${fixture}`);
    return result;
  }
  const { cwd, files } = fixtureFiles(fixture);
  const annotations: (Annotation & { file: string })[] = [];
  for (const file of files) {
    for (const a of parseAnnotations(readFileSync(join(cwd, file), 'utf8'))) {
      if (a.ruleId === rule.id) annotations.push({ ...a, file });
    }
  }
  // Every finding counts here, in fixture folders that look like test code too.
  const report = await scan({ paths: files, cwd, rules: [rule], config: false, severity: 'low', confidence: 'low', includeTests: true });
  for (const d of report.diagnostics) {
    result.failed++;
    result.failures.push(`diagnostic on fixture: ${d.path}:${d.line ?? ''} ${d.kind} ${d.message}`);
  }
  const found = new Map<string, number>();
  for (const f of report.findings) {
    const key = `${f.location.path}:${f.location.startLine}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  result.findings = report.findings;

  const expected = new Set<string>();
  const okLines = new Set<string>();
  for (const a of annotations) {
    const key = `${a.file}:${a.line}`;
    if (a.kind === 'ruleid') {
      result.positives++;
      expected.add(key);
      if (found.has(key)) result.passed++;
      else {
        result.failed++;
        result.failures.push(`${key}: expected a finding (annotation on line ${a.annotationLine}), got none`);
      }
    } else {
      result.negatives++;
      okLines.add(key);
      if (found.has(key)) {
        result.failed++;
        result.failures.push(`${key}: marked ok (line ${a.annotationLine}) but reported`);
      } else result.passed++;
    }
  }
  for (const [key, count] of found) {
    if (!expected.has(key) && !okLines.has(key)) {
      result.failed++;
      result.failures.push(`${key}: ${count} unannotated finding(s)`);
    }
    if (expected.has(key) && count > 1) {
      result.failed++;
      result.failures.push(`${key}: ${count} findings where one was expected`);
    }
  }
  return result;
}
