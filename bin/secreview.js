#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('secreview: dist/cli/main.js is missing; run `npm run build` in the secreview folder first.\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv);
