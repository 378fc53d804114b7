// Memory and time of a scan of 100,000 one-line Python files plus one vulnerable file, the shape
// of a huge generated tree: prints wall time, peak RSS growth and the heap still retained after a
// forced GC while the report is alive (what a library caller holding the report keeps). Asserts
// nothing; the goals it prints come from the hardening work: under 45 s on 2 cores, peak RSS
// growth under 1 GiB, under 128 MiB retained (a regression to 137 MiB, from the concurrency
// program carried by the report, was found this way).
//   npm run build && npm run bench:many-files      (FILES=N to change the count)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCAN_API = fileURLToPath(new URL('../dist/api/scan.js', import.meta.url));
const files = Number(process.env.FILES ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'secreview-many-files-'));
try {
  writeFileSync(join(dir, 'good.py'), 'import os\n\n\ndef run(request):\n    os.system(request.args["cmd"])\n');
  for (let d = 0; d * 1000 < files; d++) {
    mkdirSync(join(dir, `pkg${d}`));
    for (let i = 0; i < Math.min(1000, files - d * 1000); i++) writeFileSync(join(dir, `pkg${d}`, `m${i}.py`), `x = ${i}\n`);
  }
  // In a child process, so this process's heap does not blur the figures.
  const script = `
    const { scan } = await import(${JSON.stringify(SCAN_API)});
    const rss0 = process.resourceUsage().maxRSS;
    const t = performance.now();
    const r = await scan({ paths: ['.'], cwd: ${JSON.stringify(dir)}, config: false, cache: false });
    const ms = performance.now() - t;
    globalThis.gc();
    console.log(JSON.stringify({ ms, files: r.stats.filesScanned, findings: r.findings.length, rssGrowthKiB: process.resourceUsage().maxRSS - rss0, retained: process.memoryUsage().heapUsed }));
  `;
  const p = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`the scan failed: ${p.stderr}`);
  const m = JSON.parse(p.stdout) as { ms: number; files: number; findings: number; rssGrowthKiB: number; retained: number };
  const MiB = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
  console.log(`${m.files.toLocaleString('en')} files scanned, ${m.findings} finding(s)`);
  console.log(`wall time          ${(m.ms / 1000).toFixed(1)} s      (goal: under 45 s on 2 cores)`);
  console.log(`peak RSS growth    ${MiB(m.rssGrowthKiB * 1024)}  (goal: under 1,024 MiB)`);
  console.log(`retained after GC  ${MiB(m.retained)}   (goal: under 128 MiB, report alive)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
