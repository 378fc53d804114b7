/**
 * Cache fuzzer: `FUZZ_MODE=cache npm run fuzz` (or `npm run fuzz -- --cache`).
 *
 * What each trial scans: the folders SAMPLE of Debian's python3-neutron (FUZZ_SAMPLE, comma-
 * separated, relative to the package's `neutron` folder), every rule, severity and confidence
 * low, one thread, through the real `scan()` in a warm worker thread (so a trial costs a scan,
 * not a process start). The cache is filled once from that scan (files, run, replay records,
 * parsed models); the reference is the same scan without a cache. Each trial copies the filled
 * cache, damages 1–3 of its entries of one kind (file, run, replay records, models) in one way
 * (bit flips anywhere, truncation, a zeroed 4 KiB page, entries swapped between keys, an entry
 * of another format version), deletes the run entry when the damage is to file entries or replay
 * records (otherwise the run entry would answer and nothing damaged would be read), scans, and
 * compares the JSON findings with the reference. A scan that gives no answer within the watchdog
 * (twice the slower of the scan without a cache and the undamaged cached scans, plus the file
 * budget, plus 5 s: damage may cost re-analysing everything, never more) is a timeout; its
 * worker is terminated and replaced. Every worker runs one scan before its first trial, so that
 * loading and compiling the code is not counted against the watchdog.
 *
 * With FUZZ_FORGED=1, trials of a sixth kind rewrite the checksums after flipping bits inside a
 * file entry's tree copy or the replay records (a forged entry: what the decoders' checks are
 * for). Their findings may legitimately differ (the entry says something else); only timeouts
 * and crashes count for them.
 *
 * Environment: FUZZ_TRIALS (default 2000), FUZZ_SEED (1), FUZZ_WORKERS (2), FUZZ_BUDGET (file
 * budget in seconds, default 10). Reproducers (the damaged cache, with a note) go to fuzz-out/.
 */
import { Worker } from 'node:worker_threads';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { debianCorpus } from '../bench/corpus.js';
import { entryBytes, FORMAT } from '../src/cache/scan-cache.js';
import type { CacheJob, CacheReply } from './fuzz-cache-worker.js';
import { prng } from './prng.js';

const TRIALS = Number(process.env.FUZZ_TRIALS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const WORKERS = Number(process.env.FUZZ_WORKERS ?? 2);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET ?? 10) * 1000;
const FORGED = process.env.FUZZ_FORGED === '1';
const SAMPLE = (process.env.FUZZ_SAMPLE ?? 'agent/metadata,agent/ovn/metadata,common').split(',');
const OUT = resolve('fuzz-out');

const rnd = prng(SEED);
const int = (n: number): number => Math.floor(rnd() * n);

const KINDS = ['files', 'program', 'replay', 'models'] as const;
type EntryKind = (typeof KINDS)[number];
const DAMAGES = ['bit-flip', 'truncate', 'zero-page', 'swap', 'other-version', ...(FORGED ? ['forged'] : [])] as const;
type Damage = (typeof DAMAGES)[number];

function listEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.tmp')).map((e) => join(e.parentPath, e.name)).sort();
}

function entriesOf(cache: string, kind: EntryKind): string[] {
  return listEntries(join(cache, FORMAT, kind));
}

/**
 * A copy of a cache folder made of hard links (a trial's copy costs a few dozen links, not
 * megabytes): safe because nothing writes a file in place, neither the scan (it writes a new
 * file and renames it) nor `put` below.
 */
function linkTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) linkTree(join(from, e.name), join(to, e.name));
    else linkSync(join(from, e.name), join(to, e.name));
  }
}

/** Replaces a file with new contents as a new file (never through a shared link). */
function put(file: string, bytes: Uint8Array): void {
  unlinkSync(file);
  writeFileSync(file, bytes);
}

/** An entry's parts (see scan-cache.ts `entryBytes`): key and sections. */
function parts(bytes: Buffer): { key: string; sections: Buffer[] } {
  const magicEnd = bytes.indexOf(0x0a) + 1;
  const keyEnd = bytes.indexOf(0x0a, magicEnd);
  const lineEnd = bytes.indexOf(0x0a, keyEnd + 1);
  let at = lineEnd + 1;
  const sections = bytes.toString('latin1', keyEnd + 1, lineEnd).split(' ').map((p) => {
    const n = Number(p.split(':')[0]);
    const s = bytes.subarray(at, at + n);
    at += n;
    return s;
  });
  return { key: bytes.toString('latin1', magicEnd, keyEnd), sections };
}

/** Damages `files` in place; returns what was done, for the reproducer's note. */
function damage(kind: Damage, files: string[], cache: string): string[] {
  const notes: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const name = relative(cache, file);
    switch (kind) {
      case 'bit-flip': {
        const n = 1 + int(3);
        for (let i = 0; i < n && bytes.length > 0; i++) {
          const at = int(bytes.length);
          const bit = int(8);
          bytes[at] = bytes[at]! ^ (1 << bit);
          notes.push(`${name}: bit ${bit} of byte ${at} of ${bytes.length} flipped`);
        }
        put(file, bytes);
        break;
      }
      case 'truncate': {
        const length = int(bytes.length);
        put(file, bytes.subarray(0, length));
        notes.push(`${name}: truncated to ${length} of ${bytes.length} bytes`);
        break;
      }
      case 'zero-page': {
        const page = int(Math.ceil(bytes.length / 4096));
        bytes.fill(0, page * 4096, Math.min(bytes.length, page * 4096 + 4096));
        put(file, bytes);
        notes.push(`${name}: page ${page} (4 KiB at ${page * 4096}) of ${bytes.length} bytes zeroed`);
        break;
      }
      case 'swap': {
        // Another entry of the same kind when there is one, else any other entry.
        const all = KINDS.flatMap((k) => entriesOf(cache, k)).filter((p) => p !== file);
        const same = all.filter((p) => p.startsWith(join(file, '..', '..')) && p !== file);
        const other = (same.length > 0 ? same : all)[int((same.length > 0 ? same : all).length)];
        if (!other) break;
        const theirs = readFileSync(other);
        put(other, bytes);
        put(file, theirs);
        notes.push(`${name} and ${relative(cache, other)} swapped`);
        break;
      }
      case 'other-version': {
        // The same contents in the previous format (magic v2, key, body): what v2 wrote.
        const { key, sections } = parts(bytes);
        put(file, Buffer.concat([Buffer.from(`secreview-cache-v2\n${key}\n`, 'latin1'), ...sections]));
        notes.push(`${name}: rewritten as a v2 entry`);
        break;
      }
      case 'forged': {
        const { key, sections } = parts(bytes);
        const target = sections.length === 2 && sections[1]!.length > 0 ? 1 : 0;
        const section = Buffer.from(sections[target]!);
        const n = 1 + int(3);
        for (let i = 0; i < n && section.length > 0; i++) {
          const at = int(section.length);
          const bit = int(8);
          section[at] = section[at]! ^ (1 << bit);
          notes.push(`${name}: bit ${bit} of byte ${at} of section ${target} flipped, checksums rewritten`);
        }
        sections[target] = section;
        put(file, entryBytes(key, sections));
        break;
      }
    }
  }
  return notes;
}

interface Tally {
  trials: number;
  detected: number;
  entriesRejected: number;
  mismatches: number;
  timeouts: number;
  crashes: number;
}

async function main(): Promise<void> {
  const started = performance.now();
  const corpus = debianCorpus('python3-neutron', 'neutron');
  const scratch = mkdtempSync(join(tmpdir(), 'secreview-fuzz-cache-'));
  const pristine = join(scratch, 'pristine');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const workers: { worker: Worker; busy: boolean }[] = [];
  const spawn = (): Worker => new Worker(new URL('./fuzz-cache-worker-boot.mjs', import.meta.url), { workerData: { corpus, sample: SAMPLE, budgetMs: BUDGET_MS } });
  /** A worker's reply; 'timeout' past the watchdog; a crash reply when the worker died. */
  const ask = (worker: Worker, job: CacheJob, timeoutMs: number): Promise<CacheReply | 'timeout'> =>
    new Promise((done) => {
      const finish = (reply: CacheReply | 'timeout'): void => {
        clearTimeout(timer);
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        done(reply);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      worker.once('message', (reply: CacheReply) => finish(reply));
      worker.once('error', (error) => finish({ id: job.id, digest: '', findings: 0, files: 0, rejected: 0, ms: 0, error: `worker died: ${error.stack ?? error.message}`, dead: true }));
      worker.postMessage(job);
    });

  // The reference (no cache), the cache filled, and how long an undamaged cached scan takes.
  const first = spawn();
  const reference = await ask(first, { id: -1 }, 600_000);
  if (reference === 'timeout' || reference.error) throw new Error(`reference scan failed: ${reference === 'timeout' ? 'timeout' : reference.error}`);
  const fill = await ask(first, { id: -2, cacheDir: pristine }, 600_000);
  if (fill === 'timeout' || fill.error || fill.digest !== reference.digest) throw new Error('filling the cache did not give the reference findings');
  let normalMs = 0;
  for (const drop of [false, true]) {
    const trial = join(scratch, 'normal');
    linkTree(pristine, trial);
    if (drop) for (const p of entriesOf(trial, 'program')) rmSync(p);
    const r = await ask(first, { id: -3, cacheDir: trial }, 600_000);
    if (r === 'timeout' || r.error || r.digest !== reference.digest) throw new Error('an undamaged cached scan did not give the reference findings');
    normalMs = Math.max(normalMs, r.ms);
  }
  await first.terminate();
  // A damaged entry may cost re-analysing: the slowest honest path is the scan without a cache.
  const watchdogMs = 2 * Math.max(normalMs, reference.ms) + BUDGET_MS + 5000;
  const counts = Object.fromEntries(KINDS.map((k) => [k, entriesOf(pristine, k).length]));
  console.log(`fuzz-cache: scanning ${SAMPLE.map((s) => `neutron/${s}`).join(', ')} (${reference.files} files, ${reference.findings} findings) per trial; cache entries: ${JSON.stringify(counts)}`);
  console.log(`fuzz-cache: ${TRIALS} trials, ${WORKERS} workers, seed ${SEED}, file budget ${BUDGET_MS / 1000} s, scan without cache ${(reference.ms / 1000).toFixed(2)} s, slowest undamaged cached scan ${(normalMs / 1000).toFixed(2)} s, watchdog ${(watchdogMs / 1000).toFixed(1)} s`);

  const byDamage = new Map<string, Tally>();
  const byKind = new Map<string, Tally>();
  const tally = (map: Map<string, Tally>, key: string): Tally => {
    let t = map.get(key);
    if (!t) map.set(key, (t = { trials: 0, detected: 0, entriesRejected: 0, mismatches: 0, timeouts: 0, crashes: 0 }));
    return t;
  };
  const problems: string[] = [];
  let next = 0;
  let done = 0;

  /** A worker that has run one scan already: the watchdog is for scans, not for loading the code. */
  const warmWorker = async (): Promise<Worker> => {
    const worker = spawn();
    const warm = await ask(worker, { id: -4 }, 600_000);
    if (warm === 'timeout' || warm.error) throw new Error('a fresh fuzz worker could not scan the sample');
    return worker;
  };

  const runWorker = async (slot: number): Promise<void> => {
    let worker = await warmWorker();
    while (next < TRIALS) {
      const id = next++;
      const kind = KINDS[int(KINDS.length)]!;
      const how = DAMAGES[int(DAMAGES.length)]!;
      const dir = join(scratch, `t${slot}`);
      linkTree(pristine, dir);
      const candidates = entriesOf(dir, kind);
      const picked = new Set<string>();
      const n = Math.min(candidates.length, kind === 'files' ? 1 + int(3) : 1);
      while (picked.size < n) picked.add(candidates[int(candidates.length)]!);
      const notes = damage(how, [...picked], dir);
      if (kind === 'files' || kind === 'replay') for (const p of entriesOf(dir, 'program')) rmSync(p);
      // The damaged folder as the scan found it, for a reproducer.
      const damaged = `${dir}-damaged`;
      linkTree(dir, damaged);
      const reply = await ask(worker, { id, cacheDir: dir }, watchdogMs);
      const tallies = [tally(byDamage, how), tally(byKind, kind)];
      for (const t of tallies) t.trials++;
      const keep = (what: string): void => {
        const out = join(OUT, `${what}-${id}`);
        cpSync(damaged, out, { recursive: true });
        writeFileSync(join(out, 'NOTE.txt'), `trial ${id}: ${what}\ndamage: ${how} of ${kind} entries\n${notes.join('\n')}\nscan: scan({ paths: [${SAMPLE.map((x) => `'${x}'`).join(', ')}], cwd: neutron, config: false, severity: 'low', confidence: 'low', cache: { dir: '${out}' } }) from src/ (tsx): keys depend on the code that runs\n`);
        problems.push(`${what} (trial ${id}, ${how} of ${kind}): ${relative(process.cwd(), out)}`);
      };
      if (reply === 'timeout') {
        for (const t of tallies) t.timeouts++;
        keep('timeout');
        await worker.terminate();
        worker = await warmWorker();
      } else if (reply.error) {
        for (const t of tallies) t.crashes++;
        keep('crash');
        writeFileSync(join(OUT, `crash-${id}`, 'ERROR.txt'), `${reply.error}\n`);
        if (reply.dead) {
          await worker.terminate();
          worker = await warmWorker();
        }
      } else {
        for (const t of tallies) {
          if (reply.rejected > 0) t.detected++;
          t.entriesRejected += reply.rejected;
        }
        if (reply.digest !== reference.digest && how !== 'forged') {
          for (const t of tallies) t.mismatches++;
          keep('mismatch');
        }
      }
      if (++done % 200 === 0) console.log(`fuzz-cache: ${done}/${TRIALS} trials, ${problems.length} problems, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    await worker.terminate();
  };
  await Promise.all(Array.from({ length: Math.max(1, WORKERS) }, (_, i) => runWorker(i)));
  rmSync(scratch, { recursive: true, force: true });

  const seconds = (performance.now() - started) / 1000;
  const table = (title: string, map: Map<string, Tally>): void => {
    console.log(`  ${title.padEnd(14)} trials  detected  entries-rejected  mismatches  timeouts  crashes`);
    for (const [key, t] of [...map].sort()) {
      console.log(`  ${key.padEnd(14)} ${String(t.trials).padStart(6)}  ${String(t.detected).padStart(8)}  ${String(t.entriesRejected).padStart(16)}  ${String(t.mismatches).padStart(10)}  ${String(t.timeouts).padStart(8)}  ${String(t.crashes).padStart(7)}`);
    }
  };
  console.log(`fuzz-cache: ${done} trials in ${seconds.toFixed(0)} s (detected: trials where the scan rejected at least one entry; the rest damaged what the run never read)`);
  table('damage', byDamage);
  table('entry kind', byKind);
  const total = [...byDamage.values()].reduce((a, t) => ({ mismatches: a.mismatches + t.mismatches, timeouts: a.timeouts + t.timeouts, crashes: a.crashes + t.crashes }), { mismatches: 0, timeouts: 0, crashes: 0 });
  console.log(`fuzz-cache: ${total.mismatches} mismatches, ${total.timeouts} timeouts, ${total.crashes} crashes${FORGED ? ' (forged trials: findings may differ; not counted as mismatches)' : ''}`);
  for (const p of problems) console.log(`  ${p}`);
  writeFileSync(join(OUT, 'cache-summary.json'), `${JSON.stringify({ trials: done, seed: SEED, sample: SAMPLE, watchdogMs, normalMs, byDamage: Object.fromEntries(byDamage), byKind: Object.fromEntries(byKind), problems }, null, 2)}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

await main();
