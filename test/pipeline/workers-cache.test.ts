import { describe, expect, it } from 'vitest';
import { FORMAT, ScanCache } from '../../src/cache/scan-cache.js';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { MIN_FILES_FOR_WORKERS } from '../../src/workers/pool.js';
import { packOutcomes, unpackOutcomes } from '../../src/workers/batch.js';
import { tempTree } from '../support/tmp.js';
import { cacheWritesOf, concurrencyOf } from '../../src/api/analysis-results.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** examples/ three times over (or `copies` times): enough files for the worker pool, with cross-file taint flows. */
function corpus(copies = 3): string {
  const root = tempTree({});
  for (const copy of ['one', 'two', 'three', ...Array.from({ length: copies - 3 }, (_, i) => `copy${i + 4}`)]) cpSync(EXAMPLES, join(root, copy), { recursive: true });
  return root;
}

/** The report as the JSON reporter would print it, minus the run's duration. */
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

describe('worker threads', () => {
  it('give the same report, byte for byte, with 1 and 2 jobs', async () => {
    const root = corpus();
    const one = await scan(base(root, { jobs: 1 }));
    const two = await scan(base(root, { jobs: 2 }));
    expect(one.stats.filesScanned).toBeGreaterThanOrEqual(MIN_FILES_FOR_WORKERS);
    expect(one.findings.some((f) => f.trace && f.trace.length > 1)).toBe(true); // taint flows crossed files
    expect(canonical(two)).toBe(canonical(one));
  });

  it('run the concurrency step on a worker with the findings and the analysis of one thread', async () => {
    const root = corpus();
    const RACES = fileURLToPath(new URL('../fixtures/concurrency/native/', import.meta.url));
    const SUBSCRIPTIONS = fileURLToPath(new URL('../fixtures/llm/concurrency/', import.meta.url));
    cpSync(RACES, join(root, 'agent'), { recursive: true });
    cpSync(SUBSCRIPTIONS, join(root, 'l3'), { recursive: true });
    const one = await scan(base(root, { jobs: 1 }));
    const two = await scan(base(root, { jobs: 2 }));
    const races = (r: ScanResult): string[] => r.findings.filter((f) => f.ruleId === 'python/check-then-act-race').map((f) => `${f.location.path}:${f.location.startLine}`);
    expect(races(one)).toEqual(expect.arrayContaining(['agent/service.py:16']));
    expect(races(one).some((at) => at.startsWith('l3/'))).toBe(true);
    expect(canonical(two)).toBe(canonical(one));
    // The LLM second opinion reads the analysis the findings came from: made on first use after a worker found them.
    const issues = (r: ScanResult): unknown => concurrencyOf(r)?.issues.map((i) => ({ ...i }));
    expect(concurrencyOf(two)).toBeDefined();
    expect(JSON.stringify(issues(two))).toBe(JSON.stringify(issues(one)));
    expect(concurrencyOf(two)).toBe(concurrencyOf(two));
  });

  it('keep scanning the other files when one cannot be decoded or parsed', async () => {
    const root = corpus();
    writeFileSync(join(root, 'one', 'broken.py'), Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41]));
    writeFileSync(join(root, 'two', 'syntax.py'), 'def f(:\n    eval(input())\n');
    const one = await scan(base(root, { jobs: 1 }));
    const two = await scan(base(root, { jobs: 2 }));
    expect(canonical(two)).toBe(canonical(one));
    expect(two.diagnostics.some((d) => d.path === 'one/broken.py' && d.level === 'error')).toBe(true);
    expect(two.stats.filesScanned).toBe(one.stats.filesScanned);
  });
});

describe('incremental cache', () => {
  it('reuses every entry on an unchanged tree and gives the same report, cold and warm, 1 and 2 jobs', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    const reference = canonical(await scan(base(root, { jobs: 1 })));
    const cold = await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    const files = entries(join(cacheDir, FORMAT, 'files'));
    expect(files.length).toBe(cold.stats.filesScanned);
    expect(entries(join(cacheDir, FORMAT, 'program'))).toHaveLength(1);
    expect(readFileSync(join(cacheDir, '.gitignore'), 'utf8')).toContain('*');
    const stamps = files.map((f) => statSync(f).mtimeMs);
    const warm2 = await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    const warm1 = await scan(base(root, { jobs: 1, cache: { dir: cacheDir } }));
    expect(canonical(cold)).toBe(reference);
    expect(canonical(warm2)).toBe(reference);
    expect(canonical(warm1)).toBe(reference);
    // The cold run missed the run entry and every file; the warm ones took the run entry whole.
    expect(cold.cache).toMatchObject({ hits: 0, misses: cold.stats.filesScanned + 1 });
    expect(warm2.cache).toMatchObject({ hits: 1, misses: 0 });
    // Nothing was rewritten by the warm runs.
    expect(files.map((f) => statSync(f).mtimeMs)).toEqual(stamps);
  });

  it('says whether it holds a run entry: none in a new folder (the workers start before the files are read), one after a run', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    expect(ScanCache.open(cacheDir, {}).holdsRunEntries()).toBe(false);
    await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    expect(ScanCache.open(cacheDir, {}).holdsRunEntries()).toBe(true);
  });

  it('writes the same file entries, byte for byte, from one thread and from the workers and the main thread', async () => {
    // With two jobs, the worker writes the entries of its files and, after the last file, those
    // of the files the main thread analysed (their tree copies moved to it and encoded there).
    // 160 files: more batches than the worker holds at once, so the main thread takes some.
    const root = corpus(10);
    const byName = (dir: string): Map<string, Buffer> => new Map(entries(join(dir, FORMAT, 'files')).map((f) => [f.slice(dir.length), readFileSync(f)]));
    const one = join(tempTree({}), 'cache');
    const two = join(tempTree({}), 'cache');
    const scanned = (await scan(base(root, { jobs: 1, cache: { dir: one } }))).stats.filesScanned;
    await scan(base(root, { jobs: 2, cache: { dir: two } }));
    const [a, b] = [byName(one), byName(two)];
    expect(a.size).toBe(scanned);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).toBe(true);
    expect(entries(two).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('with afterReport, returns the report before the last writes, which cacheWritesOf finishes: the next run reads them all', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    const cold = await scan(base(root, { jobs: 2, cache: { dir: cacheDir, afterReport: true } }));
    const finish = cacheWritesOf(cold)!;
    expect(finish).toBeDefined();
    // The run entry is among the writes left for after the report.
    expect(entries(join(cacheDir, FORMAT, 'program'))).toEqual([]);
    await finish();
    await finish();
    expect(entries(join(cacheDir, FORMAT, 'program'))).toHaveLength(1);
    expect(entries(join(cacheDir, FORMAT, 'files')).length).toBe(cold.stats.filesScanned);
    const warm = await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    expect(cacheWritesOf(warm)).toBeUndefined();
    expect(warm.cache).toMatchObject({ hits: 1, misses: 0 });
    expect(canonical(warm)).toBe(canonical(cold));
  });

  it('re-analyses a changed file and re-runs the data-flow analysis over the program', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    const before = entries(join(cacheDir, FORMAT, 'files')).length;
    // A new source reaching an old sink in another module: flask-notes' db.run_query builds SQL.
    const app = join(root, 'two', 'flask-notes', 'app.py');
    writeFileSync(app, `${readFileSync(app, 'utf8')}\n\n@app.route("/fresh")\ndef fresh():\n    return str(db.search_notes(request.args["q"]))\n`);
    const warm = await scan(base(root, { jobs: 2, cache: { dir: cacheDir } }));
    const uncached = await scan(base(root, { jobs: 1 }));
    expect(canonical(warm)).toBe(canonical(uncached));
    expect(entries(join(cacheDir, FORMAT, 'files')).length).toBe(before + 1);
    expect(entries(join(cacheDir, FORMAT, 'program'))).toHaveLength(2);
    // The run entry and the changed file missed; every other file came from its entry.
    expect(warm.cache).toMatchObject({ misses: 2, hits: warm.stats.filesScanned - 1 });
  });

  it('is reported, not fatal, when the folder cannot be created', async () => {
    const root = corpus();
    const blocker = join(tempTree({}), 'file');
    writeFileSync(blocker, '');
    const r = await scan(base(root, { cache: { dir: join(blocker, 'cache') } }));
    expect(r.cache?.error).toMatch(/cannot use cache folder .*file\/cache: /);
    expect(canonical(r)).toBe(canonical(await scan(base(root))));
  });

  it('is invalidated by settings and by user models', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    await scan(base(root, { cache: { dir: cacheDir } }));
    const count = entries(join(cacheDir, FORMAT, 'files')).length;
    // Another rule selection: every file's entry is new.
    const fewer = await scan(base(root, { cache: { dir: cacheDir }, disable: ['python/debug-mode-enabled'] }));
    expect(entries(join(cacheDir, FORMAT, 'files')).length).toBe(2 * count);
    expect(canonical(fewer)).toBe(canonical(await scan(base(root, { disable: ['python/debug-mode-enabled'] }))));

    // A user model file named in settings: its content is part of the key.
    writeFileSync(join(root, 'models.yml'), 'language: python\nlibrary: netops\nsinks:\n  - name: netops.transport.send_raw\n    kind: command-injection\n    args: [0]\n    description: raw transport\n');
    writeFileSync(join(root, '.secreview.yml'), 'models: [models.yml]\n');
    const cfg = { ...base(root, { cache: { dir: cacheDir } }), config: undefined };
    await scan(cfg);
    const afterModel = entries(join(cacheDir, FORMAT, 'files')).length;
    writeFileSync(join(root, 'models.yml'), 'language: python\nlibrary: netops\nsinks:\n  - name: netops.transport.send_raw\n    kind: code-injection\n    args: [0]\n    description: raw transport\n');
    await scan(cfg);
    expect(entries(join(cacheDir, FORMAT, 'files')).length).toBeGreaterThan(afterModel);
  });

  it('keeps the parsed model files, and parses them again when one changes or the entry is damaged', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    const models = join(cacheDir, FORMAT, 'models');
    const model = (kind: string): string => `language: python\nlibrary: netops\nsinks:\n  - name: netops.transport.send_raw\n    kind: ${kind}\n    args: [0]\n    description: raw transport\n`;
    writeFileSync(join(root, 'models.yml'), model('command-injection'));
    writeFileSync(join(root, 'net.py'), 'import netops.transport\nfrom flask import request\ndef f():\n    netops.transport.send_raw(request.args["c"])\n');
    writeFileSync(join(root, '.secreview.yml'), 'models: [models.yml]\n');
    const cfg = (extra: Partial<ScanOptions> = {}): ScanOptions => ({ ...base(root, extra), config: undefined });
    const uncached = await scan(cfg());
    expect(uncached.findings.some((f) => f.ruleId === 'python/command-injection' && f.location.path === 'net.py')).toBe(true);
    const cold = await scan(cfg({ cache: { dir: cacheDir } }));
    expect(entries(models)).toHaveLength(1);
    // Warm: only the run's entry and the parsed models are read; the same report.
    const warm = await scan(cfg({ cache: { dir: cacheDir } }));
    expect(canonical(warm)).toBe(canonical(cold));
    expect(canonical(warm)).toBe(canonical(uncached));
    // A damaged entry is parsed again (and the run still gives the same report).
    writeFileSync(entries(models)[0]!, 'garbage');
    expect(canonical(await scan(cfg({ cache: { dir: cacheDir } })))).toBe(canonical(uncached));
    // An edited model file is another key: its new kind shows.
    writeFileSync(join(root, 'models.yml'), model('code-injection'));
    const edited = await scan(cfg({ cache: { dir: cacheDir } }));
    expect(entries(models)).toHaveLength(2);
    expect(edited.findings.some((f) => f.ruleId === 'python/code-injection' && f.location.path === 'net.py')).toBe(true);
  });

  it('treats a damaged entry as a miss and replaces it', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    const cold = await scan(base(root, { cache: { dir: cacheDir } }));
    const files = entries(join(cacheDir, FORMAT, 'files'));
    writeFileSync(files[0]!, 'garbage');
    writeFileSync(files[1]!, readFileSync(files[1]!).subarray(0, 200)); // truncated after the header
    for (const p of entries(join(cacheDir, FORMAT, 'program'))) writeFileSync(p, '');
    const again = await scan(base(root, { cache: { dir: cacheDir } }));
    expect(canonical(again)).toBe(canonical(cold));
    expect(readFileSync(files[0]!).subarray(0, 16).toString()).toBe('secreview-cache-');
  });

  it('is safe when runs share it concurrently', async () => {
    const root = corpus();
    const cacheDir = join(tempTree({}), 'cache');
    const reference = canonical(await scan(base(root)));
    const runs = await Promise.all([1, 2, 3].map(() => scan(base(root, { jobs: 2, cache: { dir: cacheDir } }))));
    for (const r of runs) expect(canonical(r)).toBe(reference);
    expect(entries(join(cacheDir, 'v3')).filter((p) => p.endsWith('.tmp'))).toEqual([]);
    expect(canonical(await scan(base(root, { cache: { dir: cacheDir } })))).toBe(reference);
  });
});

describe('outcome batches', () => {
  it('round-trip several outcomes through one buffer and reject a damaged one', () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([9])];
    const packed = packOutcomes(parts);
    expect(unpackOutcomes(packed).map((p) => [...p])).toEqual([[1, 2, 3], [], [9]]);
    expect(() => unpackOutcomes(packed.subarray(0, packed.length - 1))).toThrow(/malformed/);
  });
});
