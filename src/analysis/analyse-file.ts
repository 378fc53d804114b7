import { SourceParser } from '../parse/tree-sitter.js';
import type { GrammarId } from '../parse/tree-sitter.js';
import type { Diagnostic, Finding } from '../findings/types.js';
import type { AnyRule } from '../rules/define-rule.js';
import { pythonFrontEnd } from '../frontend/python/index.js';
import { frontEndForPath } from '../frontend/registry.js';
import type { FrontEnd } from '../frontend/types.js';
import { runRules } from './run-rules.js';
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

/** Load the parsers of every front end that reads one of `paths` (Python's, when none does). */
export async function parsersReadyFor(paths: Iterable<string>): Promise<void> {
  const grammars = new Set<GrammarId>([pythonFrontEnd.grammar]);
  for (const p of paths) {
    const fe = frontEndForPath(p);
    if (fe) grammars.add(fe.grammar);
  }
  await Promise.all([...grammars].map(parserFor));
}

/**
 * Parse and analyse one file's decoded text with the front end given (a file's own, by its
 * extension); the parser must be loaded (`parsersReadyFor`).
 */
export function analyseSourceSync(
  frontEnd: FrontEnd<SourceModule>,
  path: string,
  source: string,
  rules: readonly AnyRule[],
  budget: Budget = Budget.none,
  encoding?: HidingDeclaration,
): FileAnalysis & { release(): void } {
  if (frontEnd.language === 'python') return analysePythonSourceSync(path, source, rules, budget, encoding);
  const parser = ready.get(frontEnd.grammar);
  if (!parser) throw new Error(`the ${frontEnd.grammar} parser is not loaded yet`);
  const tree = parser.parse(source, budget);
  let module;
  let result;
  try {
    module = frontEnd.createModule(path, source, tree);
    result = runRules(frontEnd, module, rules, budget);
  } catch (error) {
    tree.delete();
    throw error;
  }
  const { findings, diagnostics } = result;
  const syntax = syntaxErrorDiagnostic(module);
  if (syntax) diagnostics.unshift(syntax);
  return { findings, diagnostics, module, lines: module.lineCount, release: () => tree.delete() };
}

/** `analyseSourceSync` after loading the file's parser. */
export async function analyseSource(path: string, source: string, rules: readonly AnyRule[], budget: Budget = Budget.none): Promise<FileAnalysis & { release(): void }> {
  const frontEnd = frontEndForPath(path);
  if (!frontEnd) throw new Error(`no front end reads ${path}`);
  await parserFor(frontEnd.grammar);
  return analyseSourceSync(frontEnd, path, source, rules, budget);
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
    result = runRules(pythonFrontEnd, module, rules, budget);
  } catch (error) {
    tree.delete();
    throw error;
  }
  const { findings, diagnostics } = result;
  const syntax = syntaxErrorDiagnostic(module);
  if (syntax) diagnostics.unshift(syntax);
  return { findings, diagnostics, module, lines: module.lineCount, release: () => tree.delete() };
}
