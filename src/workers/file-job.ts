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
  /** The decoded text, kept when there is an IR (taint findings quote lines of it). */
  source?: string;
}

/** Runs the per-file stages; never throws for problems of the file itself (they become diagnostics). */
export async function analyseFile(job: FileJob, rules: readonly AnyRule[], knownRule: (id: string) => boolean): Promise<FileOutcome> {
  const fail = (d: Omit<Diagnostic, 'path' | 'level'>, cacheable = true): FileOutcome => ({
    meta: { path: job.path, analysed: false, lines: 0, findings: [], diagnostics: [{ ...d, level: 'error', path: job.path }], suppressions: [], cacheable },
  });
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
    fail({ kind: 'skipped', message: `skipped: ${error.message} (--file-timeout ${formatSeconds(error.limitMs)})` }, false);

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
    let cacheable = true;
    if (job.wantIR) {
      try {
        budget.check('the data-flow model');
        ir = pythonToIR(analysis.module as PythonModule);
        budget.check('the data-flow model');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: job.path, message: `data-flow model could not be built: ${(error as Error).message}` });
        cacheable = false;
      }
    }
    const meta: FileMeta = { path: job.path, analysed: true, lines: analysis.lines, findings: analysis.findings, diagnostics, suppressions, cacheable };
    return ir ? { meta, ir, source: text } : { meta };
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
  if (outcome.ir) {
    stored.ir = serialize(outcome.ir);
    stored.source = outcome.source;
  }
  return serialize(stored);
}

interface StoredOutcome {
  meta: FileMeta;
  ir?: Uint8Array;
  source?: string;
}

/** A file's outcome in the main thread: the IR stays bytes until the taint engine asks for it. */
export class FileResult {
  private irBytes: Uint8Array | undefined;
  private ir: ModuleIR | undefined;

  constructor(
    readonly meta: FileMeta,
    readonly source: string | undefined,
    ir: ModuleIR | Uint8Array | undefined,
  ) {
    if (ir instanceof Uint8Array) this.irBytes = ir;
    else this.ir = ir;
  }

  static fromOutcome(outcome: FileOutcome): FileResult {
    return new FileResult(outcome.meta, outcome.source, outcome.ir);
  }

  /** Throws when the bytes are not an outcome (a damaged cache entry). */
  static decode(bytes: Uint8Array): FileResult {
    const stored = deserialize(bytes) as StoredOutcome;
    if (!stored || typeof stored !== 'object' || !stored.meta || typeof stored.meta.path !== 'string') throw new Error('not a file outcome');
    return new FileResult(stored.meta, stored.source, stored.ir);
  }

  get hasIR(): boolean {
    return this.ir !== undefined || this.irBytes !== undefined;
  }

  /**
   * The data-flow IR, decoded on first use. Decoding makes a fresh copy of every string, so the
   * copies are swapped for shared ones from `strings` (one table per scan): `k: 'name'` alone
   * appears millions of times in a large tree, and names and short expressions repeat across
   * modules. On neutron + nova this cuts the IR's heap by about a fifth.
   */
  takeIR(strings?: Map<string, string>): ModuleIR | undefined {
    if (!this.ir && this.irBytes) {
      this.ir = deserialize(this.irBytes) as ModuleIR;
      this.irBytes = undefined;
      if (strings) shareStrings(this.ir, strings);
    }
    return this.ir;
  }
}

/** Replaces every string in a decoded IR graph by the equal one in `table` (adding new ones). */
function shareStrings(root: unknown, table: Map<string, string>): void {
  const share = (s: string): string => {
    const known = table.get(s);
    if (known !== undefined) return known;
    table.set(s, s);
    return s;
  };
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || typeof o !== 'object' || seen.has(o)) continue;
    seen.add(o);
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const v: unknown = o[i];
        if (typeof v === 'string') o[i] = share(v);
        else if (v !== null && typeof v === 'object') stack.push(v);
      }
    } else if (o instanceof Map) {
      for (const [k, v] of o) {
        if (typeof v === 'string') o.set(k, share(v));
        else stack.push(v);
      }
    } else if (o instanceof Set) {
      // Sets of names are small; left as they are.
    } else {
      const record = o as Record<string, unknown>;
      for (const k in record) {
        const v = record[k];
        if (typeof v === 'string') record[k] = share(v);
        else if (v !== null && typeof v === 'object') stack.push(v);
      }
    }
  }
}
