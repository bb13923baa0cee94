// SPDX-License-Identifier: Apache-2.0
/**
 * Telling a whole pond from one an interrupted `pond init` left half-made. `init` writes
 * two first commits: the oplog's (the root directory, with the pond's identity in its
 * metadata), then the control table's (transaction 1 and the identity as settings). A pond
 * is whole once both exist. Until then it holds no user data, so `init` may clear what
 * the interrupted one left and start over; opening it fails with a message saying so.
 */

import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { Store } from '../native/store.js';
import { ROOT_ID } from '../tinyfs/persistence.js';
import { LAYOUT, tableDir } from '../tlogfs/layout.js';
import { decodeRows, decodeSnapshot, Format } from '../tlogfs/rows.js';
import { Control, RecordType } from './control.js';

/** What `init` finds at a pond path. */
export type PondState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'whole' }
  /** Left by an interrupted `init`; holds no user data. */
  | { readonly kind: 'half-made'; readonly reason: string }
  /** Not whole, but holds transactions beyond `init`'s: never cleared. */
  | { readonly kind: 'damaged'; readonly reason: string };

const FIRST_COMMIT = `${'0'.repeat(20)}.json`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Whether the Delta table in `dir` has a commit: null when there is no table at all
 * (no `_delta_log`). Two `stat`s in the usual case, so `open` can afford it.
 */
export async function hasCommit(dir: string): Promise<boolean | null> {
  const log = join(dir, '_delta_log');
  if (await exists(join(log, FIRST_COMMIT))) return true;
  if (await exists(join(log, '_last_checkpoint'))) return true;
  const names = await readdir(log).catch(() => null);
  if (names === null) return null;
  return names.some((n) => /^\d{20}\.(json|checkpoint\.parquet)$/.test(n));
}

/** True when the oplog holds nothing but the empty root directory `init` writes. */
async function onlyInitData(store: Store): Promise<boolean> {
  if (store.version !== 0) return false;
  const parts = await store.partitions();
  if (parts.length !== 1 || parts[0] !== ROOT_ID) return false;
  const rows = decodeRows(await store.readRows({ partId: ROOT_ID, withContent: true }));
  const [root] = rows;
  return (
    rows.length === 1 &&
    root !== undefined &&
    root.format === Format.FullDir &&
    decodeSnapshot(root.content ?? new Uint8Array()).size === 0
  );
}

/** True when the control table holds nothing but `init`'s records (transaction 1). */
async function onlyInitControl(pond: string): Promise<boolean> {
  const records = await (await Control.open(pond)).records();
  return records.every((r) => r.recordType === RecordType.Setting || r.txnSeq === 1);
}

/** Classify what is at `pond` (see {@link PondState}). */
export async function pondState(pond: string): Promise<PondState> {
  const data = await hasCommit(tableDir(pond, 'data'));
  const control = await hasCommit(tableDir(pond, 'control'));
  if (data === null && control === null) return { kind: 'absent' };
  if (!data) {
    if (control && !(await onlyInitControl(pond))) {
      return {
        kind: 'damaged',
        reason: 'the control log records transactions, but there is no data table',
      };
    }
    return { kind: 'half-made', reason: 'the data table has no commit' };
  }
  if (control) return { kind: 'whole' };
  if (await onlyInitData(await Store.open(pond))) {
    return { kind: 'half-made', reason: 'the control table was never written' };
  }
  return {
    kind: 'damaged',
    reason: 'the data table holds transactions, but the control table is missing',
  };
}

/**
 * Make `pond` ready for `init`: nothing to do when it is absent; a half-made pond's
 * tables (and derived cache) are removed so `init` starts over. A whole pond fails with
 * ALREADY_EXISTS, as does a damaged one (its data is never removed).
 */
export async function prepareInit(pond: string): Promise<void> {
  const state = await pondState(pond);
  switch (state.kind) {
    case 'absent':
      return;
    case 'half-made':
      for (const dir of Object.values(LAYOUT)) {
        await rm(join(pond, dir), { recursive: true, force: true });
      }
      return;
    case 'whole':
      throw new PondError(ErrorCode.ALREADY_EXISTS, `a pond already exists at ${pond}`, {
        path: pond,
      });
    case 'damaged':
      throw new PondError(
        ErrorCode.ALREADY_EXISTS,
        `${pond} holds a pond that is not whole (${state.reason}); it is not re-initialised, restore it from a backup`,
        { path: pond },
      );
  }
}

function unfinished(pond: string, reason: string): PondError {
  return new PondError(
    ErrorCode.NOT_A_POND,
    `${pond}: \`pond init\` did not finish (${reason}); run \`pond init\` again`,
    { path: pond },
  );
}

/** Before opening: refuse a data table `init` did not finish committing. */
export async function checkDataReady(pond: string): Promise<void> {
  if ((await hasCommit(tableDir(pond, 'data'))) === false) {
    throw unfinished(pond, 'the data table has no commit');
  }
}

/**
 * After opening: refuse a pond whose control table `init` never wrote. A `stat` or two
 * for a whole pond; the oplog is read only when the control table is missing. Returns
 * false when the control table is missing from a pond that holds transactions beyond
 * `init` (damaged: readable, but not writable).
 */
export async function checkControlReady(store: Store): Promise<boolean> {
  if (await hasCommit(tableDir(store.path, 'control'))) return true;
  if (await onlyInitData(store))
    throw unfinished(store.path, 'the control table was never written');
  return false;
}
