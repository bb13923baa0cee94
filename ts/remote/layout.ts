// SPDX-License-Identifier: Apache-2.0
/**
 * The layout of a remote copy of a pond, and the pure planning over it. A remote holds:
 *
 *   pond.json                      {format, pond_id}: which pond this remote belongs to
 *   objects/<h[0:2]>/<h>           file contents by BLAKE3 (each stored once)
 *   pushes/<seq>-<id>.json         one record per push: the files it added or removed
 *                                  against its parent record, or (`full`) every file
 *   HEAD                           {push: key} of the newest complete push, written last
 *
 * A pond's files (its two Delta tables and large content) are immutable once written, but
 * for a checkpoint pointer, so a push uploads only contents the remote does not hold and a
 * record proportional to what changed. A push killed at any point leaves HEAD at the
 * previous complete push; the next push re-sends what is missing.
 */

import { invalidArgument } from '../errors.js';

export const FORMAT = 'duckpond-remote/1';
export const POND_KEY = 'pond.json';
export const HEAD_KEY = 'HEAD';
/** A full record every this many pushes bounds the chain a reader follows. */
export const FULL_EVERY = 32;

/** One file of a pond (path relative to the pond directory) and its content. */
export interface FileEntry {
  readonly blake3: string;
  readonly size: number;
}

export type FileMap = ReadonlyMap<string, FileEntry>;

export interface PushRecord {
  readonly format: string;
  readonly pond_id: string;
  /** The newest transaction of the pushed log, and its newest COMMITTED one. */
  readonly seq: number;
  readonly committed: number;
  /** ms since the epoch. */
  readonly time: number;
  readonly parent: string | null;
  /** Records since the last full one (0 for a full record). */
  readonly depth: number;
  readonly full: boolean;
  readonly added: Readonly<Record<string, FileEntry>>;
  readonly removed: readonly string[];
}

export interface PondMeta {
  readonly format: string;
  readonly pond_id: string;
}

/** Where a content lives in the remote. */
export function objectKey(hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw invalidArgument(`not a blake3 hash: ${hash}`);
  return `objects/${hash.slice(0, 2)}/${hash}`;
}

export function recordKey(seq: number, id: string): string {
  return `pushes/${String(seq).padStart(12, '0')}-${id}.json`;
}

/** A pond file path as stored: relative, `/`-separated, no `.` or `..` parts. */
export function checkFilePath(path: string): string {
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..') || !/^(data|control)\//.test(path)) {
    throw invalidArgument(`not a pond file path: ${JSON.stringify(path)}`);
  }
  return path;
}

export interface PushPlan {
  readonly added: Record<string, FileEntry>;
  readonly removed: string[];
  /** Contents to upload (each once), with a local file that holds it. */
  readonly uploads: Map<string, string>;
}

/**
 * What a push of `local` sends to a remote whose newest push holds `remote` and which
 * already stores the contents in `stored`.
 */
export function planPush(local: FileMap, remote: FileMap, stored: ReadonlySet<string>): PushPlan {
  const added: Record<string, FileEntry> = {};
  const uploads = new Map<string, string>();
  for (const [path, entry] of [...local].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const there = remote.get(path);
    if (there && there.blake3 === entry.blake3 && there.size === entry.size) continue;
    added[path] = entry;
    if (!stored.has(entry.blake3) && !uploads.has(entry.blake3)) uploads.set(entry.blake3, path);
  }
  const removed = [...remote.keys()].filter((p) => !local.has(p)).sort();
  return { added, removed, uploads };
}

/** The files after `record`, given the files of its parent. */
export function applyRecord(parent: FileMap, record: PushRecord): Map<string, FileEntry> {
  const files = record.full ? new Map<string, FileEntry>() : new Map(parent);
  for (const path of record.removed) files.delete(path);
  for (const [path, entry] of Object.entries(record.added)) files.set(checkFilePath(path), entry);
  return files;
}

/**
 * The order a replica applies downloaded files in, so a reader of it never sees a commit
 * whose files are not there yet: data files first, then Delta commit files by version,
 * then the checkpoint pointer.
 */
export function applyOrder(paths: readonly string[]): string[] {
  const rank = (p: string) =>
    p.endsWith('/_last_checkpoint') ? 2 : p.includes('/_delta_log/') ? 1 : 0;
  return [...paths].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
