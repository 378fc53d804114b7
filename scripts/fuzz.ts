/**
 * Mutation fuzzer for the analyser: `npm run fuzz`.
 *
 * Seeds are real Python files from Debian's python3-neutron (fetched at run time by
 * bench/corpus.ts). Each mutant applies 1–3 of: token deletion, token duplication, byte flips,
 * truncation, deep nesting insertion, line splicing from another file. Mutants run through the
 * real `scan()` (pattern rules and data-flow) in worker threads; a mutant that takes longer than
 * FUZZ_TIMEOUT seconds is a hang (the worker is terminated and replaced). Exceptions escaping
 * scan() and internal-error diagnostics are crashes. Reproducers go to fuzz-out/ (git-ignored).
 *
 * `FUZZ_MODE=cache npm run fuzz` (or `npm run fuzz -- --cache`) fuzzes the scan cache instead:
 * see scripts/fuzz-cache.ts.
 *
 * Environment: FUZZ_MUTANTS (default 10000), FUZZ_SEED (default 1), FUZZ_TIMEOUT (seconds,
 * default 10), FUZZ_WORKERS (default: available cores), FUZZ_MAX_SEED_BYTES (default 40000).
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { glob } from 'tinyglobby';
import { debianCorpus } from '../bench/corpus.js';
import type { FuzzJob, FuzzReply } from './fuzz-worker.js';
import { prng } from './prng.js';

const MUTANTS = Number(process.env.FUZZ_MUTANTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT ?? 10) * 1000;
const WORKERS = Number(process.env.FUZZ_WORKERS ?? availableParallelism());
const MAX_SEED_BYTES = Number(process.env.FUZZ_MAX_SEED_BYTES ?? 40_000);
const OUT = resolve('fuzz-out');


const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

type Mutator = (bytes: Uint8Array, rnd: () => number, seeds: Uint8Array[]) => Uint8Array;
const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);
const tokens = (bytes: Uint8Array): string[] => dec.decode(bytes).match(/[A-Za-z_]\w*|\d+|\s+|[^\w\s]/g) ?? [];

const MUTATORS: Record<string, Mutator> = {
  'delete-token': (bytes, rnd) => {
    const t = tokens(bytes);
    if (t.length === 0) return bytes;
    const at = int(rnd, t.length);
    t.splice(at, 1 + int(rnd, 3));
    return enc.encode(t.join(''));
  },
  'duplicate-token': (bytes, rnd) => {
    const t = tokens(bytes);
    if (t.length === 0) return bytes;
    const at = int(rnd, t.length);
    const span = t.slice(at, at + 1 + int(rnd, 8));
    const times = 1 + int(rnd, rnd() < 0.1 ? 200 : 3);
    t.splice(at, 0, ...Array.from({ length: times }, () => span).flat());
    return enc.encode(t.join(''));
  },
  'flip-bytes': (bytes, rnd) => {
    const out = Uint8Array.from(bytes);
    const n = 1 + int(rnd, 4);
    for (let i = 0; i < n && out.length > 0; i++) {
      const at = int(rnd, out.length);
      out[at] = rnd() < 0.5 ? out[at]! ^ (1 << int(rnd, 8)) : int(rnd, 256);
    }
    return out;
  },
  truncate: (bytes, rnd) => bytes.subarray(0, int(rnd, bytes.length + 1)),
  'deep-nesting': (bytes, rnd) => {
    const lines = dec.decode(bytes).split('\n');
    const at = int(rnd, lines.length + 1);
    const indent = /^\s*/.exec(lines[Math.min(at, lines.length - 1)] ?? '')![0];
    const depth = 20 + int(rnd, rnd() < 0.3 ? 3000 : 300);
    const kinds = [
      () => `${indent}x = ${'('.repeat(depth)}a${')'.repeat(depth)}`,
      () => `${indent}x = ${'['.repeat(depth)}1${']'.repeat(depth)}`,
      () => `${indent}x = ${'f('.repeat(depth)}y${')'.repeat(depth)}`,
      () => `${indent}x = ${'{"k": '.repeat(depth)}1${'}'.repeat(depth)}`,
      () => `${indent}x = ${'lambda a: '.repeat(depth)}a`,
      () => `${indent}x = a${'.b'.repeat(depth)}`,
      () => `${indent}x = a${'[0]'.repeat(depth)}`,
      () => `${indent}x = ${'not '.repeat(depth)}a`,
      () => `${indent}x = ${'-'.repeat(depth)}a`,
      () => `${indent}x = a${' if b else c'.repeat(depth)}`,
      () => Array.from({ length: Math.min(depth, 400) }, (_, i) => `${indent}${'    '.repeat(i)}if a${i}:`).join('\n') + `\n${indent}${'    '.repeat(Math.min(depth, 400))}os.system(a)`,
      () => Array.from({ length: Math.min(depth, 200) }, (_, i) => `${indent}${'    '.repeat(i)}def f${i}(a):`).join('\n') + `\n${indent}${'    '.repeat(Math.min(depth, 200))}return eval(a)`,
      () => Array.from({ length: Math.min(depth, 200) }, (_, i) => `${indent}${'    '.repeat(i)}class C${i}:`).join('\n') + `\n${indent}${'    '.repeat(Math.min(depth, 200))}pass`,
      () => `${indent}x = ${'('.repeat(depth)}`,
      () => `${indent}x = "${'\\'.repeat(depth)}`,
      () => `${indent}s = f"${'{'.repeat(Math.min(depth, 200))}a${'}'.repeat(Math.min(depth, 200))}"`,
    ];
    lines.splice(at, 0, kinds[int(rnd, kinds.length)]!());
    return enc.encode(lines.join('\n'));
  },
  'splice-lines': (bytes, rnd, seeds) => {
    const lines = dec.decode(bytes).split('\n');
    const other = dec.decode(seeds[int(rnd, seeds.length)]!).split('\n');
    const from = int(rnd, other.length);
    lines.splice(int(rnd, lines.length + 1), int(rnd, 4), ...other.slice(from, from + 1 + int(rnd, 20)));
    return enc.encode(lines.join('\n'));
  },
};
const MUTATOR_NAMES = Object.keys(MUTATORS);

interface Mutant {
  id: number;
  seed: string;
  mutations: string[];
  bytes: Uint8Array;
}

async function main(): Promise<void> {
  // The cache fuzzer is its own mode (scripts/fuzz-cache.ts).
  if (process.env.FUZZ_MODE === 'cache' || process.argv.includes('--cache')) {
    await import('./fuzz-cache.js');
    return;
  }
  const started = performance.now();
  const corpus = debianCorpus('python3-neutron', 'neutron');
  const files = (await glob(['**/*.py'], { cwd: corpus, absolute: true })).sort();
  const seedFiles = files.filter((f) => {
    const size = statSync(f).size;
    return size > 0 && size <= MAX_SEED_BYTES;
  });
  const seeds = seedFiles.map((f) => new Uint8Array(readFileSync(f)));
  console.log(`fuzz: ${seeds.length} seed files from ${corpus}; ${MUTANTS} mutants, ${WORKERS} workers, ${TIMEOUT_MS / 1000} s watchdog, seed ${SEED}`);

  const rnd = prng(SEED);
  let next = 0;
  const makeMutant = (): Mutant | undefined => {
    if (next >= MUTANTS) return undefined;
    const which = int(rnd, seeds.length);
    let bytes: Uint8Array = seeds[which]!;
    const mutations: string[] = [];
    const n = 1 + int(rnd, 3);
    for (let i = 0; i < n; i++) {
      const name = MUTATOR_NAMES[int(rnd, MUTATOR_NAMES.length)]!;
      mutations.push(name);
      bytes = MUTATORS[name]!(bytes, rnd, seeds);
    }
    return { id: next++, seed: relative(corpus, seedFiles[which]!), mutations, bytes };
  };

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'secreview-fuzz-'));
  const crashes = new Map<string, { count: number; file: string; error: string }>();
  const hangs: string[] = [];
  let done = 0;
  let findings = 0;

  const save = (kind: 'crash' | 'hang', mutant: Mutant, detail: string): string => {
    const hash = createHash('sha256').update(mutant.bytes).digest('hex').slice(0, 12);
    const file = join(OUT, `${kind}-${hash}.py`);
    writeFileSync(file, mutant.bytes);
    writeFileSync(`${file}.txt`, `seed: ${mutant.seed}\nmutations: ${mutant.mutations.join(', ')}\n\n${detail}\n`);
    return file;
  };
  /** Crashes are grouped by message and top stack frame, so one bug is one entry. */
  const signature = (error: string): string => {
    const lines = error.split('\n');
    const frame = lines.find((l) => /^\s+at /.test(l))?.trim() ?? '';
    return `${lines[0]!.replace(/\d+/g, 'N').replace(/`[^`]*`/g, '`…`')} ${frame.replace(/:\d+:\d+\)?$/, '')}`;
  };

  await new Promise<void>((resolveAll) => {
    let active = 0;
    const startWorker = (index: number): void => {
      const worker = new Worker(new URL('./fuzz-worker-boot.mjs', import.meta.url), { workerData: { scratch, index } });
      active++;
      let current: Mutant | undefined;
      let timer: NodeJS.Timeout | undefined;
      let replaced = false;
      let replies = 0;
      const feed = (): void => {
        current = makeMutant();
        if (!current) {
          void worker.terminate();
          return;
        }
        timer = setTimeout(() => {
          hangs.push(save('hang', current!, `no result within ${TIMEOUT_MS / 1000} s`));
          replaced = true;
          done++;
          void worker.terminate();
          startWorker(index);
        }, TIMEOUT_MS);
        const job: FuzzJob = { id: current.id, bytes: current.bytes };
        worker.postMessage(job);
      };
      worker.on('message', (reply: FuzzReply) => {
        clearTimeout(timer);
        if (!current || reply.id !== current.id) return;
        replies++;
        done++;
        if (reply.outcome === 'crash') {
          const sig = signature(reply.error);
          const seen = crashes.get(sig);
          if (seen) seen.count++;
          else crashes.set(sig, { count: 1, file: save('crash', current, reply.error), error: reply.error.split('\n')[0]! });
        } else findings += reply.findings;
        if (done % 500 === 0) {
          const s = (performance.now() - started) / 1000;
          console.log(`fuzz: ${done}/${MUTANTS} mutants, ${crashes.size} distinct crashes, ${hangs.length} hangs, ${s.toFixed(0)} s`);
        }
        feed();
      });
      worker.on('error', (error) => {
        clearTimeout(timer);
        if (current) {
          done++;
          const sig = signature(`worker died: ${error.stack ?? error.message}`);
          if (!crashes.has(sig)) crashes.set(sig, { count: 1, file: save('crash', current, `worker died: ${error.stack ?? error.message}`), error: error.message });
        }
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        active--;
        if (!replaced && current) {
          if (replies === 0) throw new Error('a fuzz worker died before its first reply; see the crash reproducer for the cause');
          // Died without a reply (e.g. out of memory): record it and carry on with a fresh worker.
          startWorker(index);
          return;
        }
        if (active === 0 && next >= MUTANTS) resolveAll();
      });
      feed();
    };
    for (let i = 0; i < Math.max(1, WORKERS); i++) startWorker(i);
  });
  rmSync(scratch, { recursive: true, force: true });

  const seconds = (performance.now() - started) / 1000;
  const summary = {
    mutants: done,
    seedFiles: seeds.length,
    seed: SEED,
    watchdogSeconds: TIMEOUT_MS / 1000,
    workers: WORKERS,
    wallSeconds: Math.round(seconds),
    findings,
    crashes: [...crashes.values()].map((c) => ({ ...c, file: relative(process.cwd(), c.file) })),
    crashMutants: [...crashes.values()].reduce((n, c) => n + c.count, 0),
    hangs: hangs.map((h) => relative(process.cwd(), h)),
  };
  writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`fuzz: ${done} mutants in ${seconds.toFixed(0)} s: ${summary.crashMutants} crashing (${crashes.size} distinct), ${hangs.length} hangs; reproducers in ${relative(process.cwd(), OUT) || '.'}/`);
  for (const c of summary.crashes) console.log(`  crash ×${c.count}: ${c.error}  (${c.file})`);
  for (const h of summary.hangs) console.log(`  hang: ${h}`);
  process.exitCode = crashes.size > 0 || hangs.length > 0 ? 1 : 0;
}

await main();
