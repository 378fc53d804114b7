// Re-run one fuzz reproducer through scan(): `npx tsx scripts/fuzz-repro.ts fuzz-out/crash-….py` (T=<ms> sets a file budget).
import { scan } from '../src/api/scan.js';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
const d = mkdtempSync('/tmp/fz-');
copyFileSync(process.argv[2]!, join(d, 'm.py'));
const t = performance.now();
const r = await scan({ paths: ['m.py'], cwd: d, config: false, severity: 'low', confidence: 'low', fileTimeoutMs: Number(process.env.T ?? Infinity) });
console.log(Math.round(performance.now() - t), 'ms', r.findings.length, r.diagnostics.map((x) => x.kind + ':' + x.message).slice(0, 3));
