import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { findRule } from '../../src/rules/index.js';
import { reporters } from '../../src/report/index.js';
import { checkSchema } from '../report/schema-check.js';

const schema = JSON.parse(readFileSync(new URL('../../src/report/json-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const FIXTURE = fileURLToPath(new URL('../fixtures/rules/python/check-then-act-race/', import.meta.url));
const LOCKING = fileURLToPath(new URL('../fixtures/rules/python/inconsistent-locking/', import.meta.url));

async function neutronStyleReport() {
  const rule = findRule('python/check-then-act-race')!;
  const report = await scan({ paths: ['l3'], cwd: FIXTURE, rules: [rule], config: false, severity: 'low', confidence: 'low' });
  return report;
}

describe('a race finding a reviewer can check', () => {
  it('FipNamespace.subscribe: the check, the add, the lock held at each, and the green-thread entry point', async () => {
    const report = await neutronStyleReport();
    const f = report.findings.find((x) => x.location.path === 'l3/fip_ns.py' && x.location.startLine === 20)!;
    expect(f).toBeDefined();
    expect(f.confidence).toBe('medium');
    expect(f.message).toContain('`self._subscribers` is checked here and changed at line 21');
    expect(f.message).toContain('handed to `self._pool.spawn_n` at l3/agent.py:25');
    expect(f.fix).toMatch(/^Hold one lock .* from the check at line 20 through the change at line 21/);
    expect(f.related).toEqual([
      expect.objectContaining({ role: 'access', location: expect.objectContaining({ path: 'l3/fip_ns.py', startLine: 21 }), note: expect.stringContaining('no lock held') }),
      expect.objectContaining({ role: 'call', location: expect.objectContaining({ path: 'l3/agent.py', startLine: 29 }), expression: '_process_router(…)' }),
      expect.objectContaining({ role: 'call', location: expect.objectContaining({ path: 'l3/agent.py', startLine: 42 }), expression: 'subscribe(…)' }),
      expect.objectContaining({ role: 'entry', location: expect.objectContaining({ path: 'l3/agent.py', startLine: 25 }), expression: 'self._pool.spawn_n(self._process_router_update)' }),
    ]);
    // The fixed namespace (a per-namespace lockutils.lock across check and add) is not reported.
    expect(report.findings.filter((x) => x.location.path === 'l3/fip_ns_fixed.py')).toEqual([]);
  });

  it('is rendered in text, JSON (valid against the schema), SARIF relatedLocations, Markdown and HTML', async () => {
    const report = await neutronStyleReport();
    const text = reporters.text.render(report, { color: false });
    expect(text).toContain('Related:');
    expect(text).toMatch(/entry\s+l3\/agent\.py:25:\d+\s+self\._pool\.spawn_n\(self\._process_router_update\)/);
    const json = JSON.parse(reporters.json.render(report, { color: false }));
    expect(checkSchema(schema, json)).toEqual([]);
    expect(json.findings[0].related[0].role).toBe('access');
    const sarif = JSON.parse(reporters.sarif.render(report, { color: false }));
    const result = sarif.runs[0].results[0];
    expect(result.relatedLocations[0]).toMatchObject({ id: 1, physicalLocation: { region: { startLine: 21 } } });
    expect(result.relatedLocations.at(-1).message.text).toMatch(/^Entry point: /);
    expect(reporters.markdown.render(report, { color: false })).toContain('Related locations (4 places)');
    expect(reporters.html.render(report, { color: false })).toContain('"related":[');
  });

  it('one inconsistent-locking finding per function and missing lock, naming every field it leaves unguarded', async () => {
    const rule = findRule('python/inconsistent-locking')!;
    const report = await scan({ paths: ['ports.py'], cwd: LOCKING, rules: [rule], config: false, severity: 'low', confidence: 'low' });
    const inDelete = report.findings.filter((x) => x.location.startLine >= 109 && x.location.startLine <= 117);
    expect(inDelete.map((x) => x.location.startLine)).toEqual([111, 117]);
    const [both, names] = inDelete as [(typeof inDelete)[number], (typeof inDelete)[number]];
    expect(both.message).toContain('`self._policies` is changed here with no lock held');
    expect(both.message).toContain('The same function also changes `self._known` (line 114) without that lock.');
    expect(both.fix).toMatch(/^Hold `self\._lock` around lines 111, 114 too \(as at line 104\)/);
    expect(both.related?.[0]).toMatchObject({ role: 'access', location: { startLine: 104 }, note: expect.stringContaining('changed holding `self._lock`') });
    expect(both.related?.[1]).toMatchObject({ role: 'access', location: { startLine: 114 }, expression: 'self._known.discard(policy)', note: '`self._known` changed in the same function, no lock held' });
    expect(names.message).not.toContain('The same function also');
    expect(names.fix).toMatch(/^Hold `self\._names_lock` around line 117 too/);
    // A helper reached only from `reset`: one finding, at `reset`'s own write, naming the helper's.
    const inReset = report.findings.filter((x) => x.location.startLine >= 119);
    expect(inReset.map((x) => x.location.startLine)).toEqual([121]);
    expect(inReset[0]!.message).toContain('Code reached from `PolicyMap.reset` the same way also changes `self._known` (line 127, in `PolicyMap._forget_all`) without that lock.');
    expect(inReset[0]!.related).toContainEqual(expect.objectContaining({ role: 'access', location: expect.objectContaining({ startLine: 127 }), note: expect.stringContaining('in `PolicyMap._forget_all`, reached from the same entry point') }));
  });
});
