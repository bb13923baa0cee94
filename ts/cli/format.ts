// SPDX-License-Identifier: Apache-2.0
/** Output formatting shared by commands: times, sizes, list lines. */

import type { PondEntry } from '../pond.js';
import { entryTypeInfo } from '../tinyfs/entry-type.js';
import { shortId } from '../tinyfs/node-id.js';

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

/** One `list` line: marker (or type name), size, node@pond, version, time, path. */
export function listLine(entry: PondEntry, pondId: string, long: boolean): string {
  const info = entryTypeInfo(entry.entryType);
  const kind = long ? info.longName.padEnd(17) : marker(entry).padEnd(6);
  const size = entry.size === null ? '-' : String(entry.size);
  const version = entry.version > 0 ? `v${entry.version}` : 'v-';
  const time = entry.modified ? utcTime(entry.modified.getTime()) : '-'.padEnd(19);
  const path = entry.target === undefined ? entry.path : `${entry.path} -> ${entry.target}`;
  return `${kind} ${size.padStart(10)}  ${shortId(entry.nodeId)}@${shortId(pondId)}  ${version.padEnd(4)}  ${time}  ${path}\n`;
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
