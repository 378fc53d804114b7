import { createHash, type Hash } from 'node:crypto';
import type { Span } from '../src/analysis/taint/ir.js';
import type { TaintResult } from '../src/analysis/taint/engine.js';

/** Every hit of a taint run, in order, with its whole path, into `hash` (fields in a fixed order). */
export function hashHits(hash: Hash, result: TaintResult): void {
  const span = (s: Span): unknown => [s.line, s.column, s.endLine, s.endColumn, s.text];
  const hit = (h: TaintResult['sourceHits'][number]): unknown => {
    const { label: l, sink: k } = h;
    return [
      h.kind,
      [k.path, span(k.span), span(k.callSpan), k.callee, k.description, k.statementLine],
      [l.origin, l.what, l.threat, l.param, l.field, l.steps.map((s) => [s.path, span(s.span), s.note]), [...l.sanitized], l.lowered],
    ];
  };
  for (const h of result.sourceHits) hash.update(JSON.stringify(hit(h)));
  hash.update('--');
  for (const { fn, hit: h } of result.parameterHits) hash.update(JSON.stringify([fn.qname, fn.path, hit(h)]));
}

/** A digest of every hit, in order, with its whole path: equal digests, equal engine output. */
export function hitsDigest(result: TaintResult): string {
  const hash = createHash('sha256');
  hashHits(hash, result);
  return hash.digest('hex').slice(0, 16);
}
