// Recall, precision and F1 per defect class on a folder of labelled apps written apart from the
// rules: a label names a class of defect, not a rule. Shared by `npm run bench:apps` (Python,
// bench/quality-apps/) and `npm run bench:apps-js` (JavaScript/TypeScript, bench/quality-apps-js/).
//
// Labels sit on the line above the line they judge: `<comment> vuln: <class>[, <class>]` above a
// vulnerable line, `<comment> safe: <class>` above a safe look-alike; each corpus says which
// comment openers it uses. A labelled line is found when a finding of a CWE of its class is
// located on it or passes through it (a trace step or related location: the view line of a flow
// that ends in a template or a helper module). A finding that meets no label is a false positive
// of its class (and counted as on a safe line when it is).
//
// Prints one table at default settings and one with every severity and confidence; writes a JSON
// file under bench-results/. Asserts nothing.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scan } from '../src/api/scan.js';
import type { Finding } from '../src/findings/types.js';

/** CWEs that count as each class. A finding may belong to several; it is judged by the labels it meets. */
export type ClassTable = Record<string, readonly number[]>;

export interface Corpus {
  /** Folder holding one sub-folder per app. */
  apps: string;
  /** Which files of an app carry labels. */
  files: RegExp;
  /** Comment openers a label may follow, as a regular-expression alternation: `#|\{#`. */
  commentOpeners: string;
  /** The classes reported, in the order of the table. */
  classes: ClassTable;
  /** Where the JSON goes, relative to the working directory. */
  output: string;
}

export interface Label {
  app: string;
  file: string;
  line: number;
  kind: 'vuln' | 'safe';
  cls: string;
}

function filesOf(dir: string, files: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesOf(p, files));
    else if (files.test(name)) out.push(p);
  }
  return out;
}

function labelsOf(corpus: Corpus, app: string, label: RegExp): Label[] {
  const labels: Label[] = [];
  const root = join(corpus.apps, app);
  for (const abs of filesOf(root, corpus.files)) {
    const lines = readFileSync(abs, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const m = label.exec(text);
      if (!m) return;
      for (const cls of m[2]!.split(',').map((s) => s.trim())) {
        if (!corpus.classes[cls]) throw new Error(`${relative(corpus.apps, abs)}:${i + 1}: unknown class ${cls}`);
        labels.push({ app, file: relative(root, abs).split('\\').join('/'), line: i + 2, kind: m[1] as 'vuln' | 'safe', cls });
      }
    });
  }
  return labels;
}

/** Every file:line a finding is at or passes through. */
function placesOf(f: Finding): Set<string> {
  const places = new Set([`${f.location.path}:${f.location.startLine}`]);
  for (const s of f.trace ?? []) places.add(`${s.location.path}:${s.location.startLine}`);
  for (const r of f.related ?? []) places.add(`${r.location.path}:${r.location.startLine}`);
  return places;
}

interface Counts { labelled: number; tp: number; fn: number; fp: number; fpOnSafe: number; safeLines: number }
const zero = (): Counts => ({ labelled: 0, tp: 0, fn: 0, fp: 0, fpOnSafe: 0, safeLines: 0 });
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const pct = (x: number | null): string => (x === null ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`);

const labelPattern = (corpus: Corpus): RegExp =>
  new RegExp(`(?:${corpus.commentOpeners})\\s*(vuln|safe):\\s*([a-z-]+(?:\\s*,\\s*[a-z-]+)*)`);

/** The apps of a corpus, in order. */
export function appsOf(corpus: Corpus): string[] {
  return readdirSync(corpus.apps).filter((a) => statSync(join(corpus.apps, a)).isDirectory()).sort();
}

/** Every label of an app (one per class a label names); throws on a class the corpus does not know. */
export function readLabels(corpus: Corpus, app: string): Label[] {
  return labelsOf(corpus, app, labelPattern(corpus));
}

async function measure(corpus: Corpus, settings: { severity?: 'low'; confidence?: 'low' }) {
  const CLASSES = corpus.classes;
  const classesOf = (f: Finding): string[] => {
    const ids = new Set(f.cwe.map((c) => c.id));
    return Object.keys(CLASSES).filter((cls) => CLASSES[cls]!.some((id) => ids.has(id)));
  };
  const perClass = new Map<string, Counts>(Object.keys(CLASSES).map((c) => [c, zero()]));
  const misses: string[] = [];
  const falsePositives: string[] = [];
  const unclassified = new Map<string, number>();
  let ms = 0;
  for (const app of appsOf(corpus)) {
    const labels = readLabels(corpus, app);
    const t0 = performance.now();
    const report = await scan({ paths: ['.'], cwd: join(corpus.apps, app), config: false, ...settings });
    ms += performance.now() - t0;
    for (const l of labels) {
      const c = perClass.get(l.cls)!;
      if (l.kind === 'safe') {
        c.safeLines++;
        continue;
      }
      c.labelled++;
      const key = `${l.file}:${l.line}`;
      const hit = report.findings.find((f) => classesOf(f).includes(l.cls) && placesOf(f).has(key));
      if (hit) c.tp++;
      else {
        c.fn++;
        misses.push(`${app}/${key} ${l.cls}`);
      }
    }
    for (const f of report.findings) {
      const classes = classesOf(f);
      if (classes.length === 0) {
        unclassified.set(f.ruleId, (unclassified.get(f.ruleId) ?? 0) + 1);
        continue;
      }
      const places = placesOf(f);
      const meets = labels.some((l) => l.kind === 'vuln' && classes.includes(l.cls) && places.has(`${l.file}:${l.line}`));
      if (meets) continue;
      const onSafe = labels.find((l) => l.kind === 'safe' && classes.includes(l.cls) && places.has(`${l.file}:${l.line}`));
      const cls = onSafe?.cls ?? classes[0]!;
      const c = perClass.get(cls)!;
      c.fp++;
      if (onSafe) c.fpOnSafe++;
      falsePositives.push(`${app}/${f.location.path}:${f.location.startLine} ${f.ruleId} (${cls}${onSafe ? ', safe line' : ''})`);
    }
  }
  return { perClass, misses, falsePositives, unclassified, ms };
}

function table(title: string, r: Awaited<ReturnType<typeof measure>>): Record<string, unknown> {
  console.log(`\n${title} (scan time ${(r.ms / 1000).toFixed(1)} s)`);
  console.log('class             vuln   TP   FN   FP  FP-on-safe/safe  precision  recall      F1');
  const total = zero();
  const rows: Record<string, unknown> = {};
  for (const [cls, c] of r.perClass) {
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
    const p = ratio(c.tp, c.tp + c.fp);
    const rec = ratio(c.tp, c.labelled);
    const f1 = p === null || rec === null || p + rec === 0 ? null : (2 * p * rec) / (p + rec);
    rows[cls] = { ...c, precision: p, recall: rec, f1 };
    console.log(
      `${cls.padEnd(16)} ${String(c.labelled).padStart(5)} ${String(c.tp).padStart(4)} ${String(c.fn).padStart(4)} ${String(c.fp).padStart(4)} ${`${c.fpOnSafe}/${c.safeLines}`.padStart(16)}     ${pct(p)}  ${pct(rec)}  ${pct(f1)}`,
    );
  }
  const p = ratio(total.tp, total.tp + total.fp);
  const rec = ratio(total.tp, total.labelled);
  const f1 = p === null || rec === null || p + rec === 0 ? null : (2 * p * rec) / (p + rec);
  console.log(
    `${'all'.padEnd(16)} ${String(total.labelled).padStart(5)} ${String(total.tp).padStart(4)} ${String(total.fn).padStart(4)} ${String(total.fp).padStart(4)} ${`${total.fpOnSafe}/${total.safeLines}`.padStart(16)}     ${pct(p)}  ${pct(rec)}  ${pct(f1)}`,
  );
  console.log(`missed (${r.misses.length}): ${r.misses.join('; ') || 'none'}`);
  console.log(`false positives (${r.falsePositives.length}): ${r.falsePositives.join('; ') || 'none'}`);
  if (r.unclassified.size > 0) console.log(`findings of no labelled class: ${[...r.unclassified].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  return { perClass: rows, total: { ...total, precision: p, recall: rec, f1 }, misses: r.misses, falsePositives: r.falsePositives, unclassified: Object.fromEntries(r.unclassified) };
}

/** Measures a corpus at default settings and at every severity and confidence, and writes the JSON. */
export async function runQualityApps(corpus: Corpus): Promise<void> {
  const atDefault = table('Default settings (medium severity and confidence and up)', await measure(corpus, {}));
  const atLow = table('Every severity and confidence', await measure(corpus, { severity: 'low', confidence: 'low' }));
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(corpus.output, `${JSON.stringify({ default: atDefault, all: atLow }, null, 2)}\n`);
  console.log(`\nwritten: ${corpus.output}`);
}
