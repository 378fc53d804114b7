import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import type { AnyRule } from '../../src/rules/define-rule.js';
import type { Finding } from '../../src/findings/types.js';

export const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/rules/', import.meta.url));

/** test/fixtures/rules/<language>/<rule-name>.py for rule id `<language>/<rule-name>`. */
export function fixturePathFor(rule: AnyRule): string {
  const [language, name] = rule.id.split('/') as [string, string];
  return join(FIXTURE_ROOT, language, `${name}.py`);
}

export interface Annotation {
  kind: 'ruleid' | 'ok';
  ruleId: string;
  /** The line the annotation applies to: the next line that is not an annotation. */
  line: number;
  annotationLine: number;
}

const ANNOTATION = /^\s*#\s*(ruleid|ok):\s*([\w/-]+)\s*$/;

/** Semgrep-style annotations: `# ruleid: <id>` (must find) and `# ok: <id>` (must not). */
export function parseAnnotations(source: string): Annotation[] {
  const lines = source.split(/\r\n|\r|\n/);
  const out: Annotation[] = [];
  let pending: Omit<Annotation, 'line'>[] = [];
  lines.forEach((text, index) => {
    const m = ANNOTATION.exec(text);
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
  const source = readFileSync(fixture, 'utf8');
  const annotations = parseAnnotations(source).filter((a) => a.ruleId === rule.id);
  const analysis = await analysePythonSource(fixture, source, [rule]);
  analysis.release();
  for (const d of analysis.diagnostics) {
    result.failed++;
    result.failures.push(`diagnostic on fixture: ${d.kind} ${d.message}`);
  }
  const found = new Map<number, number>();
  for (const f of analysis.findings) found.set(f.location.startLine, (found.get(f.location.startLine) ?? 0) + 1);
  result.findings = analysis.findings;

  const expectedLines = new Set<number>();
  for (const a of annotations) {
    if (a.kind === 'ruleid') {
      result.positives++;
      expectedLines.add(a.line);
      if (found.has(a.line)) result.passed++;
      else {
        result.failed++;
        result.failures.push(`line ${a.line}: expected a finding (annotation on line ${a.annotationLine}), got none`);
      }
    } else {
      result.negatives++;
      if (found.has(a.line)) {
        result.failed++;
        result.failures.push(`line ${a.line}: marked ok (line ${a.annotationLine}) but reported`);
      } else result.passed++;
    }
  }
  const okLines = new Set(annotations.filter((a) => a.kind === 'ok').map((a) => a.line));
  for (const [line, count] of found) {
    if (!expectedLines.has(line) && !okLines.has(line)) {
      result.failed++;
      result.failures.push(`line ${line}: ${count} unannotated finding(s)`);
    }
    if (expectedLines.has(line) && count > 1) {
      result.failed++;
      result.failures.push(`line ${line}: ${count} findings where one was expected`);
    }
  }
  return result;
}
