// Recall, precision and F1 per defect class on labelled Python apps written for this benchmark
// (bench/quality-apps/: Flask, Django, FastAPI, aiohttp and http.server). Unlike
// `npm run bench:quality`, which checks the rules against their own fixtures, these apps were
// written apart from the rules: a label names a class of defect, not a rule.
//
// Labels: `# vuln: <class>[, <class>]` (or `{# vuln: … #}` in a template) on the line above a
// vulnerable line, `# safe: <class>` above a safe look-alike. How lines are judged:
// bench/quality-apps-core.ts. Writes bench-results/quality-apps.json. Asserts nothing.
//   npm run bench:apps
import { resolve } from 'node:path';
import { runQualityApps, type ClassTable } from './quality-apps-core.js';

const CLASSES: ClassTable = {
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

await runQualityApps({
  apps: resolve('bench/quality-apps'),
  files: /\.(py|html|j2|jinja2?)$/,
  commentOpeners: '#|\\{#',
  classes: CLASSES,
  output: 'bench-results/quality-apps.json',
});
