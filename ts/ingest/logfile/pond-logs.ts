// SPDX-License-Identifier: Apache-2.0
/**
 * The pond side of `logfile-ingest`: what `pond_path` already holds of each log. Every
 * version this factory writes records, in its extended attributes, the file's cumulative
 * size and prefix hash after it (`pond.logfile`, a persisted key), so a run learns both
 * without reading the pond file. A series written otherwise (or a version whose record does
 * not add up) is hashed from its stored bytes instead.
 */

import { ErrorCode, PondError } from '../../errors.js';
import { EntryType } from '../../tinyfs/entry-type.js';
import type { FilePath, WD } from '../../tinyfs/fs.js';
import { join } from '../../tinyfs/path.js';
import type { VersionRecord } from '../../tinyfs/persistence.js';
import { prefixHasher } from './prefix.js';

/** The extended-attributes key of a version's cumulative record. Persisted: never rename. */
export const LOGFILE_ATTRIBUTE = 'pond.logfile';

/** One log the pond holds. */
export interface PondLog {
  readonly name: string;
  readonly np: FilePath;
  /** Bytes over all versions. */
  readonly size: number;
  /** SHA-256 hex of all of them. */
  readonly sha256: string;
}

/** The extended attributes of a version after which the file has `size` bytes hashing to `sha256`. */
export function logAttributes(size: number, sha256: string): string {
  return JSON.stringify({ [LOGFILE_ATTRIBUTE]: { size, sha256 } });
}

function recorded(version: VersionRecord | undefined): { size: number; sha256: string } | null {
  if (!version?.extendedAttributes) return null;
  try {
    const record = (JSON.parse(version.extendedAttributes) as Record<string, unknown>)[
      LOGFILE_ATTRIBUTE
    ] as { size?: unknown; sha256?: unknown } | undefined;
    if (typeof record?.size === 'number' && typeof record.sha256 === 'string') {
      return { size: record.size, sha256: record.sha256 };
    }
  } catch {
    // Not JSON: not ours; hash the bytes.
  }
  return null;
}

async function hashStored(np: FilePath, versions: readonly VersionRecord[]): Promise<string> {
  const hash = prefixHasher();
  for (const v of versions)
    for await (const chunk of np.node.file.read(v.version)) hash.update(chunk);
  return hash.digest('hex');
}

async function pondLog(np: FilePath, name: string): Promise<PondLog> {
  const versions = await np.node.file.versions();
  const size = versions.reduce((sum, v) => sum + (v.size ?? 0), 0);
  const record = recorded(versions[versions.length - 1]);
  const sha256 = record && record.size === size ? record.sha256 : await hashStored(np, versions);
  return { name, np, size, sha256 };
}

/**
 * The logs in `pondPath` by name (empty when the directory does not exist yet). An entry
 * that is not a `file:physical:series` is returned as `other`, so that a host file of that
 * name is refused rather than mixed with it.
 */
export async function pondLogs(
  root: WD,
  pondPath: string,
): Promise<{ logs: Map<string, PondLog>; other: Map<string, string> }> {
  const logs = new Map<string, PondLog>();
  const other = new Map<string, string>();
  const dir = await root.find(pondPath);
  if (!dir) return { logs, other };
  if (dir.node.kind !== 'directory') {
    throw new PondError(
      ErrorCode.INVALID_CONFIG,
      `logfile-ingest: pond_path: ${dir.path} is not a directory`,
      { path: dir.path },
    );
  }
  for (const [name, node] of await dir.node.dir.entries()) {
    const path = join(dir.path, name);
    if (node.kind === 'file' && node.ref.entryType === EntryType.FilePhysicalSeries) {
      logs.set(name, await pondLog({ node, path } as FilePath, name));
    } else other.set(name, node.ref.entryType);
  }
  return { logs, other };
}
