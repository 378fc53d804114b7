import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { scan, type ScanOptions, type ScanResult } from '../../src/api/scan.js';
import { readMemo, unpackMemo, packMemo } from '../../src/analysis/taint/memo-codec.js';
import { FORMAT } from '../../src/cache/scan-cache.js';
import { cacheFolderProblem } from '../../src/cache/cache-permissions.js';
import { analyseFile, encodeOutcome, FileResult, outcomeParts, pythonLanguageInfo, type FileOutcome } from '../../src/workers/file-job.js';
import { tempTree } from '../support/tmp.js';
import { entryParts, forgeEntry, payload } from '../support/cache-entry.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

const FILES = {
  'app.py': lines(
    'from flask import Flask, request',
    'from helpers import run_it',
    'app = Flask(__name__)',
    'SECRET = "sk_live_51HxQy2eZvKYlo2C8a9b7c6d5e4f3g2h1"',
    '',
    '@app.route("/run")',
    'def run():',
    '    run_it(request.args["cmd"])',
    '    return str(eval(request.args["e"]))',
  ),
  'helpers.py': lines(
    'import os',
    '',
    'def run_it(c):',
    '    os.system("echo " + c)',
    '',
    'def nested():',
    '    def inner(x):',
    '        return x',
    '    return inner',
    '',
    'class Runner:',
    '    def go(self, c):',
    '        return run_it(c)',
  ),
};

const base = (root: string, extra: Partial<ScanOptions> = {}): ScanOptions => ({ paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low', ...extra });

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A scan with the cache that records what it said in verbose mode. */
async function cachedScan(root: string, dir: string): Promise<{ result: ScanResult; said: string[] }> {
  const said: string[] = [];
  const result = await scan(base(root, { cache: { dir, log: (m) => said.push(m) } }));
  return { result, said };
}

const findingsOf = (r: ScanResult): string => JSON.stringify(r.findings);

/** The file entry whose source holds `text`. */
const entryWith = (dir: string, text: string): string => entries(join(dir, FORMAT, 'files')).find((p) => readFileSync(p).includes(Buffer.from(text, 'latin1')))!;

async function filledCache(): Promise<{ root: string; dir: string; uncached: string }> {
  const root = tempTree(FILES);
  const dir = join(tempTree({}), 'cache');
  const uncached = findingsOf(await scan(base(root)));
  const cold = await cachedScan(root, dir);
  expect(findingsOf(cold.result)).toBe(uncached);
  expect(cold.result.findings.some((f) => f.ruleId === 'python/command-injection' && f.trace)).toBe(true);
  // A cold cache is not recorded for replay: the run that next reads the file entries records.
  expect(entries(join(dir, FORMAT, 'replay'))).toEqual([]);
  dropRunEntries(dir);
  const second = await cachedScan(root, dir);
  expect(findingsOf(second.result)).toBe(uncached);
  expect(entries(join(dir, FORMAT, 'replay'))).toHaveLength(1);
  return { root, dir, uncached };
}

/** Without its run entries, a scan reads the file entries and the replay records. */
function dropRunEntries(dir: string): void {
  for (const p of entries(join(dir, FORMAT, 'program'))) rmSync(p);
}

describe('cache entries are checked on every read', () => {
  it('a checksum mismatch in a file entry is a miss, said once, and the entry is rewritten', async () => {
    const { root, dir, uncached } = await filledCache();
    dropRunEntries(dir);
    const file = entryWith(dir, 'def run_it(c):');
    const bytes = readFileSync(file);
    // One bit of the outcome's head (after the three header lines): a finding's text, say.
    const headStart = bytes.length - payload(bytes).length;
    bytes[headStart + 40] = bytes[headStart + 40]! ^ 0x04;
    writeFileSync(file, bytes);
    const damaged = await cachedScan(root, dir);
    expect(findingsOf(damaged.result)).toBe(uncached);
    expect(damaged.result.cache).toMatchObject({ rejected: 1, hits: 1, misses: 2 });
    expect(damaged.said).toEqual([expect.stringMatching(/^cache: file entry v4\/files\/\S+ ignored: a checksum mismatch; it is rewritten by this run$/)]);
    // Rewritten: a valid entry again, read by the next run.
    expect(readFileSync(file).equals(bytes)).toBe(false);
    dropRunEntries(dir);
    const again = await cachedScan(root, dir);
    expect(again.said).toEqual([]);
    expect(again.result.cache).toMatchObject({ rejected: 0, hits: 2 });
    expect(findingsOf(again.result)).toBe(uncached);
  });

  it('truncated, swapped and other-version entries are misses; run entries, replay records and model memos too', async () => {
    const { root, dir, uncached } = await filledCache();
    const [app, helpers] = [entryWith(dir, 'from helpers import run_it'), entryWith(dir, 'def run_it(c):')];
    const [appBytes, helpersBytes] = [readFileSync(app), readFileSync(helpers)];
    writeFileSync(app, helpersBytes); // each under the other's key
    writeFileSync(helpers, appBytes);
    const [program] = entries(join(dir, FORMAT, 'program'));
    writeFileSync(program!, readFileSync(program!).subarray(0, 300));
    const [replay] = entries(join(dir, FORMAT, 'replay'));
    const replayBytes = readFileSync(replay!);
    writeFileSync(replay!, Buffer.concat([Buffer.from('secreview-cache-v2\n'), replayBytes.subarray(replayBytes.indexOf(0x0a) + 1)]));
    const [models] = entries(join(dir, FORMAT, 'models'));
    const modelBytes = readFileSync(models!);
    modelBytes.fill(0, modelBytes.length - 100, modelBytes.length - 50);
    writeFileSync(models!, modelBytes);
    const damaged = await cachedScan(root, dir);
    expect(findingsOf(damaged.result)).toBe(uncached);
    expect(damaged.result.cache!.rejected).toBe(5);
    const reasons = damaged.said.map((m) => /^cache: (\w+(?: \w+)?) entry \S+ ignored: (.*); it is rewritten by this run$/.exec(m)!.slice(1).join(': ')).sort();
    expect(reasons).toEqual(['file: the entry of another key', 'file: the entry of another key', 'models: a checksum mismatch', 'replay records: an entry of another format version', 'run: a truncated entry']);
    const again = await cachedScan(root, dir);
    expect(again.said).toEqual([]);
    expect(findingsOf(again.result)).toBe(uncached);
  });

  it('entries with valid checksums whose contents do not hold together are misses, said once, and rewritten', async () => {
    const { root, dir, uncached } = await filledCache();
    // A run entry of the wrong shape; a file outcome whose finding is not one; replay records
    // whose record table sends the reader backwards (a negative fact count); a model memo
    // that fails the schema.
    const [program] = entries(join(dir, FORMAT, 'program'));
    forgeEntry(program!, [serialize({ metas: [{ path: 'app.py' }, { path: 'helpers.py' }], tainted: [] })]);
    const app = entryWith(dir, 'from helpers import run_it');
    const { sections } = entryParts(readFileSync(app));
    const head = deserialize(sections[0]!.subarray(4)) as { meta: { findings: { severity: string }[] } };
    head.meta.findings[0]!.severity = 'apocalyptic';
    const headBytes = serialize(head);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(headBytes.length, 0);
    forgeEntry(app, [Buffer.concat([prefix, headBytes]), sections[1]!]);
    const [replay] = entries(join(dir, FORMAT, 'replay'));
    const packed = deserialize(payload(readFileSync(replay!))) as { records: Int32Array };
    packed.records[6 + 2 * packed.records[5]!] = -1_000_000; // the first record's fact count
    forgeEntry(replay!, [serialize(packed)]);
    const [models] = entries(join(dir, FORMAT, 'models'));
    const parsed = deserialize(payload(readFileSync(models!))) as { sinks: { kind: string }[] }[];
    parsed.find((m) => m.sinks.length > 0)!.sinks[0]!.kind = 'no-such-kind';
    forgeEntry(models!, [serialize(parsed)]);

    const forged = await cachedScan(root, dir);
    expect(findingsOf(forged.result)).toBe(uncached);
    expect(forged.result.cache!.rejected).toBe(4);
    const said = forged.said.join('\n');
    expect(said).toMatch(/run entry \S+ ignored: outcomes\[0\]: outcome flags are not true or false/);
    expect(said).toMatch(/file entry \S+ ignored: its outcome does not hold together \(findings\[0\]: unknown severity\)/);
    expect(said).toMatch(/replay records entry \S+ ignored: record at 0: fact count out of range/);
    expect(said).toMatch(/models entry \S+ ignored: model file \d+: sinks\.0\.kind/);
    const again = await cachedScan(root, dir);
    expect(again.said).toEqual([]);
    expect(findingsOf(again.result)).toBe(uncached);
  });

  it('replay records whose module shapes nest a function in itself, or name a method that is not there, are rejected', async () => {
    const { dir } = await filledCache();
    const [replay] = entries(join(dir, FORMAT, 'replay'));
    const stored = deserialize(payload(readFileSync(replay!)));
    const memo = unpackMemo(stored)!;
    expect(typeof readMemo(stored)).toBe('object');
    const shaped = memo.moduleShapes.findIndex((s) => s.functions.some((f) => f.nestedIn >= 0));
    expect(shaped).toBeGreaterThanOrEqual(0);
    const functions = memo.moduleShapes[shaped]!.functions;
    const inner = functions.findIndex((f) => f.nestedIn >= 0);
    const cyclic = structuredClone(memo);
    cyclic.moduleShapes[shaped]!.functions[functions[inner]!.nestedIn]!.nestedIn = inner; // each nested in the other
    expect(readMemo(deserialize(serialize(packMemo(cyclic))))).toMatch(/function \d+ nested in itself/);
    const self = structuredClone(memo);
    self.moduleShapes[shaped]!.functions[inner]!.nestedIn = inner;
    expect(readMemo(deserialize(serialize(packMemo(self))))).toMatch(/nested in an unknown function/);
    const shapeWithClass = memo.moduleShapes.findIndex((s) => s.classes.length > 0);
    expect(shapeWithClass).toBeGreaterThanOrEqual(0);
    const method = structuredClone(memo);
    method.moduleShapes[shapeWithClass]!.classes[0]!.methods.push(['ghost', 999]);
    expect(readMemo(deserialize(serialize(packMemo(method))))).toMatch(/class 0 has an unknown method/);
  });

  it('replay records whose module shape does not match the module (forged) make the taint run start again without them, from modules built afresh', async () => {
    const { root, dir } = await filledCache();
    const [replay] = entries(join(dir, FORMAT, 'replay'));
    const memo = unpackMemo(deserialize(payload(readFileSync(replay!))))!;
    const app = memo.modules.indexOf('app.py');
    const shape = memo.moduleShapes[app]!;
    shape.functions.push({ ...shape.functions[0]!, name: 'ghost', qname: 'app.ghost' });
    forgeEntry(replay!, [serialize(packMemo(memo))]);
    // helpers.run_it changes what it reports: app.run must be analysed again, so app.py is built
    // from its tree copy and given to the shape the records claim for it.
    writeFileSync(join(root, 'helpers.py'), FILES['helpers.py'].replace('os.system("echo " + c)', 'os.system(c)'));
    const uncached = findingsOf(await scan(base(root)));
    const forged = await cachedScan(root, dir);
    expect(findingsOf(forged.result)).toBe(uncached);
    expect(forged.said).toEqual([expect.stringMatching(/^cache: replay records entry \S+ ignored: the taint run failed on them \(app\.py: the module's IR does not match its recorded shape\); it is rewritten by this run$/)]);
    const again = await cachedScan(root, dir);
    expect(again.said).toEqual([]);
    expect(findingsOf(again.result)).toBe(uncached);
  });

  it('a cached tree copy that outlasts the file budget, or cannot be read, means analysing the file afresh', async () => {
    const source = FILES['helpers.py'];
    const job = { path: 'helpers.py', content: Buffer.from(source), ruleIds: [], fileTimeoutMs: 30_000, wantIR: true };
    const outcome = await analyseFile(job, [], () => true);
    const [head, tail] = outcomeParts(encodeOutcome(outcome));
    const language = await pythonLanguageInfo();
    const reasons: string[] = [];
    const reanalyse = (reason?: string): FileOutcome => {
      reasons.push(reason ?? '(no reason)');
      return outcome;
    };
    // Over the budget (a budget of a nanosecond is over before the first look at the clock).
    const slow = FileResult.decodeHead({ head, tailLength: tail.length, tail: () => tail }, reanalyse);
    expect(slow.takeIR(language, 1e-6)).toBe(outcome.ir);
    expect(reasons).toEqual([expect.stringMatching(/exceeded the .* time budget during the data-flow model/)]);
    expect(slow.renewed).toBe(outcome);
    // Unreadable.
    const gone = FileResult.decodeHead({ head, tailLength: tail.length, tail: () => undefined }, reanalyse);
    expect(gone.takeIR(language, 30_000)).toBe(outcome.ir);
    expect(reasons[1]).toBe('its tree copy can no longer be read');
    // Fine: built from the copy, nobody asked to analyse again.
    const fine = FileResult.decodeHead({ head, tailLength: tail.length, tail: () => tail }, reanalyse);
    expect(fine.takeIR(language, 30_000)?.functions.map((f) => f.qname)).toEqual(outcome.ir!.functions.map((f) => f.qname));
    expect(reasons).toHaveLength(2);
    expect(fine.renewed).toBeUndefined();
  });
});

describe('the cache folder is checked like git checks a repository (safe.directory)', () => {
  it('is created with mode 0700', async () => {
    const { dir } = await filledCache();
    for (const folder of [dir, join(dir, FORMAT), join(dir, FORMAT, 'files'), join(dir, FORMAT, 'program'), join(dir, FORMAT, 'replay'), join(dir, FORMAT, 'models')]) {
      expect((statSync(folder).mode & 0o777).toString(8), folder).toBe('700');
    }
  });

  it('a folder writable by group or others is not read (nor written): the scan runs without it and says how to fix it', async () => {
    const { root, dir, uncached } = await filledCache();
    for (const [sub, mode] of [['', 0o777], [join(FORMAT, 'files'), 0o770], [join(FORMAT, 'replay'), 0o702]] as const) {
      const folder = join(dir, sub);
      chmodSync(folder, mode);
      const before = entries(dir).length;
      const r = await cachedScan(root, dir);
      expect(findingsOf(r.result)).toBe(uncached);
      expect(r.result.cache).toMatchObject({ hits: 0, misses: 0 });
      expect(r.result.cache!.error).toBe(
        `cache folder ${folder} is writable by ${mode === 0o777 ? 'group and others' : mode === 0o770 ? 'its group' : 'others'} (mode 0${mode.toString(8)}), so its entries are not read; run \`chmod go-w ${folder}\` or use a --cache-dir of your own`,
      );
      expect(entries(dir).length).toBe(before);
      chmodSync(folder, 0o700);
    }
    expect((await cachedScan(root, dir)).result.cache).toMatchObject({ hits: 1, error: undefined });
  });

  it('a folder owned by another user is not read (root included: the check compares with the running uid)', async () => {
    const { root, dir, uncached } = await filledCache();
    const uid = process.getuid!();
    // As root, hand a subfolder to `nobody`; as anyone else, pretend to be another uid.
    if (uid === 0) {
      chownSync(join(dir, FORMAT, 'program'), 65534, 65534);
      const r = await cachedScan(root, dir);
      expect(findingsOf(r.result)).toBe(uncached);
      expect(r.result.cache).toMatchObject({ hits: 0, misses: 0 });
      expect(r.result.cache!.error).toBe(`cache folder ${join(dir, FORMAT, 'program')} is owned by another user (uid 65534, this scan runs as uid 0), so its entries are not read; use a --cache-dir of your own`);
    } else {
      expect(cacheFolderProblem(dir, FORMAT, 'linux', uid + 1)).toMatch(/is owned by another user/);
    }
    expect(cacheFolderProblem(dir, FORMAT, 'win32', uid + 1)).toBeUndefined();
    const missing = join(tempTree({}), 'not-yet');
    expect(cacheFolderProblem(missing, FORMAT)).toBeUndefined();
  });

  it('the CLI warns on standard error and still scans', () => {
    const root = tempTree(FILES);
    const dir = join(tempTree({}), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const bin = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'scan', '.', '--cache-dir', dir, '--no-progress', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0);
    expect(r.stderr).toBe(`secreview: warning: cache folder ${dir} is writable by group and others (mode 0777), so its entries are not read; run \`chmod go-w ${dir}\` or use a --cache-dir of your own; scanned without the cache\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
