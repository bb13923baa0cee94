// SPDX-License-Identifier: Apache-2.0
/**
 * Bringing host files into the pond as tables and series: Parquet is checked (magic bytes,
 * a readable footer), and a series version records its event-time column and range.
 */

import { open } from 'node:fs/promises';
import { ErrorCode, PondError } from '../errors.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { WD } from '../tinyfs/fs.js';
import type { VersionMeta } from '../tinyfs/persistence.js';
import { chooseTimeColumn, seriesAttributes, timeColumnOf } from './series.js';
import { dataVersions } from './temporal-bounds.js';
import type { PondUrl } from './url.js';

/**
 * The entry type a host URL copies in as: raw bytes (`host:///`, `host+file:///`), a table
 * (`host+table:///`) or a series version (`host+series:///`); null for anything else.
 */
export function ingestEntryType(url: PondUrl): EntryType | null {
  if (url.compression || url.cast) return null;
  switch (url.format) {
    case 'file':
    case 'data':
      return EntryType.FilePhysicalVersion;
    case 'table':
      return EntryType.TablePhysicalVersion;
    case 'series':
      return EntryType.TablePhysicalSeries;
    default:
      return null;
  }
}

export interface IngestOptions {
  /** The event-time column of series versions (default: detected). */
  readonly timeColumn?: string;
}

/** Parquet files start and end with `PAR1`. */
export async function checkParquet(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    if (size >= 8) {
      await file.read(head, 0, 4, 0);
      await file.read(tail, 0, 4, size - 4);
    }
    if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
      throw new PondError(
        ErrorCode.INVALID_DATA,
        `${path}: not a valid parquet file (missing PAR1 magic bytes); to copy raw bytes use host://${path}`,
        { path },
      );
    }
  } finally {
    await file.close();
  }
}

/**
 * Metadata of a version copied from a host file: for Parquet, the footer must read; for
 * series, the event-time column and its range. A new version of an existing series keeps
 * that series' time column unless one is given.
 */
async function versionMeta(
  root: WD,
  target: string,
  hostPath: string,
  entryType: EntryType,
  options: IngestOptions,
): Promise<VersionMeta> {
  if (entryType === EntryType.FilePhysicalVersion) return {};
  const { checkSeriesVersion, parquetInfo } = await import('../native/engine.js');
  const info = await parquetInfo(hostPath);
  if (entryType !== EntryType.TablePhysicalSeries) return {};
  let configured = options.timeColumn ?? null;
  const existing = await root.lookup(target);
  if (existing.kind === 'found' && existing.np.node.kind === 'file') {
    const file = existing.np.node.file;
    const versions = dataVersions(await file.versions());
    const seriesColumn = timeColumnOf(versions[versions.length - 1]?.extendedAttributes);
    if (configured && seriesColumn && configured !== seriesColumn) {
      throw new PondError(
        ErrorCode.SCHEMA_MISMATCH,
        `${target}: the series' time column is ${JSON.stringify(seriesColumn)}, not ${JSON.stringify(configured)}; a new version keeps it`,
        { path: target },
      );
    }
    configured ??= seriesColumn;
    if (file.localPath && versions.length > 0) {
      const paths = await Promise.all(versions.map((v) => file.localPath?.(v) as Promise<string>));
      await checkSeriesVersion(target, paths, hostPath);
    }
  }
  const column = chooseTimeColumn(info, configured, hostPath);
  const range = await parquetInfo(hostPath, column);
  return {
    minEventTime: range.minTime ?? null,
    maxEventTime: range.maxTime ?? null,
    extendedAttributes: seriesAttributes(column),
  };
}

/** Add a host file to the pond at `to` (new file or new version), checked and described by type. */
export async function ingestHostFile(
  root: WD,
  from: string,
  to: string,
  entryType: EntryType,
  options: IngestOptions,
): Promise<void> {
  if (entryType !== EntryType.FilePhysicalVersion) await checkParquet(from);
  const meta = await versionMeta(root, to, from, entryType, options);
  await root.writeFile(to, { kind: 'hostFile', path: from }, { entryType, meta });
}
