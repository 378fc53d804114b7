import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../files/package-root.js';

/**
 * Other tools' suppression comments, honoured for the equivalent secreview rules:
 *
 * - `# nosec` (Bandit): bare, or naming checks `# nosec B602, B603` / `# nosec: B602` (ids or
 *   Bandit's check names);
 * - `# noqa: S602` (Ruff's flake8-bandit port): only S codes count, so `# noqa` and
 *   `# noqa: E501` are not security suppressions;
 * - `# nosemgrep` (Semgrep): bare, or `# nosemgrep: rule-id` naming secreview rule ids (Semgrep
 *   rule ids of other rule packs have no equivalents listed and silence nothing).
 *
 * Ids map to secreview rules through models/suppressions/foreign-ids.yml. A bare comment silences
 * every finding on its line and is reported as unqualified.
 */
export type ForeignTool = 'nosec' | 'noqa' | 'nosemgrep';

export interface ForeignComment {
  tool: ForeignTool;
  /** The ids as written (`B602`, `S608`, `python/weak-hash`); empty for a bare comment. */
  ids: string[];
  /** The secreview rules the ids stand for (empty for a bare comment). */
  ruleIds: string[];
  bare: boolean;
}

const entry = z.object({ name: z.string().min(1), rules: z.array(z.string().regex(/^[a-z]+\/[a-z0-9-]+$/)) }).strict();
const tableSchema = z
  .object({
    bandit: z.record(z.string().regex(/^B\d{3}$/), entry),
    ruff: z.record(z.string().regex(/^S\d{3}$/), entry),
  })
  .strict();
export type ForeignIdTable = z.infer<typeof tableSchema>;

export const FOREIGN_ID_FILE = join(packageRoot(), 'models', 'suppressions', 'foreign-ids.yml');

let table: ForeignIdTable | undefined;

/** The checked-in table, read and validated once per thread; a broken table names the file and the key. */
export function foreignIdTable(): ForeignIdTable {
  if (table) return table;
  const parsed = tableSchema.safeParse(parseYaml(readFileSync(FOREIGN_ID_FILE, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${FOREIGN_ID_FILE}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  table = parsed.data;
  return table;
}

/** Bandit accepts its check names as well as ids (`# nosec subprocess_popen_with_shell_equals_true`). */
function banditByName(t: ForeignIdTable): Map<string, string> {
  return new Map(Object.entries(t.bandit).map(([id, e]) => [e.name, id]));
}
let banditNames: Map<string, string> | undefined;

const NOSEC = /(?:^|[\s#])nosec(?![\w-])(.*)$/;
const NOQA = /(?:^|[\s#])noqa\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)/;
const NOSEMGREP = /(?:^|[\s#])nosemgrep(?![\w-])(?:\s*:\s*([\w./-]+(?:\s*,\s*[\w./-]+)*))?/;

/**
 * The foreign suppressions in one comment's text (without the `#`). A comment may hold several
 * (`# noqa: S603  # nosec B603`).
 */
export function parseForeignComment(body: string, knownRule: (id: string) => boolean): ForeignComment[] {
  const out: ForeignComment[] = [];
  const t = foreignIdTable();
  // Comments that only mention a file-wide exemption (`# ruff: noqa`, `# flake8: noqa`) are not line suppressions.
  const nosec = NOSEC.exec(body);
  if (nosec) {
    banditNames ??= banditByName(t);
    const ids: string[] = [];
    // Ids follow the marker, separated by spaces, commas or a colon; the first other word ends the list.
    for (const token of nosec[1]!.split(/[\s,:]+/).filter(Boolean)) {
      const id = /^B\d{3}$/.test(token) ? token : banditNames.get(token);
      if (!id) break;
      ids.push(id);
    }
    out.push(mapped('nosec', ids, (id) => t.bandit[id]?.rules ?? []));
  }
  const noqa = NOQA.exec(body);
  if (noqa && !/^\s*(?:ruff|flake8)\s*:/.test(body)) {
    const ids = noqa[1]!.split(/[\s,]+/).filter((c) => /^S\d{3}$/.test(c));
    if (ids.length > 0) out.push(mapped('noqa', ids, (id) => t.ruff[id]?.rules ?? []));
  }
  const nosemgrep = NOSEMGREP.exec(body);
  if (nosemgrep) {
    const ids = (nosemgrep[1] ?? '').split(/\s*,\s*/).filter(Boolean);
    out.push(mapped('nosemgrep', ids, (id) => (knownRule(id) ? [id] : [])));
  }
  return out;
}

function mapped(tool: ForeignTool, ids: string[], rulesOf: (id: string) => readonly string[]): ForeignComment {
  const ruleIds = [...new Set(ids.flatMap((id) => [...rulesOf(id)]))];
  return { tool, ids, ruleIds, bare: ids.length === 0 };
}

/** How the comment is written, for messages: `# nosec`, `# noqa: S608`, `# nosemgrep: python/weak-hash`. */
export function describeForeign(c: Pick<ForeignComment, 'tool' | 'ids'>): string {
  if (c.ids.length === 0) return `# ${c.tool}`;
  return c.tool === 'nosec' ? `# nosec ${c.ids.join(', ')}` : `# ${c.tool}: ${c.ids.join(', ')}`;
}
