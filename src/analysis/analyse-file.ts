import { SourceParser } from '../parse/tree-sitter.js';
import type { GrammarId } from '../parse/tree-sitter.js';
import type { Diagnostic, Finding } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';
import { pythonFrontEnd } from '../frontend/python/index.js';
import { runPythonRules } from './run-rules.js';
import { syntaxErrorDiagnostic } from './syntax-errors.js';
import type { SourceModule } from '../frontend/types.js';
import { Budget } from '../util/budget.js';
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

function parserFor(grammar: GrammarId): Promise<SourceParser> {
  let p = parsers.get(grammar);
  if (!p) {
    p = SourceParser.create(grammar);
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
  const parser = await parserFor(pythonFrontEnd.grammar);
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
