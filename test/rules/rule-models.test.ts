// The data files of the settings rules and of hardcoded-secret's key arguments: load and validation.
import { describe, expect, it } from 'vitest';
import { parseSettingModelFile, settingModels } from '../../src/rules/python/settings/models.js';

describe('settings models (models/python/settings/)', () => {
  it('the built-in Django file loads and names every defect a rule reports', () => {
    const defects = new Set(settingModels().map((m) => m.defect));
    expect([...defects].sort()).toEqual(['allowed-hosts-wildcard', 'cors-allow-all-origins', 'pickle-session-serializer', 'weak-password-hasher']);
    const hashers = settingModels().find((m) => m.name === 'PASSWORD_HASHERS');
    expect(hashers?.test.kind).toBe('first-in');
  });

  it('rejects an entry with two tests, naming the file and the line', () => {
    const text = [
      'language: python',
      'settings:',
      '  - name: DEBUG',
      '    defect: allowed-hosts-wildcard',
      '    equals: [true]',
      "    contains: ['*']",
      '    says: turns debugging on everywhere',
    ].join('\n');
    expect(() => parseSettingModelFile('x.yml', text)).toThrow(/^x\.yml:3: settings\.0: give exactly one of/);
  });

  it('rejects an unknown defect and a lower-case setting name', () => {
    const base = (name: string, defect: string): string =>
      `language: python\nsettings:\n  - name: ${name}\n    defect: ${defect}\n    equals: [true]\n    says: something long enough\n`;
    expect(() => parseSettingModelFile('y.yml', base('DEBUG', 'nonsense'))).toThrow(/^y\.yml:4: settings\.0\.defect/);
    expect(() => parseSettingModelFile('z.yml', base('debug', 'allowed-hosts-wildcard'))).toThrow(/^z\.yml:3: settings\.0\.name: a setting name is UPPER_CASE/);
  });
});

describe('secret-argument models (models/python/secrets/key-arguments.yml)', () => {
  it('the built-in file loads with jwt.encode taking its key at position 1 or `key=`', async () => {
    const { keyArguments } = await import('../../src/rules/python/crypto/secret-arguments.js');
    expect(keyArguments().get('jwt.encode')).toEqual({ name: 'jwt.encode', position: 1, keyword: 'key' });
  });

  it('rejects a malformed entry, naming the file and the line', async () => {
    const { parseKeyArgumentFile } = await import('../../src/rules/python/crypto/secret-arguments.js');
    const text = 'language: python\nkey-arguments:\n  - { name: jwt.encode, args: [1, key] }\n  - { name: "not a name", args: [0] }\n';
    expect(() => parseKeyArgumentFile('k.yml', text)).toThrow(/^k\.yml:4: key-arguments\.1\.name: a qualified name/);
  });
});
