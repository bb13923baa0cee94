// SPDX-License-Identifier: Apache-2.0
/**
 * Which oplog rows the pond's newest state reaches: a walk of directory snapshots from the
 * root over rows already read, by partition. A node lives in one partition (a file in its
 * parent's, a directory in its own); rows of the same node elsewhere are what it left
 * behind when it moved, and rows no snapshot reaches belong to removed nodes: both are
 * history, not part of the current tree.
 */

import { ErrorCode, PondError } from '../errors.js';
import { EntryType } from '../tinyfs/entry-type.js';
import { ROOT_ID } from '../tinyfs/persistence.js';
import { decodeSnapshot, Format, type OplogRow } from './rows.js';

/** The key of a node in the partition it lives in. */
export const liveKey = (partId: string, nodeId: string): string => `${partId}/${nodeId}`;

export interface Reachable {
  /** Path of every reachable node, by {@link liveKey}. */
  readonly paths: ReadonlyMap<string, string>;
  /** Path by node id alone, for naming rows wherever they are. */
  readonly byNode: ReadonlyMap<string, string>;
  readonly directories: number;
}

/** Called for what the walk finds broken; the walk goes on around it. */
export type OnProblem = (path: string, what: string, code: ErrorCode) => void;

export function reachable(
  byPart: ReadonlyMap<string, readonly OplogRow[]>,
  onProblem: OnProblem = () => undefined,
): Reachable {
  const paths = new Map<string, string>([[liveKey(ROOT_ID, ROOT_ID), '/']]);
  const byNode = new Map<string, string>([[ROOT_ID, '/']]);
  let directories = 0;
  const walk = (dirId: string, path: string): void => {
    directories++;
    const rows = byPart.get(dirId) ?? [];
    const snapshots = rows.filter((r) => r.nodeId === dirId && r.format === Format.FullDir);
    const latest = snapshots.sort((a, b) => b.version - a.version)[0];
    if (!latest) {
      onProblem(path, 'directory has no snapshot in its partition', ErrorCode.CORRUPT);
      return;
    }
    let entries: ReturnType<typeof decodeSnapshot>;
    try {
      entries = decodeSnapshot(latest.content ?? new Uint8Array(), path);
    } catch (err) {
      onProblem(
        path,
        `directory snapshot v${latest.version} does not decode: ${(err as Error).message}`,
        err instanceof PondError ? err.code : ErrorCode.CORRUPT,
      );
      return;
    }
    for (const entry of entries.values()) {
      const child = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
      const isDir = entry.entryType === EntryType.DirectoryPhysical;
      paths.set(liveKey(isDir ? entry.childId : dirId, entry.childId), child);
      byNode.set(entry.childId, child);
      if (isDir) {
        if (!byPart.has(entry.childId))
          onProblem(child, 'directory has no partition', ErrorCode.CORRUPT);
        else walk(entry.childId, child);
      } else if (!rows.some((r) => r.nodeId === entry.childId)) {
        onProblem(child, 'entry has no valid rows in its directory partition', ErrorCode.CORRUPT);
      }
    }
  };
  walk(ROOT_ID, '/');
  return { paths, byNode, directories };
}
