// SPDX-License-Identifier: Apache-2.0
/**
 * Where a pond's two logs end, read from the tails of their commit logs (the newest 16
 * commit files each), and whether they agree. A write reads this once, under the write
 * lock, to number its transaction; the same tails tell whether the data table still holds
 * the newest commit the control log recorded as COMMITTED. A lost or emptied newest data
 * commit would otherwise let the next write reuse its version number.
 */

import { ErrorCode, PondError } from '../errors.js';
import type { CommitRecord } from '../native/store.js';

/** How many of each log's newest commit files a write looks at. */
const TAIL = 16;

export interface LogHead {
  /** The newest `txn_seq` either log names (failed transactions use one too). */
  readonly lastSeq: number;
  /** The data table's newest version in its commit log (null if its log lists none). */
  readonly dataVersion: number | null;
}

interface Sources {
  readonly data: (limit?: number) => Promise<CommitRecord[]>;
  readonly control: (limit?: number) => Promise<CommitRecord[]>;
}

/** Commit metadata as an object, or null when absent or not ours. */
export function metaOf(record: CommitRecord): Record<string, unknown> | null {
  if (!record.meta) return null;
  try {
    const meta: unknown = JSON.parse(record.meta);
    return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The newest `txn_seq` in a run of commits (0 when none names one). */
export function maxSeq(records: readonly CommitRecord[]): number {
  let best = 0;
  for (const r of records) best = Math.max(best, num(metaOf(r)?.txn_seq) ?? 0);
  return best;
}

/** The newest commit a control log tail records as landed in the data table. */
function claimed(control: readonly CommitRecord[]): { seq: number; version: number } | null {
  for (let i = control.length - 1; i >= 0; i--) {
    const meta = metaOf(control[i] as CommitRecord);
    const version = num(meta?.data_version);
    const seq = num(meta?.data_seq);
    if (version !== null && seq !== null) return { seq, version };
  }
  return null;
}

function corrupt(message: string): PondError {
  return new PondError(
    ErrorCode.CORRUPT,
    `${message}; run \`pond fsck\` and restore the pond from a backup`,
  );
}

/**
 * Check that the data log's tail holds the newest commit the control log's tail says
 * landed: its version exists and carries the same `txn_seq`. (When that commit file was
 * removed by a log cleanup, only the version is checked.)
 */
export function checkHead(data: readonly CommitRecord[], control: readonly CommitRecord[]): void {
  if (control.length === 0 && data.length > 0) {
    throw corrupt('the data table holds transactions, but the control log is missing');
  }
  const claim = claimed(control);
  if (!claim) return;
  const newest = data.length > 0 ? (data[data.length - 1] as CommitRecord).version : null;
  if (newest === null || newest < claim.version) {
    throw corrupt(
      `the control log records transaction ${claim.seq} as committed at data version ${claim.version}, but the data table ends at version ${newest ?? 'none'}`,
    );
  }
  const commit = data.find((r) => r.version === claim.version);
  if (commit && num(metaOf(commit)?.txn_seq) !== claim.seq) {
    throw corrupt(
      `data version ${claim.version} does not hold transaction ${claim.seq}, which the control log records as committed there`,
    );
  }
}

/** Read both logs' tails, check they agree, and say where they end. */
export async function readHead(logs: Sources): Promise<LogHead> {
  const [data, control] = await Promise.all([logs.data(TAIL), logs.control(TAIL)]);
  checkHead(data, control);
  let lastSeq = Math.max(maxSeq(data), maxSeq(control));
  if (lastSeq === 0) {
    // Tails without a sequence number (foreign commits): look at the whole logs.
    const [allData, allControl] = await Promise.all([logs.data(), logs.control()]);
    lastSeq = Math.max(maxSeq(allData), maxSeq(allControl));
  }
  const last = data[data.length - 1];
  return { lastSeq, dataVersion: last ? last.version : null };
}
