import { scan } from '/work/main/src/api/scan.ts';
import { allRules } from '/work/main/src/rules/index.ts';
const target = '/work/main/.bench-cache/python3-neutron/root/usr/lib/python3/dist-packages/neutron';
const mode = process.argv[2];
const rules = mode === 'pattern' ? allRules.filter(r => !r.taint) : mode === 'taint' ? allRules.filter(r => r.taint) : allRules;
const t = performance.now();
const r = await scan({ paths: ['.'], cwd: target, config: false, rules, severity: 'low', confidence: 'low' });
console.log(mode, ((performance.now() - t) / 1000).toFixed(2), 's', r.findings.length);
