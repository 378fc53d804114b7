/**
 * The settings of one run, file by file (README "Settings"). Each scanned file is governed by the
 * nearest settings file above it (config/discover-settings.ts), and only by that one: a subfolder's
 * file replaces its parent's for the files below it, nothing is merged (as in Ruff). Paths in a
 * settings file (include, exclude, test-paths, overrides' paths, models, llm.cache-dir) are
 * relative to the folder holding it. Command-line options apply on top of every file.
 *
 * Some keys shape the whole run (one taint program, one exit code, one LLM client): they come from
 * the run's settings, those governing the folder that holds every scanned path; in another file
 * they are ignored with a warning. `--config FILE` (or `--no-config`) gives every file the same
 * settings, with relative paths taken from the current folder, as Ruff does.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { statSync } from 'node:fs';
import type { Confidence, Diagnostic, Finding, Severity } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';
import { allRules, findRule, rulesSelectedBy } from '../rules/index.js';
import { ConfigError, loadSettingsFile, type ConfigFile } from '../config/config.js';
import { SettingsFinder, type FinderOptions } from '../config/discover-settings.js';
import { FindingPolicy } from '../filters/policy.js';
import { DEFAULT_TEST_PATHS, testPathMatcher } from '../filters/test-code.js';
import { PathPatterns } from '../discover/path-patterns.js';
import { UsageError } from './errors.js';

/** Keys that decide for the whole run; a settings file that is not the run's has them ignored. */
export const RUN_WIDE_KEYS = ['fail-on', 'models', 'max-file-size', 'file-timeout', 'gitignore', 'llm'] as const;

/** What the command line says on top of every settings file. */
export interface SettingsFlags {
  /** Explicit settings file (relative to `root`), or false for none; undefined: discover. */
  config?: string | false;
  severity?: Severity;
  confidence?: Confidence;
  select?: readonly string[];
  enable?: readonly string[];
  disable?: readonly string[];
  includeTests?: boolean;
  foreignSuppressions?: boolean;
  /** The rules a run may choose from (default: every registered rule). */
  rules?: readonly AnyRule[];
  /** Bounds and redirections of the search (diff checkouts). */
  discovery?: Omit<FinderOptions, 'onIgnored'>;
}

/** One settings file (or the defaults) compiled for the files it governs. */
export interface Scope {
  /** The folder its relative paths start from. */
  dir: string;
  /** The file, when there is one. */
  source?: string;
  config: ConfigFile;
  /** Rules switched off here (per-path overrides may switch them back on). */
  disabled: ReadonlySet<string>;
  policy: FindingPolicy;
  isTestCode: (rel: string) => boolean;
  showTests: boolean;
  foreignSuppressions: boolean;
  include?: PathPatterns;
  exclude?: PathPatterns;
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

export class SettingsPlan {
  /** Warnings about the settings (shadowed or ignored files, run-wide keys, unmatched patterns). */
  readonly diagnostics: Diagnostic[] = [];
  /** The scope whose run-wide keys apply (fail-on, models, sizes, gitignore, llm). */
  readonly run: Scope;
  private readonly scopes = new Map<string, Scope>();
  private readonly places = new Map<string, { scope: Scope; rel: string }>();
  private readonly fixed: Scope | undefined;
  private readonly finder: SettingsFinder | undefined;
  private readonly candidates: readonly AnyRule[];

  /**
   * `root` is the folder reported paths are relative to (the working directory); `paths` the
   * scanned paths (a file named `-` stands for `stdinFilename`).
   */
  constructor(
    readonly root: string,
    paths: readonly string[],
    private readonly flags: SettingsFlags,
    stdinFilename?: string,
  ) {
    this.candidates = flags.rules ?? allRules;
    if (flags.config === false) this.fixed = this.compile(root, undefined, {});
    else if (typeof flags.config === 'string') {
      const loaded = loadSettingsFile(resolve(root, flags.config));
      this.fixed = this.compile(root, loaded.source, loaded.config);
    } else {
      this.finder = new SettingsFinder({
        ...flags.discovery,
        onIgnored: (file, why) =>
          this.diagnostics.push(
            this.warning(
              file,
              'shadowedBy' in why
                ? `is ignored: ${this.shown(why.shadowedBy)} in the same folder holds settings and takes precedence`
                : 'is ignored: it is owned by another user, outside any repository (a folder others can write to, such as /tmp, may hold it)',
            ),
          ),
      });
    }
    this.run = this.fixed ?? this.scopeOfFolder(commonFolder(root, paths.map((p) => (p === '-' ? (stdinFilename ?? 'stdin.py') : p))));
  }

  /** The scope governing a path (relative to the root, or absolute). */
  scopeFor(path: string): Scope {
    return this.placed(path).scope;
  }

  /** Its scope and the path as the scope's patterns see it (relative to the settings file's folder); asked per rule, so kept. */
  private placed(path: string): { scope: Scope; rel: string } {
    let placed = this.places.get(path);
    if (!placed) {
      const abs = resolve(this.root, path);
      const scope = this.fixed ?? this.scopeOfFolder(dirname(abs));
      // With --config, paths stay as reported (relative to the root), as before the search existed.
      const rel = scope.dir === this.root ? path : toPosix(relative(scope.dir, abs)) || '.';
      placed = { scope, rel };
      this.places.set(path, placed);
    }
    return placed;
  }

  /** Does the include/exclude of its settings keep this file? */
  keeps(path: string): boolean {
    const { scope, rel } = this.placed(path);
    return (!scope.include || scope.include.matches(rel)) && (!scope.exclude || !scope.exclude.matches(rel));
  }

  ruleEnabledFor(ruleId: string, path: string): boolean {
    const { scope, rel } = this.placed(path);
    return scope.policy.ruleEnabledFor(ruleId, rel, !scope.disabled.has(ruleId));
  }

  meetsThresholds(finding: Finding): boolean {
    const { scope, rel } = this.placed(finding.location.path);
    return scope.policy.meetsThresholds(rel === finding.location.path ? finding : { ...finding, location: { ...finding.location, path: rel } });
  }

  /** Is this test code whose findings are hidden (unless meaningful in tests)? */
  hidesTestFindings(path: string): boolean {
    const { scope, rel } = this.placed(path);
    return !scope.showTests && scope.isTestCode(rel);
  }

  foreignSuppressions(path: string): boolean {
    return this.scopeFor(path).foreignSuppressions;
  }

  /** Every scope met so far (call after every scanned file has been looked up). */
  allScopes(): Scope[] {
    return this.fixed ? [this.fixed] : [...new Set([this.run, ...this.scopes.values()])];
  }

  /** The rules some scope may run, in registry order. */
  rules(): AnyRule[] {
    const scopes = this.allScopes();
    return this.candidates.filter((r) =>
      scopes.some((s) => !s.disabled.has(r.id) || (s.config.overrides ?? []).some((o) => o.enable?.includes(r.id))),
    );
  }

  /**
   * What besides a file's path and content decides its outcome, for the cache key: each scope's
   * folder (relative to the root) and contents, not where its file was read, so the base of a
   * change, judged with the changed tree's files, shares the cache with the change.
   */
  fingerprint(): unknown {
    return this.allScopes().map((s) => ({
      dir: toPosix(relative(this.root, s.dir)),
      config: s.config,
      disabled: [...s.disabled].sort(),
      // Whether test code enters the data-flow program (scan.ts) depends on it.
      showTests: s.showTests,
    }));
  }

  /** Warnings for settings patterns that matched no scanned file (call after discovery). */
  unmatchedPatterns(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const scope of this.allScopes()) {
      for (const [key, patterns] of [['include', scope.include], ['exclude', scope.exclude]] as const) {
        for (const pattern of patterns?.unmatched() ?? []) {
          out.push(this.warning(scope.source, `${key} pattern \`${pattern}\` matches no scanned file; it has no effect`));
        }
      }
    }
    return out;
  }

  private scopeOfFolder(absDir: string): Scope {
    const found = this.finder!.nearest(absDir);
    if (!found) {
      const key = `defaults`;
      let scope = this.scopes.get(key);
      if (!scope) this.scopes.set(key, (scope = this.compile(this.root, undefined, {})));
      return scope;
    }
    let scope = this.scopes.get(found.source);
    if (!scope) {
      scope = this.compile(found.dir, found.source, found.config);
      this.scopes.set(found.source, scope);
      // The run's own scope is compiled first (in the constructor); later ones are nested or beside it.
      if (this.scopes.size > 1) this.warnRunWide(scope);
    }
    return scope;
  }

  private warnRunWide(scope: Scope): void {
    const run = [...this.scopes.values()][0]!;
    for (const key of RUN_WIDE_KEYS) {
      if (scope.config[key] === undefined) continue;
      const runs = run.source ? `this run's settings are ${this.shown(run.source)}` : 'this run has no settings file';
      this.diagnostics.push(
        this.warning(scope.source, `${key} is ignored: it applies to a whole run, and ${runs} (scan ${this.shown(scope.dir) || '.'} on its own to use it)`),
      );
    }
  }

  private compile(dir: string, source: string | undefined, config: ConfigFile): Scope {
    const { flags } = this;
    const origin = source ?? 'command line';
    const checkIds = (ids: readonly string[] | undefined, from: string): void => {
      for (const id of ids ?? []) {
        if (findRule(id)) continue;
        const message = `unknown rule id \`${id}\` (see \`secreview rules\`)`;
        if (from === 'command line') throw new UsageError(message);
        throw new ConfigError(from, message);
      }
    };
    checkIds(config.enable, origin);
    checkIds(config.disable, origin);
    for (const o of config.overrides ?? []) {
      checkIds(o.enable, origin);
      checkIds(o.disable, origin);
    }
    checkIds(flags.enable, 'command line');
    checkIds(flags.disable, 'command line');
    // `select` (the command line's replaces the settings') leaves only the rules it names switched
    // on; `disable` then removes rules from them and `enable` adds rules back.
    const select = flags.select ?? config.select;
    const selected = new Set<string>();
    for (const entry of select ?? []) {
      const rules = rulesSelectedBy(entry, this.candidates);
      if (!rules) {
        const message = `\`${entry}\` in select names no rule (a rule id, or CWE-<n> that some rule maps to; see \`secreview rules\`)`;
        if (flags.select) throw new UsageError(message);
        throw new ConfigError(origin, message);
      }
      for (const r of rules) selected.add(r.id);
    }
    const unselected = select ? this.candidates.map((r) => r.id).filter((id) => !selected.has(id)) : [];
    const disabled = new Set([...unselected, ...(config.disable ?? []), ...(flags.disable ?? [])]);
    for (const id of [...(config.enable ?? []), ...(flags.enable ?? [])]) disabled.delete(id);
    return {
      dir,
      source,
      config,
      disabled,
      policy: new FindingPolicy({
        severity: flags.severity ?? config.severity ?? 'medium',
        confidence: flags.confidence ?? config.confidence ?? 'medium',
        overrides: config.overrides,
      }),
      isTestCode: testPathMatcher(config['test-paths'] ?? DEFAULT_TEST_PATHS),
      showTests: flags.includeTests ?? config.tests === 'show',
      foreignSuppressions: flags.foreignSuppressions ?? config['foreign-suppressions'] ?? true,
      ...(config.include?.length ? { include: new PathPatterns(config.include) } : {}),
      ...(config.exclude?.length ? { exclude: new PathPatterns(config.exclude) } : {}),
    };
  }

  private shown(file: string): string {
    const rel = relative(this.root, file);
    return rel.startsWith('..') ? file : toPosix(rel);
  }

  private warning(source: string | undefined, message: string): Diagnostic {
    return { kind: 'config-error', level: 'warning', path: source ? this.shown(source) : '', message };
  }
}

/** The deepest folder holding every path (a file stands for its folder). */
function commonFolder(root: string, paths: readonly string[]): string {
  const folders = (paths.length > 0 ? paths : ['.']).map((p) => {
    const abs = resolve(root, p);
    try {
      return statSync(abs).isDirectory() ? abs : dirname(abs);
    } catch {
      return dirname(abs);
    }
  });
  let common = folders[0]!;
  for (const f of folders.slice(1)) {
    while (!isInside(common, f) && dirname(common) !== common) common = dirname(common);
  }
  return common;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
