// SPDX-License-Identifier: Apache-2.0
/**
 * The original's entry-type cast: a raw file (`file:physical:version`,
 * `file:physical:series`, or any raw file a factory serves) whose bytes are Parquet, read
 * through `table:///` or `series:///` (or `file+table:`, `file+series:`). As a table it is
 * its newest version; as a series, a raw series is every version, a single raw file its
 * newest, each with the event-time column and range a copied-in series records, so time
 * filters skip versions the same way.
 *
 * Computing a range reads the whole time column, so it is done on the first read and kept
 * in `$POND/cache/parquet-times/`, keyed by the content's BLAKE3 and the column. The cache
 * is derived and never trusted: an entry carries a SHA-256 of itself and one that fails it
 * is computed again.
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open as openFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, notFound, PondError } from '../errors.js';
import { type ParquetInfo, parquetInfo } from '../native/engine.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { NodePath } from '../tinyfs/fs.js';
import type { VersionRecord } from '../tinyfs/persistence.js';
import { chooseTimeColumn } from './series.js';
import type { ParquetFileSpec, TableSpec } from './spec.js';

/** What a URL asks a raw file to be read as. */
export type Archetype = 'table' | 'series';

/** The versions a cast reads: one pinned, a raw series' every version, else the newest. */
function castVersions(
  np: NodePath,
  versions: readonly VersionRecord[],
  archetype: Archetype,
  version: number | undefined,
): readonly VersionRecord[] {
  if (version !== undefined) {
    const found = versions.filter((v) => v.version === version);
    if (found.length === 0) {
      throw notFound(np.path, `has no version ${version} (versions 1 to ${versions.length})`);
    }
    return found;
  }
  const series = archetype === 'series' && np.node.ref.entryType === EntryType.FilePhysicalSeries;
  return series ? versions : versions.slice(-1);
}

function notParquet(np: NodePath, v: VersionRecord, why: string): PondError {
  return new PondError(
    ErrorCode.INVALID_DATA,
    `${np.path} (v${v.version}): not a valid parquet file (${why}); read raw data through a format instead, e.g. csv://${np.path}`,
    { path: np.path },
  );
}

/** The footer of one version's bytes: INVALID_DATA naming the pond path if not Parquet. */
async function inspect(np: NodePath, v: VersionRecord, path: string): Promise<ParquetInfo> {
  const file = await openFile(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    if (size >= 12) {
      await file.read(head, 0, 4, 0);
      await file.read(tail, 0, 4, size - 4);
    }
    if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
      throw notParquet(np, v, 'missing PAR1 magic bytes');
    }
  } finally {
    await file.close();
  }
  try {
    return await parquetInfo(path);
  } catch (err) {
    if (err instanceof PondError && err.code === ErrorCode.INVALID_DATA) {
      throw notParquet(np, v, 'its footer does not read');
    }
    throw err;
  }
}

interface TimeRange {
  readonly minTime: number | null;
  readonly maxTime: number | null;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A cache file's name: the content hash and a hash of the column name. */
function entryName(blake3: string, column: string): string {
  return `blake3=${blake3}-${sha(column).slice(0, 16)}.json`;
}

async function cachedRange(file: string, column: string): Promise<TimeRange | null> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as {
      column: string;
      minTime: number | null;
      maxTime: number | null;
      check: string;
    };
    const { check, ...rest } = entry;
    if (check !== sha(JSON.stringify(rest)) || rest.column !== column) return null;
    return { minTime: rest.minTime, maxTime: rest.maxTime };
  } catch {
    return null;
  }
}

/** Store an entry; a cache that cannot be written (a read-only pond) is skipped. */
async function storeRange(dir: string, file: string, column: string, range: TimeRange) {
  const rest = { column, minTime: range.minTime, maxTime: range.maxTime };
  const tmp = `${file}.tmp-${process.pid}-${randomUUID()}`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, JSON.stringify({ ...rest, check: sha(JSON.stringify(rest)) }));
    await rename(tmp, file);
  } catch {
    // The cache only saves work; reading goes on without it.
  }
}

/** The event-time range of `column` in one version, from the cache when it holds it. */
async function timeRange(
  path: string,
  blake3: string | null,
  column: string,
  cacheDir: string | null,
): Promise<TimeRange> {
  const dir = cacheDir ? join(cacheDir, 'parquet-times') : null;
  const file = dir && blake3 ? join(dir, entryName(blake3, column)) : null;
  const cached = file ? await cachedRange(file, column) : null;
  if (cached) return cached;
  const info = await parquetInfo(path, column);
  const range = { minTime: info.minTime ?? null, maxTime: info.maxTime ?? null };
  if (dir && file) await storeRange(dir, file, column, range);
  return range;
}

/**
 * The spec of a raw file read as `archetype` (see the module comment); INVALID_DATA naming
 * the pond path when a version read is not Parquet.
 */
export async function rawParquetSpec(
  np: NodePath,
  archetype: Archetype,
  cacheDir: string | null,
  localPath: (v: VersionRecord) => Promise<string>,
  version?: number,
): Promise<TableSpec> {
  if (np.node.kind !== 'file') throw notFound(np.path, 'is not a file');
  const chosen = castVersions(np, await np.node.file.versions(), archetype, version);
  const read = await Promise.all(
    chosen.map(async (v) => {
      const path = await localPath(v);
      return { v, path, info: await inspect(np, v, path) };
    }),
  );
  const newest = read[read.length - 1];
  const column =
    archetype === 'series' && newest ? chooseTimeColumn(newest.info, null, np.path) : null;
  const files: ParquetFileSpec[] = [];
  for (const { v, path, info } of read) {
    let range: TimeRange = { minTime: null, maxTime: null };
    if (column) {
      chooseTimeColumn(info, column, `${np.path} (v${v.version})`);
      range = await timeRange(path, v.blake3, column, cacheDir);
    }
    files.push({ path, blake3: v.blake3, size: v.size, ...range });
  }
  return { kind: 'parquet', label: np.path, files, timeColumn: column };
}
