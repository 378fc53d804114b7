/**
 * SARIF 2.1.0 for code-scanning services (GitHub, Azure DevOps, IDE viewers). One run; rules carry
 * their docs, CWE tags and GitHub's `security-severity`; the CWE catalogue is a taxonomy the rules
 * relate to; traces become code flows; diagnostics become tool execution notifications.
 * Paths are URIs relative to %SRCROOT%, which originalUriBaseIds maps to the scan root.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHOW_TESTS_HINT } from '../filters/test-code.js';
import type * as Sarif from 'sarif';
import { catalogueVersion, getCwe, pillarOf } from '../cwe/catalogue.js';
import type { Confidence, CweRef, Diagnostic, Finding, Location, Report, RuleSummary, Severity, TraceStep } from '../findings/types.js';
import { capitalise, compareStrings, cweUrl, diagnosticsByLocation, findingsByLocation, rulesById, sentences } from './common.js';
import type { ReportOptions, Reporter } from './index.js';
import { codeBlock } from './markdown.js';
import { incompleteRunReason } from './change.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
/** Key of the partial fingerprint; bump the suffix if findings/fingerprint.ts changes its recipe. */
export const FINGERPRINT_KEY = 'secreview/v1';
/** Why baseline entries gone from this run are counted in run properties, not listed as `absent` results. */
export const ABSENT_NOTE =
  'Findings recorded in the baseline and not found in this run (fixed, or no longer reported). They are not SARIF results: the baseline records no location for them, and GitHub code scanning rejects results without one.';
/** Where users learn about the tool (SARIF tool.driver.informationUri; the multitool warns without one). */
export const INFORMATION_URI = 'https://www.npmjs.com/package/secreview';
const CWE_TAXONOMY = 'CWE';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub code scanning maps these to Critical (≥9.0), High (7.0–8.9), Medium (4.0–6.9) and Low (<4.0). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

const NOTIFICATION_DESCRIPTIONS: Record<string, string> = {
  'read-error': 'A file could not be read.',
  'decode-error': 'A file could not be decoded as text.',
  'binary-file': 'A file looked binary and was not analysed.',
  'parse-error': 'A file has syntax errors; parts of it may not have been analysed.',
  'config-error': 'A setting could not be used.',
  'suppression-error': 'A suppression comment is malformed or names an unknown rule.',
  'unused-suppression': 'A suppression comment silences nothing.',
  'unqualified-suppression': 'A bare `# nosec` or `# nosemgrep` silences every rule on its line.',
  skipped: 'A file was skipped.',
  'internal-error': 'secreview failed on a file; other files were analysed.',
  'path-error': 'A path named on the command line could not be scanned.',
};

/** What to do about each kind of notification (GitHub requires a help text on every descriptor). */
const NOTIFICATION_HELP: Record<string, string> = {
  'read-error': 'Check that the file exists and is readable by the user running the scan.',
  'decode-error': 'Save the file as UTF-8, or declare its encoding on line 1 or 2 (PEP 263).',
  'binary-file': 'Nothing to do, unless the file is source code: then check its encoding.',
  'parse-error': 'Fix the syntax error at the line named in the message.',
  'config-error': 'Correct or remove the setting named in the message (README "Settings").',
  'suppression-error': 'Write `# secreview: ignore[<rule-id>] <reason>` with a rule id from `secreview rules`.',
  'unused-suppression': 'Remove the comment, or move it to the line of the finding it is meant for.',
  'unqualified-suppression': 'Name the rules it is meant for (`# nosec B602`, `# nosemgrep: <rule>`).',
  skipped: 'Raise --max-file-size or --file-timeout if the file should be analysed.',
  'internal-error': 'Report the message to secreview\'s maintainers with the file if you can share it.',
  'path-error': 'Check the spelling of the path on the command line.',
};

/** What each kind of notification means for the results (GitHub requires a full description). */
const NOTIFICATION_DETAILS: Record<string, string> = {
  'read-error': 'The file was not analysed, so defects in it are not reported.',
  'decode-error': 'The file was not analysed, so defects in it are not reported.',
  'binary-file': 'Binary files hold no source code to review.',
  'parse-error': 'The lines named in the message were not analysed; the rest of the file was.',
  'config-error': 'As an error, the run did not do what its settings asked; as a warning, the setting named in the message had no effect.',
  'suppression-error': 'It silences nothing until it names known rules and gives a reason.',
  'unused-suppression': 'It can be removed.',
  'unqualified-suppression': 'It silences every rule on its line, so a new defect there would be hidden too.',
  skipped: 'The file was not analysed, so defects in it are not reported; the message says why (size, time budget, file type).',
  'internal-error': 'The file was not analysed, so defects in it are not reported.',
  'path-error': 'Nothing under that path was scanned, and the run exits with status 2.',
};

export const sarifReporter: Reporter = {
  name: 'sarif',
  extension: '.sarif',
  render(report: Report, _options: ReportOptions): string {
    return `${JSON.stringify(toSarif(report), null, 2)}\n`;
  },
};

/** Replaces lone surrogates, which cannot be percent-encoded, with U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * A relative reference per RFC 3986 for a report path (whose separator is always `/`): each
 * segment percent-encoded as UTF-8, so a space, non-ASCII, `%`, `#`, `?`, `:` and a backslash
 * (a legal character of a POSIX file name, and one URL parsers read as `/`) stay part of the name.
 */
function encodePath(path: string): string {
  return wellFormed(path)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** `C:/x` or `C:\x`: a Windows absolute path. */
const WINDOWS_ABSOLUTE = /^([A-Za-z]:)[\\/](.*)$/;

/**
 * A report path as a SARIF artifact location: relative to %SRCROOT% (percent-encoded, see
 * `encodePath`), or, if absolute on this platform, a file: URI from `pathToFileURL`. So
 * `new URL(uri, rootUri(root))` gives the path back; on POSIX a name such as `\back.py` or
 * `C:\x.py` is a relative name like any other.
 */
export function artifactLocationFor(path: string): Sarif.ArtifactLocation {
  if (isAbsolute(path)) return { uri: pathToFileURL(wellFormed(path)).href };
  return { uri: encodePath(path.replace(/^(\.\/)+/, '')), uriBaseId: SRCROOT };
}

/**
 * The scan root as an absolute file: URI ending in a slash (required for a uriBaseId). A Windows
 * root is converted on any platform (a report made on Windows may be rendered elsewhere).
 */
export function rootUri(root: string): string {
  const windows = WINDOWS_ABSOLUTE.exec(root);
  const uri = windows && process.platform !== 'win32'
    ? `file:///${windows[1]}/${encodePath(windows[2]!.replace(/\\/g, '/'))}`
    : pathToFileURL(wellFormed(isAbsolute(root) ? root : `/${root}`)).href;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** "Command built from data run through a shell" → "CommandBuiltFromDataRunThroughShell"; "TLS ..." → "Tls...". */
export function pascalCase(text: string): string {
  const all = text.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  // One-letter words ("a") and acronyms ("TLS") would put two capitals in a row.
  const words = all.length > 1 ? all.filter((w) => w.length > 1) : all;
  const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('');
  return /^[A-Za-z]/.test(name) ? name : `Rule${name}`;
}

function isAbsoluteHttpUri(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.href === s;
  } catch {
    return false;
  }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Rule docs for a finding whose rule is not in report.rules (should not happen; keeps the log valid). */
function summaryFromFinding(f: Finding): RuleSummary {
  return {
    id: f.ruleId,
    title: f.title,
    cwe: f.cwe,
    pillar: f.pillar,
    severity: f.severity,
    confidence: f.confidence,
    description: f.title,
    whyItMatters: '',
    fix: { guidance: f.fix, before: '', after: '' },
    references: [],
    language: '',
  };
}

/** CWE taxa referenced by the rules (their CWEs and those CWEs' pillars), ascending by id. */
class Taxonomy {
  private readonly names = new Map<number, string>();
  private readonly pillars = new Map<number, number>();
  private order: number[] = [];

  add(rule: RuleSummary): void {
    rule.cwe.forEach((c, i) => {
      if (!this.names.has(c.id)) this.names.set(c.id, c.name);
      // The rule's pillar is the primary CWE's; other CWEs get theirs from the catalogue.
      const pillar = i === 0 && rule.pillar.id > 0 ? rule.pillar : pillarOf(c.id);
      if (!pillar) return;
      if (!this.names.has(pillar.id)) this.names.set(pillar.id, pillar.name);
      if (pillar.id !== c.id) this.pillars.set(c.id, pillar.id);
    });
  }

  freeze(): void {
    this.order = [...this.names.keys()].sort((a, b) => a - b);
  }

  reference(id: number): Sarif.ReportingDescriptorReference {
    return { id: String(id), index: this.order.indexOf(id), toolComponent: { name: CWE_TAXONOMY, index: 0 } };
  }

  component(): Sarif.ToolComponent {
    return {
      name: CWE_TAXONOMY,
      version: catalogueVersion,
      organization: 'MITRE',
      informationUri: 'https://cwe.mitre.org/',
      shortDescription: { text: 'The MITRE Common Weakness Enumeration.' },
      isComprehensive: false,
      taxa: this.order.map((id) => {
        const taxon: Sarif.ReportingDescriptor = {
          id: String(id),
          name: this.names.get(id) ?? getCwe(id)?.name ?? `CWE-${id}`,
          shortDescription: { text: `CWE-${id}: ${this.names.get(id) ?? getCwe(id)?.name ?? 'unknown'}` },
          helpUri: cweUrl(id),
        };
        const pillar = this.pillars.get(id);
        if (pillar !== undefined) taxon.relationships = [{ target: this.reference(pillar), kinds: ['subset'] }];
        return taxon;
      }),
    };
  }
}

function helpText(rule: RuleSummary): string {
  const parts = [rule.description];
  if (rule.whyItMatters) parts.push(`Why it matters: ${rule.whyItMatters}`);
  if (rule.fix.guidance) parts.push(`How to fix: ${rule.fix.guidance}`);
  if (rule.fix.before) parts.push(`Before:\n${indent(rule.fix.before)}`);
  if (rule.fix.after) parts.push(`After:\n${indent(rule.fix.after)}`);
  if (rule.references.length > 0) parts.push(`References:\n${rule.references.map((r) => `- ${r}`).join('\n')}`);
  return parts.join('\n\n');
}

function helpMarkdown(rule: RuleSummary): string {
  const lang = rule.language || '';
  const parts = [rule.description];
  if (rule.whyItMatters) parts.push(`**Why it matters:** ${rule.whyItMatters}`);
  if (rule.fix.guidance) parts.push(`**How to fix:** ${rule.fix.guidance}`);
  if (rule.fix.before) parts.push(`Before:\n\n${codeBlock(rule.fix.before, lang)}`);
  if (rule.fix.after) parts.push(`After:\n\n${codeBlock(rule.fix.after, lang)}`);
  const cwes = rule.cwe.map((c) => `[CWE-${c.id}: ${c.name}](${cweUrl(c.id)})`);
  parts.push(`**Weakness:** ${cwes.join(', ')}${rule.pillar.id > 0 ? ` (pillar [CWE-${rule.pillar.id}: ${rule.pillar.name}](${cweUrl(rule.pillar.id)}))` : ''}`);
  if (rule.references.length > 0) parts.push(`**References:**\n\n${rule.references.map((r) => `- <${r}>`).join('\n')}`);
  return parts.join('\n\n');
}

function indent(code: string): string {
  return code
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}


function ruleDescriptor(rule: RuleSummary, taxonomy: Taxonomy): Sarif.ReportingDescriptor {
  const tags = ['security'];
  for (const c of rule.cwe) tags.push(`CWE-${c.id}`, `external/cwe/cwe-${c.id}`);
  if (rule.pillar.id > 0) tags.push(`CWE-1000/pillar/${rule.pillar.id}`);
  const descriptor: Sarif.ReportingDescriptor = {
    id: rule.id,
    name: pascalCase(rule.title || rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description || rule.title },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
  };
  const helpUri = rule.references.find(isAbsoluteHttpUri);
  if (helpUri) descriptor.helpUri = helpUri;
  descriptor.defaultConfiguration = { level: LEVEL[rule.severity] };
  descriptor.relationships = rule.cwe.map((c) => ({ target: taxonomy.reference(c.id), kinds: ['relevant'] }));
  descriptor.properties = {
    tags,
    'security-severity': SECURITY_SEVERITY[rule.severity],
    precision: PRECISION[rule.confidence],
    severity: rule.severity,
    pillar: { id: rule.pillar.id, name: rule.pillar.name },
    cwe: rule.cwe.map((c) => ({ id: c.id, name: c.name })),
  };
  return descriptor;
}

function region(loc: Location, snippet?: string): Sarif.Region {
  const endLine = Math.max(loc.endLine, loc.startLine);
  const endColumn = endLine === loc.startLine ? Math.max(loc.endColumn, loc.startColumn) : Math.max(1, loc.endColumn);
  const r: Sarif.Region = { startLine: loc.startLine, startColumn: loc.startColumn, endLine, endColumn };
  if (snippet !== undefined) r.snippet = { text: snippet };
  return r;
}

/** The exact text of the region, cut from the finding's snippet lines; undefined if they do not cover it. */
function regionText(f: Finding, lines: readonly string[]): string | undefined {
  const loc = f.location;
  const count = loc.endLine - loc.startLine + 1;
  if (count < 1 || count > lines.length) return undefined;
  if (count === 1) return lines[0]!.slice(loc.startColumn - 1, loc.endColumn - 1);
  const parts = lines.slice(0, count);
  parts[0] = parts[0]!.slice(loc.startColumn - 1);
  parts[count - 1] = parts[count - 1]!.slice(0, loc.endColumn - 1);
  return parts.join('\n');
}

function physicalLocation(f: Finding, artifacts: ArtifactTable): Sarif.PhysicalLocation {
  const loc = f.location;
  const lines = f.snippet.length > 0 ? f.snippet.replace(/\r\n?/g, '\n').split('\n') : [];
  const physical: Sarif.PhysicalLocation = {
    artifactLocation: artifacts.location(loc.path),
    region: region(loc, regionText(f, lines)),
  };
  // Whole flagged lines as context, when they cover the region and say more than it.
  const covered = loc.endLine - loc.startLine + 1 <= lines.length;
  const lastLine = lines[Math.min(lines.length, loc.endLine - loc.startLine + 1) - 1] ?? '';
  const wider = loc.startColumn > 1 || loc.endColumn <= lastLine.length;
  if (lines.length > 0 && covered && wider) {
    physical.contextRegion = { startLine: loc.startLine, endLine: loc.startLine + lines.length - 1, snippet: { text: lines.join('\n') } };
  }
  return physical;
}

function stepMessage(step: TraceStep): string {
  const head = `${capitalise(step.kind)} \`${step.expression}\``;
  return step.note.trim() ? sentences(`${head}: ${step.note.trim()}`) : `${head}.`;
}

const STEP_KINDS: Record<TraceStep['kind'], string[]> = {
  source: ['taint', 'source'],
  step: ['taint'],
  call: ['call'],
  return: ['return'],
  sink: ['taint', 'sink'],
};

function codeFlow(f: Finding, trace: readonly TraceStep[], artifacts: ArtifactTable): Sarif.CodeFlow {
  const first = trace[0]!;
  const last = trace[trace.length - 1]!;
  return {
    message: { text: `Data flows from \`${first.expression}\` to \`${last.expression}\` in ${trace.length} steps.` },
    threadFlows: [
      {
        locations: trace.map(
          (step, i): Sarif.ThreadFlowLocation => ({
            location: {
              physicalLocation: { artifactLocation: artifacts.location(step.location.path), region: region(step.location) },
              message: { text: stepMessage(step) },
            },
            kinds: STEP_KINDS[step.kind],
            executionOrder: i + 1,
            importance: step.kind === 'source' || step.kind === 'sink' ? 'essential' : 'important',
          }),
        ),
      },
    ],
  };
}

/** The run's artifacts: every file mentioned, sorted, indexed. */
class ArtifactTable {
  private readonly paths: string[];
  private readonly index: Map<string, number>;

  constructor(paths: Iterable<string>) {
    this.paths = [...new Set(paths)].filter((p) => p.length > 0).sort(compareStrings);
    this.index = new Map(this.paths.map((p, i) => [p, i]));
  }

  location(path: string): Sarif.ArtifactLocation {
    const loc = artifactLocationFor(path);
    const i = this.index.get(path);
    return i === undefined ? loc : { ...loc, index: i };
  }

  artifacts(): Sarif.Artifact[] {
    return this.paths.map((p) => {
      const artifact: Sarif.Artifact = { location: artifactLocationFor(p) };
      if (/\.pyi?$/i.test(p)) artifact.sourceLanguage = 'python';
      else if (/\.(?:[cm]?ts|tsx)$/i.test(p)) artifact.sourceLanguage = p.toLowerCase().endsWith('.tsx') ? 'typescriptreact' : 'typescript';
      else if (/\.(?:[cm]?js|jsx)$/i.test(p)) artifact.sourceLanguage = p.toLowerCase().endsWith('.jsx') ? 'javascriptreact' : 'javascript';
      return artifact;
    });
  }
}

function notification(d: Diagnostic, descriptorIndex: number, artifacts: ArtifactTable): Sarif.Notification {
  const n: Sarif.Notification = {
    level: d.level === 'error' ? 'error' : 'warning',
    message: { text: d.message },
    descriptor: { id: d.kind, index: descriptorIndex },
  };
  if (d.path) {
    const physical: Sarif.PhysicalLocation = { artifactLocation: artifacts.location(d.path) };
    if (d.line !== undefined && d.line >= 1) physical.region = { startLine: d.line };
    n.locations = [{ physicalLocation: physical }];
  }
  return n;
}

export function toSarif(report: Report): Sarif.Log {
  const findings = findingsByLocation(report);
  const diagnostics = diagnosticsByLocation(report);

  const summaries = rulesById(report);
  const known = new Set(summaries.map((r) => r.id));
  for (const f of findings) {
    if (!known.has(f.ruleId)) {
      summaries.push(summaryFromFinding(f));
      known.add(f.ruleId);
    }
  }
  summaries.sort((a, b) => compareStrings(a.id, b.id));
  const ruleIndexOf = new Map(summaries.map((r, i) => [r.id, i]));

  const taxonomy = new Taxonomy();
  for (const r of summaries) taxonomy.add(r);
  taxonomy.freeze();

  const paths: string[] = [];
  for (const f of findings) {
    paths.push(f.location.path);
    for (const s of f.trace ?? []) paths.push(s.location.path);
    for (const r of f.related ?? []) paths.push(r.location.path);
  }
  for (const d of diagnostics) paths.push(d.path);
  const artifacts = new ArtifactTable(paths);

  const results: Sarif.Result[] = findings.map((f) => {
    const result: Sarif.Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndexOf.get(f.ruleId)!,
      kind: 'fail',
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: physicalLocation(f, artifacts) }],
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    };
    if (report.baseline) result.baselineState = f.baselineState ?? 'new';
    if (f.autofix) {
      // SARIF replacements: deletedRegion in the file's lines and columns (end column exclusive, as ours).
      result.fixes = [
        {
          description: { text: f.autofix.description },
          artifactChanges: [
            {
              artifactLocation: artifacts.location(f.location.path),
              replacements: f.autofix.edits.map((e) => ({
                deletedRegion: { startLine: e.startLine, startColumn: e.startColumn, endLine: e.endLine, endColumn: e.endColumn },
                insertedContent: { text: e.text },
              })),
            },
          ],
        },
      ];
    }
    if (f.trace && f.trace.length > 0) result.codeFlows = [codeFlow(f, f.trace, artifacts)];
    if (f.related && f.related.length > 0) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        physicalLocation: { artifactLocation: artifacts.location(r.location.path), region: region(r.location) },
        message: { text: `${r.role === 'entry' ? 'Entry point' : r.role === 'call' ? 'Call' : 'Other access'}: ${r.note} (\`${r.expression}\`)` },
      }));
    }
    result.properties = {
      severity: f.severity,
      confidence: f.confidence,
      'security-severity': SECURITY_SEVERITY[f.severity],
      pillar: { id: f.pillar.id, name: f.pillar.name },
      cwe: f.cwe.map((c: CweRef) => ({ id: c.id, name: c.name })),
      // --llm: where the finding came from, and the model's note on a static finding it confirmed.
      ...(f.origin !== 'static' ? { origin: f.origin } : {}),
      ...(f.llmNote ? { llmNote: f.llmNote } : {}),
    };
    return result;
  });
  const kinds = [...new Set(diagnostics.map((d) => d.kind))].sort(compareStrings);
  const notificationIndex = new Map(kinds.map((k, i) => [k, i]));

  const driver: Sarif.ToolComponent = {
    name: 'secreview',
    version: report.tool.version,
  };
  if (SEMVER.test(report.tool.version)) driver.semanticVersion = report.tool.version;
  driver.informationUri = INFORMATION_URI;
  driver.rules = summaries.map((r) => ruleDescriptor(r, taxonomy));
  if (kinds.length > 0) {
    driver.notifications = kinds.map((k) => ({
      id: k,
      name: pascalCase(k),
      shortDescription: { text: NOTIFICATION_DESCRIPTIONS[k] ?? `${k} diagnostic.` },
      fullDescription: { text: `${NOTIFICATION_DESCRIPTIONS[k] ?? `${k} diagnostic.`} ${NOTIFICATION_DETAILS[k] ?? 'The message names the file and the cause.'}` },
      help: { text: NOTIFICATION_HELP[k] ?? 'See the message for the file and the cause.' },
    }));
  }
  driver.supportedTaxonomies = [{ name: CWE_TAXONOMY, index: 0 }];

  const invocation: Sarif.Invocation = {
    // A setting that could not be used, or a run that could not do its job (exit 2: a named path
    // missing, nothing readable): not successful. Warnings about settings do not count.
    executionSuccessful: !diagnostics.some((d) => d.kind === 'config-error' && d.level === 'error') && incompleteRunReason(report) === undefined,
  };
  if (diagnostics.length > 0) {
    invocation.toolExecutionNotifications = diagnostics.map((d) => notification(d, notificationIndex.get(d.kind)!, artifacts));
  }

  const run: Sarif.Run = {
    tool: { driver },
    invocations: [invocation],
    originalUriBaseIds: { [SRCROOT]: { uri: rootUri(report.root) } },
  };
  const artifactList = artifacts.artifacts();
  if (artifactList.length > 0) run.artifacts = artifactList;
  run.results = results;
  run.taxonomies = [taxonomy.component()];
  run.columnKind = 'utf16CodeUnits';
  // --llm over files no static front end reads: say which files had only the LLM's review.
  if (report.llm && report.llm.llmOnly.length > 0) {
    run.properties = {
      ...run.properties,
      llmOnlyCoverage: {
        note: 'Only the LLM second opinion reviewed these files; secreview has no static analysis for their language.',
        files: report.llm.llmOnly.map((f) => ({ path: f.path, language: f.language })),
      },
    };
  }
  const notShown: Record<string, unknown> = {};
  if (report.stats.hiddenInTests) Object.assign(notShown, { hiddenInTests: report.stats.hiddenInTests, showTests: SHOW_TESTS_HINT });
  if (report.stats.suppressedUnqualified) notShown.suppressedUnqualified = report.stats.suppressedUnqualified;
  // Baseline entries not found this time are not results: a result needs a location (GitHub code
  // scanning rejects one without), and the baseline keeps only keys. GitHub closes an alert that an
  // upload no longer reports, so they are counted here instead.
  if (report.baseline) {
    const b = report.baseline;
    notShown.baseline = {
      file: b.file,
      new: b.new,
      unchanged: b.unchanged,
      absent: b.absent,
      ...(b.absent > 0 ? { absentNote: ABSENT_NOTE, absentFingerprints: b.absentKeys.map((a) => ({ fingerprint: a.key, count: a.count })) } : {}),
    };
  }
  if (Object.keys(notShown).length > 0) run.properties = { ...run.properties, secreview: notShown };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
