import type { ClassIR, FunctionIR, ModuleIR } from './ir.js';
import type { Summary, TaintHit } from './summary.js';
import type { Value } from './values.js';

/**
 * The engine's bookkeeping, shared by the fixpoint (engine.ts) and the replay hooks
 * (replay-hooks.ts): cells that analyses read, the state of each function, what the analysis
 * running has read when recording.
 */

/**
 * Something analyses read that can change during the fixpoint (a summary, a module's top-level
 * variables, a class's fields...): `version` is the engine's tick at its last change.
 */
export interface Cell {
  version: number;
  /** Its key's id when recording (-1: none yet). */
  id: number;
}

/** A module variable (identified by module path and name); its cell changes with its `global` writes. */
export interface GlobalVar extends Cell {
  readers: Set<FunctionState>;
}

/** What the engine knows of one function (one map lookup for all of it). */
export interface FunctionState {
  fn: FunctionIR;
  module: ModuleIR;
  summary: Summary | undefined;
  /** Changes when `summary` does. */
  summaryCell: Cell;
  /** Source hits of the last analysis. */
  hits: TaintHit[];
  /** Analyses so far, reused results included (at most MAX_ANALYSES_PER_FUNCTION). */
  count: number;
  queued: boolean;
  /** Functions whose analysis applied this summary. */
  callers: Set<FunctionState>;
  /** Tick at the start of the last analysis. */
  started: number;
  /** What that analysis read; undefined when its result may not be reused (see `reusable`). */
  reads: readonly Cell[] | undefined;
}

/** What the analysis running has read and asked, for its record. */
export interface AnalysisLog {
  cells: number[];
  prints: string[];
  facts: number[];
  /** The module variable values read, in order (for `sharingOf`). */
  globals: (Value | undefined)[];
}

/** A memo's cell key, resolved in this run. */
export type MemoCell =
  | { kind: 'S'; state: FunctionState }
  | { kind: 'G'; module: ModuleIR; name: string; variable: GlobalVar }
  | { kind: 'F' | 'T'; cls: ClassIR; cell: Cell };
