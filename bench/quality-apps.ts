// Recall, precision and F1 per defect class on labelled apps written for this benchmark
// (bench/quality-apps/: Flask, Django, FastAPI, aiohttp and http.server). Unlike
// `npm run bench:quality`, which checks the rules against their own fixtures, these apps were
// written apart from the rules: a label names a class of defect, not a rule.
//
// Labels: `# vuln: <class>[, <class>]` (or `{# vuln: … #}` in a template) on the line above a
// vulnerable line, `# safe: <class>` above a safe look-alike. A labelled line is found when a
// finding of a CWE of its class is located on it or passes through it (a trace step or related
// location: the view line of a flow that ends in a template or a helper module). A finding that
// meets no label is a false positive of its class (and counted as on a safe line when it is).
//
// Prints one table at default settings and one with every severity and confidence; writes
// bench-results/quality-apps.json. Asserts nothing.
//   npm run bench:apps
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { scan } from '../src/api/scan.js';
import type { Finding } from '../src/findings/types.js';

const APPS = resolve('bench/quality-apps');

/** CWEs that count as each class. A finding may belong to several; it is judged by the labels it meets. */
const CLASSES: Record<string, readonly number[]> = {
  sqli: [89, 564],
  cmdi: [78, 77, 88],
  'code-injection': [94, 95, 96],
  ssti: [1336, 94, 95],
  xss: [79, 80, 83],
  path: [22, 23, 29, 36, 73],
  ssrf: [918],
  redirect: [601],
  deserialization: [502],
  xxe: [611, 776, 827],
  secrets: [798, 259, 321],
  'weak-crypto': [327, 328, 916, 759, 760, 326],
  randomness: [330, 338],
  jwt: [347, 345],
  tls: [295, 297],
  debug: [489, 215, 11],
  misconfig: [1004, 614, 16, 1275, 183, 942, 346, 693],
  csrf: [352],
  'mass-assignment': [915],
  'error-exposure': [209, 497],
  allocation: [770, 789, 400, 1284],
  timing: [208, 203],
  tempfile: [377, 379],
};

interface Label {
  app: string;
  file: string;
  line: number;
  kind: 'vuln' | 'safe';
  cls: string;
}

const LABEL = /(?:#|\{#)\s*(vuln|safe):\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;

function filesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesOf(p));
    else if (/\.(py|html|j2|jinja2?)$/.test(name)) out.push(p);
  }
  return out;
}

function labelsOf(app: string): Label[] {
  const labels: Label[] = [];
  const root = join(APPS, app);
  for (const abs of filesOf(root)) {
    const lines = readFileSync(abs, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const m = LABEL.exec(text);
      if (!m) return;
      for (const cls of m[2]!.split(',').map((s) => s.trim())) {
        if (!CLASSES[cls]) throw new Error(`${relative(APPS, abs)}:${i + 1}: unknown class ${cls}`);
        labels.push({ app, file: relative(root, abs).split('\\').join('/'), line: i + 2, kind: m[1] as 'vuln' | 'safe', cls });
      }
    });
  }
  return labels;
}

function classesOf(f: Finding): string[] {
  const ids = new Set(f.cwe.map((c) => c.id));
  return Object.keys(CLASSES).filter((cls) => CLASSES[cls]!.some((id) => ids.has(id)));
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

async function measure(settings: { severity?: 'low'; confidence?: 'low' }) {
  const perClass = new Map<string, Counts>(Object.keys(CLASSES).map((c) => [c, zero()]));
  const misses: string[] = [];
  const falsePositives: string[] = [];
  const unclassified = new Map<string, number>();
  let ms = 0;
  for (const app of readdirSync(APPS).filter((a) => statSync(join(APPS, a)).isDirectory()).sort()) {
    const labels = labelsOf(app);
    const t0 = performance.now();
    const report = await scan({ paths: ['.'], cwd: join(APPS, app), config: false, ...settings });
    ms += performance.now() - t0;
    const met = new Set<Finding>();
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
      if (meets) {
        met.add(f);
        continue;
      }
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
  const f1 = p === null || rec === null ? null : (2 * p * rec) / (p + rec);
  console.log(
    `${'all'.padEnd(16)} ${String(total.labelled).padStart(5)} ${String(total.tp).padStart(4)} ${String(total.fn).padStart(4)} ${String(total.fp).padStart(4)} ${`${total.fpOnSafe}/${total.safeLines}`.padStart(16)}     ${pct(p)}  ${pct(rec)}  ${pct(f1)}`,
  );
  console.log(`missed (${r.misses.length}): ${r.misses.join('; ') || 'none'}`);
  console.log(`false positives (${r.falsePositives.length}): ${r.falsePositives.join('; ') || 'none'}`);
  if (r.unclassified.size > 0) console.log(`findings of no labelled class: ${[...r.unclassified].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  return { perClass: rows, total: { ...total, precision: p, recall: rec, f1 }, misses: r.misses, falsePositives: r.falsePositives, unclassified: Object.fromEntries(r.unclassified) };
}

const atDefault = table('Default settings (medium severity and confidence and up)', await measure({}));
const atLow = table('Every severity and confidence', await measure({ severity: 'low', confidence: 'low' }));
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/quality-apps.json', `${JSON.stringify({ default: atDefault, all: atLow }, null, 2)}\n`);
console.log('\nwritten: bench-results/quality-apps.json');
