/**
 * On-disk cache of LLM replies, keyed by model and a hash of the prompt, so a re-run of an
 * unchanged file costs no request and no token. One JSON file per reply, written atomically;
 * a damaged or foreign entry is ignored (and overwritten by the next good reply).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-write.js';

/** Bump when the meaning of a cached reply changes (prompt layout, reply handling). */
export const CACHE_FORMAT = 1;

export interface CachedReply {
  format: typeof CACHE_FORMAT;
  model: string;
  key: string;
  content: string;
  finishReason: string;
  usage: { prompt: number; completion: number };
}

/** sha256 over the model and everything in the request that shapes the reply. */
export function cacheKey(model: string, promptIdentity: string): string {
  return createHash('sha256').update(`secreview-llm-cache/${CACHE_FORMAT}\0${model}\0${promptIdentity}`).digest('hex');
}

export class ReplyCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string, model: string): CachedReply | undefined {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file(key), 'utf8'));
    } catch {
      return undefined;
    }
    const r = data as Partial<CachedReply> | null;
    if (!r || r.format !== CACHE_FORMAT || r.key !== key || r.model !== model || typeof r.content !== 'string') return undefined;
    return {
      format: CACHE_FORMAT,
      model,
      key,
      content: r.content,
      finishReason: typeof r.finishReason === 'string' ? r.finishReason : 'stop',
      usage: { prompt: Number(r.usage?.prompt) || 0, completion: Number(r.usage?.completion) || 0 },
    };
  }

  /** Best effort: a cache that cannot be written costs a request next time, nothing more. */
  set(reply: CachedReply): string | undefined {
    const file = this.file(reply.key);
    try {
      mkdirSync(join(this.dir, reply.key.slice(0, 2)), { recursive: true });
      writeFileAtomic(file, `${JSON.stringify(reply, null, 2)}\n`);
      return undefined;
    } catch (error) {
      return `cannot write the LLM cache (${(error as Error).message})`;
    }
  }
}
