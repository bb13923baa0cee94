// SPDX-License-Identifier: Apache-2.0
/**
 * `pond push`: send a pond's new files to a remote, under the pond's write lock so the
 * files form one consistent state (no commit or maintenance moves them meanwhile). Only
 * contents the remote lacks are uploaded, then a record of what changed, then HEAD.
 */

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import type { Steward } from '../steward/steward.js';
import { cacheDir } from '../tlogfs/layout.js';
import { expandOptions, type RemoteConfig } from './config.js';
import { inventory, pondHashCache } from './inventory.js';
import { FORMAT, FULL_EVERY, objectKey, type PushRecord, planPush, recordKey } from './layout.js';
import { loadTip, RemoteStore, saveTip, type Tip } from './store.js';

/** Progress of a push, for the CLI's counter and for tests that stop it midway. */
export interface PushEvents {
  /** After each content upload: how many of how many, and its bytes. */
  readonly onObject?: (done: number, total: number, bytes: number) => void;
  /** After the push record is stored, before HEAD names it. */
  readonly onRecord?: (key: string) => void;
}

export interface PushResult {
  readonly remote: string;
  /** The pushed log's newest transaction and newest COMMITTED one. */
  readonly seq: number;
  readonly committed: number;
  /** Files the record added and removed; contents uploaded and their bytes. */
  readonly files: number;
  readonly removed: number;
  readonly objects: number;
  readonly bytes: number;
  /** Nothing had changed since the remote's tip: no record was written. */
  readonly upToDate: boolean;
}

/** Where a remote's last known tip is remembered locally. */
export function tipCache(pond: string, name: string): string {
  return join(cacheDir(pond), 'remotes', `${name}.tip.json`);
}

/** The newest transaction and the newest COMMITTED one, from the control log. */
export async function logTip(steward: Steward): Promise<{ seq: number; committed: number }> {
  const txns = await steward.transactions();
  let committed = 0;
  for (const t of txns) if (t.status === 'COMMITTED') committed = Math.max(committed, t.seq);
  return { seq: txns[txns.length - 1]?.seq ?? 0, committed };
}

export async function push(
  steward: Steward,
  config: RemoteConfig,
  env: Readonly<Record<string, string | undefined>>,
  options: { waitMs?: number; events?: PushEvents } = {},
): Promise<PushResult> {
  if (config.mode !== 'push') {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `remote ${config.name} is pulled from (pond remote add), not pushed to; use pond pull ${config.name}`,
    );
  }
  const remote = new RemoteStore(config.url, expandOptions(config, env));
  const pond = steward.store.path;
  const txn = await steward.store.begin(options.waitMs);
  try {
    await remote.claim(steward.pondId);
    const cachedFile = tipCache(pond, config.name);
    const tip = await remote.tip(await loadTip(cachedFile));
    const { seq, committed } = await logTip(steward);
    const local = await inventory(pond, pondHashCache(pond), tip.files);
    const stored = new Set([...tip.files.values()].map((f) => f.blake3));
    const plan = planPush(local, tip.files, stored);
    const changed = Object.keys(plan.added).length > 0 || plan.removed.length > 0;
    const base = { remote: config.name, seq, committed, removed: plan.removed.length };
    if (!changed) {
      await saveTip(cachedFile, tip);
      return { ...base, files: 0, objects: 0, bytes: 0, upToDate: true };
    }
    let objects = 0;
    let bytes = 0;
    let done = 0;
    for (const [hash, path] of plan.uploads) {
      const key = objectKey(hash);
      const size = local.get(path)?.size ?? -1;
      // What an interrupted push already sent is not sent again.
      if ((await remote.objects.head(key)) !== size) {
        bytes += await remote.objects.putFile(key, join(pond, path));
        objects++;
      }
      options.events?.onObject?.(++done, plan.uploads.size, size);
    }
    const depth = tip.record && !tip.record.full ? tip.record.depth + 1 : 1;
    const full = tip.record === null || depth >= FULL_EVERY;
    const record: PushRecord = {
      format: FORMAT,
      pond_id: steward.pondId,
      seq,
      committed,
      time: Date.now(),
      parent: full ? null : tip.key,
      depth: full ? 0 : depth,
      full,
      added: full ? Object.fromEntries(local) : plan.added,
      removed: full ? [] : plan.removed,
    };
    const key = recordKey(seq, randomUUID());
    bytes += await remote.putRecord(key, record);
    options.events?.onRecord?.(key);
    bytes += await remote.setHead(key);
    objects += 2;
    const next: Tip = { key, record, files: local };
    await saveTip(cachedFile, next);
    return { ...base, files: Object.keys(plan.added).length, objects, bytes, upToDate: false };
  } finally {
    await txn.release();
  }
}
