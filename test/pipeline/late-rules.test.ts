import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { FilePool } from '../../src/workers/pool.js';
import { analyseFile, FileResult, type FileJob } from '../../src/workers/file-job.js';
import { withLateRules, type LateAnswer } from '../../src/workers/late-rules.js';
import { allRules, findRule } from '../../src/rules/index.js';
import { FIXTURE_ROOT } from '../support/rule-fixtures.js';

const rules = allRules.filter((r) => !r.taint && !r.concurrency && r.language === 'python');
const job = (path: string, source: string | Buffer): FileJob => ({
  path,
  content: typeof source === 'string' ? Buffer.from(source) : source,
  ruleIds: rules.map((r) => r.id),
  fileTimeoutMs: 30_000,
  wantIR: true,
  buildIR: false,
});

// A syntax error (its diagnostic comes first, the rules' after it) and findings; code hidden by the
// encoding declaration (a rule reads the declaration from the module).
const jobs = [
  job('broken.py', 'import os\n\ndef f(:\n    pass\n\ndef g(x):\n    os.system(x)\n    eval(input())\n'),
  job('utf7-comment.py', readFileSync(join(FIXTURE_ROOT, 'python', 'hidden-code-encoding', 'utf7-comment.py'))),
  job('empty.py', ''),
];

describe('pattern rules run late on a worker', () => {
  it('hand back outcomes without pattern findings, then the findings when told: the outcome of the inline run', async () => {
    const inline = await Promise.all(jobs.map((j) => analyseFile(j, rules, (id) => findRule(id) !== undefined)));
    expect(inline[0]!.meta.diagnostics[0]?.kind).toBe('parse-error');
    expect(inline[0]!.meta.findings.length).toBeGreaterThan(0);
    expect(inline[1]!.meta.findings.map((f) => f.ruleId)).toContain('python/hidden-code-encoding');

    const pool = new FilePool(1);
    try {
      const { port1, port2 } = new MessageChannel();
      const early = (await pool.run(jobs, port2)).map((bytes) => FileResult.decode(bytes).meta);
      expect(early.map((m) => m.findings)).toEqual([[], [], []]);
      const answer = await new Promise<LateAnswer>((done) => {
        port1.once('message', done);
        port1.postMessage('go');
      });
      port1.close();
      if (!('results' in answer)) throw new Error(`no results: ${answer.error}`);
      expect(answer.results).toHaveLength(3);
      answer.results.forEach((result, i) => {
        if ('failed' in result) throw new Error(`file ${i} failed: ${result.failed.message}`);
        expect(withLateRules(early[i]!, result)).toEqual(inline[i]!.meta);
      });
    } finally {
      await pool.close();
    }
  });

  it('a worker that ends before go closes the port: the main thread hears it and does not wait for ever', async () => {
    const pool = new FilePool(1);
    const { port1, port2 } = new MessageChannel();
    await pool.run(jobs.slice(0, 1), port2);
    const heard = new Promise<string>((done) => {
      port1.once('message', () => done('message'));
      port1.once('close', () => done('close'));
    });
    await pool.close();
    port1.postMessage('go');
    expect(await heard).toBe('close');
  });
});
