import type { Node } from '../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../frontend/python/index.js';
import type { JavaScriptModule } from '../frontend/javascript/module.js';
import type { Confidence, Severity, TraceStep } from '../findings/types.js';
import type { NodeEdit } from './autofix.js';
import type { SinkKind } from '../analysis/taint/models.js';

/** What one rule reports at one place. */
export interface RuleReport {
  node: Node;
  /** Specific to this occurrence: name the value, the call, the missing argument. */
  message: string;
  /** Overrides the rule's default when this occurrence is more or less certain. */
  confidence?: Confidence;
  severity?: Severity;
  /**
   * Overrides the rule's `inTests` for this occurrence (hardcoded-secret: a real key format is
   * a leak in a test file too; a password literal named in a test is a fixture value).
   */
  inTests?: boolean;
  /**
   * Other lines the finding depends on, in order (e.g. where a resource is acquired and the
   * statement that may raise before it is released); reported as the finding's trace.
   */
  steps?: readonly ReportStep[];
  /**
   * A mechanical fix for this occurrence, only where it is safe whatever the surrounding code
   * (see src/rules/autofix.ts); `secreview fix` still re-checks it before writing.
   */
  autofix?: { description: string; edits: readonly NodeEdit[] };
}

/** One line of a rule's trace: a node, and what happens there. */
export interface ReportStep {
  node: Node;
  kind: TraceStep['kind'];
  expression: string;
  note: string;
}

export interface RuleContext<M> {
  readonly module: M;
  report(report: RuleReport): void;
}

/** Python rules subscribe to call sites (resolved) and to raw node types. */
export interface PythonVisitors {
  /** Every call, with its callee resolved through imports. */
  call?: (call: PyCall) => void;
  /** Raw tree-sitter node types, e.g. `except_clause`, `assert_statement`. */
  nodes?: Readonly<Record<string, (node: Node) => void>>;
  /** After the whole file was visited. */
  end?: () => void;
}

/** JavaScript/TypeScript rules subscribe to raw node types (of the JavaScript, TypeScript and TSX grammars). */
export interface JavaScriptVisitors {
  nodes?: Readonly<Record<string, (node: Node) => void>>;
  end?: () => void;
}

/** Maps each supported language to what its rules see. Add a language here. */
export interface LanguageBindings {
  python: { module: PythonModule; visitors: PythonVisitors };
  javascript: { module: JavaScriptModule; visitors: JavaScriptVisitors };
}
export type LanguageId = keyof LanguageBindings;

export interface RuleDocs {
  /** What the defect is. */
  description: string;
  /** What an attacker or an accident gains from it. */
  whyItMatters: string;
  fix: {
    guidance: string;
    before: string;
    after: string;
  };
  references: readonly string[];
}

export interface RuleMeta extends RuleDocs {
  /** Stable id `<language>/<kebab-name>`, never reused for another meaning. */
  id: string;
  title: string;
  /** MITRE CWE ids, most specific first; the pillar is derived from the first. */
  cwe: readonly [number, ...number[]];
  severity: Severity;
  confidence: Confidence;
  tags?: readonly string[];
  /**
   * Findings of this rule are meaningful in test code (`tests/`, `test_*.py`, `conftest.py`...)
   * and are shown there by default. Without it, findings in test code are counted in the summary
   * but shown only with `--include-tests` / `tests: show`. Test code is analysed either way.
   */
  inTests?: boolean;
  /**
   * A taint rule: reports data from a modelled source reaching a sink of this kind (found
   * by the taint engine over the whole program, not by the rule's visitors). A pattern
   * finding of a `supersedes` rule on the same line is the same defect and is merged.
   * `sourcesOnly`: a parameter reaching the sink inside a function nobody scanned calls is not
   * reported (for kinds where passing a mapping or a number to such a call is the normal use).
   */
  taint?: { kind: SinkKind; supersedes?: readonly string[]; sourcesOnly?: boolean };
  /**
   * A concurrency rule: reports races the concurrency analysis finds over the whole program
   * (src/analysis/concurrency/), not the rule's visitors.
   */
  concurrency?: { kind: 'inconsistent-locking' | 'check-then-act' };
}

export interface RuleDefinition<L extends LanguageId = LanguageId> extends RuleMeta {
  language: L;
  create(context: RuleContext<LanguageBindings[L]['module']>): LanguageBindings[L]['visitors'];
}

/** Any rule, whatever its language. */
export type AnyRule = { [L in LanguageId]: RuleDefinition<L> }[LanguageId];

const ID_PATTERN = /^[a-z]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Declare a rule. Checks the parts TypeScript cannot (id shape, non-empty docs) at load
 * time, so a malformed rule fails the first test that imports it.
 */
export function defineRule<L extends LanguageId>(rule: RuleDefinition<L>): RuleDefinition<L> {
  if (!ID_PATTERN.test(rule.id) || !rule.id.startsWith(`${rule.language}/`)) {
    throw new Error(`rule id "${rule.id}" must look like "${rule.language}/kebab-case-name"`);
  }
  for (const key of ['title', 'description', 'whyItMatters'] as const) {
    if (!rule[key].trim()) throw new Error(`rule ${rule.id}: ${key} is empty`);
  }
  if (!rule.fix.guidance.trim() || !rule.fix.before.trim() || !rule.fix.after.trim()) {
    throw new Error(`rule ${rule.id}: fix guidance needs guidance, before and after`);
  }
  return Object.freeze(rule);
}
