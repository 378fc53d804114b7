import picomatch from 'picomatch';
import type { Finding } from '../findings/types.js';

/**
 * Where test code lives, as globs over paths relative to the scan root: test folders
 * (`test/`, `tests/`, `testing/` at any depth) and pytest's file conventions. The setting
 * `test-paths` replaces this list.
 */
export const DEFAULT_TEST_PATHS: readonly string[] = [
  '**/test/**',
  '**/tests/**',
  '**/testing/**',
  '**/test_*.py',
  '**/*_test.py',
  '**/*_tests.py',
  '**/conftest.py',
  // JavaScript/TypeScript test runners (Jest, Vitest, Mocha).
  '**/__tests__/**',
  '**/*.{test,spec}.{js,mjs,cjs,jsx,ts,mts,cts,tsx}',
];

/** The options that show findings in test code, as the summary names them. */
export const SHOW_TESTS_HINT = '--include-tests or the setting `tests: show`';

/** A predicate over report paths: is this file test code? */
export function testPathMatcher(globs: readonly string[] = DEFAULT_TEST_PATHS): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch([...globs], { dot: true });
  return (path) => {
    // Paths of files outside the root start with `../`; what matters is the part inside the tree.
    const p = path.replace(/\\/g, '/').replace(/^(?:\.\.?\/)+/, '');
    return match(p);
  };
}

/** Should this finding be shown in test code? Its own mark, else its rule's. */
export function meaningfulInTests(finding: Finding, ruleInTests: boolean | undefined): boolean {
  return finding.inTests ?? ruleInTests ?? false;
}

/** `(2 by unqualified # nosec / # nosemgrep)` after the suppressed count, when some were. */
export function unqualifiedNote(count: number | undefined): string {
  return count ? ` (${count} by unqualified # nosec / # nosemgrep)` : '';
}
