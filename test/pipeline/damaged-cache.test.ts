/**
 * The case of issue #20: a scan into an empty cache, the run entries deleted, one bit flipped
 * in the body of two file entries, and the same scan again never finished (a tree copy whose
 * sibling link pointed back at an earlier sibling sent the IR builder round that list forever).
 * The damage here is placed, not random: in each entry, the bit of a tree copy's sibling link
 * that turns it into a link back to the node itself or an earlier sibling. The entry is found
 * by its source text and the tree copy from the end of the entry, so the test reads any entry
 * format that ends with the tree copy's buffer (v4 does; v2 and v3 ended with it v8-serialised).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** Several rules, pattern and taint (a flow across files), many top-level statements. */
const FILES = {
  'app.py': lines(
    'from flask import Flask, request',
    'from helpers import run_it, lookup',
    'import random',
    'import hashlib',
    '',
    'app = Flask(__name__)',
    'API_KEY = "sk_live_51HxQy2eZvKYlo2C8a9b7c6d5e4f3g2h1"',
    'TOKEN = random.random()',
    'DIGEST = hashlib.md5(b"x").hexdigest()',
    'handler = lambda x: x',
    'retries = 3',
    'timeout = 10',
    '',
    '@app.route("/run")',
    'def run():',
    '    run_it(request.args["cmd"])',
    '    return "ok"',
    '',
    '@app.route("/find")',
    'def find():',
    '    return str(lookup(request.args["name"]))',
    '',
    '@app.route("/calc")',
    'def calc():',
    '    return str(eval(request.args["expr"]))',
    '',
    'if __name__ == "__main__":',
    '    app.run(debug=True)',
  ),
  'helpers.py': lines(
    'import os',
    'import sqlite3',
    'import subprocess',
    'import pickle',
    '',
    'LIMIT = 10',
    'NAME = "helpers"',
    'convert = lambda s: s.strip()',
    '',
    'def run_it(c):',
    '    os.system("echo " + c)',
    '',
    'def lookup(name):',
    '    cursor = sqlite3.connect("app.db").cursor()',
    '    cursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
    '    return cursor.fetchall()',
    '',
    'def load(blob):',
    '    return pickle.loads(blob)',
    '',
    'def shell(cmd):',
    '    subprocess.call(cmd, shell=True)',
    '',
    'def swallow():',
    '    try:',
    '        os.remove("x")',
    '    except:',
    '        pass',
  ),
};

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined || r.signal !== null };
}

const SCAN = ['scan', '.', '--format', 'json', '--severity', 'low', '--confidence', 'low', '--no-progress', '--jobs', '1'];

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * Where in a file entry to flip one bit so that a sibling link of the tree copy points back at
 * its own node or an earlier sibling: the tree copy's buffer ends the entry, nextSiblings is its
 * fourth int32 array.
 */
async function loopingFlip(entry: Buffer, path: string, source: string): Promise<{ offset: number; bit: number }> {
  const analysis = await analysePythonSource(path, source, []);
  const copy = (analysis.module as unknown as { syntax: { copy(): { count: number; size: number; hasError: boolean; buffer: ArrayBuffer } } }).syntax.copy();
  analysis.release();
  const { count, size, buffer } = copy;
  const bufferStart = entry.length - buffer.byteLength;
  // The layout is as expected: the copy's bytes are the entry's.
  expect(Buffer.from(buffer).equals(entry.subarray(bufferStart, bufferStart + buffer.byteLength))).toBe(true);
  const parents = new Int32Array(buffer, 8 * size, size);
  const next = new Int32Array(buffer, 12 * size, size);
  const candidates: { node: number; bit: number; depth: number }[] = [];
  for (let i = 0; i < count; i++) {
    const v = next[i]!;
    if (v < 0) continue;
    const earlier = new Set<number>([i]);
    for (let s = parents[i]! + 1; s >= 0 && s < i; s = next[s]!) earlier.add(s);
    for (let bit = 0; bit < 31; bit++) {
      if (earlier.has(v ^ (1 << bit))) {
        let depth = 0;
        for (let p = parents[i]!; p >= 0; p = parents[p]!) depth++;
        candidates.push({ node: i, bit, depth });
      }
    }
  }
  expect(candidates.length).toBeGreaterThan(0);
  // A top-level statement if there is one: the IR builder walks that list first.
  const pick = candidates.sort((a, b) => a.depth - b.depth)[0]!;
  const at = bufferStart + 12 * size + 4 * pick.node + (pick.bit >> 3);
  return { offset: at, bit: pick.bit & 7 };
}

describe('a damaged cache entry (issue #20)', () => {
  it('never hangs a scan: two file entries with a looping sibling link, run entries deleted, give the uncached findings', async () => {
    const root = tempTree(FILES);
    const cacheDir = join(tempTree({}), 'cache');
    const uncached = run([...SCAN, '--no-cache'], root);
    expect(uncached.timedOut).toBe(false);
    const expected = JSON.parse(uncached.stdout).findings;
    const rules = new Set(expected.map((f: { ruleId: string }) => f.ruleId));
    for (const id of ['python/command-injection', 'python/sql-injection', 'python/code-injection', 'python/hardcoded-secret']) expect(rules).toContain(id);

    const cold = run([...SCAN, '--cache-dir', cacheDir], root);
    expect(JSON.parse(cold.stdout).findings).toEqual(expected);
    const version = readdirSync(cacheDir).find((d) => /^v\d+$/.test(d))!;
    for (const p of entries(join(cacheDir, version, 'program'))) rmSync(p);
    for (const [path, source] of Object.entries(FILES)) {
      const marker = Buffer.from(source.split('\n')[1]!, 'latin1');
      const file = entries(join(cacheDir, version, 'files')).find((p) => readFileSync(p).includes(marker))!;
      const bytes = readFileSync(file);
      const { offset, bit } = await loopingFlip(bytes, path, source);
      bytes[offset] = bytes[offset]! ^ (1 << bit);
      writeFileSync(file, bytes);
    }

    // The code before the fix never finished this scan: the watchdog (spawn timeout) ended it.
    const again = run([...SCAN, '--cache-dir', cacheDir, '--verbose'], root);
    expect(again.timedOut).toBe(false);
    expect(again.code).toBe(uncached.code);
    expect(JSON.parse(again.stdout).findings).toEqual(expected);
    // Both entries were found damaged, said so, and were written again: the next run reads them.
    expect(again.stderr.match(/cache: file entry \S+ ignored: a checksum mismatch/g) ?? []).toHaveLength(2);
    const warm = run([...SCAN, '--cache-dir', cacheDir, '--verbose'], root);
    expect(warm.stderr).not.toContain('ignored');
    expect(JSON.parse(warm.stdout).findings).toEqual(expected);
  }, 400_000);

  it('never hangs a scan either when the looping entries carry valid checksums (forged): their tree copies fail their checks, the files are analysed afresh', async () => {
    const { entryParts, forgeEntry } = await import('../support/cache-entry.js');
    const root = tempTree(FILES);
    const cacheDir = join(tempTree({}), 'cache');
    const expected = JSON.parse(run([...SCAN, '--no-cache'], root).stdout).findings;
    expect(JSON.parse(run([...SCAN, '--cache-dir', cacheDir], root).stdout).findings).toEqual(expected);
    const version = readdirSync(cacheDir).find((d) => /^v\d+$/.test(d))!;
    for (const p of entries(join(cacheDir, version, 'program'))) rmSync(p);
    for (const [path, source] of Object.entries(FILES)) {
      const marker = Buffer.from(source.split('\n')[1]!, 'latin1');
      const file = entries(join(cacheDir, version, 'files')).find((p) => readFileSync(p).includes(marker))!;
      const bytes = readFileSync(file);
      const { offset, bit } = await loopingFlip(bytes, path, source);
      bytes[offset] = bytes[offset]! ^ (1 << bit);
      writeFileSync(file, bytes);
      forgeEntry(file, entryParts(bytes).sections);
    }
    const again = run([...SCAN, '--cache-dir', cacheDir, '--verbose'], root);
    expect(again.timedOut).toBe(false);
    expect(JSON.parse(again.stdout).findings).toEqual(expected);
    const said = again.stderr.match(/cache: file entry \S+ ignored: data-flow model could not be built: malformed tree copy: node \d+ of \d+: next sibling \d+, expected -?\d+; it is rewritten by this run/g) ?? [];
    expect(said).toHaveLength(2);
    const warm = run([...SCAN, '--cache-dir', cacheDir, '--verbose'], root);
    expect(warm.stderr).not.toContain('ignored');
    expect(JSON.parse(warm.stdout).findings).toEqual(expected);
  }, 400_000);
});
