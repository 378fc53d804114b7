import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/inconsistent-locking',
  language: 'python',
  title: 'Shared state locked in one place and not in another',
  cwe: [366, 667],
  severity: 'medium',
  confidence: 'high',
  concurrency: { kind: 'inconsistent-locking' },
  description:
    'A field of a shared object (or a module global) is written while a lock is held in one place, and read or written ' +
    'with none of that lock held in another, and both places run concurrently: code handed to a thread, a green thread ' +
    'or pool (`spawn_n`), an executor, a looping call, an RPC endpoint, a request handler, or a public method of a class ' +
    'that owns a lock. Locks held by callers count (a method only called under the lock has it). One finding per entry ' +
    'point, kind of access and missing lock: the other fields left unguarded on that path are its related locations. Lower confidence (low): ' +
    'a single unlocked read in a program on eventlet green threads (it sees the value before or after a change, never ' +
    'half-way), and state whose only lock is one that callers of another class hold for their own work while more ' +
    'functions write it unlocked than locked; and an access reached only from public methods of a lock owner that no ' +
    'call in the scanned code names, in a class with no base outside the scan (a test hook such as `clear_instance`, or ' +
    'an API only other packages call). Blind to locks passed as arguments or taken in another process, to calls ' +
    'it cannot resolve, and to whether the locked code blocks while its invariant is broken (what a conflict needs under ' +
    'green threads); see README "Concurrency review".',
  whyItMatters:
    'The lock only protects the state if every access holds it. The unguarded access can see a half-made change or ' +
    'overwrite a concurrent one: counters lose updates, a dict is iterated while it changes (`RuntimeError`), a ' +
    'resource is set up twice or torn down while in use. In services such as OpenStack agents, races like this account ' +
    'for a large share of the security defects raised in review (duplicate namespaces, leaked ports, wrong firewall state).',
  fix: {
    guidance:
      'Hold the same lock at every access of the state (or move the access into a method that takes it). If the access ' +
      'is deliberately unlocked (a read of a flag whose staleness is harmless), say so in a comment and suppress the finding.',
    before:
      'def add(self, port):\n    with self._lock:\n        self._ports[port.id] = port\n\ndef remove(self, port_id):\n    del self._ports[port_id]',
    after:
      'def add(self, port):\n    with self._lock:\n        self._ports[port.id] = port\n\ndef remove(self, port_id):\n    with self._lock:\n        del self._ports[port_id]',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/366.html',
    'https://cwe.mitre.org/data/definitions/667.html',
    'https://fbinfer.com/docs/checker-racerd/',
    'https://docs.openstack.org/oslo.concurrency/latest/user/index.html',
  ],
  create: () => ({}),
});
