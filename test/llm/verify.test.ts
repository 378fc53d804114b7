import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import type { Finding } from '../../src/findings/types.js';
import { splitLines } from '../../src/llm/review.js';
import { parseReview } from '../../src/llm/parse-review.js';
import { isIdentifierLike, locate, verifyClaim, type VerifyOutcome } from '../../src/llm/verify.js';
import { FIXTURES, claim, fixture } from './helpers.js';

const APP = splitLines(fixture('app.py'));
let staticFindings: Finding[];

beforeAll(async () => {
  const report = await scan({ paths: ['app.py'], cwd: FIXTURES, config: false });
  staticFindings = report.findings;
});

const ctx = () => ({ path: 'app.py', lines: APP, staticFindings });
const rejection = (o: VerifyOutcome): string => {
  if (o.kind !== 'rejected') throw new Error(`expected a rejection, got ${o.kind}`);
  return o.reason;
};
const verified = (o: VerifyOutcome): Finding => {
  if (o.kind !== 'verified') throw new Error(`expected a verified finding, got ${o.kind}${o.kind === 'rejected' ? `: ${o.reason}` : ''}`);
  return o.finding;
};

describe('the fixture', () => {
  it('has the static finding the merge tests rely on', () => {
    expect(APP).toHaveLength(21);
    expect(staticFindings.map((f) => [f.ruleId, f.location.startLine, f.cwe[0]!.id, f.pillar.id])).toEqual([
      ['python/command-injection', 13, 78, 707],
    ]);
  });
});

describe('lines', () => {
  it('rejects a claim citing a line that does not exist', () => {
    const o = verifyClaim(claim({ cwe: [306], ranges: [{ start: 99, end: 99 }] }), ctx());
    expect(rejection(o)).toBe('line 99 does not exist (app.py has 21 lines)');
    expect(o).toMatchObject({ claim: { path: 'app.py', startLine: 99, endLine: 99, cwe: [306] } });
  });

  it('rejects a range running past the end, and a claim citing no line', () => {
    expect(rejection(verifyClaim(claim({ cwe: [306], ranges: [{ start: 19, end: 30 }] }), ctx()))).toBe(
      'lines 19-30 does not exist (app.py has 21 lines)',
    );
    expect(rejection(verifyClaim(claim({ cwe: [306] }), ctx()))).toBe('cites no line');
    expect(rejection(verifyClaim(claim({ cwe: [306], ranges: [{ start: 0, end: 0 }] }), ctx()))).toBe('line 0 does not exist (app.py has 21 lines)');
  });

  it('rejects lines the model was not shown (another chunk)', () => {
    const o = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }] }), { ...ctx(), shown: { start: 1, end: 15 } });
    expect(rejection(o)).toBe('line 20 is outside the lines shown to the model (1-15)');
  });
});

describe('quoted code', () => {
  it('rejects code that is not in the file', () => {
    const o = verifyClaim(claim({ cwe: [95], ranges: [{ start: 13, end: 13 }], quotes: ['eval(request.data)'] }), ctx());
    expect(rejection(o)).toBe('quotes `eval(request.data)`, which does not occur in app.py');
  });

  it('rejects code that is in the file but not near the cited line', () => {
    const o = verifyClaim(claim({ cwe: [306], ranges: [{ start: 6, end: 6 }], quotes: ['os.listdir(UPLOAD_DIR)'] }), ctx());
    expect(rejection(o)).toBe('quotes `os.listdir(UPLOAD_DIR)`, which is at line 19, not at line 6 (±3)');
  });

  it('re-anchors a finding to where the quoted code really is (within ±3 lines)', () => {
    const f = verified(
      verifyClaim(
        claim({
          cwe: [306],
          ranges: [{ start: 17, end: 17 }],
          title: 'Missing authentication',
          description: 'Anyone can delete every upload.',
          solution: 'Require an authenticated administrator.',
          quotes: ['os.remove(os.path.join(UPLOAD_DIR, name))'],
          severity: 'high',
        }),
        ctx(),
      ),
    );
    expect(f).toMatchObject({
      ruleId: 'llm/cwe-306',
      origin: 'llm-verified',
      title: 'Missing authentication',
      cwe: [{ id: 306, name: 'Missing Authentication for Critical Function' }],
      pillar: { id: 284 },
      severity: 'high',
      confidence: 'medium',
      location: { path: 'app.py', startLine: 20, startColumn: 9, endLine: 20, endColumn: 50 },
      snippet: '        os.remove(os.path.join(UPLOAD_DIR, name))',
      fix: 'Require an authenticated administrator.',
      statementLine: 20,
    });
    expect(f.message).toBe('Anyone can delete every upload. (The model cited line 17; the code it quotes is at line 20.)');
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('matches quotes ignoring whitespace and line breaks, with `...` gaps and line-number prefixes', () => {
    const fip = splitLines(fixture('dvr_fip_ns.py'));
    expect(locate("self._iptables_manager.ipv4['raw'].add_rule('PREROUTING', '-j CT --notrack')", fip, 156, 163)).toEqual({ start: 158, end: 159 });
    expect(locate("subprocess.check_output(... shell=True)", APP, 10, 16)).toEqual({ start: 13, end: 13 });
    expect(locate('13 |     return subprocess.check_output(\'ping -c 1 \' + host, shell=True)', APP, 10, 16)).toEqual({ start: 13, end: 13 });
    expect(locate('check_output(shell=True)', APP, 1, 21)).toBeUndefined();
  });

  it('names mentioned away from the line must exist in the file; code mentioned must be near', () => {
    expect(isIdentifierLike('_update_arp_entry')).toBe(true);
    expect(isIdentifierLike('os.remove()')).toBe(true);
    expect(isIdentifierLike('except Exception:')).toBe(false);
    // `ping` is defined at line 11, 9 lines from the cited line: a name, so anywhere in the file is fine.
    const ok = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }], mentions: ['ping', 'UPLOAD_DIR'] }), ctx());
    expect(ok.kind).toBe('verified');
    const missing = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }], mentions: ['require_admin'] }), ctx());
    expect(rejection(missing)).toBe('names `require_admin`, which does not occur in app.py');
    const far = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }], mentions: ["request.args.get('host', '')"] }), ctx());
    expect(rejection(far)).toBe("quotes `request.args.get('host', '')`, which is at line 12, not at line 20 (±3)");
  });

  it('a claim without quoted code is kept at low confidence', () => {
    const f = verified(verifyClaim(claim({ cwe: [306], ranges: [{ start: 16, end: 21 }] }), ctx()));
    expect(f.confidence).toBe('low');
    expect(f.location).toMatchObject({ startLine: 16, endLine: 21 });
    expect(f.snippet.split('\n')).toHaveLength(3);
  });
});

describe('CWE and pillar', () => {
  const at20 = { ranges: [{ start: 20, end: 20 }] };
  it('rejects a CWE that is not in the catalogue', () => {
    expect(rejection(verifyClaim(claim({ cwe: [99999], ...at20 }), ctx()))).toBe('CWE-99999 is not in the CWE 4.15 catalogue');
  });

  it('rejects a claim naming no CWE', () => {
    expect(rejection(verifyClaim(claim({ ...at20, title: 'Something' }), ctx()))).toBe('names no CWE');
  });

  it('rejects a pillar inconsistent with the CWE, and a "pillar" that is none', () => {
    expect(rejection(verifyClaim(claim({ cwe: [306], pillar: 707, ...at20 }), ctx()))).toBe(
      'names pillar CWE-707 (Improper Neutralization), but CWE-306 (Missing Authentication for Critical Function) falls under CWE-284 (Improper Access Control)',
    );
    expect(rejection(verifyClaim(claim({ cwe: [306], pillar: 79, ...at20 }), ctx()))).toBe(
      'names CWE-79 as its pillar, which is not a CWE-1000 pillar',
    );
    expect(verifyClaim(claim({ cwe: [306], pillar: 284, ...at20 }), ctx()).kind).toBe('verified');
  });

  it('rejects CWEs MITRE prohibits for mapping, and categories', () => {
    const o = verifyClaim(claim({ cwe: [391], ...at20 }), ctx());
    expect(rejection(o)).toBe('CWE-391 mapping is prohibited by MITRE');
    expect(o).toMatchObject({ code: 'not-mappable' });
    // CWE-1211 is a category (Authentication Errors).
    expect(rejection(verifyClaim(claim({ cwe: [1211], ...at20 }), ctx()))).toBe(
      'CWE-1211 is a category, not a weakness; categorys must not be used for mapping',
    );
  });
});

describe('CWEs as models write them (cwe-choice.ts)', () => {
  const FIP = splitLines(fixture('dvr_fip_ns.py'));
  const fipCtx = () => ({ path: 'dvr_fip_ns.py', lines: FIP, staticFindings: [] as Finding[] });
  const at20 = { ranges: [{ start: 20, end: 20 }], quotes: ['os.remove(os.path.join(UPLOAD_DIR, name))'] };

  it('the seed-style race claim "CWE-691 (…) … a race condition, CWE-362" is verified as CWE-362', () => {
    expect(FIP[306]).toBe('        if not rtr_2_fip_dev.exists():');
    const reply = [
      'After reviewing the code, I found the following potential security defect:',
      '',
      '1. **CWE-691 (Insufficient Control Flow Management):**',
      '   - **Location:** Lines 307-309 (`if not rtr_2_fip_dev.exists():`)',
      '   - **Description:** The device is checked for and then created in two steps; another agent thread can create it in',
      '     between, a race condition, CWE-362, so `add_veth` fails or works on a device someone else set up.',
      '   - **Solution:** Create the veth pair unconditionally and treat "already exists" as success, or hold a lock.',
    ].join('\n');
    const parsed = parseReview(reply);
    expect(parsed.claims).toHaveLength(1);
    expect(parsed.claims[0]!.cwe).toEqual([691, 362]);
    const f = verified(verifyClaim(parsed.claims[0]!, fipCtx()));
    expect(f).toMatchObject({
      ruleId: 'llm/cwe-362',
      cwe: [{ id: 362, name: "Concurrent Execution using Shared Resource with Improper Synchronization ('Race Condition')" }],
      pillar: { id: 691, name: 'Insufficient Control Flow Management' },
      confidence: 'medium',
      location: { startLine: 307, endLine: 309 },
    });
    expect(f.message).toMatch(
      /\(The model also named CWE-691, which MITRE discourages for mapping; reported under the most specific CWE it named, CWE-362\.\)$/,
    );
  });

  it('pillar + specific → the specific CWE, whichever comes first', () => {
    for (const cwe of [[707, 78], [78, 707]]) {
      const f = verified(verifyClaim(claim({ cwe, ranges: [{ start: 20, end: 20 }] }), { ...ctx(), staticFindings: [] }));
      expect(f.cwe.map((c) => c.id)).toEqual([78]);
      expect(f.ruleId).toBe('llm/cwe-78');
    }
  });

  it('several specifics → the most specific (Variant over Base over Class), ties to the one named first', () => {
    const pick = (cwe: number[]): number[] => verified(verifyClaim(claim({ cwe, ...at20 }), ctx())).cwe.map((c) => c.id);
    // CWE-77 is a Class, CWE-78 a Base: 78 wins though named second; 77 stays as a further CWE.
    expect(pick([77, 78])).toEqual([78, 77]);
    // CWE-362 (Class), CWE-367 (Base), CWE-691 (pillar, dropped).
    expect(pick([691, 362, 367])).toEqual([367, 362]);
    // Two Bases: the first named wins.
    expect(pick([22, 78])).toEqual([22, 78]);
    expect(pick([78, 22])).toEqual([78, 22]);
    // CWE-416 is a Variant.
    expect(pick([119, 787, 416])).toEqual([416, 787]);
  });

  it('a named pillar picks among the specifics the one under it', () => {
    const f = verified(verifyClaim(claim({ cwe: [22, 78], pillar: 707, ...at20 }), ctx()));
    expect(f.cwe.map((c) => c.id)).toEqual([78]);
    expect(rejection(verifyClaim(claim({ cwe: [22, 78], pillar: 691, ...at20 }), ctx()))).toMatch(/^names pillar CWE-691 .* but CWE-22 .* falls under CWE-664/);
  });

  it('pillar only → kept at low confidence under the pillar, saying so', () => {
    const f = verified(verifyClaim(claim({ cwe: [284], title: 'No authentication', ...at20 }), ctx()));
    expect(f).toMatchObject({ ruleId: 'llm/cwe-284', cwe: [{ id: 284, name: 'Improper Access Control' }], pillar: { id: 284 }, confidence: 'low' });
    expect(f.message).toBe(
      'No authentication (Unmapped: the model named only CWE-284, a CWE-1000 pillar; MITRE discourages mapping to pillars, so this is reported at low confidence under the pillar.)',
    );
  });

  it('discouraged class only → kept at low confidence under it, with its pillar', () => {
    const f = verified(verifyClaim(claim({ cwe: [20], description: 'days is not checked.', ...at20 }), ctx()));
    expect(f).toMatchObject({ ruleId: 'llm/cwe-20', cwe: [{ id: 20 }], pillar: { id: 707 }, confidence: 'low' });
    expect(f.message).toBe(
      'days is not checked. (Unmapped: the model named only CWE-20, a class MITRE discourages for mapping; reported at low confidence under it, pillar CWE-707 (Improper Neutralization).)',
    );
    // A discouraged class next to its pillar: the class, which says more.
    const both = verified(verifyClaim(claim({ cwe: [707, 20], ...at20 }), ctx()));
    expect(both.cwe.map((c) => c.id)).toEqual([20]);
    expect(both.message).toMatch(/the model named only CWE-707, CWE-20, none of them a CWE MITRE allows for mapping/);
  });

  it('a discouraged class with a prohibited CWE keeps the class; unknown ids next to known ones are ignored', () => {
    expect(verified(verifyClaim(claim({ cwe: [391, 20], ...at20 }), ctx())).cwe.map((c) => c.id)).toEqual([20]);
    expect(verified(verifyClaim(claim({ cwe: [99999, 306], ...at20 }), ctx())).cwe.map((c) => c.id)).toEqual([306]);
  });

  it('a pillar-only claim still has to be grounded', () => {
    const o = verifyClaim(claim({ cwe: [691], ranges: [{ start: 20, end: 20 }], quotes: ['lock.acquire()'] }), ctx());
    expect(rejection(o)).toBe('quotes `lock.acquire()`, which does not occur in app.py');
    expect(o).toMatchObject({ code: 'quote-missing' });
  });
});

describe('duplicates of static findings', () => {
  it('merges a claim with the same CWE on the same line', () => {
    const o = verifyClaim(
      claim({ cwe: [78], ranges: [{ start: 13, end: 13 }], description: 'host reaches the shell.', solution: 'Use a list.' }),
      ctx(),
    );
    expect(o.kind).toBe('merged');
    if (o.kind !== 'merged') return;
    expect(o.target).toBe(staticFindings[0]);
    expect(o.note).toBe('host reaches the shell. Fix: Use a list.');
  });

  it('merges a claim of the same pillar within ±2 lines, even at pillar level', () => {
    expect(verifyClaim(claim({ cwe: [77], ranges: [{ start: 12, end: 12 }] }), ctx()).kind).toBe('merged');
    expect(verifyClaim(claim({ cwe: [707], ranges: [{ start: 11, end: 11 }] }), ctx()).kind).toBe('merged');
  });

  it('does not merge a claim of another pillar, or one too far away', () => {
    expect(verifyClaim(claim({ cwe: [306], ranges: [{ start: 13, end: 13 }] }), ctx()).kind).toBe('verified');
    expect(verifyClaim(claim({ cwe: [78], ranges: [{ start: 20, end: 20 }] }), ctx()).kind).toBe('verified');
  });
});

describe('names are matched as whole words', () => {
  it('`x` is not found inside `exception`, but `netns.execute` is found in `ip_wrapper.netns.execute(...)`', async () => {
    const { locateName } = await import('../../src/llm/verify.js');
    expect(locateName('x', ['try:', '    pass', 'except Exception:'], 1, 3)).toBeUndefined();
    expect(locateName('netns.execute', ['ip_wrapper.netns.execute(cmd)'], 1, 1)).toEqual({ start: 1, end: 1 });
    expect(locateName('execute()', ['ip_wrapper.netns.execute(cmd)'], 1, 1)).toEqual({ start: 1, end: 1 });
    expect(locateName('exec', ['ip_wrapper.netns.execute(cmd)'], 1, 1)).toBeUndefined();
    const o = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }], mentions: ['os'] }), ctx());
    expect(o.kind).toBe('verified');
    const absent = verifyClaim(claim({ cwe: [306], ranges: [{ start: 20, end: 20 }], mentions: ['ping_host'] }), ctx());
    expect(rejection(absent)).toBe('names `ping_host`, which does not occur in app.py');
  });
});
