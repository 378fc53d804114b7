import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import {
  PILLAR_IDS,
  catalogueDate,
  catalogueSource,
  catalogueVersion,
  getCwe,
  isMappable,
  parseCweRef,
  pillarOf,
} from '../../src/cwe/catalogue.js';
import {
  OUTPUT_PATH,
  buildCweTable,
  cweSdkPaths,
  generateCweTableJson,
  parseXml,
  readCweSdkXml,
  serializeCweTable,
} from '../../scripts/gen-cwe-table.js';

// Expected values below were read from MITRE CWE 4.15 (cwe-sdk raw/cwe-archive.xml),
// not assumed; e.g. CWE-22's Primary View-1000 parent is 706 (not 668), and
// CWE-798's is 1391 (Use of Weak Credentials) -> 1390 -> 287 -> 284.

describe('CWE catalogue: metadata', () => {
  it('records the catalogue version and date', () => {
    expect(catalogueVersion).toBe('4.15');
    expect(catalogueDate).toBe('2024-07-16');
    expect(catalogueSource).toContain('MITRE CWE 4.15');
    expect(catalogueSource).toContain('cwe-sdk@1.1.19');
  });

  it('lists exactly the ten CWE-1000 pillars', () => {
    expect([...PILLAR_IDS]).toEqual([284, 435, 664, 682, 691, 693, 697, 703, 707, 710]);
  });
});

describe('CWE catalogue: lookups', () => {
  it('CWE-78 is OS command injection under pillar 707', () => {
    const e = getCwe(78);
    expect(e).toBeDefined();
    expect(e!.id).toBe(78);
    expect(e!.name).toContain('OS Command');
    expect(e!.kind).toBe('weakness');
    expect(e!.abstraction).toBe('Base');
    expect(e!.status).toBe('Stable');
    expect(e!.mappingUsage).toBe('Allowed');
    expect(e!.parents).toEqual([77]);
    expect(e!.pillar).toBe(707);
    expect(pillarOf(78)?.name).toBe('Improper Neutralization');
    expect(isMappable(78)).toEqual({ ok: true });
  });

  it('CWE-89 (SQL injection) is under pillar 707 via 943 -> 74', () => {
    expect(getCwe(89)?.name).toContain('SQL Injection');
    expect(getCwe(89)?.parents).toEqual([943]);
    expect(getCwe(943)?.parents[0]).toBe(74);
    expect(pillarOf(89)?.id).toBe(707);
  });

  it('CWE-22 (path traversal) is under pillar 664, Primary parent 706 first', () => {
    const e = getCwe(22)!;
    expect(e.name).toContain('Path Traversal');
    expect(e.parents).toEqual([706, 668]);
    expect(e.pillar).toBe(664);
    expect(pillarOf(22)?.name).toBe('Improper Control of a Resource Through its Lifetime');
  });

  it('CWE-798 (hard-coded credentials) is under pillar 284', () => {
    const e = getCwe(798)!;
    expect(e.name).toBe('Use of Hard-coded Credentials');
    expect(e.parents).toEqual([1391, 344, 671]);
    expect(e.pillar).toBe(284);
    expect(pillarOf(798)?.name).toBe('Improper Access Control');
  });

  it('CWE-682 is itself a pillar', () => {
    const e = getCwe(682)!;
    expect(e.abstraction).toBe('Pillar');
    expect(e.parents).toEqual([]);
    expect(e.pillar).toBe(682);
    expect(pillarOf(682)).toBe(e);
  });

  it('every pillar maps to itself and is a Pillar-level weakness', () => {
    for (const id of PILLAR_IDS) {
      const e = getCwe(id);
      expect(e, `CWE-${id}`).toBeDefined();
      expect(e!.kind).toBe('weakness');
      expect(e!.abstraction).toBe('Pillar');
      expect(e!.pillar).toBe(id);
      expect(pillarOf(id)?.id).toBe(id);
    }
  });

  it('CWE-20 is Discouraged for mapping (MITRE 4.15)', () => {
    expect(getCwe(20)?.mappingUsage).toBe('Discouraged');
    expect(getCwe(20)?.pillar).toBe(707);
    const m = isMappable(20);
    expect(m.ok).toBe(false);
    expect(m.reason).toMatch(/discouraged/i);
  });

  it('categories and views are present but not mappable', () => {
    const cat = getCwe(1019)!;
    expect(cat.kind).toBe('category');
    expect(cat.name).toBe('Validate Inputs');
    expect(cat.mappingUsage).toBe('Prohibited');
    expect(cat.abstraction).toBeNull();
    expect(cat.pillar).toBeNull();
    expect(isMappable(1019).ok).toBe(false);
    expect(isMappable(1019).reason).toMatch(/category/);

    const view = getCwe(1000)!;
    expect(view.kind).toBe('view');
    expect(view.name).toBe('Research Concepts');
    expect(isMappable(1000).ok).toBe(false);
  });

  it('unknown ids are undefined and not mappable', () => {
    expect(getCwe(999999)).toBeUndefined();
    expect(pillarOf(999999)).toBeUndefined();
    expect(getCwe(0)).toBeUndefined();
    expect(getCwe(-78)).toBeUndefined();
    expect(getCwe(78.5)).toBeUndefined();
    expect(getCwe(Number.NaN)).toBeUndefined();
    const m = isMappable(999999);
    expect(m.ok).toBe(false);
    expect(m.reason).toMatch(/not in the CWE 4\.15 catalogue/);
  });

  it('deprecated and prohibited weaknesses are not mappable', () => {
    // CWE-71 is a deprecated weakness
    expect(getCwe(71)?.status).toBe('Deprecated');
    expect(getCwe(71)?.pillar).toBeNull();
    expect(isMappable(71)).toEqual({ ok: false, reason: 'CWE-71 is deprecated' });
    // CWE-391 (Unchecked Error Condition) is a live weakness whose usage is Prohibited
    expect(getCwe(391)?.status).toBe('Incomplete');
    expect(getCwe(391)?.mappingUsage).toBe('Prohibited');
    expect(isMappable(391).ok).toBe(false);
    expect(isMappable(391).reason).toMatch(/prohibited/);
  });

  it('Allowed-with-Review is mappable', () => {
    expect(getCwe(327)?.mappingUsage).toBe('Allowed-with-Review');
    expect(isMappable(327).ok).toBe(true);
  });

  it('parseCweRef accepts the usual spellings', () => {
    expect(parseCweRef('CWE-78')).toBe(78);
    expect(parseCweRef('cwe 78')).toBe(78);
    expect(parseCweRef('78')).toBe(78);
    expect(parseCweRef('  CWE_1333 ')).toBe(1333);
    expect(parseCweRef('CWE78')).toBe(78);
    expect(parseCweRef('CWE-078')).toBe(78);
    expect(parseCweRef('')).toBeUndefined();
    expect(parseCweRef('CWE-')).toBeUndefined();
    expect(parseCweRef('CWE-0')).toBeUndefined();
    expect(parseCweRef('CVE-2021-44228')).toBeUndefined();
    expect(parseCweRef('78a')).toBeUndefined();
    expect(parseCweRef('-78')).toBeUndefined();
  });

  it('entries are frozen', () => {
    const e = getCwe(78)!;
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.parents)).toBe(true);
  });
});

describe('CWE table: structural invariants', () => {
  const table = JSON.parse(readFileSync(OUTPUT_PATH, 'utf8')) as {
    entries: Record<string, { k: string; a: string | null; s: string; p: number[]; P: number | null }>;
  };
  const ids = Object.keys(table.entries).map(Number);

  it('has every weakness, category and view of CWE 4.15', () => {
    expect(ids).toHaveLength(1427);
    const kinds = { weakness: 0, category: 0, view: 0 } as Record<string, number>;
    for (const id of ids) kinds[table.entries[String(id)]!.k]! += 1;
    expect(kinds).toEqual({ weakness: 964, category: 409, view: 54 });
  });

  it('parents are weaknesses and pillars follow the Primary parent', () => {
    for (const id of ids) {
      const r = table.entries[String(id)]!;
      for (const p of r.p) expect(getCwe(p)?.kind, `parent ${p} of CWE-${id}`).toBe('weakness');
      if (r.k !== 'weakness') {
        expect(r.p).toEqual([]);
        expect(r.P).toBeNull();
      } else if (r.a === 'Pillar') {
        expect(r.P).toBe(id);
      } else if (r.p.length > 0) {
        expect(r.P, `CWE-${id}`).toBe(getCwe(r.p[0]!)!.pillar);
      }
    }
  });

  it('only deprecated/obsolete weaknesses lack a pillar', () => {
    for (const id of ids) {
      const r = table.entries[String(id)]!;
      if (r.k === 'weakness' && r.P === null) expect(['Deprecated', 'Obsolete']).toContain(r.s);
    }
  });
});

describe('CWE table generator', () => {
  it('is deterministic and the checked-in table is up to date', () => {
    const first = generateCweTableJson();
    const second = generateCweTableJson();
    expect(second).toBe(first);
    expect(readFileSync(OUTPUT_PATH, 'utf8')).toBe(first);
  });

  it('buildCweTable is pure (same input, same serialisation)', () => {
    const { xml, sourceLabel } = readCweSdkXml();
    expect(serializeCweTable(buildCweTable(xml, sourceLabel))).toBe(serializeCweTable(buildCweTable(xml, sourceLabel)));
  });

  it('agrees with the independent JSON conversion shipped in cwe-sdk', () => {
    // cwe-archive.json is fast-xml-parser output of the same XML (values trimmed);
    // this validates the generator's own XML parsing.
    type Attrs = Record<string, string>;
    type Node = { attr: Attrs; Mapping_Notes?: { Usage?: string }; Related_Weaknesses?: { Related_Weakness: unknown } };
    const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
    const jsonPath = path.join(path.dirname(cweSdkPaths().xml), 'cwe-archive.json');
    const archive = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { Weakness_Catalog: Record<string, Record<string, unknown>> })
      .Weakness_Catalog;
    let count = 0;
    for (const [section, element] of [
      ['Weaknesses', 'Weakness'],
      ['Categories', 'Category'],
      ['Views', 'View'],
    ] as const) {
      for (const node of arr(archive[section]![element] as Node | Node[])) {
        count++;
        const id = Number(node.attr['@_ID']);
        const e = getCwe(id);
        expect(e, `CWE-${id}`).toBeDefined();
        expect(e!.name).toBe(node.attr['@_Name']);
        expect(e!.status).toBe(node.attr['@_Status']);
        expect(e!.mappingUsage).toBe(node.Mapping_Notes?.Usage ?? null);
        const rels = arr(node.Related_Weaknesses?.Related_Weakness as { attr: Attrs } | { attr: Attrs }[] | undefined)
          .map((r) => r.attr)
          .filter((a) => a['@_Nature'] === 'ChildOf' && a['@_View_ID'] === '1000');
        const expected = [
          ...rels.filter((a) => a['@_Ordinal'] === 'Primary'),
          ...rels.filter((a) => a['@_Ordinal'] !== 'Primary'),
        ].map((a) => Number(a['@_CWE_ID']));
        expect(e!.parents, `parents of CWE-${id}`).toEqual([...new Set(expected)]);
      }
    }
    expect(count).toBe(1427);
  });

  it('the XML reader rejects what it does not support', () => {
    expect(parseXml('<?xml version="1.0"?><a x="1 &amp; 2"><b>t&lt;</b><c/></a>')).toEqual({
      name: 'a',
      attrs: { x: '1 & 2' },
      children: [
        { name: 'b', attrs: {}, children: [], text: 't<' },
        { name: 'c', attrs: {}, children: [], text: '' },
      ],
      text: '',
    });
    expect(() => parseXml('<a><b></a>')).toThrow(/Mismatched/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/entity/);
    expect(() => parseXml('<!DOCTYPE a><a/>')).toThrow(/Unsupported/);
    expect(() => parseXml('<a>')).toThrow(/Unclosed/);
  });
});

// The table must come from the exact-pinned devDependency.
describe('cwe-sdk provenance', () => {
  it('reads the pinned cwe-sdk package', () => {
    const require = createRequire(import.meta.url);
    const pkg = require('cwe-sdk/package.json') as { version: string };
    expect(pkg.version).toBe('1.1.19');
    expect(cweSdkPaths().version).toBe('1.1.19');
  });
});
