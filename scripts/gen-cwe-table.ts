/**
 * Generates src/cwe/cwe-table.json from MITRE's CWE catalogue as shipped by
 * the `cwe-sdk` devDependency (node_modules/cwe-sdk/raw/cwe-archive.xml, the
 * unmodified MITRE XML export; the sibling cwe-archive.json is a lossy
 * machine conversion of the same file and is only used by the tests as a
 * cross-check).
 *
 * Usage: npx tsx scripts/gen-cwe-table.ts   (or: npm run gen:cwe)
 *
 * The output is deterministic: entries are ordered by numeric id, every entry
 * is written on one line, and nothing time- or machine-dependent is recorded.
 * Importing this module has no side effects; the file is only written when the
 * module is executed directly.
 *
 * The XML is read with a small purpose-built parser (no dependency). It
 * supports exactly what the MITRE export uses (elements, attributes, the five
 * predefined entities and numeric character references, an XML declaration)
 * and throws on anything else (DOCTYPE, unknown entities, mismatched tags), so
 * a format change fails loudly instead of producing a wrong table.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------
// Output format
// ---------------------------------------------------------------------------

export type CweKind = 'weakness' | 'category' | 'view';

/** One catalogue entry as stored in cwe-table.json (short keys, see KEY_DOCS). */
export interface CweTableRow {
  /** name */
  n: string;
  /** kind */
  k: CweKind;
  /** abstraction (weaknesses only): Pillar | Class | Base | Variant | Compound */
  a: string | null;
  /** status: Draft | Incomplete | Stable | Deprecated | Obsolete | ... */
  s: string;
  /** Mapping_Notes/Usage: Allowed | Allowed-with-Review | Discouraged | Prohibited */
  u: string | null;
  /** View-1000 ChildOf parent ids, Ordinal="Primary" first, then document order */
  p: number[];
  /** derived CWE-1000 pillar id (null when there is no View-1000 path) */
  P: number | null;
}

export interface CweTableFile {
  source: string;
  version: string;
  date: string;
  keys: Record<keyof CweTableRow, string>;
  pillars: number[];
  entries: Record<string, CweTableRow>;
}

export const KEY_DOCS: Record<keyof CweTableRow, string> = {
  n: 'name',
  k: 'kind: weakness | category | view',
  a: 'abstraction (weaknesses only): Pillar | Class | Base | Variant | Compound; null for categories and views',
  s: 'status: Draft | Incomplete | Stable | Deprecated | Obsolete',
  u: 'mapping usage (Mapping_Notes/Usage): Allowed | Allowed-with-Review | Discouraged | Prohibited',
  p: 'parents: ids of ChildOf relationships with View_ID=1000, the Ordinal=Primary one first',
  P: 'pillar: CWE-1000 pillar reached by walking View-1000 ChildOf links upward preferring the Primary parent at each step (a Pillar is its own pillar); null if no path',
};

/** The ten CWE-1000 pillars. The generator checks that the catalogue agrees. */
export const EXPECTED_PILLARS: readonly number[] = [284, 435, 664, 682, 691, 693, 697, 703, 707, 710];

// ---------------------------------------------------------------------------
// Minimal XML parser
// ---------------------------------------------------------------------------

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(raw: string): string {
  const out = raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new Error(`Unsupported XML entity ${whole}`);
    return named;
  });
  return out;
}

function checkText(raw: string, offset: number): void {
  if (raw.includes('<')) throw new Error(`Unparsed markup near offset ${offset}`);
  if (/&(?!#x[0-9a-fA-F]+;|#[0-9]+;|[A-Za-z]+;)/.test(raw)) {
    throw new Error(`Bare '&' in XML text near offset ${offset}`);
  }
}

const TOKEN =
  /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<!([A-Za-z][^>]*)>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses a well-formed XML document (subset, see file header) into a tree. */
export function parseXml(xml: string): XmlElement {
  const docRoot: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [docRoot];
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m !== null; m = TOKEN.exec(xml)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) {
      const raw = xml.slice(last, m.index);
      checkText(raw, last);
      top.text += decodeEntities(raw);
    }
    last = TOKEN.lastIndex;
    const [, cdata, decl, closeName, openName, attrText, selfClose] = m;
    if (cdata !== undefined) {
      top.text += cdata;
    } else if (decl !== undefined) {
      throw new Error(`Unsupported XML declaration <!${decl.slice(0, 20)}...>`);
    } else if (closeName !== undefined) {
      if (top.name !== closeName) throw new Error(`Mismatched </${closeName}> (open element: <${top.name}>)`);
      stack.pop();
    } else if (openName !== undefined) {
      const attrs: Record<string, string> = {};
      ATTR.lastIndex = 0;
      for (let a = ATTR.exec(attrText ?? ''); a !== null; a = ATTR.exec(attrText ?? '')) {
        attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '');
      }
      const el: XmlElement = { name: openName, attrs, children: [], text: '' };
      top.children.push(el);
      if (selfClose !== '/') stack.push(el);
    }
    // processing instructions and comments are skipped
  }
  const tail = xml.slice(last);
  if (tail.trim() !== '') checkText(tail, last);
  if (stack.length !== 1) throw new Error(`Unclosed element <${stack[stack.length - 1]!.name}>`);
  const elements = docRoot.children;
  if (elements.length !== 1) throw new Error(`Expected exactly one root element, got ${elements.length}`);
  return elements[0]!;
}

function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

// ---------------------------------------------------------------------------
// Table construction
// ---------------------------------------------------------------------------

interface RawEntry {
  id: number;
  row: CweTableRow;
}

function parseId(value: string | undefined, where: string): number {
  if (value === undefined || !/^[1-9][0-9]*$/.test(value)) throw new Error(`Bad CWE id ${String(value)} in ${where}`);
  return Number(value);
}

function readEntry(el: XmlElement, kind: CweKind): RawEntry {
  const id = parseId(el.attrs['ID'], `<${el.name}>`);
  const name = el.attrs['Name'];
  const status = el.attrs['Status'];
  if (name === undefined || status === undefined) throw new Error(`CWE-${id}: missing Name or Status`);
  const usageEl = child(child(el, 'Mapping_Notes') ?? { name: '', attrs: {}, children: [], text: '' }, 'Usage');
  const usage = usageEl ? usageEl.text.trim() : null;

  const primary: number[] = [];
  const others: number[] = [];
  for (const rel of childrenNamed(child(el, 'Related_Weaknesses'), 'Related_Weakness')) {
    if (rel.attrs['Nature'] !== 'ChildOf' || rel.attrs['View_ID'] !== '1000') continue;
    const parent = parseId(rel.attrs['CWE_ID'], `CWE-${id} Related_Weakness`);
    (rel.attrs['Ordinal'] === 'Primary' ? primary : others).push(parent);
  }
  const parents: number[] = [];
  for (const p of [...primary, ...others]) if (!parents.includes(p)) parents.push(p);

  return {
    id,
    row: {
      // a few MITRE names carry trailing blanks (e.g. CWE-280, CWE-600)
      n: name.replace(/\s+/g, ' ').trim(),
      k: kind,
      a: kind === 'weakness' ? (el.attrs['Abstraction'] ?? null) : null,
      s: status,
      u: usage === '' ? null : usage,
      p: parents,
      P: null,
    },
  };
}

/** Builds the table from the text of MITRE's cwe-archive.xml. Pure. */
export function buildCweTable(xml: string, sourceLabel: string): CweTableFile {
  const root = parseXml(xml);
  if (root.name !== 'Weakness_Catalog') throw new Error(`Unexpected root element <${root.name}>`);
  const version = root.attrs['Version'];
  const date = root.attrs['Date'];
  if (version === undefined || date === undefined) throw new Error('Weakness_Catalog lacks Version/Date');

  const raw: RawEntry[] = [];
  for (const [section, element, kind] of [
    ['Weaknesses', 'Weakness', 'weakness'],
    ['Categories', 'Category', 'category'],
    ['Views', 'View', 'view'],
  ] as const) {
    const sec = child(root, section);
    if (!sec) throw new Error(`Missing <${section}>`);
    for (const el of childrenNamed(sec, element)) raw.push(readEntry(el, kind));
  }

  const byId = new Map<number, CweTableRow>();
  for (const { id, row } of raw) {
    if (byId.has(id)) throw new Error(`Duplicate CWE id ${id}`);
    byId.set(id, row);
  }

  // Pillar derivation: depth-first up the View-1000 ChildOf graph, Primary
  // parent first at every step, falling back to the other parents only when
  // the preferred path dead-ends. The graph must be acyclic.
  const memo = new Map<number, number | null>();
  const inProgress = new Set<number>();
  const walk = (id: number): number | null => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const row = byId.get(id);
    if (!row) throw new Error(`View-1000 parent CWE-${id} is not in the catalogue`);
    if (inProgress.has(id)) throw new Error(`Cycle in View-1000 ChildOf graph at CWE-${id}`);
    inProgress.add(id);
    let result: number | null = null;
    if (row.k === 'weakness' && row.a === 'Pillar') {
      result = id;
    } else {
      for (const parent of row.p) {
        result = walk(parent);
        if (result !== null) break;
      }
    }
    inProgress.delete(id);
    memo.set(id, result);
    return result;
  };
  for (const [id, row] of byId) row.P = walk(id);

  const ids = [...byId.keys()].sort((a, b) => a - b);
  const pillars = ids.filter((id) => byId.get(id)!.a === 'Pillar');
  if (pillars.join(',') !== EXPECTED_PILLARS.join(',')) {
    throw new Error(`Pillar set changed: ${pillars.join(',')} (expected ${EXPECTED_PILLARS.join(',')})`);
  }

  const entries: Record<string, CweTableRow> = {};
  for (const id of ids) entries[String(id)] = byId.get(id)!;
  return {
    source: `MITRE CWE ${version} (${date}) via npm ${sourceLabel}`,
    version,
    date,
    keys: KEY_DOCS,
    pillars,
    entries,
  };
}

/** Deterministic serialisation: header pretty-printed, one entry per line. */
export function serializeCweTable(table: CweTableFile): string {
  const lines: string[] = ['{'];
  lines.push(`  "source": ${JSON.stringify(table.source)},`);
  lines.push(`  "version": ${JSON.stringify(table.version)},`);
  lines.push(`  "date": ${JSON.stringify(table.date)},`);
  lines.push(`  "keys": ${JSON.stringify(table.keys, null, 2).replace(/\n/g, '\n  ')},`);
  lines.push(`  "pillars": ${JSON.stringify(table.pillars)},`);
  lines.push('  "entries": {');
  const ids = Object.keys(table.entries).sort((a, b) => Number(a) - Number(b));
  ids.forEach((id, i) => {
    const r = table.entries[id]!;
    // fixed key order, independent of object construction order
    const row: CweTableRow = { n: r.n, k: r.k, a: r.a, s: r.s, u: r.u, p: r.p, P: r.P };
    lines.push(`    ${JSON.stringify(id)}: ${JSON.stringify(row)}${i < ids.length - 1 ? ',' : ''}`);
  });
  lines.push('  }');
  lines.push('}');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// I/O
// ---------------------------------------------------------------------------

const require = createRequire(import.meta.url);

export function cweSdkPaths(): { xml: string; version: string } {
  const pkgPath = require.resolve('cwe-sdk/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string };
  return { xml: path.join(path.dirname(pkgPath), 'raw', 'cwe-archive.xml'), version: pkg.version };
}

export function readCweSdkXml(): { xml: string; sourceLabel: string } {
  const { xml, version } = cweSdkPaths();
  return { xml: readFileSync(xml, 'utf8'), sourceLabel: `cwe-sdk@${version} (raw/cwe-archive.xml)` };
}

/** Reads the XML from cwe-sdk and returns the JSON text (no file writes). */
export function generateCweTableJson(): string {
  const { xml, sourceLabel } = readCweSdkXml();
  return serializeCweTable(buildCweTable(xml, sourceLabel));
}

export const OUTPUT_PATH = fileURLToPath(new URL('../src/cwe/cwe-table.json', import.meta.url));

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(path.resolve(entry)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const json = generateCweTableJson();
  writeFileSync(OUTPUT_PATH, json);
  const count = Object.keys((JSON.parse(json) as CweTableFile).entries).length;
  console.log(`wrote ${path.relative(process.cwd(), OUTPUT_PATH)}: ${count} entries, ${Buffer.byteLength(json)} bytes`);
}
