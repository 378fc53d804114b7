import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultCacheDir } from '../cache/scan-cache.js';
import { defaultJobs } from '../workers/pool.js';
import { CONFIDENCES, SEVERITIES, type Confidence, type Severity } from '../findings/types.js';
import { reporterNames } from '../report/index.js';

/** Exit codes: 0 ran clean, 1 findings at or above --fail-on, 2 could not do its job. */
export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

export const COLOR_WHEN = ['auto', 'always', 'never'] as const;
export type ColorWhen = (typeof COLOR_WHEN)[number];

/**
 * Whether the text report is coloured. `auto` follows the conventions CI systems and terminals
 * share: NO_COLOR (any non-empty value) turns colour off, FORCE_COLOR (other than `0`/`false`)
 * turns it on for logs that are not terminals, else colour when standard output is a terminal.
 * A report written to a file (`-o`) is never coloured unless `--color always`.
 */
export function useColor(flags: Pick<ReviewFlags, 'color' | 'output'>, vars: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  const when = flags.color === false ? 'never' : (flags.color ?? 'auto');
  if (when !== 'auto') return when === 'always';
  if (flags.output) return false;
  if (vars.NO_COLOR) return false;
  const force = vars.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  return isTTY;
}

/** Comma-separated, repeatable option values: `--disable a,b --disable c`. */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value.split(',').map((s) => s.trim()).filter(Boolean),
];

/** The parsed values of the options `addReviewOptions` defines. */
export interface ReviewFlags {
  format: string;
  output?: string;
  severity?: Severity;
  confidence?: Confidence;
  failOn?: Severity | 'none';
  select?: string[];
  enable?: string[];
  disable?: string[];
  include?: string[];
  exclude?: string[];
  config?: string | false;
  baseline?: string;
  /** `--color WHEN`, or false for `--no-color`. */
  color?: ColorWhen | false;
  progress: boolean;
  jobs?: number;
  cacheDir?: string;
  cache: boolean;
  includeTests?: boolean;
  /** `false` with --no-foreign-suppressions. */
  foreignSuppressions?: boolean;
  verbose?: boolean;
}

/**
 * The options `scan` and `diff` share: output, thresholds, rule and file selection, settings,
 * baseline. One definition so the two commands cannot drift apart.
 */
export function addReviewOptions(command: Command, configHelp: string): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'report format').choices(reporterNames).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(new Option('--severity <level>', 'lowest severity to report (default: medium)').choices(SEVERITIES))
    .addOption(new Option('--confidence <level>', 'lowest confidence to report (default: medium)').choices(CONFIDENCES))
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when a reported finding is at or above this severity (default: low)').choices([...SEVERITIES, 'none']),
    )
    .option('--select <ids>', 'run only these rules: rule ids or CWE-<n> (comma-separated, repeatable; replaces settings `select`)', list)
    .option('--enable <ids>', 'enable rules (comma-separated, repeatable)', list)
    .option('--disable <ids>', 'disable rules (comma-separated, repeatable)', list)
    .option('--include <globs>', 'only scan paths matching these globs', list)
    .option('--exclude <globs>', 'skip paths matching these globs', list)
    .option('--include-tests', 'show every finding in test code (default: only rules meaningful in tests; setting `tests: show`)')
    .option('--no-foreign-suppressions', 'ignore `# nosec`, `# noqa: S…` and `# nosemgrep` comments (setting `foreign-suppressions: false`)')
    .option('-c, --config <file>', configHelp)
    .option('--no-config', 'ignore settings files')
    .option('--baseline <file>', 'hide and do not fail on findings recorded in this baseline file')
    .addOption(new Option('--color <when>', 'colours in text output: auto (a terminal, or FORCE_COLOR set; not with NO_COLOR), always, never').choices(COLOR_WHEN))
    .option('--no-color', 'the same as --color never')
    .option('--no-progress', 'no progress bar')
    .option('-j, --jobs <n>', `threads for parsing and per-file analysis, the main thread among them (default: the number of cores, ${defaultJobs()} here)`, positiveInt)
    .option('--cache-dir <dir>', 'folder of the incremental cache (default: $XDG_CACHE_HOME/secreview/scan or ~/.cache/secreview/scan)')
    .option('--no-cache', 'neither read nor write the incremental cache')
    .option('--verbose', 'say on standard error which cache entries were found damaged and ignored');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected a whole number from 1 to 256');
  return n;
}

/** How the run uses the machine: worker threads and the incremental cache. */
export function runtimeFrom(flags: ReviewFlags): { jobs: number; cache?: { dir: string; log?: (message: string) => void } } {
  const jobs = flags.jobs ?? defaultJobs();
  if (!flags.cache) return { jobs };
  const dir = flags.cacheDir !== undefined ? resolve(flags.cacheDir) : defaultCacheDir();
  return { jobs, cache: flags.verbose ? { dir, log: (message) => process.stderr.write(`secreview: ${message}\n`) } : { dir } };
}

/** The scan selection both commands pass on from their flags: settings, thresholds, rules, files. */
export function selectionFrom(
  flags: ReviewFlags,
): Pick<ReviewFlags, 'config' | 'severity' | 'confidence' | 'select' | 'enable' | 'disable' | 'include' | 'exclude' | 'includeTests' | 'foreignSuppressions'> {
  const { config, severity, confidence, select, enable, disable, include, exclude } = flags;
  // Only what the user typed: an absent flag leaves the decision to the settings file.
  const includeTests = flags.includeTests === true ? true : undefined;
  const foreignSuppressions = flags.foreignSuppressions === false ? false : undefined;
  return { config, severity, confidence, select, enable, disable, include, exclude, includeTests, foreignSuppressions };
}
