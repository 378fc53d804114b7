import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import type { Finding } from '../../src/findings/types.js';
import { splitLines } from '../../src/llm/review.js';
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

  it('rejects CWEs MITRE discourages or prohibits for mapping (pillars, classes like CWE-20)', () => {
    expect(rejection(verifyClaim(claim({ cwe: [20], ...at20 }), ctx()))).toBe(
      'CWE-20 mapping is discouraged by MITRE; prefer a more specific (Base/Variant) weakness',
    );
    expect(rejection(verifyClaim(claim({ cwe: [391], ...at20 }), ctx()))).toBe('CWE-391 mapping is prohibited by MITRE');
    expect(rejection(verifyClaim(claim({ cwe: [284], ...at20 }), ctx()))).toMatch(/CWE-284 mapping is discouraged/);
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
