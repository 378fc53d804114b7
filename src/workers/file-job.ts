/**
 * The per-file part of a scan: decode → parse → front end → pattern rules → suppressions →
 * data-flow IR. It runs in a worker thread or inline, takes plain data and returns plain
 * data, so the same outcome can cross threads and be cached on disk.
 */
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic, Finding } from '../findings/types.js';
import { decodeSource, normaliseLoneCarriageReturns, type HidingDeclaration } from '../parse/decode.js';
import { analysePythonSource, pythonParserReady } from '../analysis/analyse-file.js';
import type { AnyRule } from '../rules/define-rule.js';
import { parseSuppressions, type Suppression } from '../filters/suppressions.js';
import type { PythonModule } from '../frontend/python/index.js';
import { frontEndForPath } from '../frontend/registry.js';
import { llmOnlyLanguageOf } from '../llm/languages.js';
import { pythonFrontEnd, PythonModule as PythonModuleClass } from '../frontend/python/index.js';
import { languageInfo, SyntaxTree, type LanguageInfo, type TreeCopy } from '../parse/syntax-tree.js';
import { loadGrammar } from '../parse/tree-sitter.js';
import { pythonToIR } from '../frontend/python/to-ir.js';
import type { ModuleIR } from '../analysis/taint/ir.js';
import { Budget, BudgetExceeded, formatSeconds } from '../util/budget.js';
import type { ConcurrencyFacts } from '../analysis/concurrency/facts.js';
import { pythonConcurrencyFacts } from '../frontend/python/concurrency-facts.js';
import { builtinConcurrencyModel } from '../analysis/concurrency/model.js';

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
  /** Extract the facts of the concurrency analysis (src/analysis/concurrency/). */
  wantConcurrency?: boolean;
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
  /** The file's facts for the whole-program concurrency analysis, when a concurrency rule applies to it. */
  concurrency?: ConcurrencyFacts;
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
  let encoding: HidingDeclaration | undefined;
  if (typeof job.content === 'string') {
    text = job.content.charCodeAt(0) === 0xfeff ? job.content.slice(1) : job.content;
  } else {
    const decoded = decodeSource(Buffer.from(job.content.buffer, job.content.byteOffset, job.content.byteLength));
    if (!decoded.ok) return fail({ kind: decoded.kind, message: decoded.message });
    text = decoded.text;
    encoding = decoded.encoding;
  }
  text = normaliseLoneCarriageReturns(text);

  // A named file of unknown type is read as Python (scripts without an extension); one of a language
  // only the LLM second opinion reads (C, Go…) is not.
  const llmOnly = llmOnlyLanguageOf(job.path);
  const frontEnd = frontEndForPath(job.path) ?? (llmOnly ? undefined : frontEndForPath(`${job.path}.py`));
  if (!frontEnd || frontEnd.language !== 'python') {
    return fail({ kind: 'skipped', message: `no front end for this file type${llmOnly ? ` (${llmOnly}: only --llm reviews it)` : ''}` });
  }
  await pythonParserReady(); // loading the grammar is not the file's time
  const budget = new Budget(job.fileTimeoutMs);
  const overBudget = (error: BudgetExceeded): FileOutcome =>
    fail(overBudgetDiagnostic(error), false);

  let analysis;
  try {
    analysis = await analysePythonSource(job.path, text, rules, budget, encoding);
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
    let concurrency: ConcurrencyFacts | undefined;
    if (job.wantConcurrency) {
      try {
        concurrency = pythonConcurrencyFacts(analysis.module as PythonModule, builtinConcurrencyModel());
        budget.check('the concurrency facts');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: job.path, message: `concurrency facts could not be extracted: ${(error as Error).message}` });
        cacheable = false;
      }
    }
    const meta: FileMeta = { path: job.path, analysed: true, lines: analysis.lines, findings: analysis.findings, diagnostics, suppressions, cacheable };
    if (concurrency) meta.concurrency = concurrency;
    return tree ? { meta, ir, tree, source: text } : { meta };
  } finally {
    analysis.release();
  }
}

/**
 * An outcome as bytes (to cross threads, and as a cache entry): the length of the head (4 bytes,
 * little-endian), the head (meta and source), then the tree copy, if any. A reader takes the head
 * alone and reads the tree only if it builds the IR (see `FileResult.decodeHead`).
 */
export function encodeOutcome(outcome: FileOutcome): Uint8Array {
  const head: StoredHead = { meta: outcome.meta };
  if (outcome.tree) head.source = outcome.source;
  const headBytes = serialize(head);
  const treeBytes = outcome.tree ? serialize(outcome.tree) : undefined;
  const out = Buffer.allocUnsafe(4 + headBytes.length + (treeBytes?.length ?? 0));
  out.writeUInt32LE(headBytes.length, 0);
  headBytes.copy(out, 4);
  treeBytes?.copy(out, 4 + headBytes.length);
  return out;
}

interface StoredHead {
  meta: FileMeta;
  source?: string;
}

/** Where an outcome's parts are: its bytes, or the start of them and a way to read the rest. */
export interface OutcomeBytes {
  /** The first bytes (all of them, for an outcome in memory). */
  first: Uint8Array;
  size: number;
  /** The bytes at `offset` (undefined when they cannot be read any more). */
  read(offset: number, length: number): Uint8Array | undefined;
}

/**
 * A file's outcome in the main thread. Its IR is built on first use from the tree copy (a few
 * typed arrays: cheap to move between threads, to cache and to read back), which costs less
 * than serialising the IR's millions of small objects and decoding them again.
 */
export class FileResult {
  /** The tree copy, or how to read it (a cache entry's tree is read only when the IR is built). */
  private tree: TreeCopy | (() => TreeCopy | undefined) | undefined;
  private ir: ModuleIR | undefined;

  constructor(
    public meta: FileMeta,
    readonly source?: string,
    built?: { ir?: ModuleIR; tree?: TreeCopy | (() => TreeCopy | undefined) },
  ) {
    this.ir = built?.ir;
    if (!this.ir) this.tree = built?.tree;
  }

  static fromOutcome(outcome: FileOutcome): FileResult {
    return new FileResult(outcome.meta, outcome.source, outcome);
  }

  /** Throws when the bytes are not an outcome (a damaged cache entry). */
  static decode(bytes: Uint8Array): FileResult {
    return FileResult.decodeHead({ first: bytes, size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) });
  }

  /**
   * An outcome from its head; the tree is deserialised (and, for a cache entry, read) when the
   * IR is built. Throws when the head is not an outcome's (a damaged cache entry).
   */
  static decodeHead(bytes: OutcomeBytes): FileResult {
    if (bytes.first.length < 4) throw new Error('not a file outcome');
    const headLength = Buffer.from(bytes.first.buffer, bytes.first.byteOffset, 4).readUInt32LE(0);
    if (4 + headLength > bytes.size) throw new Error('not a file outcome');
    const head = 4 + headLength <= bytes.first.length ? bytes.first.subarray(4, 4 + headLength) : bytes.read(4, headLength);
    if (!head) throw new Error('not a file outcome');
    const stored = deserialize(head) as StoredHead;
    if (!stored || typeof stored !== 'object' || !stored.meta || typeof stored.meta.path !== 'string') throw new Error('not a file outcome');
    const treeAt = 4 + headLength;
    if (treeAt === bytes.size) return new FileResult(stored.meta, stored.source);
    if (typeof stored.source !== 'string') throw new Error('not a file outcome');
    const tree = (): TreeCopy | undefined => {
      const treeBytes = bytes.read(treeAt, bytes.size - treeAt);
      if (!treeBytes) return undefined;
      try {
        const copy = deserialize(treeBytes) as TreeCopy;
        return copy && copy.buffer instanceof ArrayBuffer ? copy : undefined;
      } catch {
        return undefined;
      }
    };
    return new FileResult(stored.meta, stored.source, { tree });
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
    const path = this.meta.path;
    const copy = typeof this.tree === 'function' ? this.tree() : this.tree;
    this.tree = undefined;
    if (!copy) {
      const message = 'data-flow model could not be built: its cache entry can no longer be read';
      this.meta = { ...this.meta, diagnostics: [...this.meta.diagnostics, { kind: 'internal-error', level: 'error', path, message }], cacheable: false };
      return undefined;
    }
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
