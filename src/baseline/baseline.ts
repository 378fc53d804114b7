/**
 * Baselines: the findings a project has accepted for now, so a scan shows only what is new.
 *
 *   { "version": 1, "tool": { "name": "secreview", "version": "0.1.0" }, "fingerprints": { "<key>": 2 } }
 *
 * Keys are findings' identity keys (findings/identity.ts: the fingerprint, refined by the source
 * for data-flow findings) with a count, so a second copy of a recorded defect is still new.
 */
import { readFileSync } from 'node:fs';
import type { BaselineComparison, Finding } from '../findings/types.js';
import { identityKey } from '../findings/identity.js';
import { compareByLocation, compareStrings } from '../report/common.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { VERSION } from '../version.js';

export const BASELINE_VERSION = 1;

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  tool: { name: 'secreview'; version: string };
  fingerprints: Record<string, number>;
}

/** The baseline file is missing, unreadable, not JSON, or not a version this secreview reads. */
export class BaselineError extends Error {
  override name = 'BaselineError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export function createBaseline(findings: readonly Finding[]): BaselineFile {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const key = identityKey(f);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const fingerprints: Record<string, number> = {};
  for (const key of [...counts.keys()].sort(compareStrings)) fingerprints[key] = counts.get(key)!;
  return { version: BASELINE_VERSION, tool: { name: 'secreview', version: VERSION }, fingerprints };
}

/** Writes the baseline atomically; returns it. */
export function writeBaseline(file: string, findings: readonly Finding[]): BaselineFile {
  const baseline = createBaseline(findings);
  try {
    writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (error) {
    throw new BaselineError(file, `cannot write: ${(error as Error).message}`);
  }
  return baseline;
}

export function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(file, code === 'ENOENT' ? 'baseline file not found' : `cannot read: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(file, `not a secreview baseline (invalid JSON: ${(error as Error).message})`);
  }
  return validate(file, data);
}

function validate(file: string, data: unknown): BaselineFile {
  const fail = (detail: string): never => {
    throw new BaselineError(file, detail);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('not a secreview baseline (expected a JSON object)');
  const obj = data as Record<string, unknown>;
  if (!('version' in obj)) fail('not a secreview baseline (no "version")');
  if (obj.version !== BASELINE_VERSION) {
    fail(`unsupported baseline version ${JSON.stringify(obj.version)} (this secreview reads version ${BASELINE_VERSION}; write a new one with --write-baseline)`);
  }
  const tool = obj.tool as Record<string, unknown> | undefined;
  if (typeof tool !== 'object' || tool === null || tool.name !== 'secreview') fail('not a secreview baseline ("tool.name" is not "secreview")');
  const fps = obj.fingerprints;
  if (typeof fps !== 'object' || fps === null || Array.isArray(fps)) fail('"fingerprints" must be an object of fingerprint → count');
  const fingerprints: Record<string, number> = {};
  for (const [key, count] of Object.entries(fps as Record<string, unknown>)) {
    if (!/^[0-9a-f]{32}$/.test(key)) fail(`"fingerprints": ${JSON.stringify(key)} is not a fingerprint (32 hex digits)`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) fail(`"fingerprints"."${key}": the count must be a positive integer`);
    fingerprints[key] = count as number;
  }
  return { version: BASELINE_VERSION, tool: { name: 'secreview', version: typeof tool!.version === 'string' ? tool!.version : '' }, fingerprints };
}

/**
 * Marks each finding `new` or `unchanged` (in place) and counts what the baseline recorded that is
 * gone. Within one key the first findings by location take the recorded count; the rest are new.
 * `scope` are the findings the report lists (the counts of new/unchanged are over them); `all`
 * are every finding of the scan, from which absence is judged (by default the same).
 */
export function compareWithBaseline(
  file: string,
  baseline: BaselineFile,
  scope: readonly Finding[],
  all: readonly Finding[] = scope,
): BaselineComparison {
  const left = new Map(Object.entries(baseline.fingerprints));
  const state = new Map<Finding, 'new' | 'unchanged'>();
  for (const f of [...all].sort(compareByLocation)) {
    const key = identityKey(f);
    const n = left.get(key) ?? 0;
    state.set(f, n > 0 ? 'unchanged' : 'new');
    if (n > 0) left.set(key, n - 1);
  }
  let fresh = 0;
  let unchanged = 0;
  for (const f of scope) {
    const s = state.get(f) ?? 'new';
    f.baselineState = s;
    if (s === 'new') fresh++;
    else unchanged++;
  }
  const absentKeys = [...left.entries()]
    .filter(([, n]) => n > 0)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => compareStrings(a.key, b.key));
  return { file, new: fresh, unchanged, absent: absentKeys.reduce((sum, a) => sum + a.count, 0), absentKeys };
}
