/**
 * File names a repository may hold, as SARIF artifact URIs: each one resolves, against the root's
 * URI, back to the very file (`\back.py` once became `file:///back.py`, outside the tree).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Sarif from 'sarif';
import { artifactLocationFor, rootUri, sarifReporter } from '../../src/report/sarif.js';
import { AWKWARD_NAMES, SHELL_RULE, finding, makeReport } from '../report/helpers.js';


const ROOTS = ['/home/dev/shop', '/srv/my projects/café #1?', '/tmp/100%/\\odd'];

describe('SARIF artifact URIs round-trip to the file', () => {
  for (const root of ROOTS) {
    it(`relative names under ${JSON.stringify(root)}`, () => {
      const base = rootUri(root);
      expect(fileURLToPath(base)).toBe(`${root}/`);
      for (const name of AWKWARD_NAMES) {
        const location = artifactLocationFor(name);
        expect(location.uriBaseId, name).toBe('%SRCROOT%');
        expect(location.uri, name).not.toMatch(/[\\\s#?]/);
        expect(fileURLToPath(new URL(location.uri!, base)), name).toBe(join(root, name));
      }
    });
  }

  it('absolute names outside the root become file: URIs that give the path back', () => {
    for (const name of AWKWARD_NAMES) {
      const path = `/outside/${name}`;
      const location = artifactLocationFor(path);
      expect(location.uriBaseId, name).toBeUndefined();
      expect(fileURLToPath(location.uri!), name).toBe(path);
    }
  });

  it('the rendered SARIF keeps each name under %SRCROOT%', () => {
    const root = '/srv/my projects/café #1?';
    const findings = AWKWARD_NAMES.map((name, i) => finding(SHELL_RULE, name, i + 1, 'os.system(cmd)', 'cmd', 'runs `cmd` through a shell.'));
    const log = JSON.parse(sarifReporter.render(makeReport({ findings, rules: [SHELL_RULE], root }), { color: false })) as Sarif.Log;
    const run = log.runs[0]!;
    const base = run.originalUriBaseIds!['%SRCROOT%']!.uri!;
    const paths = run.results!.map((r) => {
      const loc = r.locations![0]!.physicalLocation!.artifactLocation!;
      return fileURLToPath(new URL(loc.uri!, base)).slice(root.length + 1);
    });
    expect(paths.sort()).toEqual([...AWKWARD_NAMES].sort());
  });
});
