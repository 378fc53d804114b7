import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { getCwe, isMappable, pillarOf, PILLAR_IDS } from '../../src/cwe/catalogue.js';
import { ruleSummary } from '../../src/rules/catalogue-info.js';
import { fixtureFiles, fixturePathFor, parseAnnotations } from '../support/rule-fixtures.js';
import { join } from 'node:path';

describe('every rule is well-formed', () => {
  it('has at least 35 Python rules with unique ids', () => {
    const ids = allRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allRules.filter((r) => r.language === 'python').length).toBeGreaterThanOrEqual(35);
  });

  it('has at least 40 JavaScript/TypeScript rules, 32 of them pattern rules', () => {
    const js = allRules.filter((r) => r.language === 'javascript');
    expect(js.length).toBeGreaterThanOrEqual(40);
    expect(js.filter((r) => !r.taint).length).toBeGreaterThanOrEqual(32);
  });

  for (const rule of allRules) {
    describe(rule.id, () => {
      it('maps to known CWEs that MITRE allows for mapping', () => {
        expect(rule.cwe.length).toBeGreaterThan(0);
        for (const id of rule.cwe) {
          expect(getCwe(id), `CWE-${id} is not in the MITRE table`).toBeDefined();
          const verdict = isMappable(id);
          expect(verdict.ok, `CWE-${id}: ${verdict.reason}`).toBe(true);
        }
      });

      it('derives its pillar from the catalogue', () => {
        const pillar = pillarOf(rule.cwe[0]);
        expect(pillar).toBeDefined();
        expect(PILLAR_IDS).toContain(pillar!.id);
        expect(ruleSummary(rule).pillar.id).toBe(pillar!.id);
      });

      it('has documentation', () => {
        expect(rule.title.length).toBeGreaterThan(10);
        expect(rule.description.length).toBeGreaterThan(40);
        expect(rule.whyItMatters.length).toBeGreaterThan(40);
        expect(rule.fix.guidance.length).toBeGreaterThan(20);
        expect(rule.fix.before).not.toBe(rule.fix.after);
        expect(rule.references.length).toBeGreaterThan(0);
        for (const ref of rule.references) expect(ref).toMatch(/^https:\/\//);
      });

      it('has labelled fixtures with positives and safe look-alikes', () => {
        const file = fixturePathFor(rule);
        expect(existsSync(file), `missing fixture ${file}`).toBe(true);
        const { cwd, files } = fixtureFiles(file);
        const annotations = files
          .flatMap((f) => parseAnnotations(readFileSync(join(cwd, f), 'utf8')))
          .filter((a) => a.ruleId === rule.id);
        expect(annotations.filter((a) => a.kind === 'ruleid').length).toBeGreaterThanOrEqual(2);
        expect(annotations.filter((a) => a.kind === 'ok').length).toBeGreaterThanOrEqual(2);
      });
    });
  }
});

describe('fixture annotations name real rules', () => {
  it('every ruleid/ok annotation in every fixture names a registered rule', async () => {
    const { FIXTURE_ROOT } = await import('../support/rule-fixtures.js');
    const known = new Set(allRules.map((r) => r.id));
    for (const language of ['python', 'javascript']) {
      const { cwd, files } = fixtureFiles(join(FIXTURE_ROOT, language));
      for (const file of files) {
        for (const a of parseAnnotations(readFileSync(join(cwd, file), 'utf8'))) {
          expect(known.has(a.ruleId), `${language}/${file}:${a.annotationLine} names unknown rule ${a.ruleId}`).toBe(true);
        }
      }
    }
  });
});
