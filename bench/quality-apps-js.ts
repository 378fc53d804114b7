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
import { runQualityApps } from './quality-apps-core.js';
import { JS_APPS } from './quality-apps-corpora.js';

await runQualityApps(JS_APPS);
