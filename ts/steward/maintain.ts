// SPDX-License-Identifier: Apache-2.0
/**
 * `pond maintain`: under the write lock, compact each table's small files per partition
 * (optional), vacuum the files compaction replaced, checkpoint, and remove the commit files
 * the checkpoint made redundant; then remove large content files no row references (left
 * by transactions that stored content and then aborted or crashed). No row changes, so no
 * query result and no fsck root checksum changes; history before the checkpoint is no
 * longer available for time travel (the control table keeps the transaction log).
 */

import { type MaintainReport, maintainTable, type Store } from '../native/store.js';
import { TABLES, tableDir } from '../tlogfs/layout.js';
import { decodeRows, LARGE_THRESHOLD } from '../tlogfs/rows.js';
import type { Control } from './control.js';
import { readHead } from './head.js';
import type { WriteOptions } from './transactions.js';

/** What maintenance needs of the steward: both tables. */
export interface MaintainTarget {
  readonly store: Store;
  readonly control: Control;
}

export interface MaintainOptions extends WriteOptions {
  readonly compact?: boolean;
  /**
   * Keep replaced data files and commit files younger than this (default
   * {@link DEFAULT_RETENTION_MS}): readers take no lock, and one that loaded a version just
   * before maintenance must still find its files.
   */
  readonly retentionMs?: number;
  /** Called after each table (data, control) is maintained. */
  readonly onTable?: (table: string) => void;
}

/** One hour: far longer than any read a pond command makes. */
export const DEFAULT_RETENTION_MS = 3_600_000;

export interface MaintainResult {
  readonly data: MaintainReport;
  readonly control: MaintainReport;
}

/** Hashes of every large content file a row of the current version references. */
async function referencedLarge(steward: MaintainTarget): Promise<string[]> {
  const out = new Set<string>();
  for (const part of await steward.store.partitions()) {
    const rows = decodeRows(await steward.store.readRows({ partId: part, withContent: false }));
    for (const r of rows) {
      if (r.blake3 && (r.size ?? 0) >= LARGE_THRESHOLD) out.add(r.blake3);
    }
  }
  return [...out];
}

/** Every this many transactions, a commit compacts both tables in place (see below). */
export const AUTO_COMPACT_EVERY = 100;

/**
 * Automatic maintenance, run by a committing transaction that still holds the lock: compact
 * both tables and checkpoint them, without vacuum or log cleanup, so a reader still loading
 * an older version never loses a file. A Delta commit costs time in proportion to the
 * table's active files, so this keeps a long-lived pond's writes from slowing down.
 */
export async function compactTables(pond: string, txnSeq: number): Promise<void> {
  const metaJson = JSON.stringify({ txn_seq: txnSeq });
  for (const table of TABLES) {
    await maintainTable(tableDir(pond, table), {
      compact: true,
      vacuum: false,
      cleanupLogs: false,
      metaJson,
    });
  }
}

export async function maintain(
  steward: MaintainTarget,
  options: MaintainOptions = {},
): Promise<MaintainResult> {
  const { store } = steward;
  const txn = await store.begin(options.waitMs);
  try {
    const { lastSeq } = await readHead({
      data: (limit) => store.history(limit),
      control: (limit) => steward.control.history(limit),
    });
    const metaJson = JSON.stringify({ txn_seq: lastSeq });
    const compact = options.compact ?? false;
    const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    const data = await maintainTable(tableDir(store.path, 'data'), {
      compact,
      metaJson,
      retentionMs,
      largeReferenced: await referencedLarge(steward),
    });
    options.onTable?.('data');
    const control = await maintainTable(tableDir(store.path, 'control'), {
      compact,
      metaJson,
      retentionMs,
    });
    options.onTable?.('control');
    await store.refresh();
    return { data, control };
  } finally {
    await txn.release();
  }
}
