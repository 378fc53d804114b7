import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { MEMO_FORMAT } from '../../src/analysis/taint/replay.js';
import { FORMAT } from '../../src/cache/scan-cache.js';
import { packMemo, unpackMemo } from '../../src/analysis/taint/memo-codec.js';
import type { Finding } from '../../src/findings/types.js';
import { tempTree } from '../support/tmp.js';
import { forgeEntry, payload } from '../support/cache-entry.js';

/** The report as the JSON reporter would print it, minus the run's duration and the cache's counts. */
function canonical(r: ScanResult): string {
  return JSON.stringify({ ...r, stats: { ...r.stats, durationMs: 0 }, cache: undefined });
}

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const base = (root: string, extra: Partial<ScanOptions> = {}): ScanOptions => ({
  paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low', ...extra,
});

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

const at = (findings: Finding[], ruleId: string, path: string, line: number): Finding[] =>
  findings.filter((f) => f.ruleId === ruleId && f.location.path === path && f.location.startLine === line);


const APP = lines(
  'from flask import Flask, request',
  'from helpers import run_it, call_it',
  'import db',
  '',
  'app = Flask(__name__)',
  '',
  '@app.route("/run")',
  'def run():',
  '    run_it(request.args["cmd"])',
  '    return "ok"',
  '',
  '@app.route("/call")',
  'def call():',
  // A constant page: the string returned from a route is an XSS sink, not what this test is about.
  '    return "ok" if call_it(request.args["prog"]) else "no"',
  '',
  '@app.route("/find")',
  'def find():',
  '    return str(db.lookup(request.args["name"]))',
);

const HELPERS = (callBody: string): string =>
  lines('import os', 'import subprocess', '', 'def run_it(c):', '    os.system("echo " + c)', '', 'def call_it(p):', callBody, '', 'def unused(x):', '    return x');

const DB = lines(
  'import sqlite3',
  '',
  'def lookup(name):',
  '    cursor = sqlite3.connect("app.db").cursor()',
  '    cursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
  '    return cursor.fetchall()',
  '',
  'def count(table):',
  '    cursor = sqlite3.connect("app.db").cursor()',
  '    cursor.execute("SELECT COUNT(*) FROM " + table)',
  '    return cursor.fetchone()',
);

describe('taint replay records in the scan cache', () => {
  it('are written, replayed after an edit with the uncached report, and survive damage', async () => {
    const root = tempTree({ 'app.py': APP, 'helpers.py': HELPERS('    return p.strip()'), 'db.py': DB });
    const cacheDir = join(tempTree({}), 'cache');
    const replayDir = join(cacheDir, FORMAT, 'replay');

    const cold = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(cold)).toBe(canonical(await scan(base(root))));
    expect(at(cold.findings, 'python/command-injection', 'helpers.py', 5)).toHaveLength(1);
    expect(at(cold.findings, 'python/sql-injection', 'db.py', 5)).toHaveLength(1);
    expect(at(cold.findings, 'python/command-injection', 'helpers.py', 8)).toEqual([]);
    // A cold cache gets its file entries but no replay records: recording would make the first
    // cached scan slower than an uncached one. An unchanged tree is answered by the run entry.
    expect(entries(join(cacheDir, FORMAT, 'files')).length).toBeGreaterThanOrEqual(3);
    expect(entries(replayDir)).toEqual([]);
    const unchanged = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(unchanged)).toBe(canonical(cold));
    expect(entries(replayDir)).toEqual([]);

    // helpers.call_it now runs its parameter: the route in app.py (unchanged) has a new flow.
    // This run reads file entries from the cache, so it records.
    writeFileSync(join(root, 'helpers.py'), HELPERS('    os.system(p)'));
    const warm = await scan(base(root, { cache: { dir: cacheDir } }));
    const uncached = await scan(base(root));
    expect(canonical(warm)).toBe(canonical(uncached));
    const fresh = at(warm.findings, 'python/command-injection', 'helpers.py', 8);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.trace?.map((t) => [t.kind, t.location.path, t.location.startLine])).toEqual([
      ['source', 'app.py', 14],
      ['call', 'app.py', 14],
      ['sink', 'helpers.py', 8],
    ]);
    expect(warm.findings.length).toBe(cold.findings.length + 1);
    // One file of records, holding a memo the engine accepts.
    const records = entries(replayDir);
    expect(records).toHaveLength(1);
    const memo = unpackMemo(deserialize(payload(readFileSync(records[0]!))));
    expect(memo).toBeDefined();

    // Another edit, to a tree no run entry knows: replayed from the records (the doctored-record
    // test below shows they are used), with the uncached report.
    writeFileSync(join(root, 'helpers.py'), HELPERS('    return p.title()'));
    const replayed = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(replayed)).toBe(canonical(await scan(base(root))));
    expect(at(replayed.findings, 'python/command-injection', 'helpers.py', 8)).toEqual([]);

    // Garbage instead of the records: dropped, and the run is the uncached one.
    writeFileSync(entries(replayDir)[0]!, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]));
    writeFileSync(join(root, 'app.py'), `${APP}\n@app.route("/count")\ndef count():\n    return str(db.count(request.args["t"]))\n`);
    const damaged = await scan(base(root, { cache: { dir: cacheDir } }));
    const uncached2 = await scan(base(root));
    expect(canonical(damaged)).toBe(canonical(uncached2));
    expect(at(damaged.findings, 'python/sql-injection', 'db.py', 10)).toHaveLength(1);
    // Records were written again.
    expect(entries(replayDir)).toHaveLength(1);
    expect(unpackMemo(deserialize(payload(readFileSync(entries(replayDir)[0]!))))).toBeDefined();

    // A valid header and checksum over a payload that is not v8 data, then over v8 data that is not a memo.
    const file = entries(replayDir)[0]!;
    forgeEntry(file, [Buffer.from('not v8 data at all')]);
    writeFileSync(join(root, 'helpers.py'), HELPERS('    return p'));
    const notV8 = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(notV8)).toBe(canonical(await scan(base(root))));
    expect(at(notV8.findings, 'python/command-injection', 'helpers.py', 8)).toEqual([]);

    forgeEntry(entries(replayDir)[0]!, [serialize({ format: MEMO_FORMAT, modules: ['app.py'], records: new Int32Array([1, 2, 3]) })]);
    writeFileSync(join(root, 'db.py'), DB.replace('    cursor.execute("SELECT COUNT(*) FROM " + table)\n', ''));
    const notMemo = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(notMemo)).toBe(canonical(await scan(base(root))));
    expect(at(notMemo.findings, 'python/sql-injection', 'db.py', 10)).toEqual([]);
    expect(notMemo.diagnostics).toEqual([]);
  });

  it('are what the next scan replays (a control for the test above: a doctored record shows)', async () => {
    const root = tempTree({ 'app.py': APP, 'helpers.py': HELPERS('    return p.strip()'), 'db.py': DB });
    const cacheDir = join(tempTree({}), 'cache');
    await scan(base(root, { cache: { dir: cacheDir } }));
    // A cold cache is not recorded: an edit makes the next run read file entries, and record.
    expect(entries(join(cacheDir, FORMAT, 'replay'))).toEqual([]);
    writeFileSync(join(root, 'helpers.py'), HELPERS('    return p.upper()'));
    await scan(base(root, { cache: { dir: cacheDir } }));
    const file = entries(join(cacheDir, FORMAT, 'replay'))[0]!;
    const bytes = readFileSync(file);
    const memo = unpackMemo(deserialize(payload(bytes)))!;
    for (const list of memo.hitLists) for (const hit of list) hit.sink.description = 'DOCTORED';
    forgeEntry(file, [serialize(packMemo(memo))]);
    // An edit elsewhere: the run entry misses, the taint analysis runs with the records.
    writeFileSync(join(root, 'helpers.py'), HELPERS('    return p.lower()'));
    const replayed = await scan(base(root, { cache: { dir: cacheDir } }));
    const message = at(replayed.findings, 'python/sql-injection', 'db.py', 5)[0]?.message;
    expect(message).toContain('DOCTORED');
    expect(at((await scan(base(root))).findings, 'python/sql-injection', 'db.py', 5)[0]?.message).not.toContain('DOCTORED');
  });
});
