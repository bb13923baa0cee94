// SPDX-License-Identifier: Apache-2.0
/**
 * Planning incremental rollups for temporal-reduce (pure; `rollup-cache.ts` does the I/O).
 * Aggregates are kept as decomposable partials per bucket (sum, count, min, max; avg =
 * sum / count), so partials of disjoint rows merge by bucket: sums and counts add, minima
 * and maxima combine. This module writes the SQL that computes, merges and finishes them,
 * works out which input versions are new since the cache was written, and where the
 * sealed buckets end.
 */

import type { ParquetFileSpec } from '../query/spec.js';
import { quoteIdent } from '../query/sql-text.js';

/** One output column: `<column>.<agg>`, from partial columns. */
export interface Measure {
  readonly name: string;
  readonly agg: 'avg' | 'min' | 'max' | 'sum' | 'count';
  /** The source column; null for count(*). */
  readonly column: string | null;
}

type PartialKind = 'sum' | 'count' | 'min' | 'max';

/** How two partials of one bucket combine. */
const MERGE: Record<PartialKind, string> = { sum: 'sum', count: 'sum', min: 'min', max: 'max' };

interface Partial {
  /** Column name in partial tables. */
  readonly name: string;
  readonly kind: PartialKind;
  /** The aggregate over source rows. */
  readonly expr: string;
}

function partials(measures: readonly Measure[]): Partial[] {
  const out: Partial[] = [];
  measures.forEach((m, i) => {
    const c = m.column === null ? '*' : quoteIdent(m.column);
    const kinds: PartialKind[] = m.agg === 'avg' ? ['sum', 'count'] : [m.agg];
    for (const kind of kinds) out.push({ name: `p${i}_${kind}`, kind, expr: `${kind}(${c})` });
  });
  return out;
}

/** A half-open time range in µs; a missing end is unbounded. */
export interface TimeRange {
  readonly from?: number;
  readonly below?: number;
}

function timeFilter(time: string, range: TimeRange): string {
  const t = quoteIdent(time);
  const terms: string[] = [];
  if (range.from !== undefined) terms.push(`${t} >= to_timestamp_micros(${range.from})`);
  if (range.below !== undefined) terms.push(`${t} < to_timestamp_micros(${range.below})`);
  return terms.length === 0 ? '' : ` WHERE ${terms.join(' AND ')}`;
}

/** Partial aggregates per bucket of the table `input`, over rows in `range` (pure). */
export function partialSql(
  measures: readonly Measure[],
  time: string,
  resolutionMs: number,
  range: TimeRange = {},
): string {
  const cols = [
    // date_bin widens zoned timestamps to ns; buckets are µs UTC like every pond time.
    `arrow_cast(date_bin(INTERVAL '${resolutionMs} milliseconds', ${quoteIdent(time)}), 'Timestamp(Microsecond, Some("UTC"))') AS ${quoteIdent(time)}`,
  ];
  for (const p of partials(measures)) cols.push(`${p.expr} AS ${p.name}`);
  return `SELECT ${cols.join(', ')} FROM input${timeFilter(time, range)} GROUP BY 1`;
}

/** Rows of the partial table `table` in `range` (pure). */
export function sliceSql(table: string, time: string, range: TimeRange): string {
  return `SELECT * FROM ${table}${timeFilter(time, range)}`;
}

/** Partials of `from` (a table or a parenthesised query) merged by bucket (pure). */
export function mergeSql(measures: readonly Measure[], time: string, from: string): string {
  const cols = [quoteIdent(time)];
  for (const p of partials(measures)) cols.push(`${MERGE[p.kind]}(${p.name}) AS ${p.name}`);
  return `SELECT ${cols.join(', ')} FROM ${from} GROUP BY 1`;
}

/** Final values from partials (pure). */
export function finalSql(measures: readonly Measure[], time: string, from: string): string {
  const cols = [quoteIdent(time)];
  measures.forEach((m, i) => {
    const value =
      m.agg === 'avg'
        ? `CAST(p${i}_sum AS DOUBLE) / CAST(p${i}_count AS DOUBLE)`
        : `p${i}_${m.agg}`;
    cols.push(`${value} AS ${quoteIdent(m.name)}`);
  });
  return `SELECT ${cols.join(', ')} FROM ${from} ORDER BY 1`;
}

/** Where sealed buckets end (µs): buckets starting before the newest data minus the
 * lateness are sealed; a watermark never moves back (pure). */
export function watermarkFor(
  newestMicros: number,
  resolutionMs: number,
  latenessMs: number,
  previous: number | null,
): number {
  const res = resolutionMs * 1000;
  const candidate = Math.floor((newestMicros - latenessMs * 1000) / res) * res;
  return previous === null ? candidate : Math.max(previous, candidate);
}

/** One input's versions as the rollup cache records them. */
export interface FoldedInput {
  readonly label: string;
  readonly paths: readonly string[];
}

/** One input's versions now. */
export interface InputVersions {
  readonly label: string;
  readonly files: readonly ParquetFileSpec[];
}

/**
 * The versions of each input (aligned with `current`) that `folded` does not hold, or null
 * when a folded version is gone (an input was removed or replaced). Versions are compared
 * as multisets of content paths, so a version repeating earlier content still counts (pure).
 */
export function newVersions(
  folded: readonly FoldedInput[],
  current: readonly InputVersions[],
): ParquetFileSpec[][] | null {
  const left = new Map<string, Map<string, number>>();
  for (const input of folded) {
    const counts = left.get(input.label) ?? new Map<string, number>();
    for (const path of input.paths) counts.set(path, (counts.get(path) ?? 0) + 1);
    left.set(input.label, counts);
  }
  const added = current.map((input) => {
    const counts = left.get(input.label);
    return input.files.filter((f) => {
      const n = counts?.get(f.path) ?? 0;
      if (n === 0) return true;
      counts?.set(f.path, n - 1);
      return false;
    });
  });
  for (const counts of left.values()) for (const n of counts.values()) if (n > 0) return null;
  return added;
}
