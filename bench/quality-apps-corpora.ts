// The labelled-app corpora of `npm run bench:apps` (Python) and `npm run bench:apps-js`
// (JavaScript/TypeScript): where the apps are, which files carry labels, the comment a label
// follows, and the CWEs that count as each class. A finding may belong to several classes; it is
// judged by the labels it meets (bench/quality-apps-core.ts).
import { fileURLToPath } from 'node:url';
import type { ClassTable, Corpus } from './quality-apps-core.js';

const PYTHON_CLASSES: ClassTable = {
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

export const PYTHON_APPS: Corpus = {
  apps: fileURLToPath(new URL('./quality-apps', import.meta.url)),
  files: /\.(py|html|j2|jinja2?)$/,
  commentOpeners: '#|\\{#',
  classes: PYTHON_CLASSES,
  output: 'bench-results/quality-apps.json',
};

const JS_CLASSES: ClassTable = {
  sqli: [89, 564],
  nosql: [943],
  cmdi: [78, 77, 88],
  'code-injection': [94, 95, 96],
  xss: [79, 80, 83, 87],
  path: [22, 23, 29, 36, 73],
  'zip-slip': [22, 23, 29, 73],
  ssrf: [918],
  redirect: [601],
  'prototype-pollution': [1321, 915],
  redos: [1333, 730, 185, 625],
  xxe: [611, 776, 827],
  secrets: [798, 259, 321],
  'weak-crypto': [327, 328, 916, 759, 760, 326],
  randomness: [330, 338],
  jwt: [347, 345, 287],
  tls: [295, 297],
  cookie: [614, 1004, 1275, 315, 539],
  cors: [942, 346],
  postmessage: [346, 345, 1385, 940],
  'error-exposure': [209, 497, 215],
};

export const JS_APPS: Corpus = {
  apps: fileURLToPath(new URL('./quality-apps-js', import.meta.url)),
  files: /\.(?:[cm]?[jt]sx?|html)$/,
  commentOpeners: '\\/\\/|\\{?\\/\\*',
  classes: JS_CLASSES,
  output: 'bench-results/quality-apps-js.json',
};
