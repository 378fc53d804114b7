import { defineRule } from '../../define-rule.js';
import { settingVisitors } from './setting-check.js';

export default defineRule({
  id: 'python/django-allowed-hosts-wildcard',
  language: 'python',
  title: "Django ALLOWED_HOSTS accepts any host ('*')",
  cwe: [183],
  severity: 'medium',
  confidence: 'high',
  description:
    "`ALLOWED_HOSTS` in a production Django settings module contains `'*'`, so Django's Host header validation " +
    'accepts every host name. Development and test settings files are not checked.',
  whyItMatters:
    "`request.get_host()` and `build_absolute_uri()` then return whatever Host the client sent: password-reset " +
    'e-mails carry links to the attacker\'s domain (and the reset token with them), and caches can be poisoned ' +
    'with pages that point elsewhere.',
  fix: {
    guidance: 'List the host names the site is served under, read from the environment per deployment.',
    before: "ALLOWED_HOSTS = ['*']",
    after: "ALLOWED_HOSTS = os.environ['DJANGO_ALLOWED_HOSTS'].split(',')",
  },
  references: [
    'https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts',
    'https://docs.djangoproject.com/en/stable/topics/security/#host-headers-virtual-hosting',
    'https://cwe.mitre.org/data/definitions/183.html',
  ],
  create({ module, report }) {
    return settingVisitors(module, report, 'allowed-hosts-wildcard');
  },
});
