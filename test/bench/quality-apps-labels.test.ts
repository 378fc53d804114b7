// The labelled-app corpora of bench:apps and bench:apps-js are measuring instruments: a label that
// names an unknown class, sits above a blank line or above another comment, or a corpus that
// shrinks below what issue #15 asks for (150 vulnerable and 50 safe look-alike lines for
// JavaScript/TypeScript), would skew the figures silently. This reads the labels as the bench does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appsOf, readLabels, type Corpus } from '../../bench/quality-apps-core.js';
import { JS_APPS, PYTHON_APPS } from '../../bench/quality-apps-corpora.js';

function labelledLines(corpus: Corpus) {
  return appsOf(corpus).flatMap((app) => readLabels(corpus, app));
}

describe.each([
  ['JavaScript/TypeScript', JS_APPS, /^\s*(?:\/\/|\{?\/\*)/],
  ['Python', PYTHON_APPS, /^\s*(?:#|\{#)/],
] as const)('%s labelled apps', (_name, corpus, comment) => {
  const labels = labelledLines(corpus);

  it('label only code lines: the line below a label is neither blank nor a comment', () => {
    const bad: string[] = [];
    for (const l of labels) {
      const text = readFileSync(join(corpus.apps, l.app, l.file), 'utf8').split('\n')[l.line - 1];
      if (text === undefined || text.trim() === '' || comment.test(text)) bad.push(`${l.app}/${l.file}:${l.line}`);
    }
    expect(bad).toEqual([]);
  });

  it('name only classes of the corpus table', () => {
    for (const l of labels) expect(Object.keys(corpus.classes)).toContain(l.cls);
  });
});

describe('JavaScript/TypeScript labelled apps', () => {
  const labels = labelledLines(JS_APPS);
  const lines = (kind: 'vuln' | 'safe') => new Set(labels.filter((l) => l.kind === kind).map((l) => `${l.app}/${l.file}:${l.line}`));

  it('hold at least 150 vulnerable and 50 safe look-alike lines over five apps', () => {
    expect(appsOf(JS_APPS)).toEqual(['browser_widget', 'express_shop', 'fastify_billing', 'koa_notes', 'next_dashboard']);
    expect(lines('vuln').size).toBeGreaterThanOrEqual(150);
    expect(lines('safe').size).toBeGreaterThanOrEqual(50);
  });

  it('read JSX labels ({/* vuln: … */}) on the line above', () => {
    const profile = labels.filter((l) => l.file === 'components/Profile.tsx');
    expect(profile.filter((l) => l.kind === 'vuln').map((l) => l.line)).toEqual([11, 21, 23, 34]);
  });
});
