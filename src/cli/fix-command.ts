/** `secreview fix`: apply the rules' mechanical fixes, each re-checked before it is kept (src/fix/). */
import { Option, type Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { UsageError } from '../api/scan.js';
import { CONFIDENCES, SEVERITIES } from '../findings/types.js';
import { fixFiles } from '../fix/fix-files.js';
import { plural } from '../report/common.js';
import { EXIT, list, runtimeFrom, selectionFrom, type ReviewFlags } from './review-options.js';
import { writeStdout } from './output.js';

interface FixFlags extends Pick<ReviewFlags, 'severity' | 'confidence' | 'select' | 'enable' | 'disable' | 'include' | 'exclude' | 'config' | 'includeTests' | 'foreignSuppressions' | 'cache' | 'cacheDir' | 'jobs' | 'verbose'> {
  dryRun?: boolean;
}

export function registerFixCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('fix')
    .description('apply the mechanical fixes rules declare (each kept only if the file still parses, the finding is gone and nothing new appears)')
    .argument('[paths...]', 'files or folders to fix', ['.'])
    .option('--dry-run', 'change no file: print the edits as a unified diff')
    .addOption(new Option('--severity <level>', 'lowest severity to fix (default: medium)').choices(SEVERITIES))
    .addOption(new Option('--confidence <level>', 'lowest confidence to fix (default: medium)').choices(CONFIDENCES))
    .option('--select <ids>', 'fix only these rules: rule ids or CWE-<n> (comma-separated, repeatable)', list)
    .option('--enable <ids>', 'enable rules (comma-separated, repeatable)', list)
    .option('--disable <ids>', 'disable rules (comma-separated, repeatable)', list)
    .option('--include <globs>', 'only fix paths matching these globs', list)
    .option('--exclude <globs>', 'skip paths matching these globs', list)
    .option('--include-tests', 'fix findings in test code too')
    .option('--no-foreign-suppressions', 'ignore `# nosec`, `# noqa: S…` and `# nosemgrep` comments')
    .option('-c, --config <file>', 'settings file')
    .option('--no-config', 'ignore settings files')
    .option('--cache-dir <dir>', 'folder of the incremental cache')
    .option('--no-cache', 'neither read nor write the incremental cache')
    .action(async (paths: string[], flags: FixFlags) => {
      setExitCode(await runFix(paths, flags));
    });
}

async function runFix(paths: string[], flags: FixFlags): Promise<number> {
  if (paths.includes('-')) {
    process.stderr.write('secreview: fix edits files; it cannot fix standard input (use `secreview scan -` to review it)\n');
    return EXIT.error;
  }
  let result;
  try {
    result = await fixFiles({ paths, ...selectionFrom({ ...flags, format: 'text', progress: false }), ...runtimeFrom({ ...flags, format: 'text', progress: false }), dryRun: flags.dryRun });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`secreview: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  }
  const out: string[] = [];
  if (flags.dryRun && result.diff) out.push(result.diff.trimEnd(), '');
  const verb = flags.dryRun ? 'would fix' : 'fixed';
  for (const a of result.applied) out.push(`${verb} ${a.path}:${a.line} ${a.ruleId}: ${a.description}`);
  for (const r of result.refused) out.push(`refused ${r.path}:${r.line} ${r.ruleId}: ${r.description} (${r.reason})`);
  for (const e of result.errors) out.push(`error ${e.path}: ${e.message}`);
  out.push(
    `${plural(result.applied.length, 'fix', 'fixes')} ${flags.dryRun ? 'would be applied' : 'applied'}, ${result.refused.length} refused; ` +
      `${plural(result.remaining, 'finding')} ${flags.dryRun ? 'would remain' : 'remain'} (see \`secreview scan\`).`,
  );
  const errors = result.report.diagnostics.filter((d) => d.level === 'error' && (d.kind === 'path-error' || d.kind === 'config-error'));
  for (const d of errors) process.stderr.write(`secreview: ${d.path ? `${d.path}: ` : ''}${d.message}\n`);
  const failure = await writeStdout(out.join('\n') + '\n');
  if (failure) {
    process.stderr.write(`secreview: cannot write to standard output: ${failure}\n`);
    return EXIT.error;
  }
  if (errors.length > 0 || result.errors.length > 0) return EXIT.error;
  if (flags.dryRun) return result.applied.length > 0 || result.remaining > 0 ? EXIT.findings : EXIT.ok;
  return result.remaining > 0 ? EXIT.findings : EXIT.ok;
}
