// SPDX-License-Identifier: Apache-2.0
/**
 * Where the collector reads and writes in the pond (the original's layout):
 * `<hydrovu_path>/devices/<id>/<name>_active.series` gets one new version per run with
 * data, archives are `<name>_archive_<YYYYMMDD>.series` beside it, and the resume point of
 * a device is the newest `max_event_time` of every version of every `.series` file in its
 * directory, or else the newest `timestamp` of `<archive_path>/devices/<id>/*.series`.
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as hostJoin } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DataType, type RecordBatch } from 'apache-arrow';
import { ErrorCode, PondError } from '../../errors.js';
import { query } from '../../native/engine.js';
import { arrowToParquet } from '../../query/arrow-input.js';
import { ingestHostFile } from '../../query/ingest.js';
import { planTables } from '../../query/planner.js';
import { collectSql } from '../../query/run-sql.js';
import { quoteLiteral } from '../../query/sql-text.js';
import { dataVersions } from '../../query/temporal-bounds.js';
import { EntryType } from '../../tinyfs/entry-type.js';
import type { WD } from '../../tinyfs/fs.js';
import { join } from '../../tinyfs/path.js';
import type { Device } from './config.js';
import { TIME_COLUMN } from './rows.js';

/** `<hydrovu_path>/devices/<id>`. */
export function deviceDir(base: string, device: Pick<Device, 'id'>): string {
  return join(join(base, 'devices'), String(device.id));
}

export function activePath(base: string, device: Device): string {
  return join(deviceDir(base, device), `${device.name}_active.series`);
}

/** The original's name before `_active` existed; archive reads it when there is no active one. */
export function legacyPath(base: string, device: Device): string {
  return join(deviceDir(base, device), `${device.name}.series`);
}

export function archivePath(base: string, device: Device, day: Date): string {
  const ymd = day.toISOString().slice(0, 10).replace(/-/g, '');
  return join(deviceDir(base, device), `${device.name}_archive_${ymd}.series`);
}

/** The directory at `path` in `root`, or null when it (or a parent) is missing. */
async function directoryAt(root: WD, path: string) {
  const found = await root.lookup(path).catch((err: unknown) => {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  });
  if (found?.kind !== 'found') return null;
  return found.np.node.kind === 'directory' ? found.np.node.dir : null;
}

/** The newest event time (µs) recorded by any `.series` version in `dir`, or null. */
export async function newestInDirectory(root: WD, dir: string): Promise<number | null> {
  const directory = await directoryAt(root, dir);
  if (!directory) return null;
  let newest: number | null = null;
  for (const [name, node] of await directory.entries()) {
    if (!name.endsWith('.series') || node.kind !== 'file') continue;
    for (const v of dataVersions(await node.file.versions())) {
      if (v.maxEventTime !== null && (newest === null || v.maxEventTime > newest)) {
        newest = v.maxEventTime;
      }
    }
  }
  return newest;
}

/** µs of a `max(timestamp)` result: Int64 is seconds (as the original reads it), a timestamp any unit. */
function microsOf(table: Awaited<ReturnType<typeof collectSql>>, label: string): number | null {
  const field = table.schema.fields[0];
  const value = table.getChildAt(0)?.get(0) as unknown;
  if (value === null || value === undefined || !field) return null;
  if (DataType.isTimestamp(field.type)) return Number(value) * 1000;
  if (DataType.isInt(field.type)) return Number(value) * 1_000_000;
  throw new PondError(
    ErrorCode.SCHEMA_MISMATCH,
    `${label}: timestamp is ${field.type}, not a timestamp or Int64 (seconds)`,
    { path: label },
  );
}

/** The newest `timestamp` (µs) in the seed archive's series of `device`, or null. */
export async function newestInArchive(
  root: WD,
  hostRoot: string,
  archive: string,
  device: Device,
): Promise<number | null> {
  const dir = deviceDir(archive, device);
  if (!(await directoryAt(root, dir))) return null;
  const url = `series://${dir}/*.series`;
  const sql = `SELECT max(${TIME_COLUMN}) AS newest FROM ${quoteLiteral(url)}`;
  try {
    return microsOf(await collectSql(root, hostRoot, sql, {}), dir);
  } catch (err) {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  }
}

/** Stage `fill(file)`'s Parquet file as a new version of the series at `path` (made with its parents). */
async function writeSeriesFile(
  root: WD,
  path: string,
  fill: (dir: string, file: string) => Promise<void>,
): Promise<void> {
  await root.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { parents: true });
  const dir = await mkdtemp(hostJoin(tmpdir(), 'pond-hydrovu-'));
  try {
    const file = hostJoin(dir, 'version.parquet');
    await fill(dir, file);
    await ingestHostFile(root, file, path, EntryType.TablePhysicalSeries, {
      timeColumn: TIME_COLUMN,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Append `batch` as a new version of the series at `path`: its Arrow IPC file, converted to
 * Parquet by the engine (types as built), as `tx.write` of Arrow data does.
 */
export function writeSeries(root: WD, path: string, batch: RecordBatch): Promise<void> {
  return writeSeriesFile(root, path, (dir, file) =>
    arrowToParquet(oneBatch(batch), hostJoin(dir, 'version.arrow'), file, path),
  );
}

async function* oneBatch(batch: RecordBatch): AsyncIterable<RecordBatch> {
  yield batch;
}

/**
 * Append the result of `sql` as a new version of the series at `path`, written by the
 * engine as it computes it (so its types stay as stored: `Timestamp(Second, "+00:00")`).
 */
export function writeSeriesSql(root: WD, hostRoot: string, path: string, sql: string) {
  return writeSeriesFile(root, path, async (_, file) => {
    const cacheDir = root.fs.persistence.cacheDir ?? null;
    const specs = await planTables(sql, { root, hostRoot, cacheDir });
    await pipeline(query(sql, specs, { format: 'parquet' }), createWriteStream(file));
  });
}

/** The newest version number of the file at `path` (after a write: the one just made). */
export async function versionCount(root: WD, path: string): Promise<number> {
  const np = await root.file(path);
  const versions = await np.node.file.versions();
  return versions[versions.length - 1]?.version ?? 0;
}
