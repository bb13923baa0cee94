// SPDX-License-Identifier: Apache-2.0
/**
 * Every stored node a pond view reaches from its root through physical directories, by
 * path: what the history tables and `pond diff` compare. Dynamic directories are reported
 * as nodes, not entered: their children are computed, not stored.
 */

import { EntryType } from '../tinyfs/entry-type.js';
import { childRef } from '../tinyfs/node.js';
import { join } from '../tinyfs/path.js';
import type { NodeRef, Persistence } from '../tinyfs/persistence.js';

export interface StoredNode {
  readonly path: string;
  readonly ref: NodeRef;
}

/** Stored nodes under the root (the root itself first), depth first in name order. */
export function walkStored(persistence: Persistence): AsyncIterable<StoredNode> {
  const root: NodeRef = {
    id: persistence.rootId,
    partId: persistence.rootId,
    entryType: EntryType.DirectoryPhysical,
  };
  return walkDir(persistence, { path: '/', ref: root });
}

async function* walkDir(persistence: Persistence, dir: StoredNode): AsyncIterable<StoredNode> {
  yield dir;
  const entries = [...(await persistence.entries(dir.ref.id)).values()];
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const node = {
      path: join(dir.path, e.name),
      ref: childRef(dir.ref.id, e.childId, e.entryType),
    };
    if (e.entryType === EntryType.DirectoryPhysical) yield* walkDir(persistence, node);
    else yield node;
  }
}
