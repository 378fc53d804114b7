import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { findRule } from '../../src/rules/index.js';

// The `models:` setting with concurrency and failure-path models (src/analysis/extra-models.ts).

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secreview-models-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const AGENT = [
  'class PortBinder(object):',
  '    def __init__(self, client):',
  '        self.client = client',
  '',
  '    def bind(self, network_id, host):',
  '        port = self.client.create_port(network_id)',
  '        self.client.bind_host(port, host)',
  '        self.bound = True',
  '',
].join('\n');

const PORTS_MODEL = [
  'language: python',
  'resources:',
  "  - acquire: { method: create_port, receiver: '(?i)client$' }",
  '    kind: team port',
  '    lifetime: persistent',
  '    release: [delete_port]',
  '    confidence: medium',
  '',
].join('\n');

async function leaks(cwd: string): Promise<[number, string][]> {
  const report = await scan({ paths: ['agent.py'], cwd, rules: [findRule('python/resource-leak-on-error')!], severity: 'low', confidence: 'low' });
  expect(report.diagnostics).toEqual([]);
  return report.findings.map((f) => [f.location.startLine, f.message]);
}

describe('models: extra failure-path and concurrency models', () => {
  it('an extra resource model (a folder, relative to the settings file) makes the leak found', async () => {
    expect(await leaks(tree({ 'agent.py': AGENT }))).toEqual([]);
    const dir = tree({ 'agent.py': AGENT, '.secreview.yml': 'models: [team-models]\n', 'team-models/ports.yml': PORTS_MODEL });
    const found = await leaks(dir);
    expect(found.map(([line]) => line)).toEqual([6]);
    expect(found[0]![1]).toMatch(/team port .*bind_host.*\(line 7\) raises/);
  });

  it('is read from pyproject.toml [tool.secreview] too', async () => {
    const dir = tree({ 'agent.py': AGENT, 'pyproject.toml': '[tool.secreview]\nmodels = ["ports.yml"]\n', 'ports.yml': PORTS_MODEL });
    expect((await leaks(dir)).map(([line]) => line)).toEqual([6]);
  });

  it('an extra named-lock wrapper makes a lock the concurrency rules know', async () => {
    const code = [
      'import threading',
      'from team import locks',
      '',
      'class Cache(object):',
      '    def __init__(self):',
      '        self.items = {}',
      '',
      '    def start(self, keys):',
      '        for k in keys:',
      '            threading.Thread(target=self.fill, args=(k,)).start()',
      '',
      '    def fill(self, key):',
      "        with locks.serialized('cache'):",
      '            if key not in self.items:',
      '                self.items[key] = compute(key)',
      '',
    ].join('\n');
    const model = ['language: python', 'library: team', 'named-locks:', '  - name: team.locks.serialized', '    args: [0]', ''].join('\n');
    const run = async (cwd: string) =>
      (await scan({ paths: ['cache.py'], cwd, rules: [findRule('python/check-then-act-race')!], severity: 'low', confidence: 'low' })).findings.map((f) => f.location.startLine);
    expect(await run(tree({ 'cache.py': code }))).toEqual([14]);
    expect(await run(tree({ 'cache.py': code, '.secreview.yml': 'models: [locks.yml]\n', 'locks.yml': model }))).toEqual([]);
  });

  it('cannot switch the built-in models off: their entries come first, and match-everything names are refused', async () => {
    const code = ['from neutron.agent.linux import ip_lib', 'def build(name):', '    ip_lib.create_network_namespace(name)', '    ip_lib.set_ip_nonlocal_bind(1, namespace=name)', ''].join('\n');
    const weaker = [
      'language: python',
      'resources:',
      '  - acquire: { name: ip_lib.create_network_namespace }',
      '    kind: nothing to see',
      '    lifetime: persistent',
      '    release: [set_ip_nonlocal_bind]',
      '    confidence: low',
      '',
    ].join('\n');
    // The built-in namespace model still decides (medium, its kind and its releases): extra entries come after it.
    const dir = tree({ 'agent.py': code, '.secreview.yml': 'models: [weaker.yml]\n', 'weaker.yml': weaker });
    const report = await scan({ paths: ['agent.py'], cwd: dir, rules: [findRule('python/resource-leak-on-error')!], severity: 'low', confidence: 'low' });
    expect(report.findings.map((f) => [f.location.startLine, f.confidence])).toEqual([[3, 'medium']]);
    expect(report.findings[0]!.message).toMatch(/network namespace/);

    const everything = ['language: python', 'library: x', 'safe-types:', "  - name: '*'", ''].join('\n');
    const bad = tree({ 'agent.py': code, '.secreview.yml': 'models: [all.yml]\n', 'all.yml': everything });
    await expect(scan({ paths: ['agent.py'], cwd: bad, severity: 'low', confidence: 'low' })).rejects.toThrow(/all\.yml:4: safe-types: .*match every call/);
  });

  it('a bad model file stops the scan with exit 2 and an error naming the file and the line', () => {
    const bad = ['language: python', 'resources:', '  - acquire: { method: create_port }', '    kind: port', '    lifetime: forever', '    release: [delete_port]', '    confidence: medium', ''].join('\n');
    const dir = tree({ 'agent.py': AGENT, '.secreview.yml': 'models: [models/bad.yml]\n', 'models/bad.yml': bad });
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [resolve('bin/secreview.js'), 'scan', '.', '--no-cache', '--no-progress'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain(`${join(dir, 'models', 'bad.yml')}:5`);
    expect(stderr).toMatch(/lifetime/);
  });
});
