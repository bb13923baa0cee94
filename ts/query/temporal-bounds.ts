// SPDX-License-Identifier: Apache-2.0
/**
 * Temporal bounds of a series (`pond set-temporal-bounds`, REFERENCE-ORIGINAL §7.3): rows
 * outside `[min, max]` are left out of every read of the series. On disk they keep the
 * original DuckPond's form, so ponds of either program read the same: a **marker**, a
 * version of 0 bytes whose row carries `min_override`/`max_override` in epoch
 * **milliseconds**, `min_event_time` = `max_event_time` = 0 and the extended attributes
 * `{"watertown.timestamp_column":""}`.
 *
 * Which bounds apply (pond's rule, where the original's differs, see docs/queries.md): those
 * of the newest version that sets any, that is a marker (whose two nulls clear them) or a
 * version whose override columns are set. Data appended later keeps them; one bound alone
 * leaves the other end open. The filter is a view over the series' Parquet versions, so the
 * scan's version skipping and row-group pruning see it like any time filter.
 */

import { ErrorCode, invalidArgument, PondError } from '../errors.js';
import { explain } from '../native/engine.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { WD } from '../tinyfs/fs.js';
import type { VersionMeta, VersionRecord } from '../tinyfs/persistence.js';
import { markerAttributes } from './series.js';
import type { TableSpec } from './spec.js';
import { quoteIdent } from './sql-text.js';
import { formatUtc } from './time-text.js';

/** Inclusive bounds in milliseconds since the epoch; a null end is open. */
export interface TemporalBounds {
  readonly minMs: number | null;
  readonly maxMs: number | null;
}

/** Whether a version of a table or series is a bounds marker (it holds no bytes at all). */
export function isMarker(v: VersionRecord): boolean {
  return v.size === 0;
}

/** The versions that hold Parquet data (markers left out). */
export function dataVersions(versions: readonly VersionRecord[]): VersionRecord[] {
  return versions.filter((v) => !isMarker(v));
}

/** The bounds in effect for a series with these versions (oldest first); null for none. */
export function boundsOf(versions: readonly VersionRecord[]): TemporalBounds | null {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i] as VersionRecord;
    const minMs = v.minOverride ?? null;
    const maxMs = v.maxOverride ?? null;
    if (minMs === null && maxMs === null) {
      if (isMarker(v)) return null;
      continue;
    }
    return { minMs, maxMs };
  }
  return null;
}

/** `[min, max]` as the docs and errors print it. */
export function describeBounds(b: TemporalBounds): string {
  const end = (ms: number | null) => (ms === null ? 'open' : formatUtc(ms));
  return `[${end(b.minMs)}, ${end(b.maxMs)}]`;
}

const UNIT_PER_SECOND: Readonly<Record<string, bigint>> = {
  Second: 1n,
  s: 1n,
  Millisecond: 1_000n,
  ms: 1_000n,
  Microsecond: 1_000_000n,
  us: 1_000_000n,
  µs: 1_000_000n,
  Nanosecond: 1_000_000_000n,
  ns: 1_000_000_000n,
};

/** Integer division rounding toward −∞ (`floor`) or +∞ (`ceil`). */
function divide(n: bigint, d: bigint, round: 'floor' | 'ceil'): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const negative = r < 0n !== d < 0n;
  if (round === 'floor') return negative ? q - 1n : q;
  return negative ? q : q + 1n;
}

/**
 * The SQL literal comparing a column of `dataType` with `ms`: the instant in the column's own
 * unit, rounded inward (a lower bound up, an upper bound down) so a whole-second column
 * keeps exactly the rows inside the bounds. Int64 time columns hold µs (pond's convention).
 */
function literal(dataType: string, ms: number, round: 'floor' | 'ceil'): string | null {
  const perMs = (perSecond: bigint) => divide(BigInt(ms) * perSecond, 1_000n, round);
  if (dataType === 'Int64') return perMs(1_000_000n).toString();
  const m = /^Timestamp\(\s*([A-Za-zµ]+)\s*,\s*(.*)\)$/.exec(dataType);
  const perSecond = m ? UNIT_PER_SECOND[m[1] as string] : undefined;
  if (!m || perSecond === undefined) return null;
  return `arrow_cast(${perMs(perSecond)}, '${timestampType(m[1] as string, m[2] as string)}')`;
}

/** The canonical `Timestamp(Unit, Some("tz"))` text arrow_cast parses, from either Debug form. */
function timestampType(unit: string, zone: string): string {
  const names: Record<string, string> = {
    s: 'Second',
    ms: 'Millisecond',
    us: 'Microsecond',
    µs: 'Microsecond',
    ns: 'Nanosecond',
  };
  const tz = /"([^"]*)"/.exec(zone)?.[1];
  return `Timestamp(${names[unit] ?? unit}, ${tz === undefined ? 'None' : `Some("${tz}")`})`;
}

/** The type of `column` in the schema the engine plans for `spec`, as it prints types. */
async function columnType(spec: TableSpec, column: string): Promise<string | null> {
  const text = await explain('SELECT * FROM bounded LIMIT 0', { bounded: spec }, { verify: false });
  const prefix = `  ${column}: `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? line.slice(prefix.length).trim() : null;
}

/**
 * `spec` (a series' versions) with the rows outside `bounds` left out: a view whose WHERE
 * compares the time column with each end in the column's own unit.
 */
export async function boundedSpec(
  spec: TableSpec,
  path: string,
  timeColumn: string | null,
  bounds: TemporalBounds,
): Promise<TableSpec> {
  if (spec.kind === 'empty' || (spec.kind === 'parquet' && spec.files.length === 0)) return spec;
  const type = timeColumn ? await columnType(spec, timeColumn) : null;
  const bad = (what: string) =>
    new PondError(
      ErrorCode.INVALID_DATA,
      `${path}: has temporal bounds ${describeBounds(bounds)}, but ${what}; bounds need a timestamp or Int64 time column`,
      { path },
    );
  if (!timeColumn) throw bad('no recorded time column');
  if (type === null)
    throw bad(`its time column ${JSON.stringify(timeColumn)} is not in its schema`);
  const col = quoteIdent(timeColumn);
  const where: string[] = [];
  for (const [ms, op, round] of [
    [bounds.minMs, '>=', 'ceil'],
    [bounds.maxMs, '<=', 'floor'],
  ] as const) {
    if (ms === null) continue;
    const lit = literal(type, ms, round);
    if (lit === null) throw bad(`its time column ${JSON.stringify(timeColumn)} is ${type}`);
    where.push(`${col} ${op} ${lit}`);
  }
  return {
    kind: 'view',
    label: `${path} (temporal bounds ${describeBounds(bounds)})`,
    sql: `SELECT * FROM bounded WHERE ${where.join(' AND ')}`,
    tables: { bounded: spec },
  };
}

/**
 * Set the temporal bounds of the series at `path` (null: clear them): one marker version,
 * written as the original writes it. A missing path becomes a new `table:physical:series`
 * holding only the marker; anything but a series is refused.
 */
export async function setTemporalBounds(
  root: WD,
  path: string,
  bounds: TemporalBounds | null,
): Promise<void> {
  checkBounds(path, bounds);
  const found = await root.find(path);
  if (found) {
    const type = found.node.kind === 'file' ? found.node.ref.entryType : found.node.kind;
    if (type !== EntryType.TablePhysicalSeries || found.node.kind !== 'file') {
      throw invalidArgument(
        `${found.path} is ${type}: temporal bounds apply to a series (table:physical:series) or a new path`,
        found.path,
      );
    }
  }
  const meta: VersionMeta = {
    minEventTime: 0,
    maxEventTime: 0,
    minOverride: bounds?.minMs ?? null,
    maxOverride: bounds?.maxMs ?? null,
    extendedAttributes: markerAttributes(),
  };
  await root.writeFile(
    path,
    { kind: 'bytes', bytes: new Uint8Array() },
    { entryType: EntryType.TablePhysicalSeries, meta },
  );
}

function checkBounds(path: string, bounds: TemporalBounds | null): void {
  if (bounds === null) return;
  const { minMs, maxMs } = bounds;
  if (minMs === null && maxMs === null) {
    throw invalidArgument(
      `${path}: no bounds were provided: give a minimum, a maximum or both (or clear them)`,
      path,
    );
  }
  for (const ms of [minMs, maxMs]) {
    if (ms !== null && !Number.isSafeInteger(ms)) {
      throw invalidArgument(`${path}: a bound must be whole milliseconds since the epoch`, path);
    }
  }
  if (minMs !== null && maxMs !== null && minMs > maxMs) {
    throw invalidArgument(
      `${path}: the minimum ${formatUtc(minMs)} is after the maximum ${formatUtc(maxMs)}`,
      path,
    );
  }
}
