// Recall, precision and F1 per defect class on labelled Python apps written for this benchmark
// (bench/quality-apps/: Flask, Django, FastAPI, aiohttp and http.server). Unlike
// `npm run bench:quality`, which checks the rules against their own fixtures, these apps were
// written apart from the rules: a label names a class of defect, not a rule.
//
// Labels: `# vuln: <class>[, <class>]` (or `{# vuln: … #}` in a template) on the line above a
// vulnerable line, `# safe: <class>` above a safe look-alike. How lines are judged:
// bench/quality-apps-core.ts. Writes bench-results/quality-apps.json. Asserts nothing.
//   npm run bench:apps
import { runQualityApps } from './quality-apps-core.js';
import { PYTHON_APPS } from './quality-apps-corpora.js';

await runQualityApps(PYTHON_APPS);
