import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Confidence, Diagnostic, Finding, Report, Severity } from '../findings/types.js';
import { discoverFiles, type DiscoveredFile } from '../discover/discover.js';
import { decodeSource, normaliseLoneCarriageReturns } from '../parse/decode.js';
import { analysePythonSource, pythonParserReady } from '../analysis/analyse-file.js';
import { allRules, findRule } from '../rules/index.js';
import type { AnyRule } from '../rules/define-rule.js';
import { ruleSummary } from '../rules/catalogue-info.js';
import { loadConfig, ConfigError, type ConfigFile } from '../config/config.js';
import { applySuppressions, parseSuppressions, unusedSuppressionDiagnostics } from '../filters/suppressions.js';
import type { PythonModule } from '../frontend/python/index.js';
import { FindingPolicy, compareFindings } from '../filters/policy.js';
import { frontEndForPath, supportedExtensions } from '../frontend/registry.js';
import { VERSION } from '../version.js';
import { pythonToIR } from '../frontend/python/to-ir.js';
import type { ModuleIR } from '../analysis/taint/ir.js';
import { loadModels, ModelError, type SinkKind } from '../analysis/taint/models.js';
import { analyseProgram } from '../analysis/taint/engine.js';
import { taintFindings } from '../analysis/taint/to-findings.js';
import { mergeOverlapping } from '../filters/merge.js';
import type { Suppression } from '../filters/suppressions.js';
import { confidenceRank } from '../findings/types.js';
import { Budget, BudgetExceeded, formatSeconds, formatSize, parseSize } from '../util/budget.js';

/** Files larger than this are skipped (with a `skipped` diagnostic) unless settings say otherwise. */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;
/** Per-file analysis budget (parse, rules, data-flow model), in milliseconds. */
export const DEFAULT_FILE_TIMEOUT_MS = 30_000;

export interface ScanOptions {
  /** Files and folders to scan; `-` reads standard input (see `stdin`). */
  paths: readonly string[];
  /** Folder that paths and config are relative to; default: process.cwd(). */
  cwd?: string;
  /** Explicit settings file; `false` ignores settings files altogether. */
  config?: string | false;
  severity?: Severity;
  confidence?: Confidence;
  enable?: readonly string[];
  disable?: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
  /** Source text for the `-` path. */
  stdin?: { text: string; filename: string };
  reportUnusedSuppressions?: boolean;
  /** Called after each file (for progress bars). */
  onProgress?: (done: number, total: number) => void;
  /** Run exactly these rules (tests, embedding); settings still filter by path. */
  rules?: readonly AnyRule[];
  /** Skip files larger than this many bytes (default: settings `max-file-size`, else 5 MiB). */
  maxFileSize?: number;
  /** Per-file analysis time budget in milliseconds (default: settings `file-timeout`, else 30 s). */
  fileTimeoutMs?: number;
}

export interface ScanResult extends Report {
  /** The settings file used, if any. */
  configSource?: string;
  /** Effective fail-on from settings (the CLI flag overrides it). */
  failOn?: Severity | 'none';
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Everything `scan` needs to decide per file, resolved once. */
interface ScanPlan {
  root: string;
  rules: readonly AnyRule[];
  policy: FindingPolicy;
  /** Rules switched off by settings or flags (per-path overrides may switch them back on). */
  disabled: ReadonlySet<string>;
  config: ConfigFile;
  configSource?: string;
  maxFileSize: number;
  fileTimeoutMs: number;
}

type ReadResult = Buffer | { tooLarge: number };

/** Reads a file unless it is larger than `max` bytes (checked on the open descriptor, before reading). */
async function readLimited(path: string, max: number): Promise<ReadResult> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > max) return { tooLarge: size };
    const bytes = await handle.readFile();
    // The file may have grown between the stat and the read.
    return bytes.length > max ? { tooLarge: bytes.length } : bytes;
  } finally {
    await handle.close();
  }
}

/**
 * The library entry point: discover → parse → front end → rules → suppressions → policy.
 * Throws ConfigError/UsageError when it cannot do its job; per-file problems become
 * diagnostics and never stop the other files.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const plan = makePlan(options);
  const diagnostics: Diagnostic[] = [];
  const { root, config } = plan;

  const inputs: { file: DiscoveredFile; text?: string }[] = [];
  const fsPaths = options.paths.filter((p) => p !== '-');
  if (options.paths.includes('-')) {
    if (!options.stdin) throw new UsageError('`-` given but no standard input text was provided');
    inputs.push({ file: { absPath: resolve(root, options.stdin.filename), path: options.stdin.filename }, text: options.stdin.text });
  }
  if (fsPaths.length > 0) {
    const discovery = await discoverFiles({
      root,
      paths: fsPaths,
      extensions: supportedExtensions,
      include: [...(config.include ?? []), ...(options.include ?? [])],
      exclude: [...(config.exclude ?? []), ...(options.exclude ?? [])],
      respectGitignore: config.gitignore ?? true,
    });
    diagnostics.push(...discovery.diagnostics);
    for (const file of discovery.files) inputs.push({ file });
  }

  let scanned = 0;
  let failedFiles = 0;
  let lines = 0;
  const perFile: FileOutcome[] = [];
  const irs: ModuleIR[] = [];
  const sources = new Map<string, string>();
  const wantTaint = plan.rules.some((r) => r.taint);

  // Reads run a few files ahead of the analysis, so the CPU never waits on the disk.
  const READ_AHEAD = 8;
  const reads = new Map<number, Promise<ReadResult>>();
  const readAt = (i: number): Promise<ReadResult> | undefined => {
    const input = inputs[i];
    if (!input || input.text !== undefined) return undefined;
    let pending = reads.get(i);
    if (!pending) {
      pending = readLimited(input.file.absPath, plan.maxFileSize);
      pending.catch(() => undefined); // handled when awaited in scanOne
      reads.set(i, pending);
    }
    return pending;
  };
  for (const [index, input] of inputs.entries()) {
    for (let ahead = index + 1; ahead <= index + READ_AHEAD; ahead++) readAt(ahead);
    const bytes = readAt(index);
    reads.delete(index);
    const outcome = await scanOne(plan, input.file, input.text, wantTaint, bytes);
    diagnostics.push(...outcome.diagnostics);
    if (outcome.analysed) {
      scanned++;
      lines += outcome.lines;
      perFile.push(outcome);
      if (outcome.ir) irs.push(outcome.ir);
      if (outcome.source !== undefined) sources.set(input.file.path, outcome.source);
    } else failedFiles++;
    options.onProgress?.(index + 1, inputs.length);
  }

  let raw: Finding[] = perFile.flatMap((f) => f.findings);
  if (wantTaint && irs.length > 0) {
    const taintRules = new Map<SinkKind, AnyRule>();
    for (const r of plan.rules) if (r.taint) taintRules.set(r.taint.kind, r);
    let models;
    try {
      models = loadModels(config.models ?? [], root);
    } catch (error) {
      if (error instanceof ModelError) throw new ConfigError(error.line ? `${error.file}:${error.line}` : error.file, error.detail);
      throw error;
    }
    const result = analyseProgram(irs, models);
    const lineOf = (path: string, line: number): string => sources.get(path)?.split(/\r\n|\r|\n/)[line - 1] ?? '';
    const tainted = taintFindings(result, taintRules, lineOf).filter((f) =>
      plan.policy.ruleEnabledFor(f.ruleId, f.location.path, !plan.disabled.has(f.ruleId)),
    );
    raw = mergeOverlapping(raw, tainted, plan.rules);
  }

  // Suppressions apply to pattern and taint findings alike, file by file.
  const findings: Finding[] = [];
  let suppressedCount = 0;
  let belowThreshold = 0;
  const byPath = new Map<string, Finding[]>();
  for (const f of raw) {
    const list = byPath.get(f.location.path) ?? [];
    list.push(f);
    byPath.set(f.location.path, list);
  }
  for (const file of perFile) {
    const { kept, suppressed } = applySuppressions(byPath.get(file.path) ?? [], file.suppressions);
    suppressedCount += suppressed.length;
    if (options.reportUnusedSuppressions) diagnostics.push(...unusedSuppressionDiagnostics(file.path, file.suppressions));
    for (const f of kept) {
      if (plan.policy.meetsThresholds(f)) findings.push(f);
      else belowThreshold++;
    }
  }

  findings.sort(compareFindings);
  diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  const usedRules = new Map<string, AnyRule>();
  for (const f of findings) {
    const rule = findRule(f.ruleId);
    if (rule) usedRules.set(rule.id, rule);
  }
  return {
    schemaVersion: 1,
    tool: { name: 'secreview', version: VERSION },
    root,
    findings,
    diagnostics,
    stats: {
      filesDiscovered: inputs.length,
      filesScanned: scanned,
      filesWithErrors: failedFiles,
      lines,
      durationMs: Math.round(performance.now() - started),
      suppressed: suppressedCount,
      belowThreshold,
    },
    rules: [...usedRules.values()].sort((a, b) => a.id.localeCompare(b.id)).map(ruleSummary),
    configSource: plan.configSource,
    failOn: config['fail-on'],
  };
}

function makePlan(options: ScanOptions): ScanPlan {
  const root = resolve(options.cwd ?? process.cwd());
  const loaded = options.config === false ? { config: {} as ConfigFile } : loadConfig(root, options.config);
  const config = loaded.config;
  const where = loaded.source ?? 'command line';
  const checkIds = (ids: readonly string[] | undefined, origin: string): void => {
    for (const id of ids ?? []) {
      if (!findRule(id)) {
        const message = `unknown rule id \`${id}\` (see \`secreview rules\`)`;
        if (origin === 'command line') throw new UsageError(message);
        throw new ConfigError(origin, message);
      }
    }
  };
  checkIds(config.enable, where);
  checkIds(config.disable, where);
  for (const o of config.overrides ?? []) {
    checkIds(o.enable, where);
    checkIds(o.disable, where);
  }
  checkIds(options.enable, 'command line');
  checkIds(options.disable, 'command line');

  const disabled = new Set([...(config.disable ?? []), ...(options.disable ?? [])]);
  for (const id of [...(config.enable ?? []), ...(options.enable ?? [])]) disabled.delete(id);
  // Overrides may switch a globally disabled rule back on, so every rule stays a candidate
  // and the per-path decision happens in scanOne.
  const policy = new FindingPolicy({
    severity: options.severity ?? config.severity ?? 'medium',
    confidence: options.confidence ?? config.confidence ?? 'medium',
    overrides: config.overrides,
  });
  return {
    root,
    rules: (options.rules ?? allRules).filter((r) => !disabled.has(r.id) || (config.overrides ?? []).some((o) => o.enable?.includes(r.id))),
    policy,
    disabled,
    config,
    configSource: loaded.source,
    maxFileSize: options.maxFileSize ?? (config['max-file-size'] !== undefined ? parseSize(config['max-file-size'])! : DEFAULT_MAX_FILE_SIZE),
    fileTimeoutMs: options.fileTimeoutMs ?? (config['file-timeout'] !== undefined ? config['file-timeout'] * 1000 : DEFAULT_FILE_TIMEOUT_MS),
  };
}

function tooLarge(size: number, max: number): Omit<Diagnostic, 'path' | 'level'> {
  return { kind: 'skipped', message: `skipped: file is ${formatSize(size)}, over the ${formatSize(max)} limit (--max-file-size)` };
}

interface FileOutcome {
  path: string;
  analysed: boolean;
  lines: number;
  /** Pattern findings, before suppressions and thresholds. */
  findings: Finding[];
  diagnostics: Diagnostic[];
  suppressions: Suppression[];
  ir?: ModuleIR;
  source?: string;
}

async function scanOne(
  plan: ScanPlan,
  file: DiscoveredFile,
  givenText: string | undefined,
  wantIR: boolean,
  pendingBytes?: Promise<ReadResult>,
): Promise<FileOutcome> {
  const fail = (d: Omit<Diagnostic, 'path' | 'level'>): FileOutcome => ({
    path: file.path,
    analysed: false,
    lines: 0,
    findings: [],
    diagnostics: [{ ...d, level: 'error', path: file.path }],
    suppressions: [],
  });
  let text = givenText;
  if (text === undefined) {
    let bytes: ReadResult;
    try {
      bytes = await (pendingBytes ?? readLimited(file.absPath, plan.maxFileSize));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const cause =
        code === 'EACCES' ? 'permission denied'
        : code === 'ENOENT' ? 'file vanished during the scan'
        : code === 'EISDIR' ? 'it is a folder'
        : (error as Error).message;
      return fail({ kind: 'read-error', message: `cannot read file: ${cause}` });
    }
    if (!Buffer.isBuffer(bytes)) return fail(tooLarge(bytes.tooLarge, plan.maxFileSize));
    const decoded = decodeSource(bytes);
    if (!decoded.ok) return fail({ kind: decoded.kind, message: decoded.message });
    text = decoded.text;
  } else {
    const size = Buffer.byteLength(text, 'utf8');
    if (size > plan.maxFileSize) return fail(tooLarge(size, plan.maxFileSize));
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  }

  text = normaliseLoneCarriageReturns(text);
  const frontEnd = frontEndForPath(file.path) ?? frontEndForPath(`${file.path}.py`);
  if (!frontEnd || frontEnd.language !== 'python') {
    return fail({ kind: 'skipped', message: 'no front end for this file type' });
  }
  const rules = plan.rules.filter((r) => !r.taint && plan.policy.ruleEnabledFor(r.id, file.path, !plan.disabled.has(r.id)));
  await pythonParserReady(); // loading the grammar is not the file's time
  const budget = new Budget(plan.fileTimeoutMs);
  const overBudget = (error: BudgetExceeded): FileOutcome =>
    fail({ kind: 'skipped', message: `skipped: ${error.message} (--file-timeout ${formatSeconds(error.limitMs)})` });
  let analysis;
  try {
    analysis = await analysePythonSource(file.path, text, rules, budget);
  } catch (error) {
    if (error instanceof BudgetExceeded) return overBudget(error);
    return fail({ kind: 'internal-error', message: `analysis failed: ${(error as Error).message}` });
  }
  try {
    const { suppressions, diagnostics: suppressionDiagnostics } = parseSuppressions(analysis.module, (id) => !!findRule(id));
    let ir: ModuleIR | undefined;
    const diagnostics = [...analysis.diagnostics, ...suppressionDiagnostics];
    if (wantIR) {
      try {
        budget.check('the data-flow model');
        ir = pythonToIR(analysis.module as PythonModule);
        budget.check('the data-flow model');
      } catch (error) {
        if (error instanceof BudgetExceeded) return overBudget(error);
        diagnostics.push({ kind: 'internal-error', level: 'error', path: file.path, message: `data-flow model could not be built: ${(error as Error).message}` });
      }
    }
    return {
      path: file.path,
      analysed: true,
      lines: analysis.lines,
      findings: analysis.findings,
      diagnostics,
      suppressions,
      ir,
      source: wantIR ? text : undefined,
    };
  } finally {
    analysis.release();
  }
}
