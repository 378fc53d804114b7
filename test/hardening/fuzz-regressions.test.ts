/**
 * Reproducers found by `npm run fuzz` (scripts/fuzz.ts), kept as regression tests.
 *
 * error-root-scope-loop-*.py: mutants of python3-neutron files whose syntax errors make
 * tree-sitter's root an ERROR node instead of `module`. Name resolution in the injection rules
 * walked scopes outwards until it met a `module` node, so it spun forever (a hang, 4 in the
 * first 300 mutants). The fix treats the tree's root as the module scope whatever its type.
 * Each file runs in a child process with a timeout, since a hang cannot be interrupted in-thread.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url));
const GOOD = 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n';

describe('fuzz reproducers', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).sort();

  it('has reproducers', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const name of files) {
    it(`${name}: scans to completion without internal errors, and the other file still counts`, () => {
      const dir = tempTree({ 'good.py': GOOD });
      copyFileSync(join(FIXTURES, name), join(dir, name));
      const r = spawnSync(process.execPath, [BIN, 'scan', '.', '--format', 'json', '--no-config', '--severity', 'low', '--confidence', 'low', '--fail-on', 'none'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, CI: 'true' },
      });
      expect(r.signal, 'the scan hung and was killed').toBeNull();
      expect(r.status).toBe(0);
      const json = JSON.parse(r.stdout) as { findings: { location: { path: string } }[]; diagnostics: { kind: string; path: string }[] };
      expect(json.diagnostics.filter((d) => d.kind === 'internal-error')).toEqual([]);
      expect(json.diagnostics.filter((d) => d.kind === 'skipped')).toEqual([]);
      expect(json.findings.some((f) => f.location.path === 'good.py')).toBe(true);
    });
  }
});
