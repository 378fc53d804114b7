/**
 * Cache entries of the files the main thread analysed, handed to a worker to write: the tree
 * copy (most of an entry) moves there as it is and is encoded there, and writing an entry is a
 * file created and renamed (about 0.3 ms of system time each, thousands per scan). Done while
 * the main thread runs the cross-file taint pass, on the core that would otherwise idle.
 */
import { writeFileEntrySync } from '../cache/scan-cache.js';
import type { TreeCopy } from '../parse/tree-walk.js';
import { packOutcomes, unpackOutcomes } from './batch.js';
import { treeSection } from './file-job.js';

/** A file's entry to write: where, under which key, its encoded head (`encodeHead`) and its tree copy, if any. */
export interface PendingEntry {
  path: string;
  key: string;
  head: Uint8Array;
  tree?: TreeCopy;
}

/** Entries to move to a worker: the heads in one buffer of their own, the trees' buffers moved with them. */
export interface EntryBatch {
  paths: string[];
  keys: string[];
  heads: Uint8Array;
  /** Per entry; `null` for an outcome without a tree copy. */
  trees: (TreeCopy | null)[];
}

export function packEntries(entries: readonly PendingEntry[]): EntryBatch {
  return { paths: entries.map((e) => e.path), keys: entries.map((e) => e.key), heads: packOutcomes(entries.map((e) => e.head)), trees: entries.map((e) => e.tree ?? null) };
}

/** The buffers a batch moves instead of copying. */
export function transferListOf(batch: EntryBatch): ArrayBuffer[] {
  const list = [batch.heads.buffer as ArrayBuffer];
  for (const t of batch.trees) if (t) list.push(t.buffer);
  return list;
}

/** Writes a batch's entries (each failure only costs speed, see `writeFileEntrySync`); how many there were. */
export function writePackedEntries(batch: EntryBatch): number {
  const heads = unpackOutcomes(batch.heads);
  if (heads.length !== batch.paths.length || batch.keys.length !== batch.paths.length || batch.trees.length !== batch.paths.length) throw new Error('malformed entry batch');
  batch.paths.forEach((path, i) => {
    const tree = batch.trees[i];
    writeFileEntrySync(path, batch.keys[i]!, [heads[i]!, tree ? treeSection(tree) : []]);
  });
  return batch.paths.length;
}
