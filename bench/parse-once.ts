// The parse-only floor in a fresh process: read, decode and tree-sitter-parse every listed file,
// nothing else (no front end, no rules, no taint). Prints one JSON line like scan-once.ts.
// Usage: tsx bench/parse-once.ts <root> <file-list.txt>
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeSource } from '../src/parse/decode.js';
import { SourceParser } from '../src/parse/tree-sitter.js';

const [root, listFile] = process.argv.slice(2);
if (!root || !listFile) throw new Error('usage: parse-once.ts <root> <file-list.txt>');
const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);

/** Lines as secreview counts them (src/frontend/python/module.ts: line starts, no trailing empty line). */
function lineCount(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) && i + 1 < s.length) n++;
  }
  return n;
}

const cpu = process.cpuUsage();
const start = performance.now();
const parser = await SourceParser.create('python');
let files = 0;
let lines = 0;
let errors = 0;
for (const p of paths) {
  const decoded = decodeSource(await readFile(resolve(root, p)));
  if (!decoded.ok) {
    errors++;
    continue;
  }
  parser.parse(decoded.text).delete();
  files++;
  lines += lineCount(decoded.text);
}
parser.dispose();
const wall = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    files,
    lines,
    errors,
    wallSeconds: wall,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
