import { describe, expect, it } from 'vitest';
import { jsModule } from './support.js';
import { frontEndForPath } from '../../../src/frontend/registry.js';
import { jsModuleNameForPath, resolveSpecifier } from '../../../src/frontend/javascript/module.js';

describe('JavaScript front end: files and grammars', () => {
  it('claims .js .mjs .cjs .jsx (JavaScript grammar), .ts .mts .cts (TypeScript) and .tsx (TSX)', () => {
    const grammar = (p: string): string | undefined => frontEndForPath(p)?.grammar;
    expect(['a.js', 'a.mjs', 'a.cjs', 'a.jsx'].map(grammar)).toEqual(['javascript', 'javascript', 'javascript', 'javascript']);
    expect(['a.ts', 'a.mts', 'a.cts', 'a.tsx', 'A.TSX'].map(grammar)).toEqual(['typescript', 'typescript', 'typescript', 'tsx', 'tsx']);
    expect(frontEndForPath('a.py')?.language).toBe('python');
    expect(frontEndForPath('a.go')).toBeUndefined();
  });

  it('parses JSX in .jsx and TSX in .tsx without syntax errors', async () => {
    const jsx = await jsModule('c.jsx', 'export const C = ({ html }) => <div dangerouslySetInnerHTML={{ __html: html }} />;\n');
    expect(jsx.root.hasError).toBe(false);
    const tsx = await jsModule('c.tsx', 'export const C = ({ n }: { n: number }) => <b>{n}</b>;\n');
    expect(tsx.root.hasError).toBe(false);
    expect(tsx.typed).toBe(true);
  });

  it('names modules after their paths, index files after their folder, and resolves specifiers', () => {
    expect(jsModuleNameForPath('src/lib/helpers.ts')).toBe('src.lib.helpers');
    expect(jsModuleNameForPath('src/lib/index.js')).toBe('src.lib');
    expect(resolveSpecifier('./helpers.js', 'src/app.js')).toBe('src.helpers');
    expect(resolveSpecifier('../lib', 'src/routes/a.ts')).toBe('src.lib');
    expect(resolveSpecifier('node:child_process', 'a.js')).toBe('child_process');
    expect(resolveSpecifier('fs/promises', 'a.js')).toBe('fs.promises');
  });
});

describe('JavaScript front end: imports', () => {
  it('ES imports: default, namespace, named and renamed', async () => {
    const m = await jsModule(
      'src/app.mjs',
      [
        "import express from 'express';",
        "import * as cp from 'node:child_process';",
        "import { readFile, writeFile as write } from 'fs/promises';",
        "import { run } from './lib/run.js';",
        "import def, { default as other } from '../shared.js';",
      ].join('\n'),
    );
    expect(Object.fromEntries(m.imports)).toEqual({
      express: 'express',
      cp: 'child_process',
      readFile: 'fs.promises.readFile',
      write: 'fs.promises.writeFile',
      run: 'src.lib.run.run',
      def: 'shared',
      other: 'shared',
    });
    expect([...m.importedLocally].sort()).toEqual(['def', 'other', 'run']);
  });

  it('CommonJS: require, destructured and renamed requires, require(...).member, requires inside functions', async () => {
    const m = await jsModule(
      'lib/a.cjs',
      [
        "const cp = require('child_process');",
        "const { exec, spawn: run } = require('child_process');",
        "const join = require('path').join;",
        "let helpers = require('./helpers');",
        'function later() {',
        "  const axios = require('axios');",
        '}',
      ].join('\n'),
    );
    expect(Object.fromEntries(m.imports)).toEqual({
      cp: 'child_process',
      exec: 'child_process.exec',
      run: 'child_process.spawn',
      join: 'path.join',
      helpers: 'lib.helpers',
      axios: 'axios',
    });
    // A require is an import, not a top-level definition shadowing a global.
    expect(m.topLevelNames.has('cp')).toBe(false);
    expect(m.topLevelNames.has('later')).toBe(true);
  });
});

describe('JavaScript front end: comments', () => {
  it('keeps // and /* */ comments with their text for suppressions', async () => {
    const m = await jsModule(
      'a.js',
      ['exec(x); // secreview: ignore[javascript/command-injection] fixed input', '/* secreview: ignore[javascript/xss] escaped above */', '/**', ' * multi', ' */'].join('\n'),
    );
    expect(m.comments.map((c) => m.commentBody(c).trim())).toEqual([
      'secreview: ignore[javascript/command-injection] fixed input',
      'secreview: ignore[javascript/xss] escaped above',
      'multi',
    ]);
    expect(m.lineCount).toBe(5);
    expect(m.line(1)).toBe('exec(x); // secreview: ignore[javascript/command-injection] fixed input');
  });
});
