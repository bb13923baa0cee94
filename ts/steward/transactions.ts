// SPDX-License-Identifier: Apache-2.0
/**
 * What the steward and the operations beside it (maintenance, recovery) say about write
 * transactions: how one is started, and how a committed one is recorded in the oplog.
 */

import type { TxnKind } from './control.js';

/** How a write transaction is started. */
export interface WriteOptions {
  /** Wait this long for another writer's lock before failing with LOCKED. */
  readonly waitMs?: number;
  /** What started the transaction (default `write`); recorded in the control table. */
  readonly kind?: TxnKind;
  /** For a post-commit run: the sequence number of the commit that triggered it. */
  readonly parentSeq?: number;
}

/** One committed write transaction, as recorded in the oplog's commit metadata. */
export interface TxnRecord {
  readonly txnSeq: number;
  readonly txnId: string;
  readonly args: readonly string[];
  /** Commit time, ms since the epoch. */
  readonly time: number;
  /** The Delta table version the commit produced. */
  readonly tableVersion: number;
}
