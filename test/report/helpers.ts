/**
 * Hand-built reports for the reporter tests. CWE names and pillars come from MITRE's catalogue
 * (src/cwe/catalogue.ts), never typed by hand; columns are computed from the code line so the
 * caret assertions cannot drift from the snippets.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { getCwe, pillarOf } from '../../src/cwe/catalogue.js';
import { fingerprint } from '../../src/findings/fingerprint.js';
import type {
  Confidence,
  CweRef,
  Diagnostic,
  Finding,
  Report,
  RuleSummary,
  Severity,
  TraceStep,
} from '../../src/findings/types.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/report/', import.meta.url));

export function cwe(id: number): CweRef {
  const entry = getCwe(id);
  if (!entry) throw new Error(`CWE-${id} is not in the catalogue`);
  return { id, name: entry.name };
}

export function pillar(id: number): CweRef {
  const p = pillarOf(id);
  if (!p) throw new Error(`CWE-${id} has no pillar`);
  return { id: p.id, name: p.name };
}

interface RuleInput {
  id: string;
  title: string;
  cwe: number[];
  severity: Severity;
  confidence: Confidence;
  description: string;
  whyItMatters: string;
  fix: { guidance: string; before: string; after: string };
  references: string[];
}

export function rule(input: RuleInput): RuleSummary {
  return {
    id: input.id,
    title: input.title,
    cwe: input.cwe.map(cwe),
    pillar: pillar(input.cwe[0]!),
    severity: input.severity,
    confidence: input.confidence,
    description: input.description,
    whyItMatters: input.whyItMatters,
    fix: input.fix,
    references: input.references,
    language: 'python',
  };
}

export const SHELL_RULE = rule({
  id: 'python/subprocess-shell-injection',
  title: 'Command built from data run through a shell',
  cwe: [78],
  severity: 'high',
  confidence: 'high',
  description:
    'A subprocess call runs its command through /bin/sh (`shell=True`) and the command is not a constant string.',
  whyItMatters: 'Whoever controls part of the command string runs arbitrary commands with the privileges of this process.',
  fix: {
    guidance: 'Pass the command as a list of arguments and drop `shell=True`, so no shell parses it.',
    before: 'subprocess.call("ping -c 1 " + host, shell=True)',
    after: 'subprocess.call(["ping", "-c", "1", host])',
  },
  references: ['https://docs.python.org/3/library/subprocess.html#security-considerations', 'https://cwe.mitre.org/data/definitions/78.html'],
});

export const SQL_RULE = rule({
  id: 'python/sql-string-formatting',
  title: 'SQL query built by string formatting',
  cwe: [89],
  severity: 'high',
  confidence: 'high',
  description: 'A query passed to `execute()` is assembled with `%`, `+`, `.format()` or an f-string.',
  whyItMatters: 'A quote in the data ends the SQL string literal; the rest runs as SQL, so an attacker can read or change any table.',
  fix: {
    guidance: 'Pass the values as query parameters and keep the SQL text constant.',
    before: 'cursor.execute("SELECT * FROM users WHERE name = \'%s\'" % name)',
    after: 'cursor.execute(\n    "SELECT * FROM users WHERE name = %s",\n    (name,),\n)',
  },
  references: ['https://peps.python.org/pep-0249/#paramstyle'],
});

export const TLS_RULE = rule({
  id: 'python/requests-verify-disabled',
  title: 'TLS certificate verification disabled',
  cwe: [295],
  severity: 'medium',
  confidence: 'high',
  description: 'An HTTPS request is made with `verify=False`, so any certificate is accepted.',
  whyItMatters: 'Anyone on the network path can impersonate the server and read or alter the traffic, credentials included.',
  fix: {
    guidance: 'Remove `verify=False`; for a private CA, pass its bundle path with `verify="/path/to/ca.pem"`.',
    before: 'requests.get(url, verify=False)',
    after: 'requests.get(url, verify="/etc/ssl/internal-ca.pem")',
  },
  references: ['https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification'],
});

export const PASSWORD_RULE = rule({
  id: 'python/hardcoded-password',
  title: 'Password written in the source',
  cwe: [259, 798],
  severity: 'low',
  confidence: 'medium',
  description: 'A string literal is assigned to a name that looks like a password.',
  whyItMatters: 'Everyone with access to the code, its history or the built package learns the password.',
  fix: {
    guidance: 'Read the secret from the environment or a secret store at run time.',
    before: 'DB_PASSWORD = "hunter2"',
    after: 'DB_PASSWORD = os.environ["DB_PASSWORD"]',
  },
  references: ['https://cwe.mitre.org/data/definitions/259.html'],
});

/** A finding on `code` (one or more lines starting at `line`), flagging the first `target` in it. */
export function finding(
  r: RuleSummary,
  path: string,
  line: number,
  code: string,
  target: string,
  message: string,
  extra: Partial<Pick<Finding, 'severity' | 'confidence' | 'trace'>> = {},
): Finding {
  const lines = code.split('\n');
  const offset = code.indexOf(target);
  if (offset < 0) throw new Error(`"${target}" not in "${code}"`);
  const before = code.slice(0, offset).split('\n');
  const startLine = line + before.length - 1;
  const startColumn = before[before.length - 1]!.length + 1;
  const inTarget = target.split('\n');
  const endLine = startLine + inTarget.length - 1;
  const endColumn = (inTarget.length === 1 ? startColumn - 1 : 0) + inTarget[inTarget.length - 1]!.length + 1;
  return {
    ruleId: r.id,
    title: r.title,
    cwe: r.cwe,
    pillar: r.pillar,
    severity: extra.severity ?? r.severity,
    confidence: extra.confidence ?? r.confidence,
    location: { path, startLine, startColumn, endLine, endColumn },
    snippet: lines.slice(startLine - line, endLine - line + 1).join('\n'),
    message,
    fix: r.fix.guidance,
    fingerprint: fingerprint(r.id, path, code),
    statementLine: line,
    origin: 'static',
    ...(extra.trace ? { trace: extra.trace } : {}),
  };
}

export function step(kind: TraceStep['kind'], path: string, line: number, column: number, expression: string, note: string): TraceStep {
  return { kind, location: { path, startLine: line, startColumn: column, endLine: line, endColumn: column + expression.length }, expression, note };
}

export const SQL_PATH = 'app/données client/requêtes.py';

export const SHELL_FINDING = finding(
  SHELL_RULE,
  'app/views.py',
  42,
  '    subprocess.call("ping -c 1 " + host, shell=True)',
  '"ping -c 1 " + host',
  '`subprocess.call` runs `"ping -c 1 " + host` through a shell, and that command is built at run time.',
);

const SQL_AT_SINK = finding(
  SQL_RULE,
  SQL_PATH,
  17,
  '    cursor.execute(\n        "SELECT * FROM users WHERE name = \'%s\'"\n        % name\n    )',
  '"SELECT * FROM users WHERE name = \'%s\'"\n        % name',
  'The query passed to `cursor.execute` is built with `%` from `name`, which comes from the request.',
  { severity: 'critical' },
);

export const SQL_FINDING: Finding = {
  ...SQL_AT_SINK,
  trace: [
    step('source', SQL_PATH, 11, 12, 'request.args.get("name")', 'query-string parameter'),
    step('step', SQL_PATH, 11, 5, 'name', 'assigned here'),
    { kind: 'sink', location: SQL_AT_SINK.location, expression: '"SELECT * FROM users WHERE name = \'%s\'" % name', note: 'formatted into the SQL text' },
  ],
};

export const TLS_FINDING = finding(
  TLS_RULE,
  'app/clients/payments.py',
  8,
  '    resp = requests.get(url, timeout=5, verify=False)',
  'verify=False',
  '`requests.get` is called with `verify=False`.',
);

export const PASSWORD_FINDING = finding(
  PASSWORD_RULE,
  'settings.py',
  3,
  'DB_PASSWORD = "hunter2"',
  '"hunter2"',
  '`DB_PASSWORD` is assigned a literal password.',
);

export const DIAGNOSTICS: Diagnostic[] = [
  { kind: 'parse-error', level: 'warning', path: 'app/broken.py', line: 3, message: 'syntax error; lines 3-5 were not analysed' },
  { kind: 'decode-error', level: 'error', path: 'legacy/latin1.py', message: 'not valid UTF-8 and no coding declaration' },
];

export function makeReport(parts: Partial<Omit<Report, 'stats'>> & { stats?: Partial<Report['stats']> } = {}): Report {
  const findings = parts.findings ?? [];
  return {
    schemaVersion: 1,
    tool: { name: 'secreview', version: '0.1.0' },
    root: parts.root ?? '/home/dev/shop',
    // Like the pipeline: sorted by path and line.
    findings: [...findings].sort((a, b) => (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : a.location.startLine - b.location.startLine)),
    diagnostics: parts.diagnostics ?? [],
    stats: {
      filesDiscovered: 6,
      filesScanned: 5,
      filesWithErrors: 1,
      lines: 1234,
      durationMs: 87,
      suppressed: 0,
      belowThreshold: 0,
      ...parts.stats,
    },
    rules: parts.rules ?? [...new Map(findings.map((f) => [f.ruleId, ruleFor(f.ruleId)])).values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

function ruleFor(id: string): RuleSummary {
  const r = [SHELL_RULE, SQL_RULE, TLS_RULE, PASSWORD_RULE].find((x) => x.id === id);
  if (!r) throw new Error(`no test rule ${id}`);
  return r;
}

/** The four findings, two diagnostics and some suppressed findings. */
export function fullReport(): Report {
  return makeReport({
    findings: [SHELL_FINDING, SQL_FINDING, TLS_FINDING, PASSWORD_FINDING],
    diagnostics: DIAGNOSTICS,
    stats: { suppressed: 2 },
  });
}

export function emptyReport(): Report {
  return makeReport({ stats: { filesWithErrors: 0, filesDiscovered: 5 } });
}

/** Compares with <dir>/<name> (default test/fixtures/report/); UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, actual: string, dir: string = GOLDEN_DIR): void {
  const file = join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual, `output differs from ${name}; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(
    readFileSync(file, 'utf8'),
  );
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

/** File names a repository may hold that are awkward in URIs (test/hardening/sarif-names.test.ts). */
export const AWKWARD_NAMES = [
  '\\back.py', 'dir\\sub\\x.py', '50%.py', '%2F.py', '%41.py', 'a#b.py', 'q?x=1.py', 'sp ace/tab\there.py', 'new\nline.py',
  'ünï cødé/ß.py', 'emoji 😀.py', 'c:weird.py', 'C:\\not-absolute-here.py', '[x]{y}|<z>^`.py', "semi;colon=&'quote'!$*+,.py",
  '@at/~tilde/"dq".py', '..name.py', '.hidden/.py',
];
