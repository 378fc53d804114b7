import type { SinkModel } from './models.js';
import type { Label } from './values.js';

/**
 * Whether a label counts at a sink. Most sink kinds are reached by any untrusted data; a kind
 * that some source names in its `kinds` (exception detail for information-exposure) is reached
 * only by data from those sources: request data shown back to the client is not an exposure of
 * the server's internals, and a parameter of unknown origin is not exception text.
 */
export function reachesSink(sink: SinkModel, label: Label): boolean {
  return sink.onlyFrom === undefined || (label.origin === 'source' && sink.onlyFrom.has(label.what));
}
