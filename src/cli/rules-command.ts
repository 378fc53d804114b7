import { allRules, findRule } from '../rules/index.js';
import { ruleSummary } from '../rules/catalogue-info.js';
import { getCwe, parseCweRef, pillarOf } from '../cwe/catalogue.js';
import type { RuleSummary } from '../findings/types.js';

/** `secreview rules`: id, CWE, pillar, severity, confidence, title. */
export function renderRuleList(format: 'text' | 'json'): string {
  const summaries = allRules.map(ruleSummary);
  if (format === 'json') return `${JSON.stringify(summaries, null, 2)}\n`;
  const rows = summaries.map((r) => [
    r.id,
    r.cwe.map((c) => `CWE-${c.id}`).join(','),
    `CWE-${r.pillar.id}`,
    r.severity,
    r.confidence,
    r.title,
  ]);
  const header = ['RULE', 'CWE', 'PILLAR', 'SEVERITY', 'CONFIDENCE', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${summaries.length} rules\n`;
}

/** `secreview explain <rule|CWE>`: a rule's documentation, or the rules mapping to a CWE. */
export function renderExplain(query: string): string | undefined {
  const rule = findRule(query) ?? findRule(`python/${query}`);
  if (rule) return explainRule(ruleSummary(rule));
  const cweId = parseCweRef(query);
  if (cweId === undefined) return undefined;
  const cwe = getCwe(cweId);
  if (!cwe) return undefined;
  const pillar = pillarOf(cweId);
  const matching = allRules.map(ruleSummary).filter((r) => r.cwe.some((c) => c.id === cweId));
  const lines = [
    `CWE-${cwe.id}: ${cwe.name}`,
    `  abstraction: ${cwe.abstraction ?? cwe.kind}   status: ${cwe.status}   mapping: ${cwe.mappingUsage ?? 'n/a'}`,
    pillar ? `  pillar: CWE-${pillar.id} ${pillar.name}` : '  pillar: none',
    `  https://cwe.mitre.org/data/definitions/${cwe.id}.html`,
    '',
    matching.length ? 'Rules:' : 'No secreview rule maps to this CWE.',
    ...matching.map((r) => `  ${r.id}  [${r.severity}]  ${r.title}`),
  ];
  return `${lines.join('\n')}\n`;
}

function explainRule(r: RuleSummary): string {
  const indent = (s: string): string => s.split('\n').map((l) => `    ${l}`).join('\n');
  return [
    `${r.id} — ${r.title}`,
    `  CWE:        ${r.cwe.map((c) => `CWE-${c.id} ${c.name}`).join('; ')}`,
    `  Pillar:     CWE-${r.pillar.id} ${r.pillar.name}`,
    `  Severity:   ${r.severity}    Confidence: ${r.confidence}`,
    '',
    'What is wrong',
    indent(r.description),
    '',
    'Why it matters',
    indent(r.whyItMatters),
    '',
    'How to fix it',
    indent(r.fix.guidance),
    '',
    '  Before:',
    indent(r.fix.before),
    '  After:',
    indent(r.fix.after),
    '',
    'References',
    ...r.references.map((u) => `    ${u}`),
    '',
  ].join('\n');
}
