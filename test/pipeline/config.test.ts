import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { tempTree } from '../support/tmp.js';

describe('loadConfig', () => {
  it('reads .secreview.yml', () => {
    const root = tempTree({ '.secreview.yml': 'severity: low\ndisable: [python/bare-except]\noverrides:\n  - paths: ["tests/**"]\n    disable: [python/assert-used-for-security]\n' });
    const { source, config } = loadConfig(root);
    expect(source).toBe(join(root, '.secreview.yml'));
    expect(config).toEqual({
      severity: 'low',
      disable: ['python/bare-except'],
      overrides: [{ paths: ['tests/**'], disable: ['python/assert-used-for-security'] }],
    });
  });

  it('reads [tool.secreview] from pyproject.toml, and a pyproject without it is fine', () => {
    const withSection = tempTree({ 'pyproject.toml': '[project]\nname = "x"\n[tool.secreview]\nconfidence = "high"\nfail-on = "critical"\n' });
    expect(loadConfig(withSection).config).toEqual({ confidence: 'high', 'fail-on': 'critical' });
    const without = tempTree({ 'pyproject.toml': '[project]\nname = "x"\n' });
    expect(loadConfig(without)).toEqual({ config: {} });
  });

  it('names the file and the key on a schema error', () => {
    const root = tempTree({ '.secreview.yml': 'severity: extreme\n' });
    expect(() => loadConfig(root)).toThrow(ConfigError);
    expect(() => loadConfig(root)).toThrow(`${join(root, '.secreview.yml')}: severity:`);
  });

  it('names an unknown key', () => {
    const root = tempTree({ '.secreview.yml': 'serverity: low\n' });
    expect(() => loadConfig(root)).toThrow(/\.secreview\.yml: serverity: unknown key/);
  });

  it('names the line of a YAML syntax error', () => {
    const root = tempTree({ '.secreview.yml': 'severity: low\ndisable: [a,\n' });
    expect(() => loadConfig(root)).toThrow(/\.secreview\.yml: invalid YAML at line \d/);
  });

  it('names the key path inside pyproject and a TOML syntax error line', () => {
    const bad = tempTree({ 'pyproject.toml': '[tool.secreview]\noverrides = [{ paths = [] }]\n' });
    expect(() => loadConfig(bad)).toThrow(/pyproject\.toml: tool\.secreview\.overrides\.0\.paths/);
    const broken = tempTree({ 'pyproject.toml': '[tool.secreview\n' });
    expect(() => loadConfig(broken)).toThrow(/pyproject\.toml: invalid TOML at line 1/);
  });
});
