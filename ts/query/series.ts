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
/** The key the original DuckPond writes (`""` on a set-temporal-bounds marker: none). */
const ORIGINAL_TIME_COLUMN_KEY = 'watertown.timestamp_column';

export function seriesAttributes(timeColumn: string): string {
  return JSON.stringify({ [TIME_COLUMN_KEY]: timeColumn });
}

/** The time column recorded in a version's extended attributes (pond's key, else the
 * original's), if any. */
export function timeColumnOf(attributes: string | null | undefined): string | null {
  if (!attributes) return null;
  try {
    const parsed = JSON.parse(attributes) as Record<string, unknown>;
    for (const key of [TIME_COLUMN_KEY, ORIGINAL_TIME_COLUMN_KEY]) {
      const value = parsed[key];
      if (typeof value === 'string' && value !== '') return value;
    }
    return null;
  } catch {
    return null;
  }
}

/** The extended attributes of a set-temporal-bounds marker, as the original writes them. */
export function markerAttributes(): string {
  return JSON.stringify({ [ORIGINAL_TIME_COLUMN_KEY]: '' });
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
