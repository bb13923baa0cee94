// SPDX-License-Identifier: Apache-2.0
/**
 * The storage interface under tinyfs. tinyfs asks a persistence layer for directory
 * entries, node versions and content, and asks it to stage new nodes and versions; it
 * never sees how they are stored. `MemoryPersistence` backs unit tests; `TlogPersistence`
 * (tlogfs) backs real ponds with the Delta oplog.
 */

import type { EntryType } from './entry-type.js';

/** Identifies a stored node: its id, the partition its rows live in, and its type. */
export interface NodeRef {
  readonly id: string;
  /** The parent directory's id; a physical directory's own id. */
  readonly partId: string;
  readonly entryType: EntryType;
}

/** One entry of a directory snapshot (persisted schema). */
export interface DirEntry {
  readonly name: string;
  readonly childId: string;
  readonly entryType: EntryType;
  readonly versionLastModified: number;
}

/** Content handed to the store: where it ended up, and the bytes when inline. */
export interface StoredContent {
  /** BLAKE3 hex of the bytes; null where a store does not hash (memory). */
  readonly blake3: string | null;
  readonly size: number;
  /** The bytes when small enough to live inline; null when stored as a large file. */
  readonly inline: Uint8Array | null;
}

/** Everything recorded about one version of a node, content excluded. */
export interface VersionRecord {
  readonly version: number;
  /** Write time, µs since the epoch. */
  readonly timestamp: number;
  readonly txnSeq: number;
  readonly size: number | null;
  readonly blake3: string | null;
  /** True when the content lives in a large file rather than inline. */
  readonly large: boolean;
  /** Event-time range of a series version, µs since the epoch; null when it has no rows. */
  readonly minEventTime: number | null;
  readonly maxEventTime: number | null;
  /**
   * The temporal bounds this version sets for its series (`pond set-temporal-bounds`),
   * **milliseconds** since the epoch as the original DuckPond stores them; null or absent
   * when the version sets none (see `ts/query/temporal-bounds.ts` for which version decides).
   */
  readonly minOverride?: number | null;
  readonly maxOverride?: number | null;
  readonly extendedAttributes: string | null;
  readonly factory: string | null;
}

/** What a new version carries besides its content. */
export interface VersionMeta {
  readonly minEventTime?: number | null;
  readonly maxEventTime?: number | null;
  /** Temporal bounds, ms since the epoch (see {@link VersionRecord.minOverride}). */
  readonly minOverride?: number | null;
  readonly maxOverride?: number | null;
  readonly extendedAttributes?: string | null;
  readonly factory?: string | null;
}

/** Bytes to store: in memory, a host file (streamed by the store), or a stream of chunks. */
export type ContentSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'hostFile'; readonly path: string }
  | { readonly kind: 'stream'; readonly chunks: AsyncIterable<Uint8Array> };

export interface Persistence {
  readonly pondId: string;
  readonly rootId: string;
  /** Whether writes are allowed (a write transaction is open). */
  readonly writable: boolean;

  /** The entries of a physical directory, staged changes included. */
  entries(dirId: string): Promise<ReadonlyMap<string, DirEntry>>;
  /** All versions of a node, oldest first, staged ones included. Empty if unknown. */
  versions(node: NodeRef): Promise<readonly VersionRecord[]>;
  /** The content of one version, in chunks. */
  read(node: NodeRef, version: VersionRecord): AsyncIterable<Uint8Array>;
  /**
   * A host file holding exactly this version's bytes, for engines that read files (SQL
   * over Parquet). Absent where the store has no host files (memory).
   */
  localPath?(node: NodeRef, version: VersionRecord): Promise<string>;
  /** A host directory for derived, deletable data (parsed formats); absent in memory. */
  readonly cacheDir?: string;

  /** Hash and place content (inline or large); the result goes into a new version. */
  store(source: ContentSource): Promise<StoredContent>;
  /** Create an empty physical directory as `name` in `parentId`. */
  createDirectory(parentId: string, name: string): Promise<NodeRef>;
  /** Create a non-directory node with its first version. */
  createNode(
    parentId: string,
    name: string,
    entryType: EntryType,
    content: StoredContent,
    meta?: VersionMeta,
  ): Promise<NodeRef>;
  /** Add a version to an existing node. */
  appendVersion(node: NodeRef, content: StoredContent, meta?: VersionMeta): Promise<VersionRecord>;
  /**
   * Remove the entry `name` from directory `dirId`. The node's versions stay in the log:
   * a reader of an earlier point in history still sees it.
   */
  unlink(dirId: string, name: string): Promise<void>;
  /**
   * Move the entry `name` of `fromDirId` to `toName` in `toDirId`. The node keeps its id
   * and every version (a directory keeps its whole subtree). The target name must be free.
   */
  move(fromDirId: string, name: string, toDirId: string, toName: string): Promise<void>;
}

/** The root directory's fixed id (REFERENCE §4). */
export const ROOT_ID = '00000000-0000-7100-8000-000000000000';

/** Concatenate chunks read from a persistence layer. */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
