// SPDX-License-Identifier: Apache-2.0
/**
 * The `--format json` records of the metadata commands (list, describe, log, show, status),
 * one JSON object per line. Field names are snake_case and are a contract with scripts:
 * add fields, never rename or remove one (docs/cli.md lists them). Times are ISO 8601 UTC
 * strings; absent values are `null`, never a missing field.
 */

import type { PondEntry } from '../pond.js';
import type { TxnSummary } from '../steward/control.js';
import { entryTypeInfo } from '../tinyfs/entry-type.js';

/** ISO 8601 UTC from ms since the epoch. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** ISO 8601 UTC from µs since the epoch. */
export function isoMicros(us: number | null | undefined): string | null {
  return us === null || us === undefined ? null : isoTime(Math.floor(us / 1000));
}

/** A `pond list` entry. */
export function listRecord(entry: PondEntry, pondId: string): Record<string, unknown> {
  return {
    path: entry.path,
    entry_type: entry.entryType,
    type: entryTypeInfo(entry.entryType).longName,
    size: entry.size,
    version: entry.version > 0 ? entry.version : null,
    modified: entry.modified ? entry.modified.toISOString() : null,
    node_id: entry.nodeId,
    pond_id: pondId,
    target: entry.target ?? null,
  };
}

/**
 * The original DuckPond's read/write column of `pond log`. pond records only write
 * transactions (reads take no lock and write nothing to the control table), so a
 * transaction is `write` when it committed or meant to (COMMITTED, FAILED, INCOMPLETE) and
 * `read` when it ended having written nothing (COMPLETED: it only read, e.g. an apply or a
 * post-commit run that found nothing to change).
 */
export function txKind(t: TxnSummary): 'read' | 'write' {
  return t.status === 'COMPLETED' ? 'read' : 'write';
}

/** A `pond log` transaction. */
export function logRecord(t: TxnSummary): Record<string, unknown> {
  return {
    seq: t.seq,
    txn_id: t.id,
    status: t.status,
    kind: t.kind,
    parent_seq: t.parentSeq,
    args: t.args,
    time: isoTime(t.time),
    duration_ms: t.durationMs,
    data_version: t.dataVersion,
    error: t.error,
    created: t.changes?.created ?? [],
    versioned: t.changes?.versioned ?? [],
    removed: t.changes?.removed ?? [],
    moved: t.changes?.moved ?? [],
    recovered: t.recovered,
    tx_kind: txKind(t),
  };
}
