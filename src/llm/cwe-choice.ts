/**
 * Which CWE an LLM claim is reported under, taking claims as models write them. Models, and the
 * reviews of the study secreview's prompts follow (Yu et al., ESEM 2023), often name a CWE-1000
 * pillar ("CWE-691 (Insufficient Control Flow Management)") or a class MITRE discourages for
 * mapping (CWE-20), sometimes next to a specific weakness ("... a race condition, CWE-362").
 *
 * The rule, over every CWE id the claim names (JSON `cwe`, or every id in a free-text item):
 *
 * 1. Ids MITRE allows for mapping (Allowed or Allowed-with-Review weaknesses, not deprecated) are
 *    the candidates. When the claim names its pillar, only candidates under that pillar count.
 *    The most specific candidate wins: Variant before Base and Compound, before Class; among equals
 *    the one named first. The other candidates follow it in the order named.
 * 2. No candidate, but the claim names a pillar or a weakness MITRE discourages for mapping (a
 *    class such as CWE-20): the claim is kept, at low confidence, under that pillar or class, with
 *    a message saying the model named nothing more specific (`broad`).
 * 3. Otherwise (no CWE, unknown ids, categories, views, deprecated or prohibited entries, or a
 *    pillar that does not fit): rejected with the reason.
 */
import { catalogueVersion, getCwe, isMappable, pillarOf, type CweEntry } from '../cwe/catalogue.js';

export type CweChoice =
  /** `cwe`: the chosen id first, then the other mappable ids named. `mappedFrom`: broad ids named next to it. */
  | { kind: 'specific'; cwe: number[]; mappedFrom: number[] }
  /** Only a pillar or discouraged weakness was named: kept low under `id`. */
  | { kind: 'broad'; id: number; pillar: CweEntry; note: string }
  | { kind: 'rejected'; reason: string; code: RejectionCode };

/** Why a claim was rejected, as a stable code (the benchmark and the JSON report group by it). */
export type RejectionCode =
  | 'no-line'
  | 'line-missing'
  | 'outside-shown'
  | 'quote-elsewhere'
  | 'quote-missing'
  | 'name-missing'
  | 'no-cwe'
  | 'unknown-cwe'
  | 'not-mappable'
  | 'wrong-pillar'
  // Race and locking claims checked against the concurrency facts (verify-race.ts).
  | 'race-no-shared-access'
  | 'race-common-lock'
  | 'race-read-only'
  | 'lock-no-acquire';

const SPECIFICITY: Record<string, number> = { Variant: 3, Base: 2, Compound: 2, Class: 1, Pillar: 0 };

export function cweLabel(id: number): string {
  const e = getCwe(id);
  return e ? `CWE-${id} (${e.name})` : `CWE-${id}`;
}

/** A pillar itself, or a weakness MITRE discourages for mapping (kept low rather than dropped). */
function isBroad(e: CweEntry): boolean {
  return e.kind === 'weakness' && e.status !== 'Deprecated' && e.status !== 'Obsolete' && (e.abstraction === 'Pillar' || e.mappingUsage === 'Discouraged');
}

function broadWhat(e: CweEntry): string {
  return e.abstraction === 'Pillar' ? 'a CWE-1000 pillar' : `a ${(e.abstraction ?? 'weakness').toLowerCase()} MITRE discourages for mapping`;
}

export function chooseCwe(named: readonly number[], namedPillar: number | undefined): CweChoice {
  const ids = [...new Set(named)];
  if (ids.length === 0) return { kind: 'rejected', reason: 'names no CWE', code: 'no-cwe' };
  const known = ids.filter((id) => getCwe(id) !== undefined);
  if (known.length === 0) {
    const list = ids.map((id) => `CWE-${id}`).join(', ');
    return { kind: 'rejected', reason: `${list} ${ids.length === 1 ? 'is' : 'are'} not in the CWE ${catalogueVersion} catalogue`, code: 'unknown-cwe' };
  }
  if (namedPillar !== undefined) {
    const p = getCwe(namedPillar);
    if (!p || p.abstraction !== 'Pillar') {
      return { kind: 'rejected', reason: `names CWE-${namedPillar} as its pillar, which is not a CWE-1000 pillar`, code: 'wrong-pillar' };
    }
  }
  const underPillar = (id: number): boolean => namedPillar === undefined || pillarOf(id)?.id === namedPillar;
  const mappable = known.filter((id) => isMappable(id).ok);
  const candidates = mappable.filter(underPillar);
  if (candidates.length > 0) {
    const rank = (id: number): number => SPECIFICITY[getCwe(id)!.abstraction ?? ''] ?? 0;
    const best = candidates.reduce((a, b) => (rank(b) > rank(a) ? b : a));
    const broad = known.filter((id) => !mappable.includes(id) && isBroad(getCwe(id)!));
    return { kind: 'specific', cwe: [best, ...candidates.filter((id) => id !== best)], mappedFrom: broad };
  }
  if (mappable.length > 0) {
    // Specific ids named, but none under the pillar the claim names.
    const first = mappable[0]!;
    const actual = pillarOf(first);
    return {
      kind: 'rejected',
      reason: `names pillar ${cweLabel(namedPillar!)}, but ${cweLabel(first)} falls under ${actual ? cweLabel(actual.id) : 'no CWE-1000 pillar'}`,
      code: 'wrong-pillar',
    };
  }
  const broad = known.map((id) => getCwe(id)!).filter((e) => isBroad(e) && underPillar(e.id));
  if (broad.length > 0) {
    // The most specific of the broad ones (a discouraged class says more than its pillar).
    const e = broad.reduce((a, b) => ((SPECIFICITY[b.abstraction ?? ''] ?? 0) > (SPECIFICITY[a.abstraction ?? ''] ?? 0) ? b : a));
    const pillar = pillarOf(e.id)!;
    const names = broad.map((b) => `CWE-${b.id}`).join(', ');
    const note =
      broad.length === 1
        ? `the model named only CWE-${e.id}, ${broadWhat(e)}`
        : `the model named only ${names}, none of them a CWE MITRE allows for mapping`;
    return { kind: 'broad', id: e.id, pillar, note };
  }
  const broadElsewhere = known.map((id) => getCwe(id)!).find(isBroad);
  if (broadElsewhere && namedPillar !== undefined) {
    return {
      kind: 'rejected',
      reason: `names pillar ${cweLabel(namedPillar)}, but ${cweLabel(broadElsewhere.id)} falls under ${cweLabel(pillarOf(broadElsewhere.id)!.id)}`,
      code: 'wrong-pillar',
    };
  }
  // Only prohibited, deprecated entries, categories or views.
  const reason = isMappable(known[0]!).reason ?? `CWE-${known[0]} may not be used for mapping`;
  return { kind: 'rejected', reason, code: 'not-mappable' };
}
