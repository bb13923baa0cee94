// SPDX-License-Identifier: Apache-2.0
/**
 * Decoded oplog reads, shared by every persistence layer a steward hands out. A Delta
 * table version never changes, so entries keyed by version never go stale; only the few
 * most recently used versions are kept.
 */

import type { DirEntry } from '../tinyfs/persistence.js';
import { asMetadataRead, decodeRows, encodeRows, type OplogRow } from './rows.js';

export interface VersionCache {
  /** Committed rows of a partition, without content. */
  readonly partitions: Map<string, Promise<OplogRow[]>>;
  /** Newest directory snapshots by directory id. */
  readonly snapshots: Map<string, Promise<Map<string, DirEntry>>>;
  /** Inline content by `nodeId@version` (configs, small files). */
  readonly contents: Map<string, Promise<Uint8Array>>;
}

const KEEP = 4;

export class ReadCache {
  private readonly versions = new Map<number, VersionCache>();

  /**
   * After a commit of `committed` that took version `from` to `to`, let `to` reuse what was
   * read at `from`: a partition the commit did not write as it was, one it wrote as those
   * rows plus its committed rows, shaped as a read returns them (so reading after a write
   * in the same process does not reload the partitions just written); and all inline
   * content, which never changes for a given node version.
   */
  carry(from: number, to: number, committed: readonly OplogRow[]): void {
    const src = this.versions.get(from);
    if (!src) return;
    const dst = this.at(to);
    const written = new Map<string, OplogRow[]>();
    for (const row of committed) written.set(row.partId, [...(written.get(row.partId) ?? []), row]);
    for (const [part, rows] of src.partitions) {
      if (dst.partitions.has(part)) continue;
      const added = written.get(part);
      if (!added) {
        dst.partitions.set(part, rows);
        continue;
      }
      const read = decodeRows(encodeRows(added.map(asMetadataRead)));
      const carried = rows.then((before) => [...before, ...read]);
      carried.catch(() => {
        if (dst.partitions.get(part) === carried) dst.partitions.delete(part);
      });
      dst.partitions.set(part, carried);
    }
    for (const [dir, entries] of src.snapshots)
      if (!written.has(dir) && !dst.snapshots.has(dir)) dst.snapshots.set(dir, entries);
    for (const [key, bytes] of src.contents)
      if (!dst.contents.has(key)) dst.contents.set(key, bytes);
  }

  at(version: number): VersionCache {
    let entry = this.versions.get(version);
    if (entry) {
      this.versions.delete(version);
    } else {
      entry = { partitions: new Map(), snapshots: new Map(), contents: new Map() };
    }
    this.versions.set(version, entry);
    for (const old of this.versions.keys()) {
      if (this.versions.size <= KEEP) break;
      this.versions.delete(old);
    }
    return entry;
  }
}

/** Memoise `load` under `key`, forgetting failures so they are retried. */
export function memo<T>(
  map: Map<string, Promise<T>>,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = load();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}
