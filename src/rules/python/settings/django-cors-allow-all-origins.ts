import { defineRule } from '../../define-rule.js';
import { settingVisitors } from './setting-check.js';

export default defineRule({
  id: 'python/django-cors-allow-all-origins',
  language: 'python',
  title: 'django-cors-headers allows every origin',
  cwe: [942],
  severity: 'medium',
  confidence: 'high',
  description:
    'A production Django settings module sets `CORS_ALLOW_ALL_ORIGINS = True` (or the older `CORS_ORIGIN_ALLOW_ALL`), ' +
    'or an origin regex list holding a match-everything pattern, so django-cors-headers answers every origin with ' +
    'an `Access-Control-Allow-Origin` that lets its scripts read responses.',
  whyItMatters:
    'Any web page a user visits can call the API from the browser and read the answers; with ' +
    '`CORS_ALLOW_CREDENTIALS = True` those calls carry the user\'s cookies, so private data and CSRF-protected ' +
    'tokens are readable by any site.',
  fix: {
    guidance: 'List the origins that need access in `CORS_ALLOWED_ORIGINS` instead of allowing all of them.',
    before: 'CORS_ALLOW_ALL_ORIGINS = True',
    after: "CORS_ALLOWED_ORIGINS = ['https://app.example.com']",
  },
  references: [
    'https://github.com/adamchainz/django-cors-headers#configuration',
    'https://cwe.mitre.org/data/definitions/942.html',
  ],
  create({ module, report }) {
    return settingVisitors(module, report, 'cors-allow-all-origins');
  },
});
