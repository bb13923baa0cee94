// SPDX-License-Identifier: Apache-2.0
/**
 * The stored versions of one node, as `pond history` and {@link Pond.versions} report them:
 * number, the transaction that wrote it, time, size and hash, and for Parquet versions the
 * event-time range and row count (read from the file's footer).
 */

import { parquetInfo } from '../native/engine.js';
import { isDynamicType, isTableType } from '../tinyfs/entry-type.js';
import type { NodeRef, Persistence, VersionRecord } from '../tinyfs/persistence.js';

/** One stored version of a node. */
export interface VersionInfo {
  /** The version number, from 1. */
  readonly version: number;
  /** The transaction that wrote it (a `pond log` seq). */
  readonly txnSeq: number;
  /** When it was written. */
  readonly time: Date;
  /** Bytes; null where none were recorded. */
  readonly size: number | null;
  /** BLAKE3 hex of the content. */
  readonly blake3: string | null;
  /** The start of a table or series version's event-time range. */
  readonly minEventTime: Date | null;
  /** The end of that range (inclusive). */
  readonly maxEventTime: Date | null;
  /** A table or series version's row count; null for other content. */
  readonly rows: number | null;
  /** The factory a dynamic node's version names. */
  readonly factory: string | null;
}

const dateOf = (us: number | null): Date | null => (us === null ? null : new Date(us / 1000));

/** The stored versions of the node `ref` (reached as `path`), oldest first. */
export async function versionsOf(persistence: Persistence, ref: NodeRef): Promise<VersionInfo[]> {
  const records = await persistence.versions(ref);
  const parquet = isTableType(ref.entryType) && !isDynamicType(ref.entryType);
  return Promise.all(
    records.map(
      async (v): Promise<VersionInfo> => ({
        version: v.version,
        txnSeq: v.txnSeq,
        time: new Date(v.timestamp / 1000),
        size: v.size,
        blake3: v.blake3,
        minEventTime: dateOf(v.minEventTime),
        maxEventTime: dateOf(v.maxEventTime),
        rows: parquet ? await rowCount(persistence, ref, v) : null,
        factory: v.factory,
      }),
    ),
  );
}

async function rowCount(
  persistence: Persistence,
  ref: NodeRef,
  v: VersionRecord,
): Promise<number | null> {
  if (!persistence.localPath) return null;
  if (v.size === 0) return 0; // a set-temporal-bounds marker: no Parquet, no rows
  return (await parquetInfo(await persistence.localPath(ref, v))).numRows;
}
