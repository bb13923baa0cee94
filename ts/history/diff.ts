// SPDX-License-Identifier: Apache-2.0
/**
 * `pond diff`: what changed between two points in a pond's history, node by node: nodes
 * created, removed, moved (same node id, another path) and given new versions. Nodes are
 * matched by id, so a renamed file is a move, not a removal and a creation.
 */

import { EntryType } from '../tinyfs/entry-type.js';
import type { Persistence, VersionRecord } from '../tinyfs/persistence.js';
import { walkStored } from './walk.js';

/** How a node changed between two points: new, gone, at another path, or given versions. */
export type ChangeKind = 'created' | 'removed' | 'moved' | 'versioned';

/** One change between two points of history. */
export interface DiffEntry {
  /** What happened to the node. */
  readonly kind: ChangeKind;
  /** Where the node is at the later point (at the earlier one for a removal). */
  readonly path: string;
  /** A moved node's earlier path. */
  readonly from?: string;
  /** The node's id, the same at both points. */
  readonly nodeId: string;
  /** The node's entry type. */
  readonly entryType: EntryType;
  /** The newest version at the earlier point (0 where the node did not exist). */
  readonly fromVersion: number;
  /** The newest version at the later point (0 for a removal). */
  readonly toVersion: number;
  /** Bytes of the versions added between the points (for a removal, of its newest). */
  readonly bytes: number | null;
}

interface Seen {
  readonly path: string;
  readonly entryType: EntryType;
  readonly versions: readonly VersionRecord[];
}

async function nodesOf(persistence: Persistence): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>();
  for await (const { path, ref } of walkStored(persistence)) {
    if (path === '/') continue;
    out.set(ref.id, { path, entryType: ref.entryType, versions: await persistence.versions(ref) });
  }
  return out;
}

const newest = (s: Seen | undefined) => s?.versions[s.versions.length - 1]?.version ?? 0;

function bytesAfter(s: Seen, version: number): number | null {
  let total: number | null = null;
  for (const v of s.versions) if (v.version > version) total = (total ?? 0) + (v.size ?? 0);
  return total;
}

/** The changes from the pond `before` reads to the one `after` reads, sorted by path. */
export async function diffTrees(before: Persistence, after: Persistence): Promise<DiffEntry[]> {
  const [a, b] = await Promise.all([nodesOf(before), nodesOf(after)]);
  const out: DiffEntry[] = [];
  const entry = (kind: ChangeKind, id: string, s: Seen, extra: Partial<DiffEntry> = {}) =>
    out.push({
      kind,
      path: s.path,
      nodeId: id,
      entryType: s.entryType,
      fromVersion: newest(a.get(id)),
      toVersion: newest(b.get(id)),
      bytes: null,
      ...extra,
    });
  for (const [id, was] of a) {
    if (!b.has(id)) {
      const last = was.versions[was.versions.length - 1];
      entry('removed', id, was, { bytes: isDir(was) ? null : (last?.size ?? null) });
    }
  }
  for (const [id, now] of b) {
    const was = a.get(id);
    if (!was) {
      entry('created', id, now, { bytes: isDir(now) ? null : bytesAfter(now, 0) });
      continue;
    }
    if (was.path !== now.path) entry('moved', id, now, { from: was.path });
    if (!isDir(now) && newest(now) > newest(was)) {
      entry('versioned', id, now, { bytes: bytesAfter(now, newest(was)) });
    }
  }
  // A node that moved only because a directory above it did is not a move of its own.
  const moves = out.filter((d) => d.kind === 'moved');
  const carried = (d: DiffEntry) =>
    d.kind === 'moved' &&
    moves.some(
      (m) =>
        m !== d &&
        d.from?.startsWith(`${m.from}/`) &&
        d.path === `${m.path}${d.from.slice((m.from as string).length)}`,
    );
  const kept = out.filter((d) => !carried(d));
  const order: Record<ChangeKind, number> = { removed: 0, moved: 1, created: 2, versioned: 3 };
  return kept.sort((x, y) =>
    x.path === y.path ? order[x.kind] - order[y.kind] : x.path < y.path ? -1 : 1,
  );
}

const isDir = (s: Seen) => s.entryType === EntryType.DirectoryPhysical;
