// SPDX-License-Identifier: Apache-2.0
/**
 * Series conventions (docs/queries.md, "Series schemas"): which column holds event time,
 * and how a version records it. The `extended_attributes` JSON key is persisted: do not rename it.
 */

import { ErrorCode, PondError } from '../errors.js';
import type { ParquetInfo } from '../native/engine.js';

/** Tried in order when no time column is configured. */
export const TIME_COLUMN_CANDIDATES = [
  'timestamp',
  'Timestamp',
  'event_time',
  'time',
  'ts',
  'datetime',
];

const TIME_COLUMN_KEY = 'time_column';

export function seriesAttributes(timeColumn: string): string {
  return JSON.stringify({ [TIME_COLUMN_KEY]: timeColumn });
}

/** The time column recorded in a version's extended attributes, if any. */
export function timeColumnOf(attributes: string | null | undefined): string | null {
  if (!attributes) return null;
  try {
    const value = (JSON.parse(attributes) as Record<string, unknown>)[TIME_COLUMN_KEY];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Choose the event-time column of a Parquet file: the configured one (which must exist and
 * be a timestamp or Int64), else the first candidate that is.
 */
export function chooseTimeColumn(
  info: ParquetInfo,
  configured: string | null,
  path: string,
): string {
  const columns = new Map(info.columns.map((c) => [c.name, c]));
  if (configured) {
    const col = columns.get(configured);
    if (!col?.timeLike) {
      throw new PondError(
        ErrorCode.SCHEMA_MISMATCH,
        `${path}: time column ${JSON.stringify(configured)} ${col ? `is ${col.dataType}, not a timestamp or Int64` : 'does not exist'}`,
        { path },
      );
    }
    return configured;
  }
  const found = TIME_COLUMN_CANDIDATES.find((name) => columns.get(name)?.timeLike);
  if (!found) {
    throw new PondError(
      ErrorCode.SCHEMA_MISMATCH,
      `${path}: no event-time column: none of ${TIME_COLUMN_CANDIDATES.join(', ')} is a timestamp or Int64 column; name one with --time-column`,
      { path },
    );
  }
  return found;
}
