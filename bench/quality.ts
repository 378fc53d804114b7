// Precision and recall of every rule on the project's OWN labelled fixtures
// (test/fixtures/rules/**: `# ruleid:` = must find, `# ok:` = must not find), per CWE and overall.
// These fixtures were written together with the rules, so the figures measure how consistent the
// rules are with their own labels — not real-world precision or recall.
// Prints a table and writes bench-results/quality.json. Asserts nothing.
//   npm run bench:quality
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allRules } from '../src/rules/index.js';
import { getCwe } from '../src/cwe/catalogue.js';
import { checkRuleFixture, fixtureFiles, parseAnnotations } from '../test/support/rule-fixtures.js';

interface Counts { tp: number; fn: number; fp: number; tn: number; okLines: number; fpOnOk: number; fpUnannotated: number; duplicates: number; diagnostics: number }
const zero = (): Counts => ({ tp: 0, fn: 0, fp: 0, tn: 0, okLines: 0, fpOnOk: 0, fpUnannotated: 0, duplicates: 0, diagnostics: 0 });
const add = (a: Counts, b: Counts): void => {
  for (const k of Object.keys(a) as (keyof Counts)[]) a[k] += b[k];
};
const precision = (c: Counts): number | null => (c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp));
const recall = (c: Counts): number | null => (c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn));
const f1 = (c: Counts): number | null => {
  const p = precision(c);
  const r = recall(c);
  return p === null || r === null || p + r === 0 ? null : (2 * p * r) / (p + r);
};
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

const perRule: { ruleId: string; cwe: number[]; taint: boolean; fixture: string; counts: Counts; failures: string[] }[] = [];
for (const rule of allRules) {
  const check = await checkRuleFixture(rule);
  const c = zero();
  // Lines labelled for this rule, from the same annotation parser the test suite uses.
  const expected = new Set<string>();
  const okLines = new Set<string>();
  try {
    const { cwd, files } = fixtureFiles(check.fixture);
    for (const file of files) {
      for (const a of parseAnnotations(readFileSync(join(cwd, file), 'utf8'))) {
        if (a.ruleId !== rule.id) continue;
        (a.kind === 'ruleid' ? expected : okLines).add(`${file}:${a.line}`);
      }
    }
  } catch {
    // No fixture: checkRuleFixture already reports it as a failure; no labels to count.
  }
  const found = new Map<string, number>();
  for (const f of check.findings) {
    const key = `${f.location.path}:${f.location.startLine}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  // Unit: a labelled line (TP/FN/TN) or a reported line (FP), as checkRuleFixture matches them.
  for (const key of expected) (found.has(key) ? c.tp++ : c.fn++);
  for (const key of okLines) {
    c.okLines++;
    if (!found.has(key)) c.tn++;
  }
  for (const [key, n] of found) {
    if (expected.has(key)) {
      if (n > 1) c.duplicates += n - 1;
    } else if (okLines.has(key)) {
      c.fp++;
      c.fpOnOk++;
    } else {
      c.fp++;
      c.fpUnannotated++;
    }
  }
  c.diagnostics = check.failures.filter((f) => f.startsWith('diagnostic on fixture') || f.startsWith('no fixture')).length;
  perRule.push({ ruleId: rule.id, cwe: [...rule.cwe], taint: Boolean(rule.taint), fixture: check.fixture, counts: c, failures: check.failures });
}

function group(keyOf: (r: (typeof perRule)[number]) => number[]): Map<number, { rules: string[]; counts: Counts }> {
  const m = new Map<number, { rules: string[]; counts: Counts }>();
  for (const r of perRule) {
    for (const cwe of keyOf(r)) {
      const g = m.get(cwe) ?? { rules: [], counts: zero() };
      g.rules.push(r.ruleId);
      add(g.counts, r.counts);
      m.set(cwe, g);
    }
  }
  return new Map([...m].sort((a, b) => a[0] - b[0]));
}
const byPrimary = group((r) => [r.cwe[0]!]);
const byAnyCwe = group((r) => r.cwe);
const overall = zero();
for (const r of perRule) add(overall, r.counts);

const header = (label: string): string =>
  `${label.padEnd(58)} ${'rules'.padStart(5)} ${'TP'.padStart(5)} ${'FN'.padStart(4)} ${'FP'.padStart(4)} ${'TN'.padStart(5)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(7)}`;
const line = (label: string, rules: number, c: Counts): string =>
  `${label.slice(0, 58).padEnd(58)} ${String(rules).padStart(5)} ${String(c.tp).padStart(5)} ${String(c.fn).padStart(4)} ${String(c.fp).padStart(4)} ${String(c.tn).padStart(5)} ${pct(precision(c)).padStart(9)} ${pct(recall(c)).padStart(7)} ${pct(f1(c)).padStart(7)}`;
const cweLabel = (id: number): string => `CWE-${id} ${getCwe(id)?.name ?? '(not in the catalogue)'}`;

console.log('Rule quality on the project\'s OWN labelled fixtures (test/fixtures/rules/).');
console.log('These labels were written with the rules: the figures measure consistency with them,');
console.log('NOT real-world precision or recall (no independent or third-party ground truth here).');
console.log('TP = `# ruleid:` line reported, FN = `# ruleid:` line missed, FP = reported line marked `# ok:`');
console.log('or not annotated for the rule, TN = `# ok:` line not reported. One rule at a time, all severities');
console.log('and confidences.');
console.log('');
console.log(header('by primary CWE (first of the rule\'s list)'));
for (const [id, g] of byPrimary) console.log(line(cweLabel(id), g.rules.length, g.counts));
console.log(line('overall', perRule.length, overall));
console.log('');
console.log(header('by any CWE of the rule (a rule counts under each)'));
for (const [id, g] of byAnyCwe) console.log(line(cweLabel(id), g.rules.length, g.counts));
console.log('');
const imperfect = perRule.filter((r) => r.counts.fn || r.counts.fp || r.counts.duplicates || r.counts.diagnostics);
console.log(`rules: ${perRule.length}; labelled lines: ${overall.tp + overall.fn} must-find, ${overall.okLines} must-not-find`);
console.log(`overall: precision ${pct(precision(overall))}, recall ${pct(recall(overall))}, F1 ${pct(f1(overall))}; FP on ok lines ${overall.fpOnOk}, FP on unannotated lines ${overall.fpUnannotated}; duplicate findings on a must-find line ${overall.duplicates}; fixture diagnostics ${overall.diagnostics}`);
if (imperfect.length) {
  console.log(`rules not matching their labels exactly (${imperfect.length}):`);
  for (const r of imperfect) {
    console.log(`  ${r.ruleId}: TP ${r.counts.tp}, FN ${r.counts.fn}, FP ${r.counts.fp}${r.counts.duplicates ? `, duplicates ${r.counts.duplicates}` : ''}${r.counts.diagnostics ? `, diagnostics ${r.counts.diagnostics}` : ''}`);
    for (const f of r.failures.slice(0, 5)) console.log(`      ${f}`);
  }
} else console.log('every rule matches its labels exactly');

const metrics = (c: Counts): Counts & { precision: number | null; recall: number | null; f1: number | null } => ({ ...c, precision: precision(c), recall: recall(c), f1: f1(c) });
const outDir = resolve('bench-results');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, 'quality.json');
writeFileSync(
  out,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      caveat: "Computed on the project's own labelled rule fixtures, written together with the rules: consistency with those labels, not real-world precision or recall.",
      definitions: { tp: 'ruleid line reported', fn: 'ruleid line not reported', fp: 'reported line marked ok or not annotated for the rule', tn: 'ok line not reported' },
      overall: metrics(overall),
      byPrimaryCwe: [...byPrimary].map(([id, g]) => ({ cwe: id, name: getCwe(id)?.name ?? null, rules: g.rules, ...metrics(g.counts) })),
      byAnyCwe: [...byAnyCwe].map(([id, g]) => ({ cwe: id, name: getCwe(id)?.name ?? null, rules: g.rules, ...metrics(g.counts) })),
      rules: perRule.map((r) => ({ ...r, ...metrics(r.counts) })),
    },
    null,
    2,
  )}\n`,
);
console.log('');
console.log(`written: ${out}`);
