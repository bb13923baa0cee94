// SPDX-License-Identifier: Apache-2.0
/**
 * duckpond: a local-first, transactional, versioned filesystem for files, tables and
 * time series, stored as a Delta Lake log. This module is the curated public API.
 */

export { ErrorCode, PondError } from './errors.js';
export { Pond, type PondEntry, type SqlOptions, Transaction, type WriteData } from './pond.js';
export type { Changes, TxnKind, TxnStatus, TxnSummary } from './steward/control.js';
export { EntryType } from './tinyfs/entry-type.js';
