import { SourceParser } from '../parse/tree-sitter.js';
import type { GrammarId } from '../parse/tree-sitter.js';
import type { Diagnostic, Finding } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';
import { pythonFrontEnd } from '../frontend/python/index.js';
import { runPythonRules } from './run-rules.js';
import { syntaxErrorDiagnostic } from './syntax-errors.js';
import type { SourceModule } from '../frontend/types.js';
import { Budget } from '../scheduling/budget.js';
import type { HidingDeclaration } from '../parse/decode.js';

export interface FileAnalysis {
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Comments, for the suppression filter. */
  module: SourceModule;
  lines: number;
}

/** Parsers are reused across files; one per grammar per thread. */
const parsers = new Map<GrammarId, Promise<SourceParser>>();

/** The parsers loaded so far, for synchronous use (see `analysePythonSourceSync`). */
const ready = new Map<GrammarId, SourceParser>();

function parserFor(grammar: GrammarId): Promise<SourceParser> {
  let p = parsers.get(grammar);
  if (!p) {
    p = SourceParser.create(grammar).then((parser) => {
      ready.set(grammar, parser);
      return parser;
    });
    parsers.set(grammar, p);
  }
  return p;
}

/** Load the parser (WASM runtime and grammar) ahead of time, e.g. before a time budget starts. */
export async function pythonParserReady(): Promise<void> {
  await parserFor(pythonFrontEnd.grammar);
}

/**
 * Parse and analyse one file's decoded text. The caller deletes nothing: the tree is freed
 * through `release()` once the caller is done with the module.
 */
export async function analysePythonSource(
  path: string,
  source: string,
  rules: readonly AnyRule[],
  budget: Budget = Budget.none,
  encoding?: HidingDeclaration,
): Promise<FileAnalysis & { release(): void }> {
  return analyseWith(await parserFor(pythonFrontEnd.grammar), path, source, rules, budget, encoding);
}

/**
 * `analysePythonSource` once the parser is loaded (`pythonParserReady`), for callers that cannot
 * wait (re-analysing a file whose cached outcome failed, in the middle of the taint run).
 */
export function analysePythonSourceSync(
  path: string,
  source: string,
  rules: readonly AnyRule[],
  budget: Budget = Budget.none,
  encoding?: HidingDeclaration,
): FileAnalysis & { release(): void } {
  const parser = ready.get(pythonFrontEnd.grammar);
  if (!parser) throw new Error('the Python parser is not loaded yet');
  return analyseWith(parser, path, source, rules, budget, encoding);
}

function analyseWith(
  parser: SourceParser,
  path: string,
  source: string,
  rules: readonly AnyRule[],
  budget: Budget,
  encoding: HidingDeclaration | undefined,
): FileAnalysis & { release(): void } {
  const tree = parser.parse(source, budget);
  let module;
  let result;
  try {
    module = pythonFrontEnd.createModule(path, source, tree);
    if (encoding) module.sourceEncoding = encoding;
    result = runPythonRules(pythonFrontEnd, module, rules, budget);
  } catch (error) {
    tree.delete();
    throw error;
  }
  const { findings, diagnostics } = result;
  const syntax = syntaxErrorDiagnostic(module);
  if (syntax) diagnostics.unshift(syntax);
  return { findings, diagnostics, module, lines: module.lineCount, release: () => tree.delete() };
}
