import type { Node } from '../parse/tree-sitter.js';
import type { SourceModule } from '../frontend/types.js';
import type { Diagnostic, Finding } from '../findings/types.js';
import { fingerprint } from '../findings/fingerprint.js';
import type { AnyRule, PythonVisitors, RuleContext, RuleReport } from '../rules/define-rule.js';
import type { PythonModule } from '../frontend/python/index.js';
import { ruleSummary } from '../rules/catalogue-info.js';
import type { FrontEnd } from '../frontend/types.js';
import { Budget, BudgetExceeded } from '../util/budget.js';

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
export function runPythonRules(
  frontEnd: FrontEnd<PythonModule>,
  module: PythonModule,
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
export function prepareRuleRun(module: PythonModule, rules: readonly AnyRule[]): RuleRun {
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const active: { rule: AnyRule; visitors: PythonVisitors }[] = [];
  const wanted = new Set<string>();

  for (const rule of rules) {
    if (rule.language !== 'python') continue;
    const context: RuleContext<PythonModule> = {
      module,
      report: (r) => findings.push(toFinding(module, rule, r)),
    };
    try {
      const visitors = rule.create(context);
      active.push({ rule, visitors });
      if (visitors.call) wanted.add('call');
      for (const type of Object.keys(visitors.nodes ?? {})) wanted.add(type);
    } catch (error) {
      diagnostics.push(ruleCrash(module.path, rule, error));
    }
  }

  // Subscribers per node type, so each node meets only the handlers that want it.
  type Handler = { rule: AnyRule; run: (node: Node) => void };
  const byType = new Map<string, Handler[]>();
  const subscribe = (type: string, handler: Handler): void => {
    const list = byType.get(type);
    if (list) list.push(handler);
    else byType.set(type, [handler]);
  };
  for (const { rule, visitors } of active) {
    const onCall = visitors.call;
    if (onCall) subscribe('call', { rule, run: (node) => onCall(module.call(node)) });
    for (const [type, handler] of Object.entries(visitors.nodes ?? {})) {
      if (handler) subscribe(type, { rule, run: handler });
    }
  }

  const dispatch = (nodes: readonly Node[], budget: Budget, timeByRule?: Map<string, number>, clock?: () => number): RuleRunResult => {
    const failed = new Set<AnyRule>();
    const timed = <T>(rule: AnyRule, fn: (arg: T) => void, arg: T): void => {
      if (!timeByRule || !clock) return fn(arg);
      const t0 = clock();
      try {
        fn(arg);
      } finally {
        timeByRule.set(rule.id, (timeByRule.get(rule.id) ?? 0) + clock() - t0);
      }
    };
    const guard = (rule: AnyRule, fn: () => void): void => {
      if (failed.has(rule)) return;
      try {
        timed(rule, fn, undefined);
      } catch (error) {
        failed.add(rule);
        diagnostics.push(ruleCrash(module.path, rule, error));
      }
    };

    let visited = 0;
    for (const node of nodes) {
      const handlers = byType.get(node.type);
      if (!handlers) continue;
      if ((++visited & 63) === 0) budget.check('the rules');
      for (const { rule, run } of handlers) {
        if (failed.has(rule)) continue;
        try {
          // No closure here: one capturing `node` costs a context allocation per handler call.
          if (timeByRule) timed(rule, run, node);
          else run(node);
        } catch (error) {
          if (error instanceof BudgetExceeded) throw error;
          failed.add(rule);
          diagnostics.push(ruleCrash(module.path, rule, error));
        }
      }
    }
    for (const { rule, visitors } of active) {
      if (visitors.end) {
        budget.check('the rules');
        const end = visitors.end;
        guard(rule, end);
      }
    }
    return { findings, diagnostics };
  };
  return { wanted, dispatch };
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
