import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { failurePathRules } from '../../src/rules/python/failure-paths/index.js';
import { failureModels, loadFailureModels, parseFailureModelFile } from '../../src/rules/python/failure-paths/models.js';

async function findings(text: string, filename = 'agent.py') {
  const report = await scan({
    paths: ['-'], stdin: { text, filename }, rules: failurePathRules, config: false, severity: 'low', confidence: 'low', includeTests: true,
  });
  expect(report.diagnostics).toEqual([]);
  return report.findings.map((f) => ({
    rule: f.ruleId,
    line: f.location.startLine,
    confidence: f.confidence,
    message: f.message,
    trace: (f.trace ?? []).map((s) => [s.kind, s.location.startLine]),
  }));
}

const src = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('python/resource-leak-on-error', () => {
  it('names the acquire line and the raising line, in the message and the trace', async () => {
    const found = await findings(
      src(
        'from neutron.agent.linux import ip_lib',
        '',
        'def build(name):',
        '    ns = ip_lib.create_network_namespace(name)',
        '    LOG.debug("created")',
        "    ip_lib.IPWrapper(namespace=name).netns.execute(['sysctl', '-w', 'net.ipv4.ip_forward=1'])",
      ),
    );
    expect(found.map((f) => [f.rule, f.line, f.confidence])).toEqual([['python/resource-leak-on-error', 4, 'medium']]);
    expect(found[0]!.message).toMatch(/network namespace/);
    expect(found[0]!.message).toMatch(/\(line 6\) raises/);
    expect(found[0]!.trace).toEqual([['source', 4], ['sink', 6]]);
  });

  it('reports one level lower in test code', async () => {
    const found = await findings(
      src('import os', '', 'def t(p):', '    fd = os.open(p, os.O_RDONLY)', '    os.read(fd, 10)', '    os.close(fd)'),
      'tests/unit/test_x.py',
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[4, 'low']]);
  });

  it('treats a release registered with addCleanup as released', async () => {
    const found = await findings(
      src(
        'from neutron.agent.linux import ip_lib',
        '',
        'class T(object):',
        '    def test_x(self):',
        '        ip_lib.create_network_namespace("ns")',
        '        self.addCleanup(ip_lib.delete_network_namespace, "ns")',
        '        ip_lib.set_ip_nonlocal_bind(1, namespace="ns")',
      ),
      'tests/functional/test_ns.py',
    );
    expect(found).toEqual([]);
  });
});

describe('python/resource-leak-on-error: how sure, per resource', () => {
  it('is low for get-or-create namespaces and idempotent plugs, medium for a veth pair made here', async () => {
    const found = await findings(
      src(
        'from neutron.agent.linux import ip_lib',
        'class Router(object):',
        '    def create(self, name, port):',
        '        ns = ip_lib.IPWrapper().ensure_namespace(name)',
        '        ns.netns.execute(["sysctl", "-w", "net.ipv4.ip_forward=1"])',
        '    def plug(self, port, name):',
        '        self.driver.plug(port["network_id"], port["id"], name, port["mac_address"])',
        '        self.driver.init_l3(name, ["10.0.0.1/24"])',
        '    def link(self, name, peer):',
        '        root, ns = ip_lib.IPWrapper().add_veth(name, peer)',
        '        root.disable_ipv6()',
      ),
    );
    expect(found.filter((f) => f.rule === 'python/resource-leak-on-error').map((f) => [f.line, f.confidence])).toEqual([[4, 'low'], [7, 'low'], [10, 'medium']]);
  });
});

describe('python/resource-leak-on-error: create-if-missing', () => {
  it('is low when the device is made only if an existence test finds it missing and the failing step runs on both paths', async () => {
    const found = await findings(
      src(
        'from neutron.agent.linux import ip_lib',
        'class Agent(object):',
        '    def provision(self, names, ns):',
        '        if ip_lib.device_exists(names[1], ns):',
        '            ns_dev = ip_lib.IPDevice(names[1], ns)',
        '        else:',
        '            root, ns_dev = ip_lib.IPWrapper().add_veth(names[0], names[1], ns)',
        '        ns_dev.link.set_up()',
        '    def provision_inside(self, names, ns):',
        '        if not ip_lib.device_exists(names[1], ns):',
        '            root, ns_dev = ip_lib.IPWrapper().add_veth(names[0], names[1], ns)',
        '            ns_dev.link.set_up()',
        '    def provision_flag(self, names, ns):',
        '        if self.conf.use_veth:',
        '            root, ns_dev = ip_lib.IPWrapper().add_veth(names[0], names[1], ns)',
        '        ns_dev.link.set_up()',
      ),
    );
    const rule = found.filter((f) => f.rule === 'python/resource-leak-on-error');
    // Line 11: the step that fails is inside the test's branch, so the next attempt skips it. Line 15: the test is no existence test.
    expect(rule.map((f) => [f.line, f.confidence])).toEqual([[7, 'low'], [11, 'medium'], [15, 'medium']]);
    expect(rule[0]!.message).toContain('created only when `ip_lib.device_exists(names[1], ns)` (line 4) finds it missing');
  });
});

describe('python/state-committed-before-success', () => {
  it('gives high confidence to a True flag skipped by a guard in the same method, with the guard in the trace', async () => {
    const found = await findings(
      src(
        'class Agent(object):',
        '    def init(self):',
        '        if self._initialized:',
        '            return',
        '        self._initialized = True',
        '        self.driver.plug("qg-1")',
      ),
    );
    expect(found.map((f) => [f.rule, f.line, f.confidence])).toEqual([['python/state-committed-before-success', 5, 'high']]);
    expect(found[0]!.trace).toEqual([['source', 5], ['step', 6], ['sink', 3]]);
  });

  it('reports a guard in another method only at low confidence', async () => {
    const found = await findings(
      src(
        'class Agent(object):',
        '    def set_gw(self, port):',
        '        self.gw_port = port',
        '        self.driver.plug(port)',
        '',
        '    def process(self):',
        '        if not self.gw_port:',
        '            self.set_gw(self.fetch())',
      ),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[3, 'low']]);
  });

  it('is low when a specific except around the raising call goes on (its author expected that failure); a broad one that goes on stays', async () => {
    const found = await findings(
      src(
        'class Placement(object):',
        '    def reset(self, driver):',
        '        if not self._event:',
        '            self._event = make_event(self)',
        '            try:',
        '                driver.idl.notify_handler.watch_events([self._event])',
        '            except AttributeError:',
        '                pass',
        '',
        '    def plug(self, port):',
        '        if not self._plugged:',
        '            self._plugged = True',
        '            try:',
        '                self.driver.plug(port)',
        '            except Exception:',
        '                LOG.exception("plug failed")',
        '',
        '    def bind(self, port):',
        '        if not self._bound:',
        '            self._bound = True',
        '            try:',
        '                self.driver.bind(port)',
        '            except KeyError:',
        '                raise BindFailed(port)',
      ),
    );
    const rule = found.filter((f) => f.rule === 'python/state-committed-before-success');
    expect(rule.map((f) => [f.line, f.confidence])).toEqual([[4, 'low'], [12, 'high'], [20, 'high']]);
    expect(rule[0]!.message).toContain('`except AttributeError:` (line 7) handles the failure its author expected there');
    expect(rule[1]!.message).not.toContain('its author expected');
  });

  it('keeps a memoising getter (it returns the marker) at low confidence', async () => {
    const found = await findings(
      src(
        'class Host(object):',
        '    def caps(self):',
        '        if self._caps:',
        '            return self._caps',
        '        self._caps = parse(self.conn.get())',
        '        self.conn.baseline(self._caps)',
        '        return self._caps',
      ),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[5, 'low']]);
  });

  it('does not report work that runs again whatever the marker says', async () => {
    const found = await findings(
      src(
        'class Router(object):',
        '    def add_fip(self, fip):',
        '        if self.rtr_fip_subnet is None:',
        '            self.rtr_fip_subnet = self.allocate()',
        '        self.driver.plug(fip)',
      ),
    );
    expect(found).toEqual([]);
  });
});

describe('python/broad-exception-fallback', () => {
  const addr = (handler: string[], before: string[] = []) =>
    src(
      'from neutron.agent.linux import ip_lib',
      '',
      'def add(device, cidr):',
      '    try:',
      '        device.addr.add(cidr)',
      ...before,
      ...handler,
    );

  it('is sure about an ERROR status for every RuntimeError, and names the fallback line', async () => {
    const found = await findings(addr(['    except RuntimeError:', '        return constants.FLOATINGIP_STATUS_ERROR']));
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[6, 'high']]);
    expect(found[0]!.message).toMatch(/marks the status as failed .*line 7/);
    expect(found[0]!.trace).toEqual([['source', 6], ['sink', 7]]);
  });

  it('is one level less sure when a narrower handler comes first', async () => {
    const found = await findings(
      addr(['    except RuntimeError:', '        return constants.FLOATINGIP_STATUS_ERROR'], ['    except ip_lib.IpAddressAlreadyExists:', '        pass']),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[8, 'medium']]);
    expect(found[0]!.message).toMatch(/earlier handler catches `IpAddressAlreadyExists`/);
  });

  it('keeps the common "any failure marks ERROR" handler of except Exception at low confidence', async () => {
    const found = await findings(addr(['    except Exception:', '        port.status = constants.PORT_STATUS_ERROR']));
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[6, 'low']]);
  });

  it('finds a retry of a namespaced call in the root namespace', async () => {
    const found = await findings(
      src(
        'from neutron.agent.linux import ip_lib',
        '',
        'def enable(ns):',
        '    try:',
        '        ip_lib.sysctl(["net.ipv4.ip_nonlocal_bind=1"], namespace=ns)',
        '    except RuntimeError:',
        '        ip_lib.sysctl(["net.ipv4.ip_nonlocal_bind=1"])',
      ),
    );
    expect(found.map((f) => [f.line, f.confidence])).toEqual([[6, 'high']]);
    expect(found[0]!.message).toMatch(/retries with more privilege/);
  });
});

describe('failure-path models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secreview-fp-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the built-in acquire/release pairs and fallbacks', () => {
    const models = failureModels();
    expect(models.resources.some((r) => r.acquire.method === 'ensure_namespace' && r.releaseMethods.has('delete'))).toBe(true);
    expect(models.fallbacks.some((f) => f.method === 'set_ip_nonlocal_bind' && f.kind === 'sysctl')).toBe(true);
  });

  it('rejects an entry with both name and method, naming the file and the line', () => {
    const text = [
      'language: python',
      'resources:',
      '  - acquire: { name: open }',
      '    kind: file',
      '    lifetime: scoped',
      '    release: [close]',
      '    confidence: low',
      '  - acquire: { name: x.y, method: z }',
      '    kind: thing',
      '    lifetime: scoped',
      '    release: [close]',
      '    confidence: low',
    ].join('\n');
    expect(() => parseFailureModelFile('bad.yml', text)).toThrow(/^bad\.yml:8: resources\.1\.acquire: give exactly one of `name` or `method`/);
  });

  it('rejects an unknown lifetime and an unknown key', () => {
    const base = ['language: python', 'resources:', '  - acquire: { method: mk }', '    kind: k', '    release: [rm]', '    confidence: low'];
    expect(() => parseFailureModelFile('a.yml', [...base, '    lifetime: forever'].join('\n'))).toThrow(/^a\.yml:7: resources\.0\.lifetime/);
    expect(() => parseFailureModelFile('b.yml', [...base, '    lifetime: scoped', '    relase: [x]'].join('\n'))).toThrow(/^b\.yml:3: resources\.0: Unrecognized key/);
  });

  it('reports a missing file and invalid YAML with the file name', () => {
    expect(() => loadFailureModels([join(dir, 'absent.yml')])).toThrow(/absent\.yml: cannot read model file/);
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, 'resources: [\n');
    expect(() => loadFailureModels([broken])).toThrow(/broken\.yml:\d+: invalid YAML/);
  });
});
