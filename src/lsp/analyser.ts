/**
 * What the language server asks of the scanner: the whole workspace from disk (cross-file taint,
 * served by the incremental cache after the first run), or one unsaved buffer on its own. Scans
 * run one at a time; a request made while one runs is answered by the next run.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { scan } from '../api/scan.js';
import type { Diagnostic, Finding, Report } from '../findings/types.js';

export interface AnalyserOptions {
  /** Folder scanned and that settings are discovered from. */
  root: string;
  /** Incremental cache folder; undefined: none. */
  cacheDir?: string;
  jobs: number;
  includeTests?: boolean;
}

/** Findings and scan diagnostics of one file, by its path relative to the root. */
export interface FileResults {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

export class Analyser {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: AnalyserOptions) {}

  /** Path relative to the root with forward slashes, or undefined for a file outside it. */
  relativePath(file: string): string | undefined {
    const rel = relative(this.options.root, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return rel.split(sep).join('/');
  }

  /** Every file's results, from the files as saved on disk. */
  workspace(): Promise<Map<string, FileResults>> {
    return this.serialised(async () => {
      const report = await scan({
        paths: ['.'],
        cwd: this.options.root,
        jobs: this.options.jobs,
        includeTests: this.options.includeTests,
        ...(this.options.cacheDir ? { cache: { dir: this.options.cacheDir } } : {}),
      });
      return byFile(report);
    });
  }

  /** One buffer's results, from its text as it stands (no cross-file flows into or out of it). */
  document(path: string, text: string): Promise<FileResults> {
    return this.serialised(async () => {
      const report = await scan({ paths: ['-'], cwd: this.options.root, stdin: { text, filename: path }, jobs: 1, includeTests: this.options.includeTests });
      return byFile(report).get(path) ?? { findings: [], diagnostics: [] };
    });
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function byFile(report: Report): Map<string, FileResults> {
  const files = new Map<string, FileResults>();
  const entry = (path: string): FileResults => {
    let e = files.get(path);
    if (!e) files.set(path, (e = { findings: [], diagnostics: [] }));
    return e;
  };
  for (const f of report.findings) entry(f.location.path).findings.push(f);
  for (const d of report.diagnostics) if (d.path) entry(d.path).diagnostics.push(d);
  return files;
}
