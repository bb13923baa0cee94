// SPDX-License-Identifier: Apache-2.0
/**
 * Bring a remote's files to a local directory: `pond restore` (a new pond, byte for byte
 * the pushed one: same pond id, log, versions and fsck root checksum) and `pond pull`
 * (a replica kept under the pond's cache, updated with only what changed). Every content
 * is checked against its BLAKE3 on the way; a corrupt object stops the run with CORRUPT
 * and leaves the destination as it was.
 */

import { readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import type { RemoteOptions } from '../native/remote.js';
import { inventory, replicaHashCache } from './inventory.js';
import { applyOrder, type FileMap, type PushRecord, planPush } from './layout.js';
import { RemoteStore, type Tip } from './store.js';

export interface FetchResult {
  readonly pondId: string;
  /** The remote tip's newest transaction and newest COMMITTED one. */
  readonly seq: number;
  readonly committed: number;
  /** Files downloaded, and their bytes; files removed (a replica's). */
  readonly files: number;
  readonly bytes: number;
  readonly removed: number;
}

/** Called after each downloaded file. */
export type FetchProgress = (done: number, total: number, bytes: number) => void;

/** A remote's tip, refusing a remote nothing was pushed to. */
async function tipOf(
  remote: RemoteStore,
): Promise<{ pondId: string; tip: Tip; record: PushRecord }> {
  const meta = await remote.meta();
  const tip = await remote.tip();
  if (!meta || !tip.record) {
    throw new PondError(ErrorCode.NOT_FOUND, `${remote.url}: no pond has been pushed here`);
  }
  return { pondId: meta.pond_id, tip, record: tip.record };
}

function result(
  pondId: string,
  record: PushRecord,
  files: number,
  bytes: number,
  removed: number,
): FetchResult {
  return { pondId, seq: record.seq, committed: record.committed, files, bytes, removed };
}

async function download(
  remote: RemoteStore,
  files: FileMap,
  paths: readonly string[],
  dir: string,
  progress?: FetchProgress,
): Promise<number> {
  let bytes = 0;
  let done = 0;
  for (const path of applyOrder(paths)) {
    const entry = files.get(path);
    if (!entry) continue;
    await remote.fetch(entry, path, join(dir, path));
    bytes += entry.size;
    progress?.(++done, paths.length, entry.size);
  }
  return bytes;
}

/** Build a new pond at `dir` (missing or empty) from the remote at `url`. */
export async function restore(
  url: string,
  options: RemoteOptions,
  dir: string,
  progress?: FetchProgress,
): Promise<FetchResult> {
  const existing = await readdir(dir).catch(() => null);
  if (existing && existing.length > 0) {
    throw new PondError(
      ErrorCode.ALREADY_EXISTS,
      `${dir} is not empty; restore into a new or empty directory`,
      {
        path: dir,
      },
    );
  }
  const remote = new RemoteStore(url, options);
  const { pondId, tip, record } = await tipOf(remote);
  // Downloaded beside the target and renamed into place: an interrupted restore leaves
  // no half pond at `dir`.
  const staging = `${dir}.restoring-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const paths = [...tip.files.keys()];
    const bytes = await download(remote, tip.files, paths, staging, progress);
    if (existing) await rm(dir, { recursive: true });
    await rename(staging, dir);
    return result(pondId, record, paths.length, bytes, 0);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Bring the replica at `dir` up to the remote's tip: download what is new or changed
 * (data before the commits that name it), then delete what the remote no longer holds.
 * `expected` is the pond id the replica must belong to, once known.
 */
export async function syncReplica(
  remote: RemoteStore,
  dir: string,
  expected: string | null,
  progress?: FetchProgress,
): Promise<FetchResult> {
  const { pondId, tip, record } = await tipOf(remote);
  if (expected !== null && expected !== pondId) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${remote.url}: now holds pond ${pondId}, not ${expected} as before; remove and re-add the remote`,
    );
  }
  // What a push of the tip onto the replica would send: the files to fetch and remove.
  const local = await inventory(dir, replicaHashCache(dir));
  const { added, removed } = planPush(tip.files, local, new Set());
  const wanted = Object.keys(added);
  const bytes = await download(remote, tip.files, wanted, dir, progress);
  for (const path of removed) await unlink(join(dir, path)).catch(() => undefined);
  return result(pondId, record, wanted.length, bytes, removed.length);
}
