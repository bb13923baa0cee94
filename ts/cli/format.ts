// SPDX-License-Identifier: Apache-2.0
/** Output formatting shared by commands: times, sizes, list lines. */

import type { PondEntry } from '../pond.js';
import { entryTypeInfo } from '../tinyfs/entry-type.js';

/** `YYYY-MM-DD HH:MM:SS` in UTC, from ms since the epoch. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function microsToUtc(us: number): string {
  return utcTime(Math.floor(us / 1000));
}

/** Quote an argv for display, as a shell would need it. */
export function shellJoin(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Dynamic-table factories whose nodes are plain tables; every other one computes a series. */
const TABLE_SHAPED_FACTORIES: ReadonlySet<string> = new Set(['sql-derived-table']);

/** The `list` marker: dynamic series are `[SER]`, like physical ones, as the original DuckPond prints them. */
function marker(entry: PondEntry): string {
  const isDynamicSeries =
    entry.entryType === 'table:dynamic' &&
    entry.factory !== undefined &&
    !TABLE_SHAPED_FACTORIES.has(entry.factory);
  return isDynamicSeries ? '[SER]' : entryTypeInfo(entry.entryType).marker;
}

/** Hex digits of an id that `list` and `show` print: the original DuckPond's width. */
export const SHORT_ID_DIGITS = 12;

/** An id as the original prints it: its last 12 hex digits in brackets, `[0ddc186b59aa]`. */
export function shortNodeId(id: string): string {
  return `[${id.replace(/[^0-9a-fA-F]/g, '').slice(-SHORT_ID_DIGITS)}]`;
}

/** How `list` prints sizes: human units (default) or exact bytes (`--bytes`). */
export type SizeStyle = 'human' | 'bytes';

/**
 * One `list` line: marker (or type name), size, `[node]@[pond]` short ids, version, time,
 * path. Sizes are {@link humanSize} unless `sizes` is `bytes`.
 */
export function listLine(
  entry: PondEntry,
  pondId: string,
  long: boolean,
  sizes: SizeStyle = 'human',
): string {
  const info = entryTypeInfo(entry.entryType);
  const kind = long ? info.longName.padEnd(17) : marker(entry).padEnd(6);
  const size =
    entry.size === null ? '-' : sizes === 'bytes' ? String(entry.size) : humanSize(entry.size);
  const version = entry.version > 0 ? `v${entry.version}` : 'v-';
  const time = entry.modified ? utcTime(entry.modified.getTime()) : '-'.padEnd(19);
  const path = entry.target === undefined ? entry.path : `${entry.path} -> ${entry.target}`;
  const ids = `${shortNodeId(entry.nodeId)}@${shortNodeId(pondId)}`;
  return `${kind} ${size.padStart(10)}  ${ids}  ${version.padEnd(4)}  ${time}  ${path}\n`;
}

/**
 * A size as `list` prints it: bytes below 1 KB (`512 B`), else one decimal in 1024-based
 * units (`1.5 KB`, `12.3 MB`, `2.0 GB`), the original DuckPond's units with a space.
 */
export function humanSize(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${n} B`;
  // 1023.96 KB rounds to 1024.0 KB: print it as the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A byte count for people: `512 B`, `1.5 KiB`, `20.0 MiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}
