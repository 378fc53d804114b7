/**
 * The concurrency facts a file entry keeps are checked like the rest of the outcome: a forged
 * entry (valid checksum) whose call target refers to itself is a miss, and the scan gives the
 * uncached findings instead of recursing through the cycle.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { FORMAT } from '../../src/cache/scan-cache.js';
import { checkConcurrencyFacts } from '../../src/cache/entry-checks.js';
import { tempTree } from '../support/tmp.js';
import { entryParts, forgeEntry } from '../support/cache-entry.js';

const AGENT = `import threading

import eventlet


class FipNamespace(object):
    def __init__(self):
        self._subscribers = set()
        self._lock = threading.Lock()

    def subscribe(self, net_id):
        is_first = not self._subscribers
        self._subscribers.add(net_id)
        return is_first

    def unsubscribe(self, net_id):
        with self._lock:
            self._subscribers.discard(net_id)


class Agent(object):
    def __init__(self):
        self.fip_ns = FipNamespace()
        self.pool = eventlet.GreenPool()

    def process(self, router):
        if self.fip_ns.subscribe(router):
            router.create()

    def run(self, routers):
        for r in routers:
            self.pool.spawn_n(self.process, r)
`;

const base = (root: string, extra: Partial<ScanOptions> = {}): ScanOptions => ({ paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low', ...extra });
const findingsOf = (r: ScanResult): string => JSON.stringify(r.findings);
const files = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];

describe('cached concurrency facts', () => {
  it('a call target nested in itself is rejected by the check', () => {
    const loop: Record<string, unknown> = { k: 'result', method: 'm' };
    loop.of = loop;
    expect(checkConcurrencyFacts({ path: 'a.py', module: 'a', globals: [], functions: [], classes: [], spawns: [{ target: loop, via: 'x', code: 'x', many: true, in: 'a.f', span: { line: 1, column: 1, endLine: 1, endColumn: 2, statementLine: 1 } }], endpoints: [] })).toMatch(
      /spawns\[0\]: call target nested deeper than 16/,
    );
  });

  it('a green-thread marker that is not a line and its code is rejected by the check', () => {
    const facts = { path: 'a.py', module: 'a', globals: [], functions: [], classes: [], spawns: [], endpoints: [] };
    expect(checkConcurrencyFacts({ ...facts, greenThreads: { line: 3, code: 'eventlet.monkey_patch()' } })).toBeUndefined();
    expect(checkConcurrencyFacts({ ...facts, greenThreads: 'yes' })).toMatch(/green-thread marker/);
    expect(checkConcurrencyFacts({ ...facts, greenThreads: { line: -1, code: 'x' } })).toMatch(/green-thread marker/);
  });

  it('a forged entry whose facts hold a cycle is a miss; the scan gives the uncached findings', async () => {
    const root = tempTree({ 'agent.py': AGENT });
    const dir = join(tempTree({}), 'cache');
    const uncached = findingsOf(await scan(base(root)));
    expect(uncached).toContain('python/');
    const said: string[] = [];
    const cold = await scan(base(root, { cache: { dir, log: (m) => said.push(m) } }));
    expect(findingsOf(cold)).toBe(uncached);

    const [entry] = files(join(dir, FORMAT, 'files'));
    const { sections } = entryParts(readFileSync(entry!));
    const head = deserialize(sections[0]!.subarray(4)) as { meta: { concurrency?: { spawns: { target: Record<string, unknown> }[] } } };
    expect(head.meta.concurrency?.spawns.length).toBeGreaterThan(0);
    const loop: Record<string, unknown> = { k: 'result', method: 'process' };
    loop.of = loop;
    head.meta.concurrency!.spawns[0]!.target = loop;
    const headBytes = serialize(head);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(headBytes.length, 0);
    forgeEntry(entry!, [Buffer.concat([prefix, headBytes]), ...sections.slice(1)]);
    for (const p of files(join(dir, FORMAT, 'program'))) rmSync(p);

    const forged = await scan(base(root, { cache: { dir, log: (m) => said.push(m) } }));
    expect(findingsOf(forged)).toBe(uncached);
    expect(forged.cache!.rejected).toBeGreaterThanOrEqual(1);
    expect(said.join('\n')).toMatch(/call target nested deeper than 16/);
  });
});
