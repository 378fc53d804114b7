import { describe, expect, it } from 'vitest';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import type { PythonModule } from '../../src/frontend/python/index.js';
import { pythonConcurrencyFacts } from '../../src/frontend/python/concurrency-facts.js';
import { builtinConcurrencyModel, parseConcurrencyModel } from '../../src/analysis/concurrency/model.js';
import type { ConcurrencyFacts } from '../../src/analysis/concurrency/facts.js';
import { ConcurrencyProgram } from '../../src/analysis/concurrency/program.js';
import { inheritedLocks } from '../../src/analysis/concurrency/locksets.js';
import { analyseConcurrency } from '../../src/analysis/concurrency/races.js';
import { ModelError } from '../../src/analysis/taint/models.js';

async function factsOf(files: Record<string, string>): Promise<ConcurrencyFacts[]> {
  const out: ConcurrencyFacts[] = [];
  for (const [path, source] of Object.entries(files)) {
    const analysis = await analysePythonSource(path, source, []);
    try {
      out.push(pythonConcurrencyFacts(analysis.module as PythonModule, builtinConcurrencyModel()));
    } finally {
      analysis.release();
    }
  }
  return out;
}

function fn(facts: ConcurrencyFacts[], id: string) {
  const f = facts.flatMap((x) => x.functions).find((g) => g.id === id);
  if (!f) throw new Error(`no function ${id}`);
  return f;
}

const LOCKED_HELPER = `
import threading

class Ports(object):
    def __init__(self):
        self._lock = threading.Lock()
        self._ports = {}

    def add(self, port):
        with self._lock:
            self._store(port)

    def _store(self, port):
        self._ports[port] = True
`;

describe('lock sets through calls and decorators', () => {
  it('a method called only while its caller holds a lock has that lock', async () => {
    const facts = await factsOf({ 'ports.py': LOCKED_HELPER });
    const store = fn(facts, 'ports.Ports._store');
    expect(store.accesses).toEqual([expect.objectContaining({ resource: 'ports.Ports#_ports', kind: 'write', locks: [] })]);
    const program = new ConcurrencyProgram(facts);
    const inherited = inheritedLocks(program);
    expect([...inherited.get('ports.Ports._store')!]).toEqual(['ports.Ports#_lock']);
    // Public: an entry point of a lock owner, so callers hold nothing for it (absent: the empty set).
    expect(program.functions.has('ports.Ports.add')).toBe(true);
    expect(inherited.has('ports.Ports.add')).toBe(false);
  });

  it('a second caller without the lock takes it away, and the unguarded write is reported', async () => {
    const source = `${LOCKED_HELPER}
    def replace(self, port):
        self._store(port)
`;
    const facts = await factsOf({ 'ports.py': source });
    const program = new ConcurrencyProgram(facts);
    expect(program.functions.has('ports.Ports._store')).toBe(true);
    expect(inheritedLocks(program).has('ports.Ports._store')).toBe(false);
    // Every write is now unguarded somewhere: no locked write, nothing inconsistent.
    expect(analyseConcurrency(facts).issues).toEqual([]);
  });

  it('lock decorators and lockutils locks are named locks; names built at run time are one lock per prefix', async () => {
    const facts = await factsOf({
      'ns.py': `
import threading
from oslo_concurrency import lockutils

class Namespace(object):
    def __init__(self):
        self._guard = threading.Lock()

    @lockutils.synchronized('ns-table')
    def add(self, x):
        self._table[x] = 1

    def sub(self, x):
        with lockutils.lock('fip-ns-' + self.name):
            self._subs.add(x)

    def manual(self, x):
        self._guard.acquire()
        try:
            self._items.append(x)
        finally:
            self._guard.release()
        self._items.append(x)
`,
    });
    expect(fn(facts, 'ns.Namespace.add').locks).toEqual(['name:ns-table']);
    expect(fn(facts, 'ns.Namespace.add').accesses[0]).toMatchObject({ resource: 'ns.Namespace#_table', locks: ['name:ns-table'] });
    expect(fn(facts, 'ns.Namespace.sub').accesses.find((a) => a.resource === 'ns.Namespace#_subs')).toMatchObject({ locks: ['name:fip-ns-*'] });
    const manual = fn(facts, 'ns.Namespace.manual').accesses.filter((a) => a.resource === 'ns.Namespace#_items');
    expect(manual.map((a) => a.locks)).toEqual([['ns.Namespace#_guard'], []]);
  });

  it('a lock named through a local is named by the local\'s value, not by the variable', async () => {
    const facts = await factsOf({
      'fip.py': `
from oslo_concurrency import lockutils

class Fip(object):
    def port(self, interface_name):
        lock_name = 'port-lock-' + self.name + '-' + interface_name
        with lockutils.lock(lock_name):
            self._ports.add(interface_name)

    def other(self, key):
        with lockutils.lock(key):
            self._ports.discard(key)
`,
    });
    expect(fn(facts, 'fip.Fip.port').accesses.find((a) => a.resource === 'fip.Fip#_ports')).toMatchObject({ locks: ['name:port-lock-*'] });
    // A parameter has no value to read: named by its spelling, as before.
    expect(fn(facts, 'fip.Fip.other').accesses.find((a) => a.resource === 'fip.Fip#_ports')).toMatchObject({ locks: ['name:key*'] });
  });
});

describe('entry points', () => {
  it('finds threads, pools, executors, looping calls, tasks, RPC endpoints, handlers and lock owners', async () => {
    const facts = await factsOf({
      'svc.py': `
import asyncio
import threading
import eventlet
import flask
import oslo_messaging
from concurrent import futures
from oslo_service import loopingcall

app = flask.Flask(__name__)

def worker():
    pass

def report():
    pass

class Agent(object):
    target = oslo_messaging.Target(version='1.0')

    def __init__(self):
        self._pool = eventlet.GreenPool()
        self._executor = futures.ThreadPoolExecutor(4)

    def start(self):
        threading.Thread(target=worker).start()
        self._pool.spawn_n(self._loop)
        self._executor.submit(self._job, 1)
        loopingcall.FixedIntervalLoopingCall(report).start(30)

    def _loop(self):
        pass

    def _job(self, n):
        pass

    def port_update(self, context, port):
        pass

    def daemon_loop(self):
        pass

    async def serve(self):
        asyncio.create_task(self._handle(1))

    async def _handle(self, n):
        pass

class Guarded(object):
    def __init__(self):
        self._lock = threading.RLock()

    def touch(self):
        pass

    def _private(self):
        pass

@app.route('/x')
def view():
    return ''
`,
    });
    const program = new ConcurrencyProgram(facts, { handlerDecorators: ['*.route'] });
    const entries = new Map(program.entries.map((e) => [e.fn, e]));
    expect([...entries.keys()].sort()).toEqual(
      ['svc.Agent._handle', 'svc.Agent._job', 'svc.Agent._loop', 'svc.Agent.port_update', 'svc.Guarded.touch', 'svc.report', 'svc.view', 'svc.worker'].sort(),
    );
    expect(entries.get('svc.worker')).toMatchObject({ kind: 'explicit', many: false });
    expect(entries.get('svc.Agent._loop')).toMatchObject({ kind: 'explicit', many: true });
    expect(entries.get('svc.report')).toMatchObject({ many: false });
    expect(entries.get('svc.Guarded.touch')).toMatchObject({ kind: 'lock-owner' });
    // `daemon_loop` takes no request context: not an RPC method.
    expect(entries.has('svc.Agent.daemon_loop')).toBe(false);
  });

  it('methods reached from an entry point inherit it, through calls on objects the code created', async () => {
    const facts = await factsOf({
      'a.py': `
import eventlet
from b import Namespace

class Agent(object):
    def run(self):
        eventlet.spawn_n(self.loop)

    def loop(self):
        ns = self.get_ns()
        ns.subscribe(1)

    def get_ns(self):
        ns = Namespace()
        return ns
`,
      'b.py': `
class Namespace(object):
    def subscribe(self, x):
        self._subs.add(x)
`,
    });
    const program = new ConcurrencyProgram(facts);
    const reach = program.reach.get('b.Namespace.subscribe');
    expect(reach?.entry.fn).toBe('a.Agent.loop');
    expect(reach?.weak).toBe(false);
    expect(reach?.from?.fn).toBe('a.Agent.loop');
  });
});

describe('shared versus local state', () => {
  it('keeps fields and mutated module containers, drops locals, queues, thread-locals and __init__', async () => {
    const facts = await factsOf({
      'm.py': `
import queue
import threading

_CACHE = {}
_COUNT = 0
LIMIT = 10

class C(object):
    def __init__(self):
        self._q = queue.Queue()
        self._tls = threading.local()
        self._items = []

    def work(self, x):
        seen = {}
        seen[x] = 1
        local = []
        local.append(x)
        self._q.put(x)
        self._tls.value = x
        self._items.append(x)
        _CACHE[x] = LIMIT

def bump():
    global _COUNT
    _COUNT += 1
`,
    });
    expect(fn(facts, 'm.C.__init__').accesses).toEqual([]);
    const work = fn(facts, 'm.C.work').accesses.map((a) => `${a.kind} ${a.resource}`);
    expect(work.sort()).toEqual(['write m#_CACHE', 'write m.C#_items']);
    expect(fn(facts, 'm.bump').accesses.map((a) => `${a.kind} ${a.resource}`).sort()).toEqual(['read m#_COUNT', 'write m#_COUNT']);
  });
});

describe('concurrency model files', () => {
  it('rejects an entry that names neither a qualified name nor a method, with its line', () => {
    const text = 'language: python\nlibrary: x\nspawners:\n  - args: [0]\n';
    expect(() => parseConcurrencyModel('bad.yml', text)).toThrow(ModelError);
    expect(() => parseConcurrencyModel('bad.yml', text)).toThrow(/bad\.yml:4: spawners\.0: needs exactly one of `name` or `method`/);
  });

  it('rejects unknown keys and bad regular expressions', () => {
    expect(() => parseConcurrencyModel('bad.yml', 'language: python\nlibrary: x\nlockz: []\n')).toThrow(/Unrecognized key/);
    expect(() => parseConcurrencyModel('bad.yml', "language: python\nlibrary: x\nspawners:\n  - method: spawn\n    receiver: '('\n    args: [0]\n")).toThrow(/not a valid regular expression/);
  });

  it('loads the bundled models', () => {
    const model = builtinConcurrencyModel();
    expect(model.locks.some((e) => e.name === 'threading.Lock')).toBe(true);
    expect(model.spawners.some((e) => e.method === 'spawn_n')).toBe(true);
  });
});

describe('the path a finding cites', () => {
  it('cites the entry point that reaches the unguarded access without the lock, not the locked one', async () => {
    const facts = await factsOf({
      'qos.py': `
import threading
from oslo_concurrency import lockutils

class PolicyMap(object):
    def __init__(self):
        self.policies = {}

    def set_policy(self, port, policy):
        self.policies[port] = policy

    def clean_by_port(self, port):
        self.policies.pop(port, None)

class Extension(object):
    def __init__(self):
        self._lock = threading.Lock()
        self.map = PolicyMap()

    @lockutils.synchronized('qos-port')
    def handle_port(self, context, port):
        self.map.clean_by_port(port)
        self.map.set_policy(port, 1)

    def delete_port(self, context, port):
        self._process(port)

    def _process(self, port):
        self.map.clean_by_port(port)
`,
    });
    const issue = analyseConcurrency(facts).issues.find((i) => i.kind === 'inconsistent-locking' && i.primary.fn === 'qos.PolicyMap.clean_by_port');
    expect(issue?.reach.entry.fn).toBe('qos.Extension.delete_port');
    expect(issue?.chain.map((c) => c.fn)).toEqual(['qos.Extension.delete_port', 'qos.Extension._process']);
    expect(issue?.chain.map((c) => c.line)).toEqual([26, 29]);
  });
});

describe('what the linked program keeps (a report carries it after the scan)', () => {
  it('drops files that only assign constants, and keeps a module body that calls or owns state', async () => {
    const facts = await factsOf({ 'consts.py': 'X = 1\nNAMES = ("a", "b")\n', 'boot.py': 'import threading\n\ndef work():\n    pass\n\nthreading.Thread(target=work).start()\n', 'ports.py': LOCKED_HELPER });
    expect(facts.map((f) => f.path).sort()).toEqual(['boot.py', 'consts.py', 'ports.py']);
    const program = new ConcurrencyProgram(facts);
    expect(program.files.map((f) => f.path).sort()).toEqual(['boot.py', 'ports.py']);
    expect([...program.functions.keys()].filter((id) => id.startsWith('consts.'))).toEqual([]);
    expect(program.functions.has('boot.<module>')).toBe(true);
    expect(program.entries.map((e) => e.fn)).toContain('boot.work');
    // Functions that call nothing have no edge list.
    expect(program.edges.has('boot.work')).toBe(false);
  });
});

describe('a lock owner method nothing calls', () => {
  const SINGLETON = `import threading


class Manager(object):
    _instance = None
    _lock = threading.Lock()

    @classmethod
    def get_instance(cls):
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls._load()
        return cls._instance

    @classmethod
    def _load(cls):
        return open('/etc/plugins').read()

    @classmethod
    def clear_instance(cls):
        cls._instance = None
`;

  it('is low when no call in the program names it and its class has no outside base', async () => {
    const facts = await factsOf({ 'manager.py': SINGLETON, 'service.py': 'import manager\n\ndef serve():\n    return manager.Manager.get_instance()\n' });
    const issues = analyseConcurrency(facts).issues.filter((i) => i.kind === 'inconsistent-locking' && i.primary.access === 'write');
    expect(issues.map((i) => [i.primary.fn, i.primary.span.line, i.confidence])).toEqual([['manager.Manager.clear_instance', 21, 'low']]);
    expect(issues[0]!.notes?.join(' ')).toContain('nothing in the scanned code calls `clear_instance`');
  });

  it('stays high once the program calls it, or when a base outside the program may', async () => {
    const called = await factsOf({ 'manager.py': SINGLETON, 'service.py': 'import manager\n\ndef reload():\n    manager.Manager.clear_instance()\n' });
    const writes = (f: ConcurrencyFacts[]) => analyseConcurrency(f).issues.filter((i) => i.kind === 'inconsistent-locking' && i.primary.access === 'write');
    expect(writes(called).map((i) => [i.primary.span.line, i.confidence])).toEqual([[21, 'high']]);
    const framework = await factsOf({ 'manager.py': SINGLETON.replace('class Manager(object):', 'from oslo_service import service\n\n\nclass Manager(service.Service):') });
    expect(writes(framework).map((i) => [i.primary.span.line, i.confidence])).toEqual([[24, 'high']]);
  });
});
