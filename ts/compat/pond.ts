// SPDX-License-Identifier: Apache-2.0
/**
 * A pond written by the original DuckPond, opened read-only: its local pond id
 * (REFERENCE-ORIGINAL §6.7 step 2), the persistence layers pond reads it through, and its
 * control table as pond's transaction log, settings and identity. The steward holds one
 * of these in place of its own control table and refuses every write with
 * {@link OriginalPond.readOnly}.
 */

import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import type { Store } from '../native/store.js';
import type { TxnSummary } from '../steward/control.js';
import type { TlogOptions } from '../tlogfs/persistence.js';
import { isNodeId } from '../tlogfs/rows.js';
import {
  identityOf,
  NIL_POND,
  type OriginalIdentity,
  type OriginalRecord,
  pondIdOfCommits,
  readControl,
  settingsOf,
  transactionsOf,
} from './control.js';
import { OriginalOplog } from './oplog.js';
import { OriginalPersistence } from './persistence.js';

export { isOriginalPond } from './detect.js';

/** The command that converts an original pond, as messages name it. */
export function importCommand(pond: string): string {
  return `pond import-original ${pond} DEST`;
}

/** The READ_ONLY error every write to an original pond fails with. */
export function readOnlyError(pond: string, what = 'it'): PondError {
  return new PondError(
    ErrorCode.READ_ONLY,
    `${pond} was written by the original DuckPond; pond opens it read-only, so ${what} cannot change it; convert it with \`${importCommand(pond)}\``,
    { path: pond },
  );
}

/** What pond does not do to an original pond (it checks and verifies its own format). */
export function originalUnsupported(pond: string, what: string): PondError {
  return new PondError(
    ErrorCode.INVALID_ARGUMENT,
    `${pond} was written by the original DuckPond; ${what} works on ponds in pond's own format; convert it with \`${importCommand(pond)}\` and run it there`,
    { path: pond },
  );
}

/** The user's cache directory: `$XDG_CACHE_HOME`, else `$HOME/.cache`. */
export function userCacheHome(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
}

/**
 * Where pond keeps what it derives from the original pond at `pond` (de-chunked content,
 * format caches, rollups): under the user's cache directory, one directory per pond
 * directory and pond id, never inside the original pond.
 */
export function derivedDir(cacheHome: string, pond: string, pondId: string): string {
  const key = createHash('sha256').update(pond).digest('hex').slice(0, 16);
  return join(cacheHome, 'duckpond', 'original', `${pondId}-${key}`);
}

export class OriginalPond {
  private constructor(
    /** pond's store over the original's `data/` table. */
    readonly store: Store,
    private readonly records: readonly OriginalRecord[],
    readonly oplog: OriginalOplog,
  ) {}

  /** Open the original pond whose oplog `store` reads; derived files go under `cacheHome`. */
  static async open(store: Store, cacheHome: string): Promise<OriginalPond> {
    const records = await readControl(store.path);
    const pondId =
      identityOf(records)?.pondId ??
      pondIdOfCommits(await store.history()) ??
      (await store.pondId());
    if (!pondId) {
      throw new PondError(ErrorCode.NOT_A_POND, `${store.path}: the oplog holds no pond`, {
        path: store.path,
      });
    }
    // It names the directory derived files go to, so it must be an id and nothing else.
    if (!isNodeId(pondId)) {
      throw new PondError(
        ErrorCode.CORRUPT,
        `${store.path}: the control table's store_id ${JSON.stringify(pondId)} is not a pond id`,
        { path: store.path },
      );
    }
    const oplog = new OriginalOplog(store, pondId, derivedDir(cacheHome, store.path, pondId));
    return new OriginalPond(store, records, oplog);
  }

  get pondId(): string {
    return this.oplog.pondId;
  }

  /** A persistence layer over the original's rows (never writable). */
  persistence(options: Omit<TlogOptions, 'write'>): OriginalPersistence {
    return new OriginalPersistence(this.oplog, options);
  }

  /** The READ_ONLY error for a write (`what`: the operation, as the message names it). */
  readOnly(what?: string): PondError {
    return readOnlyError(this.store.path, what);
  }

  async transactions(): Promise<TxnSummary[]> {
    return transactionsOf(this.records, this.pondId, await this.store.history());
  }

  /** The original's settings as it names them: identity settings, then the local ones. */
  settings(): Map<string, string> {
    return new Map([
      ...settingsOf(this.records, NIL_POND),
      ...settingsOf(this.records, this.pondId),
    ]);
  }

  identity(): OriginalIdentity | null {
    return identityOf(this.records);
  }
}
