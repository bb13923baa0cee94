// SPDX-License-Identifier: Apache-2.0
/**
 * What the `backup`, `remote`, `push`, `pull` and `verify` commands do to a pond: record
 * remotes, push to backups (by hand, or after every commit), pull remotes into local
 * replicas that a `pond-import` node mounts read-only, and compare both sides.
 */

import { rm } from 'node:fs/promises';
import { ErrorCode, PondError } from '../errors.js';
import type { Steward } from '../steward/steward.js';
import { cacheDir } from '../tlogfs/layout.js';
import {
  checkRemote,
  expandOptions,
  REMOTE_PREFIX,
  type RemoteConfig,
  remotesOf,
} from './config.js';
import { inventory, pondHashCache, replicaHashCache } from './inventory.js';
import { logTip, type PushEvents, type PushResult, push, tipCache } from './push.js';
import { type FetchProgress, type FetchResult, syncReplica } from './restore.js';
import { loadTip, RemoteStore, saveTip } from './store.js';
import { checkObjects, compare, type VerifyReport } from './verify.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where a pull remote's replica lives: a pond directory in the cache (re-pullable). */
export function replicaDir(pond: string, name: string): string {
  return cacheDir(pond, 'imports', name);
}

export async function listRemotes(steward: Steward): Promise<RemoteConfig[]> {
  return remotesOf(await steward.settings());
}

export async function findRemote(steward: Steward, name: string): Promise<RemoteConfig> {
  const found = (await listRemotes(steward)).find((r) => r.name === name);
  if (!found) {
    throw new PondError(
      ErrorCode.NOT_FOUND,
      `no remote named ${name} (pond backup list, pond remote list)`,
    );
  }
  return found;
}

/**
 * Record a remote after checking it: a backup is claimed for this pond (refused when it
 * holds another pond's pushes); a pull remote must hold a pond, not this one.
 */
export async function addRemote(
  steward: Steward,
  config: RemoteConfig,
  env: Env,
  options: { waitMs?: number } = {},
): Promise<RemoteConfig> {
  const checked = checkRemote(config);
  if ((await listRemotes(steward)).some((r) => r.name === checked.name)) {
    throw new PondError(
      ErrorCode.ALREADY_EXISTS,
      `remote ${checked.name} already exists (remove it first)`,
    );
  }
  const remote = new RemoteStore(checked.url, expandOptions(checked, env));
  if (checked.mode === 'push') {
    await remote.claim(steward.pondId);
  } else {
    const meta = await remote.meta();
    if (!meta)
      throw new PondError(ErrorCode.NOT_FOUND, `${checked.url}: no pond has been pushed here`);
    if (meta.pond_id === steward.pondId) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${checked.url} holds this pond's own backup; pull remotes import other ponds (restore a backup with pond restore)`,
      );
    }
  }
  await steward.setSetting(`${REMOTE_PREFIX}${checked.name}`, JSON.stringify(checked), options);
  return checked;
}

/** Forget a remote (its data at the remote stays); drop a pull remote's replica. */
export async function removeRemote(
  steward: Steward,
  name: string,
  options: { waitMs?: number } = {},
): Promise<void> {
  await findRemote(steward, name);
  await steward.setSetting(`${REMOTE_PREFIX}${name}`, '', options);
  await rm(replicaDir(steward.store.path, name), { recursive: true, force: true });
  await rm(tipCache(steward.store.path, name), { force: true });
}

export async function pushTo(
  steward: Steward,
  name: string,
  env: Env,
  options: { waitMs?: number; events?: PushEvents } = {},
): Promise<PushResult> {
  return push(steward, await findRemote(steward, name), env, options);
}

/** Bring a pull remote's replica up to its tip. */
export async function pullFrom(
  steward: Steward,
  name: string,
  env: Env,
  progress?: FetchProgress,
): Promise<FetchResult> {
  const config = await findRemote(steward, name);
  if (config.mode !== 'pull') {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `remote ${name} is a backup this pond pushes to; pull remotes are added with pond remote add`,
    );
  }
  const remote = new RemoteStore(config.url, expandOptions(config, env));
  const cached = tipCache(steward.store.path, name);
  const before = await loadTip(cached);
  const result = await syncReplica(
    remote,
    replicaDir(steward.store.path, name),
    before?.record?.pond_id ?? null,
    progress,
  );
  await saveTip(cached, await remote.tip());
  return result;
}

/** Compare a remote with this pond (a backup) or with its replica (a pull remote). */
export async function verifyRemote(
  steward: Steward,
  name: string,
  env: Env,
  options: { quick?: boolean } = {},
): Promise<VerifyReport> {
  const config = await findRemote(steward, name);
  const remote = new RemoteStore(config.url, expandOptions(config, env));
  const tip = await remote.tip();
  const problems = await checkObjects(remote, tip, options.quick ?? false);
  const pond = steward.store.path;
  if (config.mode === 'push') {
    const txns = await steward.transactions();
    const { seq } = await logTip(steward);
    const local = await inventory(pond, pondHashCache(pond));
    const committedAfter = (after: number) =>
      txns.filter((t) => t.status === 'COMMITTED' && t.seq > after).length;
    return compare(
      { name, local, localSeq: seq, committedAfter, direction: 'push' },
      tip,
      problems,
    );
  }
  const dir = replicaDir(pond, name);
  const local = await inventory(dir, replicaHashCache(dir));
  const pulled = await loadTip(tipCache(pond, name));
  return compare(
    { name, local, localSeq: pulled?.record?.seq ?? 0, committedAfter: () => 0, direction: 'pull' },
    tip,
    problems,
  );
}

/** A remote's last known state, as this pond last pushed or pulled it. */
export interface RemoteWatermark {
  readonly name: string;
  readonly mode: RemoteConfig['mode'];
  readonly url: string;
  readonly mount: string | null;
  /** The newest transaction of the last push or pull; null if none happened. */
  readonly seq: number | null;
  /** A backup: COMMITTED transactions since its last push. */
  readonly behind: number;
}

/** The last known state of each remote, without contacting it (for `pond status`). */
export async function watermarks(steward: Steward): Promise<RemoteWatermark[]> {
  const txns = await steward.transactions();
  const out: RemoteWatermark[] = [];
  for (const r of await listRemotes(steward)) {
    const tip = await loadTip(tipCache(steward.store.path, r.name));
    const seq = tip?.record?.committed ?? null;
    const behind =
      r.mode === 'push'
        ? txns.filter((t) => t.status === 'COMMITTED' && t.seq > (seq ?? 0)).length
        : 0;
    out.push({
      name: r.name,
      mode: r.mode,
      url: r.url,
      mount: r.mount,
      seq: tip?.record?.seq ?? null,
      behind,
    });
  }
  return out;
}

/**
 * After a commit: push to every backup. A failure never undoes the commit: it is recorded
 * in the transaction log (a FAILED post-commit transaction) and the next push catches up.
 */
export async function pushAfterCommit(
  steward: Steward,
  txnSeq: number,
  env: Env,
  warn: (text: string) => void,
): Promise<void> {
  let backups: RemoteConfig[];
  try {
    backups = (await listRemotes(steward)).filter((r) => r.mode === 'push');
  } catch (err) {
    warn(`backups were not pushed after transaction ${txnSeq}: ${(err as Error).message}\n`);
    return;
  }
  for (const backup of backups) {
    try {
      await push(steward, backup, env, { waitMs: 30_000 });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      warn(
        `push to ${backup.name} after transaction ${txnSeq} failed (recorded in pond log): ${message}\n`,
      );
      await steward
        .write(
          ['push', backup.name],
          async () => {
            throw err;
          },
          { kind: 'post-commit', parentSeq: txnSeq, waitMs: 30_000 },
        )
        .catch(() => undefined);
    }
  }
}
