// Recall, precision and F1 per defect class on labelled JavaScript/TypeScript apps written for this
// benchmark (bench/quality-apps-js/: Express (CommonJS), Koa (ES modules), Next.js (TypeScript: API
// routes, app-router route handlers, middleware and React components), Fastify (TypeScript) and a
// browser bundle of plain DOM scripts). The apps were written apart from the rules: a label names
// a class of defect, not a rule, and several flows cross modules (route → service → sink).
//
// Labels: `// vuln: <class>[, <class>]` (or `{/* vuln: … */}` in JSX) on the line above a vulnerable
// line, `// safe: <class>` above a safe look-alike. How lines are judged: bench/quality-apps-core.ts.
// Writes bench-results/quality-apps-js.json. Asserts nothing.
//   npm run bench:apps-js
import { resolve } from 'node:path';
import { runQualityApps, type ClassTable } from './quality-apps-core.js';

const CLASSES: ClassTable = {
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

await runQualityApps({
  apps: resolve('bench/quality-apps-js'),
  files: /\.(?:[cm]?[jt]sx?|html)$/,
  commentOpeners: '\\/\\/|\\{?\\/\\*',
  classes: CLASSES,
  output: 'bench-results/quality-apps-js.json',
});
