import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { tempTree } from '../support/tmp.js';

const N = 10_000;

describe('generated, deeply nested and very long code', () => {
  it('scans 10,000-deep expressions and a 50,000-statement function without crashing, and the other files still count', async () => {
    const big = ['import subprocess', 'def big(a):', ...Array.from({ length: 50_000 }, (_, i) => `    x${i} = a + "${i}"`), '    subprocess.call(x49999, shell=True)'];
    const root = tempTree({
      'parens.py': `import os\nx = ${'('.repeat(N)}os.environ["A"]${')'.repeat(N)}\nos.system(x)\n`,
      'chain.py': `import os\ny = os.environ["A"]${' + "a"'.repeat(N)}\nos.system(y)\n`,
      'lists.py': `z = ${'['.repeat(N)}1${']'.repeat(N)}\n`,
      'calls.py': `import os\nv = ${'f('.repeat(N)}os.environ["A"]${')'.repeat(N)}\nos.system(v)\n`,
      'big.py': `${big.join('\n')}\n`,
      'ok.py': 'import subprocess\ndef f(h):\n    subprocess.call("ping " + h, shell=True)\n',
    });
    const report = await scan({ paths: ['.'], cwd: root, config: false, severity: 'low', confidence: 'low' });
    expect(report.diagnostics).toEqual([]);
    expect(report.stats.filesScanned).toBe(6);
    const where = new Set(report.findings.map((f) => `${f.location.path}:${f.location.startLine}`));
    expect(where.has('ok.py:3')).toBe(true);
    expect(where.has('big.py:50003')).toBe(true);
    expect(where.has('parens.py:3')).toBe(true);
    expect(where.has('chain.py:3')).toBe(true);
  });
});
