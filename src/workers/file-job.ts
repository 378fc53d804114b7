/**
 * The per-file part of a scan: decode → parse → front end → pattern rules → suppressions →
 * data-flow IR. It runs in a worker thread or inline, takes plain data and returns plain
 * data, so the same outcome can cross threads and be cached on disk.
 */
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic, Finding } from '../findings/types.js';
import { decodeSource, normaliseLoneCarriageReturns, type HidingDeclaration } from '../parse/decode.js';
import { analyseSourceSync, parsersReadyFor } from '../analysis/analyse-file.js';
import type { AnyRule } from '../rules/define-rule.js';
import { parseSuppressions, type Suppression } from '../filters/suppressions.js';
import type { PythonModule } from '../frontend/python/index.js';
import { frontEndForPath } from '../frontend/registry.js';
import { llmOnlyLanguageOf } from '../llm/languages.js';
import { pythonFrontEnd, PythonModule as PythonModuleClass } from '../frontend/python/index.js';
import { languageInfo, SyntaxTree, type LanguageInfo, type TreeCopy } from '../parse/syntax-tree.js';
import { bytesPerNode } from '../parse/tree-walk.js';
import { loadGrammar } from '../parse/tree-sitter.js';
import { pythonToIR } from '../frontend/python/to-ir.js';
import type { GrammarId } from '../parse/tree-sitter.js';
import type { FrontEnd, SourceModule } from '../frontend/types.js';
import { JavaScriptModule } from '../frontend/javascript/module.js';
import { javascriptToIR } from '../frontend/javascript/to-ir.js';
import type { ModuleIR } from '../analysis/taint/ir.js';
import { Budget, BudgetExceeded, formatSeconds } from '../scheduling/budget.js';
import type { ConcurrencyFacts } from '../analysis/concurrency/facts.js';
import { pythonConcurrencyFacts } from '../frontend/python/concurrency-facts.js';
import { concurrencyModelWith } from '../analysis/concurrency/model.js';
import { useExtraFailureModels } from '../rules/python/failure-paths/models.js';
import { checkFileMeta } from '../cache/entry-checks.js';

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
  /** Extra concurrency and failure-path model files (the `models:` setting, checked before the scan), absolute paths. */
  models?: { concurrency: readonly string[]; failure: readonly string[] };
  /**
   * `false`: hand back only the tree copy the IR is built from (workers: building the IR where
   * the engine runs is cheaper than serialising it across threads).
   */
  buildIR?: boolean;
  /**
   * `false`: no tree copy beside the IR (analysed on the thread that runs the taint pass, with no
   * cache entry to write: nothing would read it).
   */
  copyTree?: boolean;
  /** Where and under which key a worker writes the outcome's cache entry (it has the bytes at hand). */
  cacheEntry?: { path: string; key: string };
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
  /** The source's encoding declaration, when it has one that hides code: for rules run later on the tree copy (late-rules.ts); never encoded. */
  encoding?: HidingDeclaration;
}

/** The outcome of a file that could not be analysed: one error diagnostic saying why. */
export function failedMeta(path: string, d: Omit<Diagnostic, 'path' | 'level'>, cacheable: boolean): FileMeta {
  return { path, analysed: false, lines: 0, findings: [], diagnostics: [{ ...d, level: 'error', path }], suppressions: [], cacheable };
}

export function overBudgetDiagnostic(error: BudgetExceeded): Omit<Diagnostic, 'path' | 'level'> {
  return { kind: 'skipped', message: `skipped: ${error.message} (--file-timeout ${formatSeconds(error.limitMs)})` };
}

/** Runs the per-file stages; never throws for problems of the file itself (they become diagnostics). */
export async function analyseFile(job: FileJob, rules: readonly AnyRule[], knownRule: (id: string) => boolean): Promise<FileOutcome> {
  await parsersReadyFor([job.path]); // loading the grammar is not the file's time
  return analyseFileSync(job, rules, knownRule);
}

/** `analyseFile` once the file's parser is loaded (`parsersReadyFor`). */
export function analyseFileSync(job: FileJob, rules: readonly AnyRule[], knownRule: (id: string) => boolean): FileOutcome {
  const fail = (d: Omit<Diagnostic, 'path' | 'level'>, cacheable = true): FileOutcome => ({ meta: failedMeta(job.path, d, cacheable) });
  useExtraFailureModels(job.models?.failure);
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
  if (!frontEnd) {
    return fail({ kind: 'skipped', message: `no front end for this file type${llmOnly ? ` (${llmOnly}: only --llm reviews it)` : ''}` });
  }
  const budget = new Budget(job.fileTimeoutMs);
  const overBudget = (error: BudgetExceeded): FileOutcome =>
    fail(overBudgetDiagnostic(error), false);

  let analysis;
  try {
    analysis = analyseSourceSync(frontEnd, job.path, text, rules, budget, encoding);
  } catch (error) {
    if (error instanceof BudgetExceeded) return overBudget(error);
    return fail({ kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` }, false);
  }
  try {
    const { suppressions, diagnostics: suppressionDiagnostics } = parseSuppressions(analysis.module, knownRule);
    const diagnostics = [...analysis.diagnostics, ...suppressionDiagnostics];
    let ir: ModuleIR | undefined;
    let tree: TreeCopy | undefined;
    let keepTree = false;
    let cacheable = true;
    if (job.wantIR) {
      try {
        budget.check('the data-flow model');
        const module = analysis.module as PythonModule | JavaScriptModule;
        keepTree = job.copyTree !== false || job.buildIR === false;
        if (job.buildIR !== false) ir = moduleToIR(module, budget);
        budget.check('the data-flow model');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: job.path, message: `data-flow model could not be built: ${(error as Error).message}` });
        cacheable = false;
      }
    }
    let concurrency: ConcurrencyFacts | undefined;
    if (job.wantConcurrency && frontEnd.language === 'python') {
      try {
        concurrency = pythonConcurrencyFacts(analysis.module as PythonModule, concurrencyModelWith(job.models?.concurrency));
        budget.check('the concurrency facts');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: job.path, message: `concurrency facts could not be extracted: ${(error as Error).message}` });
        cacheable = false;
      }
    }
    // Nothing reads the tree from here on (the IR and the facts hold no node): its arrays are given away, not copied.
    if (keepTree) tree = (analysis.module as PythonModule | JavaScriptModule).syntax.detach();
    const meta: FileMeta = { path: job.path, analysed: true, lines: analysis.lines, findings: analysis.findings, diagnostics, suppressions, cacheable };
    if (concurrency) meta.concurrency = concurrency;
    return ir || tree ? { meta, ir, tree, source: text, ...(encoding ? { encoding } : {}) } : { meta };
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
  const [head, tree] = outcomeSections(outcome);
  return tree.length > 0 ? Buffer.concat([head, ...tree]) : head;
}

/** `encodeOutcome` as its two sections, the tree's as pieces (its own bytes, not copied): what a cache entry and a batch are written from. */
export function outcomeSections(outcome: FileOutcome): [Uint8Array, Uint8Array[]] {
  return [encodeHead(outcome), outcome.tree ? treeSection(outcome.tree) : []];
}

/** The first part of `encodeOutcome` alone (length and head), as `outcomeParts` gives it. */
export function encodeHead(outcome: FileOutcome): Uint8Array {
  const head: StoredHead = { meta: outcome.meta };
  if (outcome.tree) head.source = outcome.source;
  const headBytes = serialize(head);
  const out = Buffer.allocUnsafe(4 + headBytes.length);
  out.writeUInt32LE(headBytes.length, 0);
  headBytes.copy(out, 4);
  return out;
}

/**
 * The second part of `encodeOutcome`, as two pieces: the tree copy's node count, slots and flags
 * (three little-endian uint32: 1 for a tree with errors), then its buffer's bytes as they are.
 */
export function treeSection(tree: TreeCopy): Uint8Array[] {
  const header = new Uint8Array(TREE_HEADER);
  const view = new DataView(header.buffer);
  view.setUint32(0, tree.count, true);
  view.setUint32(4, tree.size, true);
  view.setUint32(8, tree.hasError ? 1 : 0, true);
  return [header, new Uint8Array(tree.buffer)];
}

const TREE_HEADER = 12;

/** A tree copy from its section's bytes (copied: they may sit anywhere in a larger buffer); throws when they are not one. */
export function decodeTree(bytes: Uint8Array): TreeCopy {
  if (bytes.byteLength < TREE_HEADER) throw new Error('a truncated tree copy');
  const view = new DataView(bytes.buffer, bytes.byteOffset, TREE_HEADER);
  const flags = view.getUint32(8, true);
  if (flags > 1) throw new Error('unknown tree copy flags');
  const hasError = flags === 1;
  const size = view.getUint32(4, true);
  if (bytes.byteLength - TREE_HEADER !== size * bytesPerNode(hasError)) throw new Error('a tree copy of the wrong length');
  // A copy in a buffer of its own (a Buffer's slice would share the bytes).
  return { count: view.getUint32(0, true), size, hasError, buffer: new Uint8Array(bytes.subarray(TREE_HEADER)).buffer };
}

/** An encoded outcome as its two parts (head, with its length, and tree copy), as the cache keeps them. */
export function outcomeParts(bytes: Uint8Array): [Uint8Array, Uint8Array] {
  const split = 4 + Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0);
  return [bytes.subarray(0, split), bytes.subarray(split)];
}

interface StoredHead {
  meta: FileMeta;
  source?: string;
}

/** An outcome's parts: its head (with the length prefix) and a way to read its tree copy. */
export interface OutcomeBytes {
  head: Uint8Array;
  tailLength: number;
  /** The tree copy's bytes (undefined when they cannot be read any more). */
  tail(): Uint8Array | undefined;
}

/**
 * What a file whose outcome came from the cache does when the tree copy cannot be used (it
 * cannot be read, fails its checks, or building the IR from it fails or outlasts the file's
 * budget): analyse the file afresh, without the cache, saying why (no reason: the entry is
 * fine, but the IR built from it is not to be trusted any more; see `freshIR`).
 */
export type Reanalyse = (reason?: string) => FileOutcome;

/**
 * A file's outcome in the main thread. Its IR is built on first use from the tree copy (a few
 * typed arrays: cheap to move between threads, to cache and to read back), which costs less
 * than serialising the IR's millions of small objects and decoding them again.
 */
export class FileResult {
  /** The tree copy, or how to read it (a cache entry's tree is read only when the IR is built). */
  private tree: TreeCopy | (() => TreeCopy | string) | undefined;
  private ir: ModuleIR | undefined;
  private reanalyse: Reanalyse | undefined;
  /** The outcome of analysing the file again (see `Reanalyse`), for the cache to keep instead. */
  renewed: FileOutcome | undefined;

  constructor(
    public meta: FileMeta,
    public source?: string,
    built?: { ir?: ModuleIR; tree?: TreeCopy | (() => TreeCopy | string) },
  ) {
    this.ir = built?.ir;
    if (!this.ir) this.tree = built?.tree;
  }

  static fromOutcome(outcome: FileOutcome): FileResult {
    return new FileResult(outcome.meta, outcome.source, outcome);
  }

  /** Throws when the bytes are not an outcome. */
  static decode(bytes: Uint8Array): FileResult {
    const [head, tail] = outcomeParts(bytes);
    return FileResult.decodeHead({ head, tailLength: tail.length, tail: () => tail });
  }

  /**
   * An outcome from its head; the tree is deserialised (and, for a cache entry, read) when the
   * IR is built. Throws, saying why, when the head is not an outcome's (a damaged cache entry);
   * `reanalyse` is what to do when the tree copy turns out unusable.
   */
  static decodeHead(bytes: OutcomeBytes, reanalyse?: Reanalyse): FileResult {
    if (bytes.head.length < 4) throw new Error('not a file outcome');
    const headLength = Buffer.from(bytes.head.buffer, bytes.head.byteOffset, 4).readUInt32LE(0);
    if (4 + headLength !== bytes.head.length) throw new Error('not a file outcome');
    const stored = deserialize(bytes.head.subarray(4)) as StoredHead;
    if (!stored || typeof stored !== 'object') throw new Error('not a file outcome');
    const problem = checkFileMeta(stored.meta);
    if (problem) throw new Error(problem);
    if (bytes.tailLength === 0) {
      if (stored.source !== undefined) throw new Error('a source without a tree copy');
      return new FileResult(stored.meta);
    }
    if (typeof stored.source !== 'string') throw new Error('a tree copy without a source');
    const tree = (): TreeCopy | string => {
      const treeBytes = bytes.tail();
      if (!treeBytes) return 'its tree copy can no longer be read';
      try {
        return decodeTree(treeBytes);
      } catch (error) {
        return `its tree copy cannot be decoded (${(error as Error).message})`;
      }
    };
    const result = new FileResult(stored.meta, stored.source, { tree });
    result.reanalyse = reanalyse;
    return result;
  }

  /**
   * A data-flow IR of the file made afresh, sharing no object with the one `takeIR` gave: for a
   * taint run that must start again without the replay records after the module entered as
   * their shape (which the engine then filled in). Only outcomes from the cache can enter as
   * shapes; any other gives its IR.
   */
  freshIR(): ModuleIR | undefined {
    return this.reanalyse ? this.reanalyse().ir : this.ir;
  }

  /** Whether the IR is still to be built (from the tree copy of a cache entry, or of an outcome kept unbuilt). */
  get deferrable(): boolean {
    return this.ir === undefined && this.tree !== undefined;
  }

  /** Whether the outcome came from a cache entry (a tree copy that fails is analysed again, see `Reanalyse`). */
  get fromCache(): boolean {
    return this.reanalyse !== undefined;
  }

  /** Forgets the tree copy of an IR that will not be built (test code outside the data-flow program). */
  dropTree(): void {
    this.tree = undefined;
  }

  get hasIR(): boolean {
    return this.ir !== undefined || this.tree !== undefined;
  }

  /**
   * The data-flow IR, built from the tree copy on first use (within the file's time budget, as
   * in the worker; a file over it is skipped as a whole, as there). A tree copy from the cache
   * that cannot be used (unreadable, malformed, over the budget) means analysing the file again.
   */
  takeIR(languages: LanguageInfo | LanguageTable, fileTimeoutMs: number): ModuleIR | undefined {
    if (this.ir || !this.tree) return this.ir;
    const path = this.meta.path;
    const copy = typeof this.tree === 'function' ? this.tree() : this.tree;
    this.tree = undefined;
    let failure: string | undefined;
    if (typeof copy === 'string') failure = copy;
    else {
      const budget = new Budget(fileTimeoutMs);
      try {
        const { frontEnd, module } = moduleOverCopy(path, this.source!, copy, languages);
        frontEnd.collect(module, NO_TYPES);
        this.ir = moduleToIR(module, budget);
        budget.check('the data-flow model');
        return this.ir;
      } catch (error) {
        this.ir = undefined;
        if (error instanceof BudgetExceeded && !this.reanalyse) {
          this.meta = failedMeta(path, overBudgetDiagnostic(error), false);
          return undefined;
        }
        failure = error instanceof BudgetExceeded ? error.message : `data-flow model could not be built: ${(error as Error).message}`;
      }
    }
    if (this.reanalyse) {
      const outcome = this.reanalyse(failure);
      this.renewed = outcome;
      this.meta = outcome.meta;
      this.source = outcome.source;
      this.ir = outcome.ir;
      return this.ir;
    }
    const message = typeof copy === 'string' ? 'data-flow model could not be built: its cache entry can no longer be read' : failure;
    this.meta = { ...this.meta, diagnostics: [...this.meta.diagnostics, { kind: 'internal-error', level: 'error', path, message }], cacheable: false };
    return undefined;
  }
}

const NO_TYPES: ReadonlySet<string> = new Set();

/** Each grammar's symbol table, for rebuilding trees from copies. */
export type LanguageTable = ReadonlyMap<GrammarId, LanguageInfo>;

/** The symbol tables of the grammars that read `paths` (Python's always). */
export async function languageTableFor(paths: Iterable<string>): Promise<LanguageTable> {
  const grammars = new Set<GrammarId>(['python']);
  for (const p of paths) {
    const fe = frontEndForPath(p);
    if (fe) grammars.add(fe.grammar);
  }
  const table = new Map<GrammarId, LanguageInfo>();
  for (const g of grammars) table.set(g, languageInfo(await loadGrammar(g)));
  return table;
}

/**
 * A module of the file's front end over a tree copy, nothing collected yet: for the data-flow IR
 * (tables only) and for pattern rules run late (late-rules.ts). `encoding`: the source's
 * code-hiding encoding declaration, which a rule reads.
 */
export function moduleOverCopy(
  path: string,
  source: string,
  copy: TreeCopy,
  languages: LanguageInfo | LanguageTable,
  encoding?: HidingDeclaration,
): { frontEnd: FrontEnd<SourceModule>; module: PythonModule | JavaScriptModule } {
  const frontEnd = (frontEndForPath(path) ?? pythonFrontEnd) as FrontEnd<SourceModule>;
  const language = languages instanceof Map ? languages.get(frontEnd.grammar) : (languages as LanguageInfo);
  if (!language) throw new Error(`the ${frontEnd.grammar} grammar is not loaded`);
  const syntax = new SyntaxTree(source, { language, fromCopy: copy });
  if (frontEnd.language === 'python') {
    const module = new PythonModuleClass(path, source, undefined, syntax);
    if (encoding) module.sourceEncoding = encoding;
    return { frontEnd, module };
  }
  return { frontEnd, module: new JavaScriptModule(path, source, undefined, frontEnd.grammar, syntax) };
}

/** The data-flow IR of a module, by its language. */
function moduleToIR(module: PythonModule | JavaScriptModule, budget: Budget): ModuleIR {
  return module instanceof JavaScriptModule ? javascriptToIR(module, budget) : pythonToIR(module, budget);
}

/** The Python grammar's symbol table, for rebuilding trees from copies. */
export async function pythonLanguageInfo(): Promise<LanguageInfo> {
  return languageInfo(await loadGrammar('python'));
}
