/**
 * `--include` / `--exclude` patterns with .gitignore semantics (the `ignore` package), as Ruff,
 * ESLint and git users write them: `neutron/tests` or `neutron/tests/` names that folder and
 * everything below it, a pattern without a slash (`tests`, `*_pb2.py`) matches at any depth, one
 * with a slash is anchored at the scan root, `**` crosses folders and `!` re-includes. Each pattern
 * remembers whether it matched a file, so a pattern that matches nothing can be reported (a typo
 * otherwise excludes nothing and says nothing).
 */
import ignore, { type Ignore } from 'ignore';

export class PathPatterns {
  private readonly all: Ignore;
  private readonly each: { pattern: string; test: Ignore; matched: boolean }[];

  constructor(readonly patterns: readonly string[]) {
    this.all = ignore().add([...patterns]);
    this.each = patterns
      .filter((p) => p.trim() && !p.startsWith('#') && !p.startsWith('!'))
      .map((pattern) => ({ pattern, test: ignore().add(pattern), matched: false }));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Does the list (negations included) select this root-relative, forward-slash path? */
  matches(path: string): boolean {
    // Paths outside the scan root cannot be named by root-relative patterns.
    if (path === '.' || path.startsWith('../') || path.startsWith('/')) return false;
    const rel = path.startsWith('./') ? path.slice(2) : path;
    for (const e of this.each) if (!e.matched && e.test.ignores(rel)) e.matched = true;
    return this.all.ignores(rel);
  }

  /** Patterns (other than negations and comments) that no path given to `matches` matched. */
  unmatched(): string[] {
    return this.each.filter((e) => !e.matched).map((e) => e.pattern);
  }
}
