import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/check-then-act-race',
  language: 'python',
  title: 'Shared state checked and then changed without one lock held across both',
  cwe: [367, 362],
  severity: 'medium',
  confidence: 'medium',
  concurrency: { kind: 'check-then-act' },
  description:
    'Code that runs concurrently checks shared state and then acts on what it saw, with no single lock held from the ' +
    'check through the act: `if key not in self.cache: self.cache[key] = build()`, `if not self._client: self._client = ' +
    'connect()`, `is_first = not self._subscribers; self._subscribers.add(x); return is_first`. A check through a method ' +
    'of the same object (`not self.has_subscribers()`) counts. In a coroutine it is reported only when an `await` lies ' +
    'between the check and the act. In a program that calls `eventlet.monkey_patch()` (green threads, as in Neutron and ' +
    'Nova), a check and an act with no call between them that can block (anything but builtins, container and string ' +
    'methods, logging) are not reported, and lazy initialisation (`if not self.x: self.x = make()`), refresh markers ' +
    '(`… = time.time()`) and first-caller flags with nothing blocking in between are low confidence; the message says why. ' +
    'An act that does the same whether or not the check still holds (`d.pop(k, None)`, `s.discard(x)`, `d.setdefault(k, v)`) ' +
    'is not reported. ' +
    'Assumed: what runs concurrently is what the model lists (threads, green threads and pools, executors, looping calls, ' +
    'RPC endpoint methods, request handlers, public methods of a class that owns a lock); a lock is one per field or per ' +
    'name (per constant prefix for names built at run time). Blind to calls it cannot resolve (dynamic dispatch, ' +
    'callbacks stored in data), locks passed as arguments, state reached through another object, database rows and ' +
    'races between processes (see README "Concurrency review").',
  whyItMatters:
    'Two threads (or green threads) can both pass the check before either acts: both create the namespace, both plug ' +
    'the port, both think they are the first subscriber (or the last one, and tear shared state down under the other). ' +
    'The damage ranges from leaked resources to state that no longer matches the firewall or routing rules.',
  fix: {
    guidance:
      'Hold one lock from the check through the act (`with self._lock:` around both, or `lockutils.lock(name)` named after ' +
      'the object when the state is per object), or use an atomic operation (`dict.setdefault`, `set.add` and compare sizes ' +
      'under the lock).',
    before:
      'def subscribe(self, net_id):\n    is_first = not self._subscribers\n    self._subscribers.add(net_id)\n    return is_first',
    after:
      "def subscribe(self, net_id):\n    with lockutils.lock('fip-ns-' + self.name):\n        is_first = not self._subscribers\n        self._subscribers.add(net_id)\n        return is_first",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/367.html',
    'https://cwe.mitre.org/data/definitions/362.html',
    'https://docs.python.org/3/library/threading.html#lock-objects',
  ],
  create: () => ({}),
});
