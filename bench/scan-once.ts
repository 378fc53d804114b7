// One scan in a fresh process, for the scaling benchmark: prints a JSON line with wall time,
// CPU time, peak RSS and counts (findings per rule too). Usage: tsx bench/scan-once.ts <root> <file-list.txt> [pattern|full]
import { readFileSync } from 'node:fs';
import { scan } from '../src/api/scan.js';
import { allRules } from '../src/rules/index.js';

const [root, listFile, mode = 'full'] = process.argv.slice(2);
if (!root || !listFile) throw new Error('usage: scan-once.ts <root> <file-list.txt> [pattern|full]');
const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
const rules = mode === 'pattern' ? allRules.filter((r) => !r.taint) : allRules;
const cpu = process.cpuUsage();
const start = performance.now();
const report = await scan({ paths, cwd: root, config: false, rules, severity: 'low', confidence: 'low' });
const wall = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
const byRule: Record<string, number> = {};
for (const f of report.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
console.log(
  JSON.stringify({
    files: report.stats.filesScanned,
    lines: report.stats.lines,
    wallSeconds: wall,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    findings: report.findings.length,
    taintFindings: report.findings.filter((f) => f.trace).length,
    filesWithErrors: report.stats.filesWithErrors,
    byRule,
  }),
);
