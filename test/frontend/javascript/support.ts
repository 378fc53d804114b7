import { analyseSource } from '../../../src/analysis/analyse-file.js';
import type { FunctionIR, ModuleIR } from '../../../src/analysis/taint/ir.js';
import { analyseProgram } from '../../../src/analysis/taint/engine.js';
import { loadModels, type ModelSet } from '../../../src/analysis/taint/models.js';
import { javascriptToIR } from '../../../src/frontend/javascript/to-ir.js';
import type { JavaScriptModule } from '../../../src/frontend/javascript/module.js';

let models: ModelSet | undefined;

/** The IR of some JavaScript/TypeScript files (path → text). */
export async function jsIR(files: Record<string, string>): Promise<ModuleIR[]> {
  const out: ModuleIR[] = [];
  for (const [path, text] of Object.entries(files)) {
    const analysis = await analyseSource(path, text, []);
    try {
      out.push(javascriptToIR(analysis.module as JavaScriptModule));
    } finally {
      analysis.release();
    }
  }
  return out;
}

/** The front end's module (imports, comments) of one file. */
export async function jsModule(path: string, text: string): Promise<JavaScriptModule> {
  const analysis = await analyseSource(path, text, []);
  const module = analysis.module as JavaScriptModule;
  module.syntax; // copied into JavaScript before the tree is freed
  analysis.release();
  return module;
}

export interface Flow {
  kind: string;
  /** `path:line` of the sink. */
  sink: string;
  /** `path:line` of the source. */
  source: string;
}

/** Source-to-sink flows the engine finds over the files with the built-in JavaScript models, sorted. */
export async function flows(files: Record<string, string>): Promise<Flow[]> {
  models ??= loadModels([], process.cwd(), undefined, 'javascript');
  const irs = await jsIR(files);
  const result = analyseProgram(irs, models);
  const out = result.sourceHits.map((h) => {
    const first = h.label.steps[0];
    return { kind: h.kind, sink: `${h.sink.path}:${h.sink.span.line}`, source: `${first?.path ?? '?'}:${first?.span.line ?? 0}` };
  });
  return out.sort((a, b) => (a.sink + a.kind < b.sink + b.kind ? -1 : 1));
}

/** Sink lines (`kind@line`) the engine finds in one file. */
export async function sinkLines(text: string, path = 'app.js'): Promise<string[]> {
  return (await flows({ [path]: text })).map((f) => `${f.kind}@${f.sink.split(':')[1]}`);
}

export function fn(module: ModuleIR, qname: string): FunctionIR | undefined {
  return module.functions.find((f) => f.qname === qname);
}
