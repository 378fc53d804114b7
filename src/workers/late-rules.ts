/**
 * Pattern rules run late: a worker that analyses a batch "with rules later" hands its files'
 * outcomes back without their pattern findings, keeps each file's tree copy, and runs the rules
 * on it when the main thread says go, which it does once every file is analysed. The rules then
 * run while the main thread runs the cross-file taint pass, on the core that would otherwise
 * idle, and the last files are handed out sooner. The findings come back over the batch's own
 * port (a worker pool cannot send a task to a given worker), are placed into each file's outcome
 * as the inline run would have had them, and the file's cache entry is written after them.
 */
import type { Diagnostic, Finding } from '../findings/types.js';
import type { HidingDeclaration } from '../parse/decode.js';
import type { AnyRule } from '../rules/define-rule.js';
import { runRules } from '../analysis/run-rules.js';
import { syntaxErrorDiagnostic } from '../analysis/syntax-errors.js';
import type { SourceModule } from '../frontend/types.js';
import type { TreeCopy } from '../parse/syntax-tree.js';
import { Budget, BudgetExceeded } from '../scheduling/budget.js';
import { writeFileEntrySync } from '../cache/scan-cache.js';
import { encodeHead, languageTableFor, moduleOverCopy, overBudgetDiagnostic, treeSection, type FileJob, type FileMeta, type LanguageTable } from './file-job.js';

/** A port of a batch whose rules run late (Node's global MessagePort: no worker module is imported). */
export type LatePort = InstanceType<typeof MessagePort>;

/** What the late rules found in one file. */
export type LateRuleResult =
  | {
      findings: Finding[];
      /** Diagnostics of the rules (a rule that failed), placed after the first `at` of the file's own. */
      diagnostics: Diagnostic[];
      at: number;
    }
  /** The rules could not run on the file (over its time budget, or an internal error): the file's outcome is this diagnostic alone, as inline. */
  | { failed: Omit<Diagnostic, 'path' | 'level'> };

/** The worker's answer to go: a result per held file, in order, or why there is none. */
export type LateAnswer = { results: LateRuleResult[] } | { error: string };

/** A file whose rules run late, as the worker keeps it. */
export interface HeldFile {
  job: FileJob;
  rules: readonly AnyRule[];
  meta: FileMeta;
  source: string;
  /** The worker's own copy: the outcome's tree moved to the main thread. */
  tree: TreeCopy;
  encoding?: HidingDeclaration;
}

/** A file's outcome with the late rules' findings, as analysing it inline with its rules gives it. */
export function withLateRules(meta: FileMeta, result: Exclude<LateRuleResult, { failed: unknown }>): FileMeta {
  const diagnostics = result.diagnostics.length === 0 ? meta.diagnostics : [...meta.diagnostics.slice(0, result.at), ...result.diagnostics, ...meta.diagnostics.slice(result.at)];
  return { ...meta, findings: result.findings, diagnostics };
}

/**
 * Keeps the batch's files until a message on `port` says go, then runs their rules, writes the
 * cache entries that waited for them, and answers with one result per file, in order.
 */
export function holdUntilGo(port: LatePort, held: readonly HeldFile[]): void {
  port.once('message', () => {
    void (async () => {
      let results: LateRuleResult[];
      try {
        const languages = await languageTableFor(held.map((h) => h.job.path));
        results = held.map((h) => {
          const result = runHeld(h, languages);
          const entry = h.job.cacheEntry;
          if (entry && h.meta.cacheable && !('failed' in result)) {
            writeFileEntrySync(entry.path, entry.key, [encodeHead({ meta: withLateRules(h.meta, result), source: h.source, tree: h.tree }), treeSection(h.tree)]);
          }
          return result;
        });
      } catch (error) {
        // The main thread runs the rules itself when a batch comes back without results.
        port.postMessage({ error: (error as Error).message } satisfies LateAnswer);
        port.close();
        return;
      }
      port.postMessage({ results } satisfies LateAnswer);
      port.close();
    })();
  });
}

function runHeld(h: HeldFile, languages: LanguageTable): LateRuleResult {
  const budget = new Budget(h.job.fileTimeoutMs);
  try {
    const { frontEnd, module } = moduleOverCopy(h.job.path, h.source, h.tree, languages, h.encoding);
    const { findings, diagnostics } = runRules(frontEnd, module as SourceModule, h.rules, budget);
    return { findings, diagnostics, at: syntaxErrorDiagnostic(module) ? 1 : 0 };
  } catch (error) {
    if (error instanceof BudgetExceeded) return { failed: overBudgetDiagnostic(error) };
    return { failed: { kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` } };
  }
}
