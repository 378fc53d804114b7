import picomatch from 'picomatch';
import type { Confidence, Finding, Severity } from '../findings/types.js';
import { confidenceRank, severityRank } from '../findings/types.js';
import type { PathOverride } from '../config/config.js';

export interface PolicyOptions {
  severity: Severity;
  confidence: Confidence;
  overrides?: readonly PathOverride[];
}

interface CompiledOverride extends PathOverride {
  matches: (path: string) => boolean;
}

/**
 * What the user asked to see: a minimum severity and confidence, and per-path overrides
 * (later overrides win) that enable or disable rules or move the thresholds.
 */
export class FindingPolicy {
  private readonly overrides: CompiledOverride[];

  constructor(private readonly options: PolicyOptions) {
    this.overrides = (options.overrides ?? []).map((o) => ({ ...o, matches: picomatch([...o.paths], { dot: true }) }));
  }

  /** Is the rule switched on for this path, given the globally enabled set? */
  ruleEnabledFor(ruleId: string, path: string, enabledGlobally: boolean): boolean {
    let enabled = enabledGlobally;
    for (const o of this.overrides) {
      if (!o.matches(path)) continue;
      if (o.enable?.includes(ruleId)) enabled = true;
      if (o.disable?.includes(ruleId)) enabled = false;
    }
    return enabled;
  }

  thresholdsFor(path: string): { severity: Severity; confidence: Confidence } {
    let { severity, confidence } = this.options;
    for (const o of this.overrides) {
      if (!o.matches(path)) continue;
      severity = o.severity ?? severity;
      confidence = o.confidence ?? confidence;
    }
    return { severity, confidence };
  }

  meetsThresholds(finding: Finding): boolean {
    const t = this.thresholdsFor(finding.location.path);
    return severityRank(finding.severity) >= severityRank(t.severity) && confidenceRank(finding.confidence) >= confidenceRank(t.confidence);
  }
}

/** Findings in report order: by path, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  const pa = a.location.path;
  const pb = b.location.path;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return (
    a.location.startLine - b.location.startLine ||
    a.location.startColumn - b.location.startColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
