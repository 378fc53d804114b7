import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../../../src/api/scan.js';
import { getReporter } from '../../../src/report/index.js';
import { createBaseline, compareWithBaseline } from '../../../src/baseline/baseline.js';
import { tempTree } from '../../support/tmp.js';
import { cli, Repo } from '../../diff/repo.js';

/** A request value goes from an ES-module route through an imported module and a required CommonJS module to a shell. */
const APP = {
  'src/app.ts': [
    "import express from 'express';",
    "import { archive } from './services/archive';",
    '',
    'const app = express();',
    "app.post('/archive', (req, res) => {",
    '  const name = req.body.name;',
    '  archive(name);',
    "  res.send('ok');",
    '});',
    '',
  ].join('\n'),
  'src/services/archive.ts': [
    "const shell = require('../lib/shell');",
    '',
    'export function archive(folder: string) {',
    '  const target = `/srv/${folder}`;',
    '  shell.run(`tar czf /tmp/a.tgz ${target}`);',
    '}',
    '',
  ].join('\n'),
  'src/lib/shell.js': [
    "const { execSync } = require('child_process');",
    '',
    'module.exports.run = function (command) {',
    '  return execSync(command);',
    '};',
    '',
  ].join('\n'),
};

describe('JavaScript/TypeScript through the whole pipeline', () => {
  it('finds a request value passed through two modules (import, then require) to a sink, with the path across files', async () => {
    const dir = tempTree(APP);
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    expect(report.stats.filesScanned).toBe(3);
    expect(report.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`)).toEqual(['javascript/command-injection src/lib/shell.js:4']);
    const trace = report.findings[0]!.trace!.map((s) => `${s.kind} ${s.location.path}:${s.location.startLine}`);
    expect(trace[0]).toBe('source src/app.ts:6');
    expect(trace).toContain('call src/app.ts:7');
    expect(trace).toContain('call src/services/archive.ts:5');
    expect(trace[trace.length - 1]).toBe('sink src/lib/shell.js:4');
  });

  it('gives the same report from the cache, on an unchanged tree and after an edit elsewhere', async () => {
    const dir = tempTree({ ...APP, 'src/other.js': 'module.exports = 1;\n' });
    const cacheDir = mkdtempSync(join(tmpdir(), 'secreview-js-cache-'));
    try {
      const options = { paths: ['.'], cwd: dir, config: false as const, cache: { dir: cacheDir } };
      const first = await scan(options);
      const second = await scan(options);
      expect(second.findings).toEqual(first.findings);
      // A changed file makes the run entry miss: the other files' IRs are rebuilt from their cached tree copies.
      writeFileSync(join(dir, 'src/other.js'), 'module.exports = 2;\n');
      const third = await scan(options);
      expect(third.findings).toEqual(first.findings);
      expect(third.findings).toHaveLength(1);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('gives the same report from worker threads as inline (enough files for the pool)', async () => {
    const files: Record<string, string> = { ...APP };
    for (let i = 0; i < 30; i++) files[`src/routes/r${i}.js`] = `const { exec } = require('child_process');\nrequire('express')().get('/${i}', (req, res) => exec(req.query.c${i}));\n`;
    const dir = tempTree(files);
    const inline = await scan({ paths: ['.'], cwd: dir, config: false, jobs: 1 });
    const pooled = await scan({ paths: ['.'], cwd: dir, config: false, jobs: 2 });
    expect(inline.findings).toHaveLength(31);
    expect(pooled.findings).toEqual(inline.findings);
  });

  it('honours // and /* */ suppressions with a reason, not eslint-disable comments', async () => {
    const src = (comment: string): string =>
      ["const { exec } = require('child_process');", "require('express')().get('/', (req, res) => {", `  exec(req.query.c); ${comment}`, '});', ''].join('\n');
    const found = async (comment: string): Promise<number> => {
      const dir = tempTree({ 'a.js': src(comment) });
      return (await scan({ paths: ['.'], cwd: dir, config: false })).findings.length;
    };
    expect(await found('')).toBe(1);
    expect(await found('// secreview: ignore[javascript/command-injection] input is a fixed enum upstream')).toBe(0);
    expect(await found('/* secreview: ignore[javascript/command-injection] checked by the gateway */')).toBe(0);
    expect(await found('// eslint-disable-line security/detect-child-process')).toBe(1);
    // Without a reason it silences nothing and says so.
    const dir = tempTree({ 'a.js': src('// secreview: ignore[javascript/command-injection]') });
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    expect(report.findings).toHaveLength(1);
    expect(report.diagnostics.map((d) => d.kind)).toContain('suppression-error');
  });

  it('writes SARIF with the JavaScript/TypeScript artifacts, Markdown and HTML, and baselines hide known findings', async () => {
    const dir = tempTree(APP);
    const report = await scan({ paths: ['.'], cwd: dir, config: false });
    const sarif = JSON.parse(getReporter('sarif')!.render(report, { color: false }));
    const languages = Object.fromEntries(sarif.runs[0].artifacts.map((a: { location: { uri: string }; sourceLanguage?: string }) => [a.location.uri, a.sourceLanguage]));
    expect(languages['src/lib/shell.js']).toBe('javascript');
    expect(languages['src/app.ts']).toBe('typescript');
    expect(sarif.runs[0].results[0].ruleId).toBe('javascript/command-injection');
    expect(sarif.runs[0].results[0].codeFlows[0].threadFlows[0].locations.length).toBeGreaterThanOrEqual(4);
    const markdown = getReporter('markdown')!.render(report, { color: false });
    expect(markdown).toContain('src/lib/shell.js');
    expect(markdown).toContain('```javascript');
    expect(getReporter('html')!.render(report, { color: false })).toContain('javascript/command-injection');
    const baseline = createBaseline(report.findings);
    const comparison = compareWithBaseline('baseline.json', baseline, report.findings);
    expect(report.findings.map((f) => f.baselineState)).toEqual(['unchanged']);
    void comparison;
  });

  it('scans a JavaScript repository from the command line (no longer "no readable source files") and reviews a diff', () => {
    const repo = Repo.init({ 'server.js': "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('hi'));\n" });
    const clean = cli(['scan', '.', '--no-cache'], repo.root);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No security defects are detected in the code');
    repo.write({ 'server.js': "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('hi ' + req.query.name));\n" });
    const diff = cli(['diff', '--no-cache', '--format', 'concise'], repo.root);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('server.js:3');
    expect(diff.stdout).toContain('javascript/xss');
  });
});

