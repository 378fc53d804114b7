// The parse-only floor in a fresh process: read, decode and tree-sitter-parse every listed file,
// nothing else (no front end, no rules, no taint). Prints one JSON line like scan-once.ts.
// With --threads N, the files are split among N worker threads, each with its own parser: the
// floor when every core parses (what a scan on N cores could at best reach for parsing alone).
// Usage: tsx bench/parse-once.ts <root> <file-list.txt> [--threads N]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeSource } from '../src/parse/decode.js';
import { SourceParser } from '../src/parse/tree-sitter.js';

interface Share {
  root: string;
  paths: string[];
}

/** Lines as secreview counts them (src/frontend/python/module.ts: line starts, no trailing empty line). */
function lineCount(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) && i + 1 < s.length) n++;
  }
  return n;
}

async function parseAll({ root, paths }: Share): Promise<{ files: number; lines: number; errors: number }> {
  const parser = await SourceParser.create('python');
  let files = 0;
  let lines = 0;
  let errors = 0;
  for (const p of paths) {
    // Synchronous reads, as a scan reads: awaiting each file's read left the thread idle between
    // files (1.2 s of 4.5 s on neutron, one thread), which made the floor slower than parsing is.
    const decoded = decodeSource(readFileSync(resolve(root, p)));
    if (!decoded.ok) {
      errors++;
      continue;
    }
    parser.parse(decoded.text).delete();
    files++;
    lines += lineCount(decoded.text);
  }
  parser.dispose();
  return { files, lines, errors };
}

if (!isMainThread) {
  parentPort!.postMessage(await parseAll(workerData as Share));
} else {
  const [root, listFile] = process.argv.slice(2);
  if (!root || !listFile) throw new Error('usage: parse-once.ts <root> <file-list.txt> [--threads N]');
  const at = process.argv.indexOf('--threads');
  const threads = at > 0 ? Math.max(1, Number(process.argv[at + 1])) : 1;
  const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);

  const cpu = process.cpuUsage();
  const start = performance.now();
  let totals: { files: number; lines: number; errors: number };
  if (threads === 1) totals = await parseAll({ root, paths });
  else {
    // Every thread-th file, so each thread gets a similar mix of sizes.
    const shares = Array.from({ length: threads }, (_, t) => paths.filter((_, i) => i % threads === t));
    const results = await Promise.all(
      shares.map(
        (share) =>
          new Promise<{ files: number; lines: number; errors: number }>((done, fail) => {
            // A new thread does not inherit tsx's loader: register it first, then load this file.
            const entry = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`;
            const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(entry)}`), { workerData: { root, paths: share } satisfies Share });
            worker.once('message', (m) => {
              done(m as { files: number; lines: number; errors: number });
              void worker.terminate();
            });
            worker.once('error', fail);
          }),
      ),
    );
    totals = results.reduce((a, r) => ({ files: a.files + r.files, lines: a.lines + r.lines, errors: a.errors + r.errors }));
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      ...totals,
      wallSeconds: wall,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}
