import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { scan } from '../../src/api/scan.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

describe('examples/flask-diagnostics: a request parameter reaches subprocess through two helpers in another module', () => {
  it('reports one command injection with the full path across files', async () => {
    const report = await scan({ paths: ['flask-diagnostics'], cwd: examples, config: false });
    expect(report.findings.map((f) => [f.ruleId, f.location.path, f.location.startLine, f.confidence])).toEqual([
      ['python/command-injection', 'flask-diagnostics/diagnostics/probes.py', 19, 'high'],
    ]);
    const trace = report.findings[0]!.trace!;
    expect(trace.map((s) => [s.kind, s.location.path, s.location.startLine])).toEqual([
      ['source', 'flask-diagnostics/app.py', 11],
      ['step', 'flask-diagnostics/app.py', 11],
      ['call', 'flask-diagnostics/app.py', 13],
      ['call', 'flask-diagnostics/diagnostics/probes.py', 8],
      ['step', 'flask-diagnostics/diagnostics/probes.py', 14],
      ['call', 'flask-diagnostics/diagnostics/probes.py', 15],
      ['sink', 'flask-diagnostics/diagnostics/probes.py', 19],
    ]);
    expect(trace[0]!.expression).toBe('request.args');
    expect(trace[3]!.note).toBe('passed as `host` to `_run_ping()`');
  });

  it('the same app quoting the host with shlex.quote has no finding', async () => {
    const report = await scan({ paths: ['flask-diagnostics-fixed'], cwd: examples, config: false });
    expect(report.findings).toEqual([]);
    expect(report.stats.filesScanned).toBe(3);
  });
});
