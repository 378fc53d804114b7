import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { findRule } from '../../src/rules/index.js';
import { parseAnnotations } from '../support/rule-fixtures.js';

const ROOT = fileURLToPath(new URL('../fixtures/concurrency/', import.meta.url));
const RULE = 'python/check-then-act-race';

async function findings(folder: string, confidence: 'low' | 'medium') {
  const report = await scan({ paths: ['service.py'], cwd: join(ROOT, folder), rules: [findRule(RULE)!], config: false, severity: 'low', confidence, includeTests: true });
  expect(report.diagnostics).toEqual([]);
  return report.findings;
}

/** The `# ruleid:` and `# ok:` lines of a fixture, for the rule. */
function annotated(folder: string): { found: number[]; ok: number[] } {
  const notes = parseAnnotations(readFileSync(join(ROOT, folder, 'service.py'), 'utf8')).filter((a) => a.ruleId === RULE);
  return { found: notes.filter((a) => a.kind === 'ruleid').map((a) => a.line), ok: notes.filter((a) => a.kind === 'ok').map((a) => a.line) };
}

describe('check-then-act under eventlet green threads', () => {
  it('at the default confidence, reports only checks and acts with a blocking call between them', async () => {
    const { found, ok } = annotated('green');
    expect(found.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    const lines = (await findings('green', 'medium')).map((f) => f.location.startLine);
    expect(lines).toEqual(found);
    for (const line of ok) expect(lines).not.toContain(line);
  });

  it('keeps lazy initialisation, refresh markers and first-caller flags at low confidence, saying why', async () => {
    const low = await findings('green', 'low');
    const byLine = new Map(low.map((f) => [f.location.startLine, f]));
    const source = readFileSync(join(ROOT, 'green', 'service.py'), 'utf8').split('\n');
    const lineOf = (text: string): number => source.findIndex((l) => l.includes(text)) + 1;
    const expected: [string, RegExp][] = [
      ['if self.client is None:', /lazy initialisation/],
      ['if port_id not in self.last_sync', /refresh marker/],
      ['first = port_id not in self.seen', /green threads .*only one caller sees the old state/],
    ];
    for (const [text, why] of expected) {
      const f = byLine.get(lineOf(text));
      expect(f?.confidence, text).toBe('low');
      expect(f?.message).toMatch(why);
    }
    // Dropped altogether: nothing can interleave.
    expect(byLine.has(lineOf('if port_id in self.ports:'))).toBe(false);
    expect(byLine.has(lineOf('if self.pending:'))).toBe(false);
  });

  it('reports the same check and act in a program on native threads', async () => {
    const { found } = annotated('native');
    expect((await findings('native', 'medium')).map((f) => f.location.startLine)).toEqual(found);
  });
});

describe('inconsistent locking: green threads and locks held for another object', () => {
  const folder = join(ROOT, 'green-locking');
  const run = async (confidence: 'low' | 'medium') =>
    (await scan({ paths: ['service.py'], cwd: folder, rules: [findRule('python/inconsistent-locking')!], config: false, severity: 'low', confidence, includeTests: true })).findings;

  it('reports an unlocked write at the default confidence, not an unlocked read or state locked only by its callers', async () => {
    const notes = parseAnnotations(readFileSync(join(folder, 'service.py'), 'utf8')).filter((a) => a.ruleId === 'python/inconsistent-locking');
    const lines = (await run('medium')).map((f) => f.location.startLine);
    expect(lines).toEqual(notes.filter((a) => a.kind === 'ruleid').map((a) => a.line));
    for (const a of notes.filter((n) => n.kind === 'ok')) expect(lines).not.toContain(a.line);
  });

  it('keeps those at low confidence with the reason in the message', async () => {
    const low = new Map((await run('low')).map((f) => [f.location.startLine, f]));
    expect(low.get(28)?.confidence).toBe('low');
    expect(low.get(28)?.message).toMatch(/green threads .*single unlocked read/);
    for (const line of [39, 43]) {
      expect(low.get(line)?.confidence).toBe('low');
      expect(low.get(line)?.message).toMatch(/held by the callers of the locked write .*2 functions write it without any lock against 1/);
    }
  });
});

describe('inconsistent locking under green threads: whether a locked section can block, over the program', () => {
  const folder = join(ROOT, 'green-locking');
  it('lowers an unlocked write when no locked section of the state can block, also through its own methods, with the reason', async () => {
    const source = readFileSync(join(folder, 'service.py'), 'utf8').split('\n');
    const line = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
    const low = (await scan({ paths: ['service.py'], cwd: folder, rules: [findRule('python/inconsistent-locking')!], config: false, severity: 'low', confidence: 'low', includeTests: true })).findings;
    const byLine = new Map(low.map((f) => [f.location.startLine, f]));
    const cancel = byLine.get(line('self._events = None'));
    expect(cancel?.confidence).toBe('low');
    expect(cancel?.message).toMatch(/no code holding the lock for this state can block/);
    // The same shape where the locked section calls `self._notify`, which calls a client: kept.
    expect(byLine.get(line('self._waiting = None'))?.confidence).toBe('high');
  });
});
