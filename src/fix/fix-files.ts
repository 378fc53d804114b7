/**
 * `secreview fix`: apply the mechanical fixes rules declare, one at a time, and keep an edit only
 * when the file still parses, the fixed finding is gone and no finding was added (every rule
 * reports at most as often as before, the fixed rule once less). Each step re-scans the file's
 * new text on its own, so the next fix is taken from positions that match the text.
 */
import { chmodSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { scan, type ScanOptions } from '../api/scan.js';
import type { Finding, Report } from '../findings/types.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { applyEdits } from '../rules/autofix.js';

export interface FixOptions extends ScanOptions {
  /** Change no file; describe the edits as a unified diff. */
  dryRun?: boolean;
}

export interface AppliedFix {
  path: string;
  line: number;
  ruleId: string;
  description: string;
}

export interface RefusedFix extends AppliedFix {
  reason: string;
}

export interface FixResult {
  /** The scan before fixing (diagnostics, rules, root). */
  report: Report;
  applied: AppliedFix[];
  refused: RefusedFix[];
  /** Unified diff of every changed file (always computed; the CLI prints it for --dry-run). */
  diff: string;
  /** Findings left in the fixed files, plus those of files with nothing to fix. */
  remaining: number;
  /** Files that could not be fixed at all (unreadable, changed while fixing…), with the cause. */
  errors: { path: string; message: string }[];
}

/** How many findings each rule reports. */
function countsByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

const identity = (f: Finding): string => `${f.ruleId}\u0000${f.snippet}\u0000${f.message}`;

interface FileScan {
  findings: Finding[];
  parseError: boolean;
}

export async function fixFiles(options: FixOptions): Promise<FixResult> {
  const report = await scan(options);
  const root = report.root;
  const fixable = new Map<string, number>();
  for (const f of report.findings) if (f.autofix) fixable.set(f.location.path, (fixable.get(f.location.path) ?? 0) + 1);

  const scanText = async (path: string, text: string): Promise<FileScan> => {
    const one = await scan({ ...options, paths: ['-'], cwd: root, stdin: { text, filename: path }, jobs: 1, cache: undefined, onProgress: undefined, onStage: undefined });
    return {
      findings: one.findings.filter((f) => f.location.path === path),
      parseError: one.diagnostics.some((d) => d.path === path && d.kind === 'parse-error'),
    };
  };

  const applied: AppliedFix[] = [];
  const refused: RefusedFix[] = [];
  const errors: { path: string; message: string }[] = [];
  const patches: string[] = [];
  let remaining = report.findings.filter((f) => !fixable.has(f.location.path)).length;

  for (const path of [...fixable.keys()].sort()) {
    const abs = join(root, path);
    let original: string;
    try {
      original = readFileSync(abs, 'utf8');
    } catch (error) {
      errors.push({ path, message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    // The scanner reads past a byte-order mark; positions do not count it.
    const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
    let text = bom ? original.slice(1) : original;
    let current = await scanText(path, text);
    const skip = new Set<string>();
    // Each accepted fix removes a finding, each refused one is skipped: the loop ends.
    for (;;) {
      const next = current.findings.find((f) => f.autofix && !skip.has(identity(f)));
      if (!next) break;
      const fix = next.autofix!;
      const where = { path, line: next.location.startLine, ruleId: next.ruleId, description: fix.description };
      const edited = applyEdits(text, fix.edits);
      if ('error' in edited) {
        refused.push({ ...where, reason: edited.error });
        skip.add(identity(next));
        continue;
      }
      const after = await scanText(path, edited.text);
      const reason = verdict(current, after, next.ruleId);
      if (reason) {
        refused.push({ ...where, reason });
        skip.add(identity(next));
        continue;
      }
      applied.push(where);
      text = edited.text;
      current = after;
    }
    remaining += current.findings.length;
    const fixed = bom + text;
    if (fixed === original) continue;
    patches.push(createTwoFilesPatch(`a/${path}`, `b/${path}`, original, fixed, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
    if (!options.dryRun) {
      // The file must still be what was fixed: an editor may have saved it meanwhile.
      if (readFileSync(abs, 'utf8') !== original) {
        errors.push({ path, message: 'changed while being fixed; left as it is' });
        continue;
      }
      // Through a symbolic link to the file it names, keeping its permissions (an executable script stays one).
      const target = realpathSync(abs);
      const mode = statSync(target).mode & 0o7777;
      writeFileAtomic(target, fixed);
      chmodSync(target, mode);
    }
  }
  return { report, applied, refused, diff: patches.join(''), remaining, errors };
}

/** Why an edit is refused, or undefined when it is kept. */
function verdict(before: FileScan, after: FileScan, ruleId: string): string | undefined {
  if (after.parseError && !before.parseError) return 'the edited file does not parse';
  const was = countsByRule(before.findings);
  const now = countsByRule(after.findings);
  if ((now.get(ruleId) ?? 0) >= (was.get(ruleId) ?? 0)) return `the finding of ${ruleId} is still reported after the edit`;
  for (const [rule, n] of now) {
    if (n > (was.get(rule) ?? 0) - (rule === ruleId ? 1 : 0)) return `the edit adds a finding of ${rule}`;
  }
  return undefined;
}
