// A finding's mechanical fix travels with it into review comments: a GitHub suggestion block
// (only when every edit is on the commented line) and Gerrit fix_suggestions.
import { describe, expect, it } from 'vitest';
import { toGitHubReview } from '../../src/report/github-review.js';
import { toGerritRobotComments } from '../../src/report/gerrit.js';
import { TLS_FINDING, makeReport } from './helpers.js';

const VERIFY_ON = { description: 'Turn certificate verification back on (verify=True)', edits: [{ startLine: 8, startColumn: 48, endLine: 8, endColumn: 53, text: 'True' }] };

describe('fixes in review comments', () => {
  it('GitHub: a suggestion block holding the fixed line', () => {
    const review = toGitHubReview(makeReport({ findings: [{ ...TLS_FINDING, autofix: VERIFY_ON }] }));
    const body = review.comments[0]!.body;
    expect(body).toContain('```suggestion\n    resp = requests.get(url, timeout=5, verify=True)\n```');
  });

  it('GitHub: no suggestion when an edit is on another line; the fix command is named instead', () => {
    const withImport = { description: 'Add an import', edits: [{ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1, text: 'import ssl\n' }, ...VERIFY_ON.edits] };
    const body = toGitHubReview(makeReport({ findings: [{ ...TLS_FINDING, autofix: withImport }] })).comments[0]!.body;
    expect(body).not.toContain('```suggestion');
    expect(body).toContain('`secreview fix` applies it: Add an import.');
  });

  it('GitHub: no suggestion and no mention for a finding without a fix', () => {
    const body = toGitHubReview(makeReport({ findings: [TLS_FINDING] })).comments[0]!.body;
    expect(body).not.toContain('suggestion');
    expect(body).not.toContain('secreview fix');
  });

  it('Gerrit: fix_suggestions with 0-based character ranges', () => {
    const comments = toGerritRobotComments(makeReport({ findings: [{ ...TLS_FINDING, autofix: VERIFY_ON }] }));
    const [comment] = comments['app/clients/payments.py']!;
    expect(comment!.fix_suggestions).toEqual([
      {
        description: 'Turn certificate verification back on (verify=True)',
        replacements: [{ path: 'app/clients/payments.py', range: { start_line: 8, start_character: 47, end_line: 8, end_character: 52 }, replacement: 'True' }],
      },
    ]);
    expect(toGerritRobotComments(makeReport({ findings: [TLS_FINDING] }))['app/clients/payments.py']![0]!.fix_suggestions).toBeUndefined();
  });
});
