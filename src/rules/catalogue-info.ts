import { getCwe, pillarOf } from '../cwe/catalogue.js';
import type { CweRef, RuleSummary } from '../findings/types.js';
import type { AnyRule } from './define-rule.js';

/** CWE names and the pillar for a rule, looked up in MITRE's table (never typed by hand). */
export function ruleCwe(rule: AnyRule): { cwe: CweRef[]; pillar: CweRef } {
  const cwe = rule.cwe.map((id) => ({ id, name: getCwe(id)?.name ?? `unknown CWE-${id}` }));
  const pillar = pillarOf(rule.cwe[0]);
  return { cwe, pillar: pillar ? { id: pillar.id, name: pillar.name } : { id: 0, name: 'unknown pillar' } };
}

const summaries = new WeakMap<AnyRule, RuleSummary>();

export function ruleSummary(rule: AnyRule): RuleSummary {
  let s = summaries.get(rule);
  if (!s) {
    const { cwe, pillar } = ruleCwe(rule);
    s = {
      id: rule.id,
      title: rule.title,
      cwe,
      pillar,
      severity: rule.severity,
      confidence: rule.confidence,
      description: rule.description,
      whyItMatters: rule.whyItMatters,
      fix: { ...rule.fix },
      references: [...rule.references],
      language: rule.language,
    };
    summaries.set(rule, s);
  }
  return s;
}
