import type { Node } from '../parse/tree-sitter.js';
import type { SourceModule } from '../frontend/types.js';
import type { Diagnostic, Finding, TraceStep } from '../findings/types.js';
import { fixEdit } from '../rules/autofix.js';
import { fingerprint } from '../findings/fingerprint.js';
import type { AnyRule, PythonVisitors, ReportStep, RuleContext, RuleReport } from '../rules/define-rule.js';
import type { PyCall, PythonModule } from '../frontend/python/index.js';
import { ruleSummary } from '../rules/catalogue-info.js';
import type { FrontEnd } from '../frontend/types.js';
import { Budget, BudgetExceeded } from '../scheduling/budget.js';

const SNIPPET_MAX_LINES = 3;

export interface RuleRunResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

/**
 * Run pattern rules over one parsed file: one walk of the tree collects the node types the
 * rules subscribed to, then each node is handed to its subscribers in document order.
 * A rule that throws is reported as an internal error for that file; the others go on.
 */
export function runRules<M extends SourceModule>(
  frontEnd: FrontEnd<M>,
  module: M,
  rules: readonly AnyRule[],
  budget: Budget = Budget.none,
): RuleRunResult {
  const run = prepareRuleRun(module, rules);
  budget.check('rule set-up');
  const nodes = frontEnd.collect(module, run.wanted);
  budget.check('the tree walk');
  return run.dispatch(nodes, budget);
}

export interface RuleRun {
  /** Node types the rules subscribed to (what the front end's walk must collect). */
  readonly wanted: ReadonlySet<string>;
  /**
   * Hand the collected nodes to their subscribers, then run the `end` hooks. With `timeByRule`,
   * each handler is timed with `clock` (benchmarks only: timing every call costs).
   */
  dispatch(nodes: readonly Node[], budget: Budget, timeByRule?: Map<string, number>, clock?: () => number): RuleRunResult;
}

/** Create each rule's visitors for this module and index them by node type. */
export function prepareRuleRun(module: SourceModule, rules: readonly AnyRule[]): RuleRun {
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const active: RuleState[] = [];
  const wanted = new Set<string>();

  for (const rule of rules) {
    if (rule.language !== module.language) continue;
    const context: RuleContext<SourceModule> = {
      module,
      report: (r) => findings.push(toFinding(module, rule, r)),
    };
    try {
      // The rule is of the module's language, so the module is of the kind it expects.
      const visitors = (rule.create as (c: RuleContext<SourceModule>) => PythonVisitors)(context);
      active.push({ rule, visitors, failed: false });
      if (visitors.call) wanted.add('call');
      for (const type of Object.keys(visitors.nodes ?? {})) wanted.add(type);
    } catch (error) {
      diagnostics.push(ruleCrash(module.path, rule, error));
    }
  }

  // Subscribers per node type, so each node meets only the handlers that want it.
  const byType = new Map<string, Handler[]>();
  const subscribe = (type: string, handler: Handler): void => {
    const list = byType.get(type);
    if (list) list.push(handler);
    else byType.set(type, [handler]);
  };
  for (const state of active) {
    const { call, nodes } = state.visitors;
    if (call) subscribe('call', { state, onCall: call, onNode: undefined });
    if (nodes) {
      for (const [type, handler] of Object.entries(nodes)) {
        if (handler) subscribe(type, { state, onCall: undefined, onNode: handler });
      }
    }
  }

  const dispatch = (nodes: readonly Node[], budget: Budget, timeByRule?: Map<string, number>, clock?: () => number): RuleRunResult => {
    const timed = <T>(rule: AnyRule, fn: (arg: T) => void, arg: T): void => {
      if (!timeByRule || !clock) return fn(arg);
      const t0 = clock();
      try {
        fn(arg);
      } finally {
        timeByRule.set(rule.id, (timeByRule.get(rule.id) ?? 0) + clock() - t0);
      }
    };

    let visited = 0;
    for (const node of nodes) {
      const handlers = byType.get(node.type);
      if (!handlers) continue;
      if ((++visited & 63) === 0) budget.check('the rules');
      // The call-site view is made once per node for all rules (module.call caches it anyway).
      let call: PyCall | undefined;
      for (const { state, onCall, onNode } of handlers) {
        if (state.failed) continue;
        try {
          if (onCall) {
            call ??= (module as unknown as PythonModule).call(node);
            if (timeByRule) timed(state.rule, onCall, call);
            else onCall(call);
          } else if (onNode) {
            if (timeByRule) timed(state.rule, onNode, node);
            else onNode(node);
          }
        } catch (error) {
          if (error instanceof BudgetExceeded) throw error;
          state.failed = true;
          diagnostics.push(ruleCrash(module.path, state.rule, error));
        }
      }
    }
    for (const state of active) {
      const end = state.visitors.end;
      if (!end) continue;
      budget.check('the rules');
      if (state.failed) continue;
      try {
        timed(state.rule, end, undefined);
      } catch (error) {
        state.failed = true;
        diagnostics.push(ruleCrash(module.path, state.rule, error));
      }
    }
    return { findings, diagnostics };
  };
  return { wanted, dispatch };
}

interface RuleState {
  rule: AnyRule;
  visitors: PythonVisitors;
  /** Threw on this file: skipped from then on. */
  failed: boolean;
}

/** One rule's subscription to one node type: the call visitor or a node visitor. */
interface Handler {
  state: RuleState;
  onCall: ((call: PyCall) => void) | undefined;
  onNode: ((node: Node) => void) | undefined;
}

function ruleCrash(path: string, rule: AnyRule, error: unknown): Diagnostic {
  const cause = error instanceof Error ? error.message : String(error);
  return { kind: 'internal-error', level: 'error', path, message: `rule ${rule.id} failed on this file: ${cause}` };
}

/** Turn a rule's report into a located, documented, fingerprinted finding. */
export function toFinding(module: SourceModule, rule: AnyRule, report: RuleReport): Finding {
  const { node } = report;
  const start = node.startPosition;
  const end = node.endPosition;
  const startLine = start.row + 1;
  const endLine = end.row + 1;
  const snippetLines: string[] = [];
  for (let l = startLine; l <= Math.min(endLine, startLine + SNIPPET_MAX_LINES - 1); l++) snippetLines.push(module.line(l));
  const statement = module.statementOf(node);
  const summary = ruleSummary(rule);
  return {
    ruleId: rule.id,
    title: rule.title,
    cwe: summary.cwe,
    pillar: summary.pillar,
    severity: report.severity ?? rule.severity,
    confidence: report.confidence ?? rule.confidence,
    location: {
      path: module.path,
      startLine,
      startColumn: start.column + 1,
      endLine,
      endColumn: end.column + 1,
    },
    snippet: snippetLines.join('\n'),
    message: report.message,
    fix: rule.fix.guidance,
    fingerprint: fingerprint(rule.id, module.path, statementHeader(module, statement)),
    statementLine: statement.startPosition.row + 1,
    origin: 'static',
    ...(report.inTests !== undefined && report.inTests !== (rule.inTests ?? false) ? { inTests: report.inTests } : {}),
    ...(report.steps && report.steps.length > 0 ? { trace: report.steps.map((s) => traceStep(module, s)) } : {}),
    ...(report.autofix && report.autofix.edits.length > 0 ? { autofix: { description: report.autofix.description, edits: report.autofix.edits.map(fixEdit) } } : {}),
  };
}

function traceStep(module: SourceModule, s: ReportStep): TraceStep {
  const start = s.node.startPosition;
  const end = s.node.endPosition;
  return {
    kind: s.kind,
    location: { path: module.path, startLine: start.row + 1, startColumn: start.column + 1, endLine: end.row + 1, endColumn: end.column + 1 },
    expression: s.expression,
    note: s.note,
  };
}

/** A statement's code, without the body of a compound statement (edits there are not edits to it). */
function statementHeader(module: SourceModule, statement: Node): string {
  const body = statement.childForFieldName('body') ?? statement.namedChildren.find((c) => c?.type === 'block');
  if (body && body.startIndex > statement.startIndex) {
    return module.source.slice(statement.startIndex, body.startIndex);
  }
  return statement.text;
}
