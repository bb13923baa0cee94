// SPDX-License-Identifier: Apache-2.0
/**
 * `--as-of`: which transaction a point in history names. A number is a `txn_seq` as
 * `pond log` prints it; a time (RFC 3339, or a date meaning its midnight UTC) names the
 * newest transaction that had ended by then. Pure: the transaction log is passed in.
 */

import { invalidArgument } from '../errors.js';
import type { TxnSummary } from '../steward/control.js';

/** A point in a pond's history: a transaction sequence number or a time. */
export type AsOf = number | Date;

const SEQ = /^\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** `--as-of` text as a seq or a time (UTC unless it names a zone); INVALID_ARGUMENT when it
 * is neither. */
export function parseAsOf(text: string): AsOf {
  const value = text.trim();
  if (SEQ.test(value)) return Number(value);
  let iso: string | null = null;
  if (DATE.test(value)) iso = `${value}T00:00:00Z`;
  else if (TIME.test(value)) iso = ZONE.test(value) ? value : `${value}Z`;
  const time = iso === null ? Number.NaN : Date.parse(iso.replace(' ', 'T'));
  if (Number.isNaN(time)) throw invalidArgument(asOfHelp(text));
  return new Date(time);
}

function asOfHelp(text: string): string {
  return `--as-of ${JSON.stringify(text)}: expected a transaction number (see pond log), an RFC 3339 time (2026-12-01T08:00:00Z) or a date (2026-12-01)`;
}

/**
 * The `txn_seq` a point names, checked against the log: a seq must be one the pond has
 * reached; a time must not be before the pond's first transaction ended.
 */
export function resolveAsOf(asOf: AsOf, transactions: readonly TxnSummary[]): number {
  const last = transactions[transactions.length - 1]?.seq ?? 0;
  if (typeof asOf === 'number') {
    if (!Number.isSafeInteger(asOf) || asOf < 1 || asOf > last) {
      throw invalidArgument(`as of transaction ${asOf}: the pond has transactions 1 to ${last}`);
    }
    return asOf;
  }
  const at = asOf.getTime();
  let seq = 0;
  for (const t of transactions) {
    if (t.time + (t.durationMs ?? 0) <= at) seq = Math.max(seq, t.seq);
  }
  if (seq === 0) {
    const first = transactions[0];
    const born = first ? new Date(first.time).toISOString() : 'never';
    throw invalidArgument(
      `as of ${asOf.toISOString()}: the pond did not exist yet (created ${born})`,
    );
  }
  return seq;
}
