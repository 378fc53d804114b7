import { analysePythonSource } from '../../src/analysis/analyse-file.js';
import type { ModuleIR } from '../../src/analysis/taint/ir.js';
import { pythonToIR } from '../../src/frontend/python/to-ir.js';
import type { PythonModule } from '../../src/frontend/python/index.js';

/** The IR of some Python files (path → text), for calling the taint engine directly; fresh objects on every call. */
export async function irOf(files: Record<string, string>): Promise<ModuleIR[]> {
  const out: ModuleIR[] = [];
  for (const [path, text] of Object.entries(files)) {
    const analysis = await analysePythonSource(path, text, []);
    try {
      out.push(pythonToIR(analysis.module as PythonModule));
    } finally {
      analysis.release();
    }
  }
  return out;
}
