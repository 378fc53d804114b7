import { defineRule } from '../../define-rule.js';
import { settingVisitors } from './setting-check.js';

export default defineRule({
  id: 'python/django-pickle-session-serializer',
  language: 'python',
  title: 'Django sessions serialised with pickle',
  cwe: [502],
  severity: 'high',
  confidence: 'high',
  description:
    "`SESSION_SERIALIZER` is Django's `PickleSerializer` in a production settings module: session data is unpickled " +
    'on every request. With the signed-cookie session backend the pickle comes from the browser and is trusted as ' +
    'soon as its signature checks out.',
  whyItMatters:
    'Unpickling runs code chosen by whoever wrote the data. Anyone who learns `SECRET_KEY` (a leaked settings file, ' +
    'a debug page, a default key) or can write to the session store (a shared cache, Redis) forges a session that ' +
    'executes commands on the server. Django removed the serializer in 5.0 for this reason.',
  fix: {
    guidance:
      "Use the default `django.contrib.sessions.serializers.JSONSerializer` and store only JSON-serialisable values " +
      '(ids, not model instances) in the session.',
    before: "SESSION_SERIALIZER = 'django.contrib.sessions.serializers.PickleSerializer'",
    after: "SESSION_SERIALIZER = 'django.contrib.sessions.serializers.JSONSerializer'",
  },
  references: [
    'https://docs.djangoproject.com/en/4.2/topics/http/sessions/#session-serialization',
    'https://cwe.mitre.org/data/definitions/502.html',
  ],
  create({ module, report }) {
    return settingVisitors(module, report, 'pickle-session-serializer');
  },
});
