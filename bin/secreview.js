#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// A scan runs a large body of code (rules, front ends, the taint engine) for seconds, not hours:
// with V8's default budget it optimises hundreds of lukewarm functions, about a third of a scan's
// CPU on two cores. A higher budget optimises only the hot ones (npm run bench: neutron, two cores,
// 10.2 s -> 8.1 s wall, 18.2 s -> 13.5 s CPU). Set before the CLI's code is loaded; workers inherit it.
setFlagsFromString('--interrupt-budget=1000000');

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('secreview: dist/cli/main.js is missing; run `npm run build` in the secreview folder first.\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv);
