import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { findVerdict, parseFreeTextReview, parseJsonReview, parseReview, type ParsedClaim } from '../../src/llm/parse-review.js';
import { FIXTURES, seed } from './helpers.js';

const SEEDS = `${FIXTURES}seeds/`;

/** "38", "142-155,148-155": the claim's ranges, compactly. */
const lines = (c: ParsedClaim): string => c.ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',');
const summary = (claims: ParsedClaim[]): { cwe: number[]; lines: string }[] => claims.map((c) => ({ cwe: c.cwe, lines: lines(c) }));

describe('free-text parser on the recorded seed reviews', () => {
  it('the five seed documents are the shared ones, unchanged', () => {
    const names = readdirSync(SEEDS).sort();
    expect(names).toEqual([
      '000_b7e0e50e44c65c5d.txt',
      '001_a49de270d445487d.txt',
      '002_0fd828cc206acc8b.txt',
      '003_cb9a50e5e245461f.txt',
      '004_49f5f8fe7382ecf3.txt',
    ]);
  });

  it('seed 000: six pillar-level CWE claims with lines, ranges and location quotes', () => {
    const r = parseReview(seed('000'));
    expect(r.format).toBe('text');
    expect(r.verdict).toBeUndefined();
    expect(summary(r.claims)).toEqual([
      { cwe: [682], lines: '38' },
      { cwe: [707], lines: '131' },
      { cwe: [703], lines: '142-155,148-155' },
      { cwe: [664], lines: '169-186,173,178' },
      { cwe: [691], lines: '262-285' },
      { cwe: [693], lines: '159-160' },
    ]);
    const [calc, neutral, exc, , flow, protection] = r.claims;
    expect(calc!.title).toBe('Incorrect Calculation');
    expect(calc!.quotes).toEqual(['FIP_PR_END = FIP_PR_START + 40000']);
    expect(calc!.mentions).toEqual(['FIP_PR_END', 'FIP_PR_START']);
    expect(calc!.description).toMatch(/^The calculation for `FIP_PR_END` may potentially lead/);
    expect(calc!.solution).toMatch(/^Implement a check to ensure/);
    expect(neutral!.quotes).toEqual(["cmd = ['sysctl', '-w', 'net.ipv4.conf.%s.proxy_arp=1' % interface_name]"]);
    expect(exc!.title).toBe('Improper Check or Handling of Exceptional Conditions');
    expect(exc!.quotes).toEqual([]);
    expect(exc!.mentions).toEqual(['net.ipv4.ip_nonlocal_bind', 'RuntimeError']);
    expect(flow!.description).toMatch(/^The control flow in updating gateway routes/);
    expect(protection!.quotes).toEqual(["self._iptables_manager.ipv4['raw'].add_rule('PREROUTING', '-j CT --notrack')"]);
    // The closing paragraph is not part of the last claim.
    expect(protection!.description).not.toMatch(/deeper contextual understanding/);
  });

  it('seed 001: no CWE ids, but line ranges in headings and text', () => {
    const r = parseReview(seed('001'));
    expect(summary(r.claims)).toEqual([
      { cwe: [], lines: '297-315' },
      { cwe: [], lines: '' },
      { cwe: [], lines: '31-38' },
      { cwe: [], lines: '168-186' },
      { cwe: [], lines: '157-159,131-132,143-155' },
    ]);
    expect(r.claims.map((c) => c.title)).toEqual([
      'Potential for Race Conditions',
      'Error Handling',
      'Hardcoded Values',
      'Resource Cleanup and Leakages',
      'Security Settings',
    ]);
    expect(r.claims[0]!.solution).toMatch(/^Ensure that these operations are thread-safe/);
    expect(r.claims[3]!.mentions).toEqual(['_delete']);
    // "I did not detect any explicit security defects" is not the verdict sentence.
    expect(r.verdict).toBeUndefined();
  });

  it('seed 002: CWE in the heading, "Line of Code" fields with "Various, including 318", ranges and none', () => {
    const r = parseReview(seed('002'));
    expect(summary(r.claims)).toEqual([
      { cwe: [77], lines: '318' },
      { cwe: [20], lines: '318' },
      { cwe: [391], lines: '320-322' },
      { cwe: [778], lines: '' },
    ]);
    expect(r.claims.map((c) => c.title)).toEqual([
      'Potential Command Injection',
      'Improper Input Validation',
      'Improper Error Handling',
      'Insufficient Logging',
    ]);
    expect(r.claims[0]!.mentions).toEqual(['add_ip_address', 'fip_cidr', 'interface_name', 'delete_addr_and_conntrack_state']);
    expect(r.claims[2]!.description).toMatch(/^When an exception is caught in line 320/);
    expect(r.claims[3]!.solution).toMatch(/^Implement comprehensive logging/);
    // The closing "Overall, ..." paragraph does not leak into the last description.
    expect(r.claims[3]!.description).not.toMatch(/Overall/);
  });

  it('seed 003: titles with inline text, several ranges per claim', () => {
    const r = parseReview(seed('003'));
    expect(summary(r.claims)).toEqual([
      { cwe: [], lines: '100-134,262-285' },
      { cwe: [], lines: '131,143-147' },
      { cwe: [], lines: '54,61' },
      { cwe: [], lines: '' },
      { cwe: [], lines: '' },
    ]);
    expect(r.claims[0]!.title).toBe('Error Handling');
    expect(r.claims[0]!.description).toMatch(/^The code could improve its resilience/);
    expect(r.claims[0]!.mentions).toEqual(['_gateway_added', 'update_gateway_route']);
    expect(r.claims[1]!.title).toBe('Use of `sysctl` with Unchecked Exit Codes');
    // "does not appear to have critical security defects" is a hedge, not the verdict sentence.
    expect(r.verdict).toBeUndefined();
  });

  it('seed 004: issues listed and the "No critical security defects" verdict both kept', () => {
    const r = parseReview(seed('004'));
    expect(summary(r.claims)).toEqual([
      { cwe: [], lines: '' },
      { cwe: [], lines: '266' },
      { cwe: [], lines: '' },
      { cwe: [], lines: '710' },
      { cwe: [], lines: '496' },
    ]);
    expect(r.claims.map((c) => c.title)).toEqual([
      'Insufficient Validation of External Input (Various Locations)',
      'Logging Sensitive Information',
      'Exception Handling (Various Locations)',
      'Command Execution',
      'Hardcoded Security Directives',
    ]);
    expect(r.claims[3]!.mentions).toContain('ip_wrapper.netns.execute(cmd, check_exit_code=False)');
    expect(r.claims[4]!.mentions).toEqual(['net.ipv4.conf.all.send_redirects=0']);
    expect(r.claims[1]!.description).toMatch(/^The log warning in `_update_arp_entry`/);
    expect(r.claims[1]!.solution).toMatch(/^Review and sanitize logs/);
    // Decision: the verdict is recorded, but it removes nothing; the listed issues are claims.
    expect(r.verdict).toEqual({ text: 'No critical security defects are detected in the code', qualifier: 'critical' });
    // The Conclusion section is not a claim.
    expect(r.claims.some((c) => /Conclusion/.test(c.title))).toBe(false);
  });
});

describe('verdict sentence', () => {
  it('recognises the plain and qualified forms', () => {
    expect(findVerdict('No security defects are detected in the code')).toEqual({ text: 'No security defects are detected in the code' });
    expect(findVerdict("'''No critical security defects are detected in the code'''")?.qualifier).toBe('critical');
    expect(findVerdict('no Security Defects were detected in the code.')).toBeDefined();
    expect(findVerdict('I did not detect any explicit security defects')).toBeUndefined();
  });

  it('a verdict-only free-text reply has no claims', () => {
    const r = parseFreeTextReview('After a careful review:\n\nNo security defects are detected in the code\n');
    expect(r.claims).toEqual([]);
    expect(r.verdict?.text).toBe('No security defects are detected in the code');
  });
});

describe('JSON replies', () => {
  const reply = {
    findings: [
      {
        cwe: 78,
        pillar: 707,
        title: 'OS command injection',
        startLine: 13,
        endLine: 13,
        code: "subprocess.check_output('ping -c 1 ' + host, shell=True)",
        description: 'The `host` parameter reaches a shell.',
        solution: 'Pass an argument list without `shell=True`.',
        severity: 'high',
      },
    ],
    verdict: '',
  };

  it('reads the requested schema', () => {
    const r = parseReview(JSON.stringify(reply));
    expect(r.format).toBe('json');
    expect(r.claims).toEqual([
      {
        cwe: [78],
        pillar: 707,
        ranges: [{ start: 13, end: 13 }],
        title: 'OS command injection',
        description: 'The `host` parameter reaches a shell.',
        solution: 'Pass an argument list without `shell=True`.',
        quotes: ["subprocess.check_output('ping -c 1 ' + host, shell=True)"],
        // `shell=True` is named only in the solution (the fix), so it is not checked against the file.
        mentions: ['host'],
        severity: 'high',
      },
    ]);
  });

  it('code named only in the solution is the proposed fix and is not a mention; code named in the description is', () => {
    const text = [
      '1. **Buffer overflow (CWE-120)** (line 25): `strcpy(dev->name, requested)` copies without a bound.',
      '   - **Solution**: Use `snprintf(dev->name, sizeof dev->name, "%s", requested)`; keep `strcpy(dev->name, requested)` out.',
    ].join('\n');
    const [c] = parseReview(text).claims;
    expect(c!.mentions).toEqual(['strcpy(dev->name, requested)']);
  });

  it('reads JSON inside a code fence or prose, and common near misses', () => {
    const fenced = `Here is my review:\n\`\`\`json\n${JSON.stringify(reply, null, 2)}\n\`\`\`\n`;
    expect(parseReview(fenced).claims[0]!.cwe).toEqual([78]);
    const loose = parseJsonReview(JSON.stringify({ issues: [{ cwe: 'CWE-89', line: '7', snippet: 'cur.execute(q)', fix: 'bind' }] }))!;
    expect(loose.claims[0]).toMatchObject({ cwe: [89], ranges: [{ start: 7, end: 7 }], quotes: ['cur.execute(q)'], solution: 'bind' });
    const empty = parseReview(JSON.stringify({ findings: [], verdict: 'No security defects are detected in the code' }));
    expect(empty).toEqual({ format: 'json', claims: [], verdict: { text: 'No security defects are detected in the code' } });
  });

  it('malformed JSON falls back to the free-text parser', () => {
    const r = parseReview('{"findings": [{"cwe": 78, "startLine": 13,');
    expect(r.format).toBe('text');
    expect(r.claims).toEqual([]);
  });
});
