// SPDX-License-Identifier: Apache-2.0
/**
 * `pond maintain --prune-removed`: the one way a pond gives up history. Large content files
 * that only removed nodes (and what moved nodes left behind) reference are deleted; their
 * rows stay, so `--as-of` still lists those nodes but reading their pruned versions fails.
 * The hashes given up are recorded in a setting so `pond fsck` tells pruning from damage.
 */

import type { Store } from '../native/store.js';
import { liveKey, reachable } from '../tlogfs/reachable.js';
import { decodeRows, LARGE_THRESHOLD, type OplogRow } from '../tlogfs/rows.js';
import { type Control, RecordType } from './control.js';

/** The setting holding the JSON list of pruned content hashes. */
export const PRUNED_KEY = 'history.pruned_content';

/** Hashes `maintain --prune-removed` deleted. */
export async function prunedContent(control: Control): Promise<Set<string>> {
  const value = (await control.settings()).get(PRUNED_KEY);
  if (!value) return new Set();
  try {
    const list: unknown = JSON.parse(value);
    return new Set(Array.isArray(list) ? list.filter((h) => typeof h === 'string') : []);
  } catch {
    return new Set();
  }
}

const isLarge = (r: OplogRow): r is OplogRow & { blake3: string } =>
  r.blake3 !== null && (r.size ?? 0) >= LARGE_THRESHOLD;

/**
 * The large content hashes rows reference: `all` of every row, and with `live` also those
 * of nodes in the newest tree only (one read of the oplog serves both).
 */
export async function referencedLarge(
  store: Store,
  live: boolean,
): Promise<{ all: Set<string>; live: Set<string> | null }> {
  const byPart = new Map<string, OplogRow[]>();
  for (const part of await store.partitions()) {
    // Directory snapshots come with their content, so the tree can be walked.
    const buffer = await store.readRows({
      partId: part,
      withContent: false,
      metadataContent: true,
    });
    byPart.set(part, decodeRows(buffer));
  }
  const paths = live ? reachable(byPart).paths : null;
  const all = new Set<string>();
  const reached = paths ? new Set<string>() : null;
  for (const rows of byPart.values()) {
    for (const r of rows) {
      if (!isLarge(r)) continue;
      all.add(r.blake3);
      if (paths?.has(liveKey(r.partId, r.nodeId))) reached?.add(r.blake3);
    }
  }
  return { all, live: reached };
}

/** Record that the large content `all` referenced, beyond `kept`, was deleted. */
export async function recordPruned(
  control: Control,
  all: ReadonlySet<string>,
  kept: ReadonlySet<string>,
): Promise<number> {
  const pruned = await prunedContent(control);
  let added = 0;
  for (const hash of all) {
    if (!kept.has(hash) && !pruned.has(hash)) {
      pruned.add(hash);
      added++;
    }
  }
  if (added > 0) {
    await control.append([
      {
        recordType: RecordType.Setting,
        key: PRUNED_KEY,
        value: JSON.stringify([...pruned].sort()),
      },
    ]);
  }
  return added;
}
