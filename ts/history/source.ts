// SPDX-License-Identifier: Apache-2.0
/**
 * What a pond view knows about its own history besides the oplog rows: the transaction
 * log (the control table) and the point in it the view shows. The steward hands one to
 * every FS it builds, so the `pond:///` history tables and `--as-of` reads can reach it.
 */

import type { TxnSummary } from '../steward/control.js';

export interface PondHistory {
  /** Every write transaction, oldest first. */
  transactions(): Promise<readonly TxnSummary[]>;
  /** The transaction this view shows the pond after; null for the newest state. */
  readonly asOfSeq: number | null;
}
