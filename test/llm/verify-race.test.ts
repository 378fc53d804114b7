/**
 * Which LLM claims the concurrency checks apply to (src/llm/verify-race.ts), on the facts of the
 * Neutron-style fixture test/fixtures/llm/concurrency/fip_subscriptions.py.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { concurrencyOf } from '../../src/api/analysis-results.js';
import { getCwe } from '../../src/cwe/catalogue.js';
import { ConcurrencyFactsIndex, type FileConcurrencyFacts } from '../../src/llm/concurrency-facts.js';
import { splitLines } from '../../src/llm/review.js';
import { checkConcurrencyClaim, concurrencyClaimKind, LOCKING_CWES, RACE_CWES } from '../../src/llm/verify-race.js';
import { FIXTURES, claim, fixture } from './helpers.js';

const FILE = 'fip_subscriptions.py';
const LINES = splitLines(fixture(`concurrency/${FILE}`));
let facts: FileConcurrencyFacts;

beforeAll(async () => {
  const report = await scan({ paths: [FILE], cwd: `${FIXTURES}concurrency`, config: false });
  facts = new ConcurrencyFactsIndex(concurrencyOf(report)!).forFile(FILE)!;
});

/** Every id's ancestors in MITRE's research view (CWE-1000). */
function ancestors(id: number, seen = new Set<number>()): Set<number> {
  for (const p of getCwe(id)?.parents ?? []) {
    if (seen.has(p)) continue;
    seen.add(p);
    ancestors(p, seen);
  }
  return seen;
}

describe('the CWEs checked', () => {
  it('are CWE-362 (race condition), CWE-662 (improper synchronisation) and weaknesses under them in the catalogue', () => {
    for (const id of [...RACE_CWES, ...LOCKING_CWES]) {
      const e = getCwe(id);
      expect(e?.kind, `CWE-${id}`).toBe('weakness');
      expect(id === 362 || id === 662 || ancestors(id).has(362) || ancestors(id).has(662), `CWE-${id} is under 362 or 662`).toBe(true);
    }
  });

  it('sort claims into races, missing releases and deadlocks; other CWEs get no concurrency check', () => {
    expect(concurrencyClaimKind(367, claim({ title: 'TOCTOU' }))).toBe('race');
    expect(concurrencyClaimKind(667, claim({ description: 'self._lock is never released if plug() raises' }))).toBe('release');
    expect(concurrencyClaimKind(667, claim({ description: 'self._ports is changed without the lock other methods hold' }))).toBe('race');
    expect(concurrencyClaimKind(833, claim({ description: 'the two locks are taken in opposite orders' }))).toBe('deadlock');
    expect(concurrencyClaimKind(78, claim({ description: 'race to inject a command' }))).toBeUndefined();
    expect(concurrencyClaimKind(363, claim({ description: 'symlink race' }))).toBeUndefined();
  });
});

describe('the checks', () => {
  const race = claim({ cwe: [362], title: 'race', ranges: [{ start: 22, end: 22 }] });

  it('accept an unlocked check-then-act, and name the field in a rejection', () => {
    expect(checkConcurrencyClaim('race', race, [{ start: 22, end: 22 }], LINES, facts)).toBeUndefined();
    expect(checkConcurrencyClaim('race', race, [{ start: 28, end: 28 }], LINES, facts)).toEqual({
      code: 'race-common-lock',
      reason: 'claims a race, but every access of `self._ports` (lines 28, 32) holds self._ports_lock, so no two of them can interleave',
    });
  });

  it('look at the field the claim names when the cited lines access several', () => {
    // Lines 26-30 (±2 around 28) touch only self._ports; 22-24 only self._subscribers: a claim
    // citing 24-26 reaches both, and naming self._ports it is judged on self._ports alone.
    const named = claim({ cwe: [362], description: 'self._ports can change under us', ranges: [{ start: 24, end: 26 }] });
    expect(checkConcurrencyClaim('race', named, [{ start: 24, end: 26 }], LINES, facts)?.code).toBe('race-common-lock');
    const unnamed = claim({ cwe: [362], description: 'state can change under us', ranges: [{ start: 24, end: 26 }] });
    expect(checkConcurrencyClaim('race', unnamed, [{ start: 24, end: 26 }], LINES, facts)).toBeUndefined();
  });

  it('leave a race claim on state outside the process (an existence check, a file) to the ordinary checks', () => {
    const lines = [...LINES];
    lines[50] = "    if not os.path.exists('/run/netns/' + address):";
    expect(checkConcurrencyClaim('race', race, [{ start: 51, end: 51 }], lines, facts)).toBeUndefined();
    expect(checkConcurrencyClaim('race', race, [{ start: 51, end: 51 }], LINES, facts)?.code).toBe('race-no-shared-access');
  });

  it('accept a deadlock claim at a `with lock:` but a missing release only at an `acquire()`', () => {
    expect(checkConcurrencyClaim('deadlock', race, [{ start: 27, end: 27 }], LINES, facts)).toBeUndefined();
    expect(checkConcurrencyClaim('release', race, [{ start: 27, end: 27 }], LINES, facts)?.code).toBe('lock-no-acquire');
    expect(checkConcurrencyClaim('release', race, [{ start: 35, end: 35 }], LINES, facts)).toBeUndefined();
  });
});
