// SPDX-License-Identifier: Apache-2.0
/**
 * `pond maintain`: under the write lock, compact each table's small files per partition
 * (optional), vacuum the files compaction replaced, checkpoint, and remove the commit files
 * the checkpoint made redundant; then remove large content files no row references (left
 * by transactions that stored content and then aborted or crashed). No row changes, so no
 * query result and no fsck root checksum changes, and `--as-of` (which reads rows by
 * transaction, not Delta versions) reaches back as before. Only `pruneRemoved` gives up
 * history: the large content of removed nodes.
 */

import { type MaintainReport, maintainTable, type Store } from '../native/store.js';
import { TABLES, tableDir } from '../tlogfs/layout.js';
import type { Control } from './control.js';
import { readHead } from './head.js';
import { recordPruned, referencedLarge } from './prune.js';
import type { WriteOptions } from './transactions.js';

/** What maintenance needs of the steward: both tables. */
export interface MaintainTarget {
  readonly store: Store;
  readonly control: Control;
  /** Throws (READ_ONLY) for a pond pond may not write (one of the original DuckPond's). */
  requireWritable?(what: string): void;
}

export interface MaintainOptions extends WriteOptions {
  readonly compact?: boolean;
  /**
   * Also delete large content only removed nodes reference (see `ts/steward/prune.ts`):
   * the one way history is given up. Off by default.
   */
  readonly pruneRemoved?: boolean;
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
  /** Large content files `pruneRemoved` gave up (0 without it). */
  readonly pruned: number;
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
  steward.requireWritable?.('`pond maintain`');
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
    const { all, live } = await referencedLarge(store, options.pruneRemoved ?? false);
    const kept = live ?? all;
    // Recorded before the files go: a crash in between leaves fsck calling them pruned,
    // which they are about to be, rather than missing.
    const pruned = options.pruneRemoved ? await recordPruned(steward.control, all, kept) : 0;
    const data = await maintainTable(tableDir(store.path, 'data'), {
      compact,
      metaJson,
      retentionMs,
      largeReferenced: [...kept],
    });
    options.onTable?.('data');
    const control = await maintainTable(tableDir(store.path, 'control'), {
      compact,
      metaJson,
      retentionMs,
    });
    options.onTable?.('control');
    await store.refresh();
    return { data, control, pruned };
  } finally {
    await txn.release();
  }
}
