/**
 * The per-file part of a scan: decode → parse → front end → pattern rules → suppressions →
 * data-flow IR. It runs in a worker thread or inline, takes plain data and returns plain
 * data, so the same outcome can cross threads and be cached on disk.
 */
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic, Finding } from '../findings/types.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../parse/decode.js';
import { analysePythonSource, pythonParserReady } from '../analysis/analyse-file.js';
import type { AnyRule } from '../rules/define-rule.js';
import { parseSuppressions, type Suppression } from '../filters/suppressions.js';
import type { PythonModule } from '../frontend/python/index.js';
import { frontEndForPath } from '../frontend/registry.js';
import { pythonFrontEnd, PythonModule as PythonModuleClass } from '../frontend/python/index.js';
import { languageInfo, SyntaxTree, type LanguageInfo, type TreeCopy } from '../parse/syntax-tree.js';
import { loadGrammar } from '../parse/tree-sitter.js';
import { pythonToIR } from '../frontend/python/to-ir.js';
import type { ModuleIR } from '../analysis/taint/ir.js';
import { Budget, BudgetExceeded, formatSeconds } from '../util/budget.js';

export interface FileJob {
  /** The path reported in findings (relative to the scan root). */
  path: string;
  /** The file's bytes, or the text given on standard input. */
  content: Uint8Array | string;
  /** Rules to run on this file (taint rules excluded: they run on the whole program). */
  ruleIds: readonly string[];
  fileTimeoutMs: number;
  /** Build the data-flow IR for the taint engine. */
  wantIR: boolean;
  /**
   * `false`: hand back only the tree copy the IR is built from (workers: building the IR where
   * the engine runs is cheaper than serialising it across threads).
   */
  buildIR?: boolean;
}

/** What a file contributes to the report, apart from its data-flow IR. */
export interface FileMeta {
  path: string;
  analysed: boolean;
  lines: number;
  /** Pattern findings, before suppressions and thresholds. */
  findings: Finding[];
  diagnostics: Diagnostic[];
  suppressions: Suppression[];
  /**
   * Whether the outcome depends on nothing but the file's content and the settings (a time
   * budget overrun depends on the machine, so it is not cached).
   */
  cacheable: boolean;
}

export interface FileOutcome {
  meta: FileMeta;
  ir?: ModuleIR;
  /**
   * The syntax tree as one buffer, when an IR was wanted: what crosses threads and goes into
   * the cache instead of the IR, which is rebuilt from it where it is needed (see FileResult).
   */
  tree?: TreeCopy;
  /** The decoded text, kept when there is an IR (taint findings quote lines of it). */
  source?: string;
}

/** The outcome of a file that could not be analysed: one error diagnostic saying why. */
export function failedMeta(path: string, d: Omit<Diagnostic, 'path' | 'level'>, cacheable: boolean): FileMeta {
  return { path, analysed: false, lines: 0, findings: [], diagnostics: [{ ...d, level: 'error', path }], suppressions: [], cacheable };
}

function overBudgetDiagnostic(error: BudgetExceeded): Omit<Diagnostic, 'path' | 'level'> {
  return { kind: 'skipped', message: `skipped: ${error.message} (--file-timeout ${formatSeconds(error.limitMs)})` };
}

/** Runs the per-file stages; never throws for problems of the file itself (they become diagnostics). */
export async function analyseFile(job: FileJob, rules: readonly AnyRule[], knownRule: (id: string) => boolean): Promise<FileOutcome> {
  const fail = (d: Omit<Diagnostic, 'path' | 'level'>, cacheable = true): FileOutcome => ({ meta: failedMeta(job.path, d, cacheable) });
  let text: string;
  if (typeof job.content === 'string') {
    text = job.content.charCodeAt(0) === 0xfeff ? job.content.slice(1) : job.content;
  } else {
    const decoded = decodeSource(Buffer.from(job.content.buffer, job.content.byteOffset, job.content.byteLength));
    if (!decoded.ok) return fail({ kind: decoded.kind, message: decoded.message });
    text = decoded.text;
  }
  text = normaliseLoneCarriageReturns(text);

  const frontEnd = frontEndForPath(job.path) ?? frontEndForPath(`${job.path}.py`);
  if (!frontEnd || frontEnd.language !== 'python') return fail({ kind: 'skipped', message: 'no front end for this file type' });
  await pythonParserReady(); // loading the grammar is not the file's time
  const budget = new Budget(job.fileTimeoutMs);
  const overBudget = (error: BudgetExceeded): FileOutcome =>
    fail(overBudgetDiagnostic(error), false);

  let analysis;
  try {
    analysis = await analysePythonSource(job.path, text, rules, budget);
  } catch (error) {
    if (error instanceof BudgetExceeded) return overBudget(error);
    return fail({ kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` }, false);
  }
  try {
    const { suppressions, diagnostics: suppressionDiagnostics } = parseSuppressions(analysis.module, knownRule);
    const diagnostics = [...analysis.diagnostics, ...suppressionDiagnostics];
    let ir: ModuleIR | undefined;
    let tree: TreeCopy | undefined;
    let cacheable = true;
    if (job.wantIR) {
      try {
        budget.check('the data-flow model');
        const module = analysis.module as PythonModule;
        tree = module.syntax.copy();
        if (job.buildIR !== false) ir = pythonToIR(module);
        budget.check('the data-flow model');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: job.path, message: `data-flow model could not be built: ${(error as Error).message}` });
        cacheable = false;
      }
    }
    const meta: FileMeta = { path: job.path, analysed: true, lines: analysis.lines, findings: analysis.findings, diagnostics, suppressions, cacheable };
    return tree ? { meta, ir, tree, source: text } : { meta };
  } finally {
    analysis.release();
  }
}

/**
 * An outcome as bytes (to cross threads, and as a cache entry). The IR is serialised on its
 * own, inside, so a reader can take the rest without paying for the IR it may not need.
 */
export function encodeOutcome(outcome: FileOutcome): Uint8Array {
  const stored: StoredOutcome = { meta: outcome.meta };
  if (outcome.tree) {
    stored.tree = outcome.tree;
    stored.source = outcome.source;
  }
  return serialize(stored);
}

interface StoredOutcome {
  meta: FileMeta;
  tree?: TreeCopy;
  source?: string;
}

/**
 * A file's outcome in the main thread. Its IR is built on first use from the tree copy (a few
 * typed arrays: cheap to move between threads, to cache and to read back), which costs less
 * than serialising the IR's millions of small objects and decoding them again.
 */
export class FileResult {
  private tree: TreeCopy | undefined;
  private ir: ModuleIR | undefined;

  constructor(
    public meta: FileMeta,
    readonly source?: string,
    built?: { ir?: ModuleIR; tree?: TreeCopy },
  ) {
    this.ir = built?.ir;
    if (!this.ir) this.tree = built?.tree;
  }

  static fromOutcome(outcome: FileOutcome): FileResult {
    return new FileResult(outcome.meta, outcome.source, outcome);
  }

  /** Throws when the bytes are not an outcome (a damaged cache entry). */
  static decode(bytes: Uint8Array): FileResult {
    const stored = deserialize(bytes) as StoredOutcome;
    if (!stored || typeof stored !== 'object' || !stored.meta || typeof stored.meta.path !== 'string') throw new Error('not a file outcome');
    if (stored.tree && (typeof stored.source !== 'string' || !(stored.tree.buffer instanceof ArrayBuffer))) throw new Error('not a file outcome');
    return new FileResult(stored.meta, stored.source, { tree: stored.tree });
  }

  /** Whether the IR is still to be built (from the tree copy of a cache entry). */
  get deferrable(): boolean {
    return this.ir === undefined && this.tree !== undefined;
  }

  get hasIR(): boolean {
    return this.ir !== undefined || this.tree !== undefined;
  }

  /**
   * The data-flow IR, built from the tree copy on first use (within the file's time budget, as
   * in the worker; a file over it is skipped as a whole, as there).
   */
  takeIR(language: LanguageInfo, fileTimeoutMs: number): ModuleIR | undefined {
    if (this.ir || !this.tree) return this.ir;
    const copy = this.tree;
    this.tree = undefined;
    const path = this.meta.path;
    const budget = new Budget(fileTimeoutMs);
    try {
      const syntax = new SyntaxTree(this.source!, { language, fromCopy: copy });
      const module = new PythonModuleClass(path, this.source!, undefined, syntax);
      pythonFrontEnd.collect(module, NO_TYPES);
      this.ir = pythonToIR(module);
      budget.check('the data-flow model');
    } catch (error) {
      this.ir = undefined;
      if (error instanceof BudgetExceeded) {
        this.meta = failedMeta(path, overBudgetDiagnostic(error), false);
      } else {
        const message = `data-flow model could not be built: ${(error as Error).message}`;
        this.meta = { ...this.meta, diagnostics: [...this.meta.diagnostics, { kind: 'internal-error', level: 'error', path, message }], cacheable: false };
      }
    }
    return this.ir;
  }
}

const NO_TYPES: ReadonlySet<string> = new Set();

/** The Python grammar's symbol table, for rebuilding trees from copies. */
export async function pythonLanguageInfo(): Promise<LanguageInfo> {
  return languageInfo(await loadGrammar('python'));
}
