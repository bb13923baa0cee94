// SPDX-License-Identifier: Apache-2.0
/**
 * `pond recover`: close transactions a crash left INCOMPLETE. Whether one committed is
 * decided from the data itself: its `pond_txn` commit metadata while the commit file is
 * still in the log, else its rows, which carry its `txn_seq` (a compaction with log
 * cleanup removes commit files, never rows). A transaction with neither wrote nothing: a
 * Delta commit is all of a transaction or none of it.
 */

import type { Store } from '../native/store.js';
import { decodeRows } from '../tlogfs/rows.js';
import { type Control, type NewRecord, RecordType, type TxnSummary } from './control.js';
import type { TxnRecord, WriteOptions } from './transactions.js';

/** What recovery needs of the steward: both tables, and the commits of the data table. */
export interface RecoveryTarget {
  readonly store: Store;
  readonly control: Control;
  dataCommits(): Promise<TxnRecord[]>;
}

/** What `recover` did with one interrupted transaction. */
export interface Recovery {
  readonly txn: TxnSummary;
  readonly outcome: 'committed' | 'completed';
  /** The data version its commit made; null when only its rows remain to show it. */
  readonly dataVersion: number | null;
}

/** Every `txn_seq` that has rows in the oplog's newest version. */
export async function seqsWithRows(store: Store): Promise<Set<number>> {
  const out = new Set<number>();
  for (const part of await store.partitions()) {
    for (const row of decodeRows(await store.readRows({ partId: part, withContent: false }))) {
      out.add(row.txnSeq);
    }
  }
  return out;
}

export async function recover(
  steward: RecoveryTarget,
  options: WriteOptions = {},
): Promise<Recovery[]> {
  const txn = await steward.store.begin(options.waitMs);
  try {
    const open = (await steward.control.transactions()).filter((t) => t.status === 'INCOMPLETE');
    if (open.length === 0) return [];
    const commits = await steward.dataCommits();
    const byId = new Map(commits.map((c) => [c.txnId, c]));
    const unseen = open.filter((t) => !byId.has(t.id));
    const withRows = unseen.length > 0 ? await seqsWithRows(steward.store) : new Set<number>();
    const out: Recovery[] = [];
    const records: NewRecord[] = [];
    for (const t of open) {
      const base = { txnSeq: t.seq, txnId: t.id, txnKind: t.kind, key: 'recovered' };
      const commit = byId.get(t.id);
      if (commit || withRows.has(t.seq)) {
        const dataVersion = commit?.tableVersion ?? null;
        records.push({ recordType: RecordType.Committed, ...base, dataVersion });
        out.push({ txn: t, outcome: 'committed', dataVersion });
      } else {
        records.push({
          recordType: RecordType.Completed,
          ...base,
          error: 'interrupted before commit: nothing was written',
        });
        out.push({ txn: t, outcome: 'completed', dataVersion: null });
      }
    }
    await steward.control.append(records);
    return out;
  } finally {
    await txn.release();
  }
}
