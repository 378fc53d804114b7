import type * as Sarif from 'sarif';
import { describe, it, expect } from 'vitest';
import { catalogueVersion } from '../../src/cwe/catalogue.js';
import { FINGERPRINT_KEY, artifactLocationFor, pascalCase, rootUri, sarifReporter, toSarif } from '../../src/report/sarif.js';
import {
  DIAGNOSTICS,
  PASSWORD_FINDING,
  SHELL_FINDING,
  SQL_FINDING,
  SQL_PATH,
  TLS_FINDING,
  emptyReport,
  fullReport,
  makeReport,
} from './helpers.js';

function run(log: Sarif.Log): Sarif.Run {
  expect(log.runs).toHaveLength(1);
  return log.runs[0]!;
}

function resultFor(r: Sarif.Run, ruleId: string): Sarif.Result {
  const hit = r.results!.find((x) => x.ruleId === ruleId);
  if (!hit) throw new Error(`no result for ${ruleId}`);
  return hit;
}

describe('sarif reporter', () => {
  it('writes a SARIF 2.1.0 log with one run and the tool description', () => {
    const log = JSON.parse(sarifReporter.render(fullReport(), { color: false })) as Sarif.Log;
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    const driver = run(log).tool.driver;
    expect(driver.name).toBe('secreview');
    expect(driver.version).toBe('0.1.0');
    expect(driver.semanticVersion).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(run(log).columnKind).toBe('utf16CodeUnits');
  });

  it('describes every rule once, with docs, CWE tags, security-severity and precision', () => {
    const r = run(toSarif(fullReport()));
    const rules = r.tool.driver.rules!;
    expect(rules.map((x) => x.id)).toEqual([
      'python/hardcoded-password',
      'python/requests-verify-disabled',
      'python/sql-string-formatting',
      'python/subprocess-shell-injection',
    ]);
    const shell = rules[3]!;
    expect(shell.name).toBe('CommandBuiltFromDataRunThroughShell');
    expect(shell.shortDescription?.text).toBe('Command built from data run through a shell');
    expect(shell.fullDescription?.text).toContain('shell=True');
    expect(shell.help?.text).toContain('Before:\n    subprocess.call("ping -c 1 " + host, shell=True)');
    expect(shell.help?.markdown).toContain('```python\nsubprocess.call(["ping", "-c", "1", host])\n```');
    expect(shell.helpUri).toBe('https://docs.python.org/3/library/subprocess.html#security-considerations');
    expect(shell.defaultConfiguration?.level).toBe('error');
    expect(shell.properties?.tags).toEqual(['security', 'CWE-78', 'external/cwe/cwe-78', 'CWE-1000/pillar/707']);
    expect(shell.properties?.['security-severity']).toBe('8.0');
    expect(shell.properties?.precision).toBe('high');
    expect(shell.properties?.pillar).toEqual({ id: 707, name: 'Improper Neutralization' });

    const levels = Object.fromEntries(rules.map((x) => [x.id, x.defaultConfiguration?.level]));
    expect(levels).toEqual({
      'python/hardcoded-password': 'note',
      'python/requests-verify-disabled': 'warning',
      'python/sql-string-formatting': 'error',
      'python/subprocess-shell-injection': 'error',
    });
    const password = rules[0]!;
    expect(password.properties?.tags).toEqual([
      'security',
      'CWE-259',
      'external/cwe/cwe-259',
      'CWE-798',
      'external/cwe/cwe-798',
      'CWE-1000/pillar/284',
    ]);
    expect(password.properties?.['security-severity']).toBe('3.0');
    expect(password.properties?.precision).toBe('medium');
    for (const rule of rules) expect(Number.isFinite(Number(rule.properties?.['security-severity']))).toBe(true);
  });

  it('relates rules to CWE taxa of the catalogue version, and CWEs to their pillars', () => {
    const r = run(toSarif(fullReport()));
    const cwe = r.taxonomies![0]!;
    expect(cwe.name).toBe('CWE');
    expect(cwe.version).toBe(catalogueVersion);
    const taxa = cwe.taxa!;
    expect(taxa.map((t) => t.id)).toEqual(['78', '89', '259', '284', '295', '707', '798']);
    expect(r.tool.driver.supportedTaxonomies).toEqual([{ name: 'CWE', index: 0 }]);
    for (const rule of r.tool.driver.rules!) {
      for (const rel of rule.relationships!) {
        expect(rel.target.toolComponent).toEqual({ name: 'CWE', index: 0 });
        expect(taxa[rel.target.index!]!.id).toBe(rel.target.id);
      }
    }
    const sql = r.tool.driver.rules!.find((x) => x.id === 'python/sql-string-formatting')!;
    expect(sql.relationships!.map((x) => x.target.id)).toEqual(['89']);
    const t89 = taxa.find((t) => t.id === '89')!;
    expect(t89.name).toBe("Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')");
    expect(t89.helpUri).toBe('https://cwe.mitre.org/data/definitions/89.html');
    expect(t89.relationships).toEqual([{ target: { id: '707', index: 5, toolComponent: { name: 'CWE', index: 0 } }, kinds: ['subset'] }]);
    // CWE-798 is not a rule's primary CWE; its pillar still comes from the catalogue.
    expect(taxa.find((t) => t.id === '798')!.relationships![0]!.target.id).toBe('284');
  });

  it('reports each finding with rule index, level, location, snippet, fingerprint and properties', () => {
    const r = run(toSarif(fullReport()));
    expect(r.results).toHaveLength(4);
    for (const result of r.results!) {
      expect(r.tool.driver.rules![result.ruleIndex!]!.id).toBe(result.ruleId);
      expect(result.kind).toBe('fail');
    }
    const shell = resultFor(r, SHELL_FINDING.ruleId);
    expect(shell.level).toBe('error');
    expect(shell.message.text).toBe(SHELL_FINDING.message);
    expect(shell.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: SHELL_FINDING.fingerprint });
    expect(shell.properties).toMatchObject({ severity: 'high', confidence: 'high', pillar: { id: 707, name: 'Improper Neutralization' } });
    const physical = shell.locations![0]!.physicalLocation!;
    expect(physical.artifactLocation).toMatchObject({ uri: 'app/views.py', uriBaseId: '%SRCROOT%' });
    expect(r.artifacts![physical.artifactLocation!.index!]!.location!.uri).toBe('app/views.py');
    expect(physical.region).toEqual({
      startLine: 42,
      startColumn: 21,
      endLine: 42,
      endColumn: 40,
      snippet: { text: '"ping -c 1 " + host' },
    });
    expect(physical.contextRegion).toEqual({ startLine: 42, endLine: 42, snippet: { text: SHELL_FINDING.snippet } });

    // The finding's own severity wins over the rule default (critical SQL injection).
    expect(resultFor(r, SQL_FINDING.ruleId).level).toBe('error');
    expect(resultFor(r, SQL_FINDING.ruleId).properties?.['security-severity']).toBe('9.5');
    expect(resultFor(r, TLS_FINDING.ruleId).level).toBe('warning');
    expect(resultFor(r, PASSWORD_FINDING.ruleId).level).toBe('note');

    const sqlRegion = resultFor(r, SQL_FINDING.ruleId).locations![0]!.physicalLocation!.region!;
    expect(sqlRegion).toMatchObject({ startLine: 18, startColumn: 9, endLine: 19, endColumn: 15 });
    expect(sqlRegion.snippet!.text).toBe('"SELECT * FROM users WHERE name = \'%s\'"\n        % name');
  });

  it('maps the root to %SRCROOT% and percent-encodes paths with spaces and non-ASCII characters', () => {
    const r = run(toSarif(fullReport()));
    expect(r.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/dev/shop/' } });
    const sql = resultFor(r, SQL_FINDING.ruleId).locations![0]!.physicalLocation!.artifactLocation!;
    expect(sql.uri).toBe('app/donn%C3%A9es%20client/requ%C3%AAtes.py');
    expect(decodeURIComponent(sql.uri!)).toBe(SQL_PATH);

    expect(rootUri('/home/dev/my shop')).toBe('file:///home/dev/my%20shop/');
    expect(rootUri('/home/dev/shop/')).toBe('file:///home/dev/shop/');
    expect(rootUri('C:\\Users\\dev\\shop')).toBe('file:///C:/Users/dev/shop/');
    expect(artifactLocationFor('src/a#b?.py')).toEqual({ uri: 'src/a%23b%3F.py', uriBaseId: '%SRCROOT%' });
    // Report paths separate folders with `/`; a backslash is part of a (POSIX) file name.
    expect(artifactLocationFor('src\\win\\x.py')).toEqual({ uri: 'src%5Cwin%5Cx.py', uriBaseId: '%SRCROOT%' });
    expect(artifactLocationFor('./x.py')).toEqual({ uri: 'x.py', uriBaseId: '%SRCROOT%' });
    expect(artifactLocationFor('c:weird.py').uri).toBe('c%3Aweird.py');
    expect(artifactLocationFor('/opt/other/x y.py')).toEqual({ uri: 'file:///opt/other/x%20y.py' });
  });

  it('turns a trace into a code flow, only for the traced finding', () => {
    const r = run(toSarif(fullReport()));
    const sql = resultFor(r, SQL_FINDING.ruleId);
    expect(sql.codeFlows).toHaveLength(1);
    const locations = sql.codeFlows![0]!.threadFlows[0]!.locations;
    expect(locations).toHaveLength(3);
    expect(locations.map((l) => l.executionOrder)).toEqual([1, 2, 3]);
    expect(locations.map((l) => l.kinds)).toEqual([['taint', 'source'], ['taint'], ['taint', 'sink']]);
    expect(locations[0]!.location!.message!.text).toBe('Source `request.args.get("name")`: query-string parameter.');
    expect(locations[0]!.location!.physicalLocation!.region).toEqual({ startLine: 11, startColumn: 12, endLine: 11, endColumn: 36 });
    expect(locations[2]!.location!.physicalLocation!.region).toMatchObject({ startLine: 18, startColumn: 9 });
    for (const other of [SHELL_FINDING, TLS_FINDING, PASSWORD_FINDING]) expect(resultFor(r, other.ruleId).codeFlows).toBeUndefined();
  });

  it('puts diagnostics into tool execution notifications', () => {
    const r = run(toSarif(fullReport()));
    const invocation = r.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(true);
    const notes = invocation.toolExecutionNotifications!;
    expect(notes.map((n) => [n.level, n.descriptor?.id, n.message.text])).toEqual([
      ['warning', 'parse-error', 'syntax error; lines 3-5 were not analysed'],
      ['error', 'decode-error', 'not valid UTF-8 and no coding declaration'],
    ]);
    expect(notes[0]!.locations![0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'app/broken.py', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3 },
    });
    expect(notes[1]!.locations![0]!.physicalLocation!.region).toBeUndefined();
    const descriptors = r.tool.driver.notifications!;
    for (const n of notes) expect(descriptors[n.descriptor!.index!]!.id).toBe(n.descriptor!.id);

    const configError = makeReport({ diagnostics: [{ kind: 'config-error', level: 'error', path: '.secreview.toml', line: 2, message: 'unknown key' }] });
    expect(run(toSarif(configError)).invocations![0]!.executionSuccessful).toBe(false);
    expect(run(toSarif(makeReport({ diagnostics: DIAGNOSTICS }))).invocations![0]!.executionSuccessful).toBe(true);
  });

  it('writes an empty results array (not a missing one) when nothing was found', () => {
    const r = run(toSarif(emptyReport()));
    expect(r.results).toEqual([]);
    expect(r.tool.driver.rules).toEqual([]);
    expect(r.artifacts).toBeUndefined();
    expect(r.invocations![0]).toEqual({ executionSuccessful: true });
  });

  it('is deterministic', () => {
    const report = fullReport();
    const shuffled = { ...report, findings: [...report.findings].reverse(), rules: [...report.rules].reverse() };
    expect(sarifReporter.render(shuffled, { color: false })).toBe(sarifReporter.render(report, { color: false }));
  });

  it('derives PascalCase rule names that SARIF viewers accept', () => {
    expect(pascalCase('Command built from data run through a shell')).toBe('CommandBuiltFromDataRunThroughShell');
    expect(pascalCase('TLS certificate verification disabled')).toBe('TlsCertificateVerificationDisabled');
    expect(pascalCase('`verify=False` on requests')).toBe('VerifyFalseOnRequests');
    expect(pascalCase('3DES cipher')).toBe('Rule3desCipher');
  });
});

describe('SARIF fixes', () => {
  it('a finding with an autofix carries it as a fix with replacements in its file', () => {
    // `verify=False` is at columns 41-53 of line 8; the fix replaces `False` (columns 48-53).
    const fixed = { ...TLS_FINDING, autofix: { description: 'Turn certificate verification back on (verify=True)', edits: [{ startLine: 8, startColumn: 48, endLine: 8, endColumn: 53, text: 'True' }] } };
    const result = run(toSarif(makeReport({ findings: [fixed, SHELL_FINDING] }))).results!;
    const tls = result.find((r) => r.ruleId === TLS_FINDING.ruleId)!;
    expect(tls.fixes).toEqual([
      {
        description: { text: 'Turn certificate verification back on (verify=True)' },
        artifactChanges: [
          {
            artifactLocation: expect.objectContaining({ uri: 'app/clients/payments.py' }),
            replacements: [{ deletedRegion: { startLine: 8, startColumn: 48, endLine: 8, endColumn: 53 }, insertedContent: { text: 'True' } }],
          },
        ],
      },
    ]);
    expect(result.find((r) => r.ruleId === SHELL_FINDING.ruleId)!.fixes).toBeUndefined();
  });
});
