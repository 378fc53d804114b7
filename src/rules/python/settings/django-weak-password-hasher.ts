import { defineRule } from '../../define-rule.js';
import { settingVisitors } from './setting-check.js';

export default defineRule({
  id: 'python/django-weak-password-hasher',
  language: 'python',
  title: 'Django stores passwords with a fast, broken hasher',
  cwe: [916, 759, 328],
  severity: 'high',
  confidence: 'high',
  description:
    'The first entry of `PASSWORD_HASHERS` in a production Django settings module is `MD5PasswordHasher`, ' +
    '`UnsaltedMD5PasswordHasher`, `SHA1PasswordHasher`, `UnsaltedSHA1PasswordHasher` or `CryptPasswordHasher`. ' +
    'Django hashes every new or changed password with the first hasher. The list of hashers lives in ' +
    '`models/python/settings/django.yml`; development and test settings files (`settings_dev.py`, ' +
    '`test_settings.py`), where fast hashers are a common speed-up, are not checked.',
  whyItMatters:
    'These hashers are a single MD5/SHA-1/DES-crypt round (the unsalted ones without a salt): once the user table ' +
    'leaks, GPUs try billions of candidates per second and precomputed tables reverse unsalted digests at once, ' +
    'exposing passwords that users reuse elsewhere.',
  fix: {
    guidance:
      'Put a slow, salted hasher first (`Argon2PasswordHasher`, `PBKDF2PasswordHasher`, `ScryptPasswordHasher` or ' +
      '`BCryptSHA256PasswordHasher`); keep a legacy hasher later in the list only so that old hashes are upgraded at ' +
      'the next login.',
    before: "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']",
    after:
      "PASSWORD_HASHERS = [\n    'django.contrib.auth.hashers.Argon2PasswordHasher',\n    'django.contrib.auth.hashers.PBKDF2PasswordHasher',\n]",
  },
  references: [
    'https://docs.djangoproject.com/en/stable/topics/auth/passwords/',
    'https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html',
    'https://cwe.mitre.org/data/definitions/916.html',
  ],
  create({ module, report }) {
    return settingVisitors(module, report, 'weak-password-hasher');
  },
});
