import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Confidence, Diagnostic, Finding, Report, Severity } from '../findings/types.js';
import { discoverFiles, type DiscoveredFile } from '../discover/discover.js';
import { findRule } from '../rules/index.js';
import type { AnyRule } from '../rules/define-rule.js';
import { ruleSummary } from '../rules/catalogue-info.js';
import { ConfigError, type ConfigFile } from '../config/config.js';
import { UsageError } from './errors.js';
import { SettingsPlan, type SettingsFlags } from './settings-plan.js';
import { applySuppressions, unqualifiedSuppressionDiagnostics, unusedSuppressionDiagnostics } from '../filters/suppressions.js';
import { meaningfulInTests } from '../filters/test-code.js';
import { compareFindings } from '../filters/policy.js';
import { frontEndForPath, supportedExtensions } from '../frontend/registry.js';
import { VERSION } from '../version.js';
import { loadModels, ModelError, type ModelSet, type SinkKind } from '../analysis/taint/models.js';
import { NO_EXTRA_MODELS, extraModelsDigest, sortExtraModels, type ExtraModels } from '../analysis/extra-models.js';
import { analyseProgram, type TaintResult } from '../analysis/taint/engine.js';
import { moduleFingerprint, type MemoFile } from '../analysis/taint/replay.js';
import { readMemo } from '../analysis/taint/memo-codec.js';
import { moduleFromShape, type Deferred } from '../analysis/taint/shapes.js';
import { moduleNameForPath } from '../frontend/python/module-names.js';
import { jsModuleNameForPath } from '../frontend/javascript/module.js';
import { reachedByImports } from '../analysis/taint/import-reach.js';
import { taintFindings } from '../analysis/taint/to-findings.js';
import { mergeOverlapping } from '../filters/merge.js';
import { formatSize, parseSize } from '../scheduling/budget.js';
import { failedMeta, FileResult, outcomeSections, languageTableFor, type FileMeta, type LanguageTable } from '../workers/file-job.js';
import { FilePool, MIN_FILES_FOR_WORKERS } from '../workers/pool.js';
import { analyseFiles, type Loaded } from './file-stage.js';
import { parsersReadyFor } from '../analysis/analyse-file.js';
import { checkFileMeta, checkFindings, checkList } from '../cache/entry-checks.js';
import { cacheFolderProblem as permissionProblem } from '../cache/cache-permissions.js';
import type { ModuleIR } from '../analysis/taint/ir.js';
import { FORMAT as CACHE_FORMAT, ScanCache, modelMemo, type CacheLog } from '../cache/scan-cache.js';
import { cacheFolderProblem as specialFolderProblem } from '../cache/cache-folder.js';
import { readStreamLimited, type StdinInput } from './stdin.js';
import { startConcurrency, type ConcurrencyStage } from './concurrency-stage.js';
import { TEMPLATE_GLOBS, isTemplatePath } from '../frontend/templates/lookup.js';
import { loadTemplates, type LoadedTemplates } from '../frontend/templates/load.js';
import { attachCacheWrites, attachConcurrency } from './analysis-results.js';

/** Files larger than this are skipped (with a `skipped` diagnostic) unless settings say otherwise. */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;
/** Per-file analysis budget (parse, rules, data-flow model), in milliseconds. */
export const DEFAULT_FILE_TIMEOUT_MS = 30_000;
/** A run that replayed at least this share of its analyses keeps the records it replayed from. */
const REPLAYED_ENOUGH = 0.9;

/** `files`: each file is parsed and its rules run; `cross-file`: the whole-program data-flow pass. */
export type ScanStage = 'files' | 'cross-file';

export interface ScanOptions {
  /** Files and folders to scan; `-` reads standard input (see `stdin`). */
  paths: readonly string[];
  /** Folder that paths and config are relative to; default: process.cwd(). */
  cwd?: string;
  /**
   * Explicit settings file for every scanned file (relative paths in it from `cwd`); `false` ignores
   * settings files altogether; undefined: each file's nearest settings file (api/settings-plan.ts).
   */
  config?: string | false;
  /** Bounds of the settings search (a diff checkout), or the tree its settings files are read from. */
  settingsDiscovery?: SettingsFlags['discovery'];
  severity?: Severity;
  confidence?: Confidence;
  /** Run only these rules: rule ids or `CWE-<n>` (default: settings `select`, else every rule). */
  select?: readonly string[];
  enable?: readonly string[];
  disable?: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
  /**
   * Source for the `-` path: its text, or a stream of its bytes, read up to `maxFileSize` (past
   * it, reading stops and the input is skipped as an oversized file is).
   */
  stdin?: StdinInput;
  reportUnusedSuppressions?: boolean;
  /**
   * Show every finding in test code (settings `tests: show`). By default findings there are
   * shown only for rules meaningful in tests and the others are counted (`stats.hiddenInTests`).
   */
  includeTests?: boolean;
  /** `false`: ignore `# nosec`, `# noqa: S…`, `# nosemgrep` (settings `foreign-suppressions`). */
  foreignSuppressions?: boolean;
  /** Called after each file (for progress bars). */
  onProgress?: (done: number, total: number) => void;
  /** Called when a stage starts, with how many files or modules it covers (for progress lines). */
  onStage?: (stage: ScanStage, count: number) => void;
  /** Run exactly these rules (tests, embedding); settings still filter by path. */
  rules?: readonly AnyRule[];
  /** Skip files larger than this many bytes (default: settings `max-file-size`, else 5 MiB). */
  maxFileSize?: number;
  /** Per-file analysis time budget in milliseconds (default: settings `file-timeout`, else 30 s). */
  fileTimeoutMs?: number;
  /**
   * Threads for the per-file stages, the main thread included: N - 1 workers beside it
   * (default 1: inline only). The CLI passes the number of cores. The report is the same
   * whatever the number.
   */
  jobs?: number;
  /**
   * Reuse and store per-file outcomes and whole-program results in this folder (default: no
   * cache). `log` hears of every entry found damaged and ignored (the CLI's `--verbose`).
   */
  cache?: {
    dir: string;
    log?: (message: string) => void;
    /**
     * Return the report before the cache's last writes are done (the run entry, the replay
     * records, the files' entries the workers are still writing): `cacheWritesOf(report)` does
     * them, and the caller awaits it before it exits. The CLI shows the report first this way.
     */
    afterReport?: boolean;
  };
}

export interface ScanResult extends Report {
  /** The settings file used, if any. */
  configSource?: string;
  /** Effective fail-on from settings (the CLI flag overrides it). */
  failOn?: Severity | 'none';
  /** How the incremental cache served this run, when one was asked for (not part of reports). */
  cache?: { dir: string; hits: number; misses: number; rejected: number; error?: string };
}

export { UsageError };

/** Everything `scan` needs to decide per file, resolved once. */
interface ScanPlan {
  root: string;
  /** The rules some file's settings may run (known once every input has been looked up). */
  rules: readonly AnyRule[];
  /** Per file: which settings govern it, and so its rules, thresholds and test code. */
  settings: SettingsPlan;
  /** The run's settings (run-wide keys: models, sizes, gitignore, fail-on). */
  config: ConfigFile;
  configSource?: string;
  /** The `models:` setting's files by kind, checked (src/analysis/extra-models.ts). */
  extraModels: ExtraModels;
  /** The folder the run's settings file's relative paths (models) start from. */
  configDir: string;
  maxFileSize: number;
  fileTimeoutMs: number;
}

type ReadResult = Buffer | { tooLarge: number };

/** Reads a file unless it is larger than `max` bytes (checked on the open descriptor, before reading). */
function readLimited(path: string, max: number): ReadResult {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > max) return { tooLarge: size };
    const bytes = readFileSync(fd);
    // The file may have grown between the stat and the read.
    return bytes.length > max ? { tooLarge: bytes.length } : bytes;
  } finally {
    closeSync(fd);
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

  const inputs: Input[] = [];
  const fsPaths = options.paths.filter((p) => p !== '-');
  if (options.paths.includes('-')) {
    const stdin = options.stdin;
    if (!stdin) throw new UsageError('`-` given but no standard input text was provided');
    const file = { absPath: resolve(root, stdin.filename), path: stdin.filename };
    if ('text' in stdin) inputs.push({ file, text: stdin.text });
    else {
      let read: Buffer | { tooLarge: number };
      try {
        read = await readStreamLimited(stdin.stream, plan.maxFileSize);
      } catch (error) {
        throw new UsageError(`cannot read standard input: ${(error as Error).message}`);
      }
      inputs.push(Buffer.isBuffer(read) ? { file, bytes: read } : { file, overLimit: read.tooLarge });
    }
  }
  // Templates are read for one purpose: the XSS rule's render sinks (frontend/templates/). The
  // rules of the scopes known so far (the run's settings) decide; plan.rules is set below.
  const wantTemplates = plan.settings.rules().some((r) => r.taint?.kind === 'xss');
  let templates: LoadedTemplates | undefined;
  if (fsPaths.length > 0) {
    const discovery = await discoverFiles({
      ...(wantTemplates ? { extra: { globs: TEMPLATE_GLOBS, accept: isTemplatePath } } : {}),
      root,
      paths: fsPaths,
      extensions: supportedExtensions,
      include: [...(options.include ?? [])],
      exclude: [...(options.exclude ?? [])],
      respectGitignore: config.gitignore ?? true,
      keep: (path) => plan.settings.keeps(path),
    });
    diagnostics.push(...discovery.diagnostics);
    for (const file of discovery.files) inputs.push({ file });
    if (discovery.extra.length > 0) {
      templates = loadTemplates(discovery.extra, plan.maxFileSize);
      diagnostics.push(...templates.diagnostics);
    }
  }
  const templateIndex = templates && templates.index.size > 0 ? templates.index : undefined;
  // Every input's settings are known now: the rules some of them run, and what was said of the settings.
  for (const input of inputs) plan.settings.scopeFor(input.file.path);
  plan.rules = plan.settings.rules();
  diagnostics.push(...plan.settings.diagnostics, ...plan.settings.unmatchedPatterns());

  const wantTaint = plan.rules.some((r) => r.taint);
  // A folder that cannot hold the cache (procfs, a device, a FIFO…) is refused before anything
  // touches it; one someone else owns or may write to is not read at all (cache-permissions.ts).
  const cacheDir = options.cache ? resolve(root, options.cache.dir) : undefined;
  const special = cacheDir !== undefined ? specialFolderProblem(cacheDir) : undefined;
  const refused =
    cacheDir === undefined ? undefined : special !== undefined ? `cannot use cache folder ${cacheDir}: ${special}` : permissionProblem(cacheDir, CACHE_FORMAT);
  const useCache = cacheDir !== undefined && refused === undefined;
  let memoRejected = 0;
  const memoLog = (message: string): void => {
    memoRejected++;
    options.cache?.log?.(message);
  };
  let models: ModelSet | undefined;
  /** The JavaScript/TypeScript models, when the scan reads such files (models/javascript/). */
  let jsModels: ModelSet | undefined;
  if (wantTaint) {
    try {
      models = loadModels(plan.extraModels.taint, root, useCache ? modelMemo(cacheDir, memoLog) : undefined);
      if (inputs.some((i) => frontEndForPath(i.file.path)?.language === 'javascript')) {
        jsModels = loadModels(plan.extraModels.taint, root, useCache ? modelMemo(cacheDir, memoLog) : undefined, 'javascript');
      }
    } catch (error) {
      if (error instanceof ModelError) throw new ConfigError(error.line ? `${error.file}:${error.line}` : error.file, error.detail);
      throw error;
    }
  }

  // Workers and the cache find rules by id: rules given as objects that are not the registered
  // ones (tests, embedding) run inline and uncached.
  const registered = plan.rules.every((r) => findRule(r.id) === r);
  let cache: ScanCache | undefined;
  let cacheError: string | undefined = refused;
  if (useCache && registered) {
    try {
      cache = openCache(cacheDir, plan, models, options.cache!.log, jsModels);
    } catch (error) {
      // A cache that cannot be used only costs speed; the caller may say so.
      cacheError = `cannot use cache folder ${cacheDir}: ${(error as Error).message}`;
    }
  }
  // Workers take a third of a second to start: started now, they are ready once the files are
  // read. Not when a run entry may answer the whole run (nothing to analyse), nor for a few files.
  const jobs = registered ? (options.jobs ?? 1) : 1;
  const workers = jobs > 1 && inputs.length >= MIN_FILES_FOR_WORKERS && !cache?.holdsRunEntries() ? new FilePool(jobs - 1) : undefined;
  const loaded = readInputs(plan, inputs);
  const keys = loaded.map((l, i) => (cache && 'content' in l ? cache.fileKey(inputs[i]!.file.path, l.content) : undefined));
  // The same files with the same settings were scanned before: take that run's results whole,
  // without reading a single per-file entry. Only runs where every file could be cached are kept.
  // Templates are part of a run's inputs: an edited template is another run.
  const templateKeys = cache && templates ? [...templates.texts].map(([path, text]) => cache!.fileKey(path, text)) : [];
  const runKey = cache && keys.every((k): k is string => k !== undefined) ? cache.programKey([...keys, ...templateKeys]) : undefined;
  const previous = runKey ? await cache!.getProgram<RunEntry>(runKey, (entry) => runEntryProblem(entry, inputs)) : undefined;
  let metas: FileMeta[];
  let memoWrite: Promise<void> | undefined;
  let tainted: Finding[] | undefined;
  // Request-handler decorators of the taint models mark the concurrency analysis's entry points.
  const handlerDecorators = (): string[] => (models ?? loadModelsFor(plan, options)).handlers.map((h) => h.decorator);
  let concurrencyRun: ConcurrencyStage | undefined;
  /** The cache's writes of this run that are left when the report is ready (its entries are made by then). */
  let branchWrites: (() => Promise<void>) | undefined;
  if (previous) {
    void workers?.close();
    metas = previous.metas;
    tainted = previous.tainted;
    options.onProgress?.(inputs.length, inputs.length);
  } else {
    // The previous run's taint records, read while the files are analysed (see taint/replay.ts).
    // Views that render templates were analysed with them: records are kept per set of templates.
    const variant = templateIndex?.fingerprint;
    const memoRead = cache && wantTaint ? cache.getReplayRecords(variant) : undefined;
    let language: LanguageTable | undefined;
    try {
      language = wantTaint ? await languageTableFor(inputs.map((i) => i.file.path)) : undefined;
      // A cached outcome that turns out unusable is replaced by a fresh analysis, on the spot.
      if (cache) await parsersReadyFor(inputs.map((i) => i.file.path));
    } catch (error) {
      void workers?.close();
      throw error;
    }
    // From here on, the file stage owns the workers.
    const stage = await analyseFiles(plan, inputs, loaded, keys, wantTaint, {
      jobs,
      cache,
      language,
      onProgress: options.onProgress,
      ...(workers ? { workers } : {}),
    });
    const { results: files, written } = stage;
    try {
      const stored = await memoRead;
      const unpacked = stored === undefined ? undefined : readMemo(stored);
      if (typeof unpacked === 'string') await cache!.rejectReplayRecords(unpacked, variant);
      const memo = typeof unpacked === 'string' ? undefined : unpacked;
      // IRs of files that came from the cache are built now (fresh ones were built on arrival),
      // except those the replay records know with this very source: they enter the program as
      // shapes, and are built only if one of their analyses cannot be replayed.
      const deferred = new Map<ModuleIR, Deferred>();
      const shapes = memo ? new Map(memo.modules.map((path, i) => [path, i])) : undefined;
      // Recording for replay costs a good part of a taint pass. A cold cache (no records, no file
      // from the cache) is not recorded: its file entries are written, and the next run that finds
      // them records. Asked before the IRs are built, which ends `deferrable`.
      const record = cache !== undefined && (memo !== undefined || files.some((f) => f.fromCache && f.deferrable));
      const irOf = (f: FileResult): ModuleIR | undefined => {
        const build = (): ModuleIR | undefined => f.takeIR(language!, plan.fileTimeoutMs);
        const python = frontEndForPath(f.meta.path)?.language !== 'javascript';
        return (python && f.deferrable && shapes ? shapeFor(f, memo!, shapes, deferred, build) : undefined) ?? build();
      };
      // Test code whose findings are hidden is not part of the product's data flow: it enters the
      // program only where the rest imports it (a flow that starts in a test is no defect of the
      // product, and a function only tests call is, for the product, called from outside).
      const hiddenTests = language ? files.map((f) => plan.settings.hidesTestFindings(f.meta.path)) : [];
      const irs = language ? files.map((f, i) => (hiddenTests[i] ? undefined : irOf(f))) : [];
      if (language) {
        const tests = files.flatMap((f, i) => (f.hasIR && hiddenTests[i] ? [i] : []));
        const roots = irs.filter((ir): ir is ModuleIR => ir !== undefined);
        const reached = reachedByImports(roots, tests.map((i) => dataFlowModuleName(files[i]!.meta.path)), (n) => irOf(files[tests[n]!]!));
        for (const [n, ir] of reached) irs[tests[n]!] = ir;
        tests.forEach((i, n) => {
          if (!reached.has(n)) files[i]!.dropTree();
        });
      }
      const withIR = files.filter((_, i) => irs[i] !== undefined);
      // The concurrency step runs on a worker meanwhile, from the facts of the files as they stand
      // now; a module the taint pass builds from the replay records may still change its file's outcome.
      if (stage.workers && deferred.size === 0) {
        concurrencyRun = startConcurrency(plan.rules, files.map((f) => f.meta).filter((m) => m.analysed), handlerDecorators, plan.extraModels.concurrency, stage.workers);
      }
      if (wantTaint && models && withIR.length > 0) {
        const taintRules = new Map<SinkKind, AnyRule>();
        const jsTaintRules = new Map<SinkKind, AnyRule>();
        for (const r of plan.rules) if (r.taint) (r.language === 'javascript' ? jsTaintRules : taintRules).set(r.taint.kind, r);
        // Each language is its own program with its own models: JavaScript modules never call Python ones.
        const isJs = (ir: ModuleIR): boolean => frontEndForPath(ir.path)?.language === 'javascript';
        const jsProgram = irs.filter((ir): ir is ModuleIR => ir !== undefined && isJs(ir));
        const program = irs.filter((ir): ir is ModuleIR => ir !== undefined && !isJs(ir));
        const renderSinks = templateIndex && models.renders.length > 0 ? { models: models.renders, lookup: templateIndex.lookup } : undefined;
        options.onStage?.('cross-file', program.length);
        let result: TaintResult;
        try {
          result = analyseProgram(program, models, { record, memo, deferred, renderSinks });
        } catch (error) {
          // Records that passed their checks yet do not hold together (a forged entry): the run
          // without them gives the same result, only slower.
          if (!memo) throw error;
          await cache!.rejectReplayRecords(`the taint run failed on them (${(error as Error).message})`, variant);
          // Modules that entered as the records' shapes hold what the records said: built afresh.
          const rebuilt = irs.map((ir, i) => (ir && deferred.has(ir) ? files[i]!.freshIR() : ir));
          result = analyseProgram(rebuilt.filter((ir): ir is ModuleIR => ir !== undefined), models, { record: true, renderSinks });
        }
        // Records are written when most of this run's analyses were not replayed: a few edits since
        // the last records cost only re-running what they touch.
        if (result.memo && result.stats.replayed < REPLAYED_ENOUGH * result.stats.analyses) memoWrite = cache!.putReplayRecords(result.memo(), variant);
        const sources = new Map(withIR.map((f) => [f.meta.path, f.source]));
        for (const [path, text] of templates?.texts ?? []) if (!sources.has(path)) sources.set(path, text);
        const lineOf = (path: string, line: number): string => sources.get(path)?.split(/\r\n|\r|\n/)[line - 1] ?? '';
        tainted = taintFindings(result, taintRules, lineOf);
        if (jsProgram.length > 0 && jsModels && jsTaintRules.size > 0) {
          // Not recorded for replay yet: the records number the modules of one program.
          tainted.push(...taintFindings(analyseProgram(jsProgram, jsModels), jsTaintRules, lineOf));
        }
        tainted = tainted.filter((f) => plan.settings.ruleEnabledFor(f.ruleId, f.location.path));
      }
      // The pattern findings of the files whose rules ran on a worker during the taint run.
      await stage.lateRules;
      // After the taint run: building a module it deferred may have failed and said so in the file's outcome.
      metas = files.map((f) => f.meta);
      const done = { metas, tainted };
      branchWrites = async (): Promise<void> => {
        // Files analysed again because their cached outcome could not be used: their new entries.
        if (cache) {
          await Promise.all(files.map((f, i) => (f.renewed && f.renewed.meta.cacheable && keys[i] ? cache!.putFile(keys[i]!, outcomeSections(f.renewed)) : undefined)));
        }
        if (runKey && done.metas.every((m) => m.cacheable)) await cache!.putProgram(runKey, done satisfies RunEntry);
        await memoWrite;
        // The files' entries, written by the workers during the taint pass (see api/file-stage.ts).
        await written;
      };
    } finally {
      // The workers close once their last task has settled, whatever becomes of the scan.
      void Promise.all([written, stage.lateRules.catch(() => undefined), concurrencyRun?.findings.catch(() => undefined)]).then(() => stage.workers?.close());
    }
  }
  let cacheWrites: Promise<void> | undefined;
  const finishCache = (): Promise<void> =>
    (cacheWrites ??= (async () => {
      await branchWrites?.();
      try {
        cache?.prune();
      } catch {
        // a cache folder that cannot be swept only grows
      }
    })());
  if (!options.cache?.afterReport) await finishCache();

  let scanned = 0;
  let failedFiles = 0;
  let lines = 0;
  const perFile: FileMeta[] = [];
  for (const meta of metas) {
    diagnostics.push(...meta.diagnostics);
    if (meta.analysed) {
      scanned++;
      lines += meta.lines;
      perFile.push(meta);
    } else failedFiles++;
  }
  let raw: Finding[] = perFile.flatMap((f) => f.findings);
  if (tainted) raw = mergeOverlapping(raw, tainted, plan.rules);
  // The concurrency analysis runs on every scan from the files' facts (cached with them).
  concurrencyRun ??= startConcurrency(plan.rules, perFile, handlerDecorators, plan.extraModels.concurrency);
  const concurrent = await concurrencyRun.findings;
  for (const f of concurrent) if (plan.settings.ruleEnabledFor(f.ruleId, f.location.path)) raw.push(f);

  // Suppressions apply to pattern and taint findings alike, file by file.
  const findings: Finding[] = [];
  let suppressedCount = 0;
  let belowThreshold = 0;
  let hiddenInTests = 0;
  let suppressedUnqualified = 0;
  const ruleById = new Map(plan.rules.map((r) => [r.id, r]));
  const byPath = new Map<string, Finding[]>();
  for (const f of raw) {
    const list = byPath.get(f.location.path) ?? [];
    list.push(f);
    byPath.set(f.location.path, list);
  }
  for (const file of perFile) {
    const foreign = { foreign: plan.settings.foreignSuppressions(file.path) };
    const { kept, suppressed, unqualified } = applySuppressions(byPath.get(file.path) ?? [], file.suppressions, foreign);
    suppressedCount += suppressed.length;
    for (const u of unqualified) suppressedUnqualified += u.findings.length;
    diagnostics.push(...unqualifiedSuppressionDiagnostics(file.path, unqualified));
    if (options.reportUnusedSuppressions) diagnostics.push(...unusedSuppressionDiagnostics(file.path, file.suppressions, foreign));
    // Test code is analysed like the rest (it feeds the data flow); what is shown there is decided here.
    const inTestCode = plan.settings.hidesTestFindings(file.path);
    for (const f of kept) {
      if (!plan.settings.meetsThresholds(f)) belowThreshold++;
      else if (inTestCode && !meaningfulInTests(f, ruleById.get(f.ruleId)?.inTests ?? findRule(f.ruleId)?.inTests)) hiddenInTests++;
      else findings.push(f);
    }
  }

  // Findings located in a template (the unescaped output a view's data reaches): no suppression
  // comments are read there; thresholds and the test-code policy apply as elsewhere.
  const analysedPaths = new Set(perFile.map((f) => f.path));
  for (const [path, list] of byPath) {
    if (analysedPaths.has(path) || !templates?.texts.has(path)) continue;
    const inTestCode = plan.settings.hidesTestFindings(path);
    for (const f of list) {
      if (!plan.settings.meetsThresholds(f)) belowThreshold++;
      else if (inTestCode && !meaningfulInTests(f, ruleById.get(f.ruleId)?.inTests ?? findRule(f.ruleId)?.inTests)) hiddenInTests++;
      else findings.push(f);
    }
  }

  findings.sort(compareFindings);
  diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  const usedRules = new Map<string, AnyRule>();
  for (const f of findings) {
    const rule = findRule(f.ruleId);
    if (rule) usedRules.set(rule.id, rule);
  }
  const report: ScanResult = {
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
      ...(templates && templates.texts.size > 0 ? { templatesRead: templates.texts.size } : {}),
      ...(hiddenInTests > 0 ? { hiddenInTests } : {}),
      ...(suppressedUnqualified > 0 ? { suppressedUnqualified } : {}),
    },
    rules: [...usedRules.values()].sort((a, b) => a.id.localeCompare(b.id)).map(ruleSummary),
    configSource: plan.configSource,
    failOn: config['fail-on'],
    cache: cacheDir !== undefined ? { dir: cacheDir, hits: cache?.hits ?? 0, misses: cache?.misses ?? 0, rejected: (cache?.rejected ?? 0) + memoRejected, error: cacheError } : undefined,
  };
  // The LLM second opinion reads the shared state, locks and entry points from the same analysis.
  if (options.cache?.afterReport) attachCacheWrites(report, finishCache);
  return concurrencyRun.analysis ? attachConcurrency(report, concurrencyRun.analysis) : report;
}

/** The taint models (their request-handler decorators mark concurrent entry points), when the taint rules did not load them. */
function loadModelsFor(plan: ScanPlan, options: ScanOptions): ModelSet {
  try {
    return loadModels(plan.extraModels.taint, plan.root, options.cache ? modelMemo(resolve(plan.root, options.cache.dir)) : undefined);
  } catch (error) {
    if (error instanceof ModelError) throw new ConfigError(error.line ? `${error.file}:${error.line}` : error.file, error.detail);
    throw error;
  }
}

function makePlan(options: ScanOptions): ScanPlan {
  const root = resolve(options.cwd ?? process.cwd());
  const { config: explicit, severity, confidence, select, enable, disable, includeTests, foreignSuppressions, rules } = options;
  const settings = new SettingsPlan(
    root,
    options.paths,
    { config: explicit, severity, confidence, select, enable, disable, includeTests, foreignSuppressions, rules, discovery: options.settingsDiscovery },
    options.stdin?.filename,
  );
  const config = settings.run.config;
  return {
    root,
    rules: [],
    settings,
    config,
    configSource: settings.run.source,
    configDir: settings.run.dir,
    extraModels: extraModelsOf(config, settings.run.dir),
    maxFileSize: options.maxFileSize ?? (config['max-file-size'] !== undefined ? parseSize(config['max-file-size'])! : DEFAULT_MAX_FILE_SIZE),
    fileTimeoutMs: options.fileTimeoutMs ?? (config['file-timeout'] !== undefined ? config['file-timeout'] * 1000 : DEFAULT_FILE_TIMEOUT_MS),
  };
}

/** The `models:` setting sorted by kind and checked; a bad file is a ConfigError naming it and the line (exit 2). */
function extraModelsOf(config: ConfigFile, base: string): ExtraModels {
  if (!config.models?.length) return NO_EXTRA_MODELS;
  try {
    return sortExtraModels(config.models, base);
  } catch (error) {
    if (error instanceof ModelError) throw new ConfigError(error.line ? `${error.file}:${error.line}` : error.file, error.detail);
    throw error;
  }
}

function tooLarge(size: number, max: number): Omit<Diagnostic, 'path' | 'level'> {
  return { kind: 'skipped', message: `skipped: file is ${formatSize(size)}, over the ${formatSize(max)} limit (--max-file-size)` };
}

function openCache(dir: string, plan: ScanPlan, models: ModelSet | undefined, log: CacheLog | undefined, jsModels?: ModelSet): ScanCache {
  // Everything besides a file's own path and content that decides its outcome.
  return ScanCache.open(dir, {
    settings: plan.settings.fingerprint(),
    rules: plan.rules.map((r) => r.id),
    maxFileSize: plan.maxFileSize,
    fileTimeoutMs: plan.fileTimeoutMs,
    models: models ?? null,
    // Only scans that read JavaScript have these (Python-only scans keep their keys).
    ...(jsModels ? { javascriptModels: jsModels } : {}),
    extraModels: extraModelsDigest(plan.extraModels),
  }, log);
}

/** A file's module name as its front end's IR names it. */
function dataFlowModuleName(path: string): string {
  return frontEndForPath(path)?.language === 'javascript' ? jsModuleNameForPath(path) : moduleNameForPath(path);
}

/** A file the replay records know with the same source, as a module shape (see taint/shapes.ts). */
function shapeFor(f: FileResult, memo: MemoFile, index: ReadonlyMap<string, number>, deferred: Map<ModuleIR, Deferred>, build: () => ModuleIR | undefined): ModuleIR | undefined {
  const path = f.meta.path;
  const at = index.get(path);
  if (at === undefined || f.source === undefined) return undefined;
  const fingerprint = moduleFingerprint({ path, moduleName: moduleNameForPath(path), spans: { source: f.source } });
  if (fingerprint !== memo.fingerprints[at]) return undefined;
  // The taint run lowers Python files only (see pythonLanguageInfo above).
  const shaped = moduleFromShape(memo.moduleShapes[at]!, path, f.source, fingerprint, build, 'python');
  deferred.set(shaped.module, shaped.deferred);
  return shaped.module;
}

/** What a whole run left in the cache: every file's outcome and the taint engine's findings. */
interface RunEntry {
  metas: FileMeta[];
  tainted?: Finding[];
}

/** What is wrong with a decoded run entry for these inputs (undefined: nothing). */
function runEntryProblem(entry: unknown, inputs: readonly { file: DiscoveredFile }[]): string | undefined {
  const e = entry as Partial<RunEntry> | null;
  if (typeof e !== 'object' || e === null || !Array.isArray(e.metas)) return 'not a run entry';
  if (e.metas.length !== inputs.length) return `${e.metas.length} file outcomes for ${inputs.length} files`;
  const problem = checkList(e.metas, checkFileMeta, 'outcomes');
  if (problem) return problem;
  const moved = e.metas.findIndex((m, i) => m.path !== inputs[i]!.file.path);
  if (moved >= 0) return `outcome ${moved} is of another file`;
  return e.tainted === undefined || checkFindings(e.tainted) ? undefined : 'its taint findings are not findings';
}

/** A file to scan; for standard input, what was given or read (its bytes, or that it passed the limit). */
interface Input {
  file: DiscoveredFile;
  text?: string;
  bytes?: Buffer;
  overLimit?: number;
}

function failedRead(path: string, d: Omit<Diagnostic, 'path' | 'level'>): { failed: FileMeta } {
  return { failed: failedMeta(path, d, false) };
}

/**
 * Reads every input, applying the size limit; a failure becomes the file's outcome. Synchronous
 * reads: for thousands of small files the thread-pool round trips of asynchronous ones cost
 * more than the reads themselves, and nothing else runs meanwhile.
 */
function readInputs(plan: ScanPlan, inputs: readonly Input[]): Loaded[] {
  const readOne = (index: number): Loaded => {
    const { file, text, bytes: given, overLimit } = inputs[index]!;
    if (given) return { content: given };
    if (overLimit !== undefined) return failedRead(file.path, { kind: 'skipped', message: `skipped: file is over the ${formatSize(plan.maxFileSize)} limit (--max-file-size)` });
    if (text !== undefined) {
      const size = Buffer.byteLength(text, 'utf8');
      return size > plan.maxFileSize ? failedRead(file.path, tooLarge(size, plan.maxFileSize)) : { content: text };
    }
    let bytes: ReadResult;
    try {
      bytes = readLimited(file.absPath, plan.maxFileSize);
    } catch (error) {
      return failedRead(file.path, { kind: 'read-error', message: `cannot read file: ${readErrorCause(error)}` });
    }
    return Buffer.isBuffer(bytes) ? { content: bytes } : failedRead(file.path, tooLarge(bytes.tooLarge, plan.maxFileSize));
  };
  return inputs.map((_, i) => readOne(i));
}

function readErrorCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' ? 'permission denied'
    : code === 'ENOENT' ? 'file vanished during the scan'
    : code === 'EISDIR' ? 'it is a folder'
    : (error as Error).message;
}
