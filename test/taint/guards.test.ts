import { describe, expect, it } from 'vitest';
import { regexCharacters } from '../../src/frontend/python/regex-characters.js';
import { irOf } from '../support/ir.js';
import type { Stmt } from '../../src/analysis/taint/ir.js';

const chars = (pattern: string, anchoring: 'full' | 'start' | 'none'): string | undefined => {
  const c = regexCharacters(pattern, anchoring);
  return c && [...c.ascii].sort().join('');
};

describe('regex characters: what a whole-value check lets through', () => {
  it('collects classes, ranges, escapes and literals, in both cases', () => {
    expect(chars('[a-c0-2_]+', 'full')).toBe('012ABC_abc');
    expect(chars('\\d{1,5}', 'full')).toBe('0123456789');
    expect(chars('(?:ab|c)-x', 'full')).toBe('-ABCXabcx');
    expect(chars('[\\-.]+', 'full')).toBe('-.');
  });

  it('needs the anchors the call does not give: `$` lets a final line break through', () => {
    expect(chars('[a-b]+', 'start')).toBeUndefined();
    expect(chars('[a-b]+\\Z', 'start')).toBe('ABab');
    expect(chars('[a-b]+$', 'start')).toBe('\nABab');
    expect(chars('[a-b]+$', 'full')).toBe('ABab');
    expect(chars('[a-b]+\\Z', 'none')).toBeUndefined();
    expect(chars('^[a-b]+\\Z', 'none')).toBe('ABab');
  });

  it('gives up on what it cannot bound', () => {
    for (const p of ['.+', '[^;]+', '\\S+', '(?=a)[a-z]+', '(?i)[a-z]+', '(a)\\1', '[\\x41-\\x5a]+', 'a$b']) {
      expect(regexCharacters(p, 'full'), p).toBeUndefined();
    }
    // A top-level `|` outside fullmatch: the anchors bind to one alternative.
    expect(regexCharacters('^a|b$', 'start')).toBeUndefined();
    expect(chars('a|b', 'full')).toBe('ABab');
  });
});

function guardCalls(stmts: readonly Stmt[]): string[] {
  const out: string[] = [];
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.k === 'assign' && s.value.k === 'call' && s.value.qname?.startsWith('secreview.guards.')) {
        out.push(`${s.targets[0]!.k === 'name' ? (s.targets[0] as { name: string }).name : '?'}:${s.value.qname.slice('secreview.guards.'.length)}`);
      }
      if (s.k === 'if') {
        out.push('if{');
        walk(s.body);
        out.push('}else{');
        walk(s.orelse);
        out.push('}');
      }
    }
  };
  walk(stmts);
  return out;
}

describe('guards lowered by the Python front end', () => {
  it('puts the sanitising step on the branch where the check passed, or after an exiting branch', async () => {
    const [m] = await irOf({
      'g.py': [
        'import re, os',
        'from flask import abort',
        'def f(a, b, n, p):',
        '    if not re.fullmatch("[0-9]+", a):',
        '        abort(400)',
        '    if re.fullmatch("[a-z-]+", b):',
        '        pass',
        '    else:',
        '        pass',
        '    if n > MAX_ITEMS:',
        '        return None',
        '    p = os.path.realpath(p)',
        '    if p.startswith(BASE):',
        '        pass',
        '',
      ].join('\n'),
    });
    const fn = m!.functions.find((f) => f.name === 'f')!;
    expect(guardCalls(fn.body)).toEqual([
      'if{', '}else{', '}', 'a:regex_digits',
      'if{', 'b:regex_word_dash', '}else{', '}',
      'if{', '}else{', '}', 'n:upper_bound',
      'if{', 'p:normalised_path_prefix', '}else{', '}',
    ]);
  });
});
