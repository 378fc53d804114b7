import { describe, expect, it } from 'vitest';
import { parseUnifiedDiff, toRanges, unquote } from '../../src/diff/hunks.js';
import { patchMessage } from '../../src/diff/patch.js';
import { ChangeIndex, anchorOf, touchesChange } from '../../src/diff/filter.js';
import type { Finding } from '../../src/findings/types.js';

describe('parseUnifiedDiff', () => {
  it('reads added, rewritten and removed lines of a zero-context git diff', () => {
    const diff = [
      'diff --git a/app.py b/app.py',
      'index 1111111..2222222 100644',
      '--- a/app.py',
      '+++ b/app.py',
      '@@ -3 +3 @@ def f():',
      '-    return 1',
      '+    return 2',
      '@@ -10,2 +9,0 @@',
      '-    gone()',
      '-    gone_too()',
      '@@ -20,0 +19,2 @@',
      '+    new()',
      '+    new_too()',
      '',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual([{ path: 'app.py', status: 'modified', added: [3, 19, 20], deletedAfter: [9], binary: false }]);
  });

  it('counts context lines, and is not fooled by removed lines that look like headers', () => {
    const diff = [
      'diff --git a/q.sql b/q.sql',
      '--- a/q.sql',
      '+++ b/q.sql',
      '@@ -1,4 +1,4 @@',
      ' select 1;',
      '--- a comment',
      '+-- another comment',
      ' ',
      '',
      '@@ -10,3 +10,2 @@',
      ' a',
      '-b',
      ' c',
      '\\ No newline at end of file',
      'diff --git a/x.py b/x.py',
      '--- a/x.py',
      '+++ b/x.py',
      '@@ -1 +1 @@',
      '-x = 1',
      '+x = 2',
      '-- ',
      '2.39.5',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual([
      { path: 'q.sql', status: 'modified', added: [2], deletedAfter: [10], binary: false },
      { path: 'x.py', status: 'modified', added: [1], deletedAfter: [], binary: false },
    ]);
  });

  it('knows new, deleted, renamed, copied and binary files, and quoted paths', () => {
    const diff = [
      'diff --git a/new.py b/new.py',
      'new file mode 100644',
      'index 0000000..1111111',
      '--- /dev/null',
      '+++ b/new.py',
      '@@ -0,0 +1,2 @@',
      '+a = 1',
      '+b = 2',
      'diff --git a/old.py b/old.py',
      'deleted file mode 100644',
      '--- a/old.py',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-a = 1',
      'diff --git a/src/one.py b/lib/two.py',
      'similarity index 90%',
      'rename from src/one.py',
      'rename to lib/two.py',
      '--- a/src/one.py',
      '+++ b/lib/two.py',
      '@@ -2 +2 @@',
      '-x',
      '+y',
      'diff --git a/same name.py b/same name.py',
      'similarity index 100%',
      'copy from base.py',
      'copy to same name.py',
      'diff --git "a/caf\\303\\251\\tx.py" "b/caf\\303\\251\\tx.py"',
      '--- "a/caf\\303\\251\\tx.py"',
      '+++ "b/caf\\303\\251\\tx.py"',
      '@@ -1 +1 @@',
      '-1',
      '+2',
      'diff --git a/logo.png b/logo.png',
      'index 1111111..2222222 100644',
      'Binary files a/logo.png and b/logo.png differ',
      'diff --git a/mode.sh b/mode.sh',
      'old mode 100644',
      'new mode 100755',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual([
      { path: 'new.py', status: 'added', added: [1, 2], deletedAfter: [], binary: false },
      { path: 'old.py', status: 'deleted', added: [], deletedAfter: [], binary: false },
      { path: 'lib/two.py', oldPath: 'src/one.py', status: 'renamed', added: [2], deletedAfter: [], binary: false },
      { path: 'same name.py', oldPath: 'base.py', status: 'copied', added: [], deletedAfter: [], binary: false },
      { path: 'café\tx.py', status: 'modified', added: [1], deletedAfter: [], binary: false },
      { path: 'logo.png', status: 'modified', added: [], deletedAfter: [], binary: true },
      { path: 'mode.sh', status: 'modified', added: [], deletedAfter: [], binary: false },
    ]);
  });

  it('reads plain `diff -u` output (timestamps, -p1 paths) and skips mail headers', () => {
    const diff = [
      'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001',
      'Subject: [PATCH] x',
      '',
      '---',
      ' app.py | 1 +',
      '',
      '--- project.orig/app.py\t2024-01-01 00:00:00.000000000 +0000',
      '+++ project/app.py\t2024-01-02 00:00:00.000000000 +0000',
      '@@ -1,2 +1,3 @@',
      ' import os',
      '+import sys',
      ' x = 1',
      '--- project.orig/b.py\t2024-01-01',
      '+++ project/b.py\t2024-01-02',
      '@@ -5 +5 @@',
      '-a',
      '+b',
    ].join('\n');
    expect(parseUnifiedDiff(diff).map((f) => [f.path, f.added])).toEqual([
      ['app.py', [2]],
      ['b.py', [5]],
    ]);
  });

  it('unquotes C-style paths and merges line ranges', () => {
    expect(unquote('"a\\\\b\\"c\\n"')).toBe('a\\b"c\n');
    expect(unquote('plain')).toBe('plain');
    expect(toRanges([5, 1, 2, 3, 9, 10])).toEqual([
      [1, 3],
      [5, 5],
      [9, 10],
    ]);
  });
});

describe('patchMessage', () => {
  it('takes the Subject (unfolded, decoded, without [PATCH]) and the body up to ---', () => {
    const patch = [
      'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001',
      'From: Ada <ada@example.test>',
      'Date: Mon, 1 Jan 2024 00:00:00 +0000',
      'Subject: [PATCH v2 1/2] =?UTF-8?q?Caf=C3=A9=20endpoint?= runs',
      ' commands',
      '',
      'It passes the query to the shell.',
      '',
      'Signed-off-by: Ada <ada@example.test>',
      '---',
      ' app.py | 1 +',
      '',
      'diff --git a/app.py b/app.py',
      '--- a/app.py',
      '+++ b/app.py',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      '-- ',
      '2.39.5',
      '',
      'From 89abcdef0123456789abcdef0123456789abcdef Mon Sep 17 00:00:00 2001',
      'Subject: [PATCH 2/2] Second',
      '',
      '---',
      'diff --git a/b.py b/b.py',
    ].join('\n');
    expect(patchMessage(patch)).toBe('Café endpoint runs commands\n\nIt passes the query to the shell.\n\nSigned-off-by: Ada <ada@example.test>\n\nSecond');
  });

  it('is undefined for a bare diff', () => {
    expect(patchMessage('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n')).toBeUndefined();
  });
});

describe('touchesChange and anchorOf', () => {
  const loc = (path: string, line: number, column = 5) => ({ path, startLine: line, startColumn: column, endLine: line, endColumn: column + 3 });
  const finding = (path: string, line: number, trace?: Finding['trace']): Finding => ({
    ruleId: 'python/x',
    title: 't',
    cwe: [],
    pillar: { id: 0, name: '' },
    severity: 'high',
    confidence: 'high',
    location: loc(path, line),
    snippet: 'x',
    message: 'm',
    fix: 'f',
    fingerprint: '0'.repeat(32),
    statementLine: line,
    origin: 'static',
    ...(trace ? { trace } : {}),
  });
  const index = new ChangeIndex([
    { path: 'a.py', status: 'modified', lines: [[10, 12]], deletedAfter: [20] },
    { path: 'gone.py', status: 'deleted', lines: [] },
  ]);

  it('a finding touches the change through its lines, a path step, or a removal next to it', () => {
    expect(touchesChange(finding('a.py', 11), index)).toBe(true);
    expect(touchesChange(finding('a.py', 13), index)).toBe(false);
    expect(touchesChange(finding('a.py', 21), index)).toBe(true); // right after removed lines
    expect(touchesChange(finding('a.py', 20), index)).toBe(true); // right before them
    const viaSource = finding('b.py', 5, [
      { kind: 'source', location: loc('a.py', 12), expression: 'request.args', note: '' },
      { kind: 'sink', location: loc('b.py', 5), expression: 'cmd', note: '' },
    ]);
    expect(touchesChange(viaSource, index)).toBe(true);
    expect(anchorOf(viaSource, index)).toEqual({ path: 'a.py', line: 12, on: loc('a.py', 12) });
    expect(anchorOf(viaSource, undefined)).toMatchObject({ path: 'b.py', line: 5 });
    expect(touchesChange(finding('b.py', 5), index)).toBe(false);
  });
});
