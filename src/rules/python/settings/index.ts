import type { AnyRule } from '../../define-rule.js';
import djangoAllowedHostsWildcard from './django-allowed-hosts-wildcard.js';
import djangoCorsAllowAllOrigins from './django-cors-allow-all-origins.js';
import djangoPickleSessionSerializer from './django-pickle-session-serializer.js';
import djangoWeakPasswordHasher from './django-weak-password-hasher.js';

/** Framework settings that weaken a deployment, judged from the models in models/python/settings/. */
export const settingsRules: AnyRule[] = [
  djangoAllowedHostsWildcard,
  djangoCorsAllowAllOrigins,
  djangoPickleSessionSerializer,
  djangoWeakPasswordHasher,
];
