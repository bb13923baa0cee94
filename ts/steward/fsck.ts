// SPDX-License-Identifier: Apache-2.0
/**
 * Integrity check of a pond: every inline content and large file is re-hashed against its
 * recorded BLAKE3 (`quick` checks large files' presence and size only), every directory
 * snapshot decodes and its entries have rows, and a root checksum over every reachable
 * version's content hash summarises the pond's content.
 */

import { blake3Hex, type Store } from '../native/store.js';
import { EntryType } from '../tinyfs/entry-type.js';
import { ROOT_ID } from '../tinyfs/persistence.js';
import { decodeRows, decodeSnapshot, Format, type OplogRow } from '../tlogfs/rows.js';

export interface FsckOptions {
  readonly quick?: boolean;
  /** Called with a line per checked item. */
  readonly progress?: (line: string) => void;
}

export interface FsckReport {
  readonly problems: readonly string[];
  readonly rows: number;
  readonly inline: number;
  readonly large: number;
  readonly directories: number;
  readonly rootChecksum: string;
}

export async function fsck(store: Store, options: FsckOptions = {}): Promise<FsckReport> {
  const problems: string[] = [];
  const say = options.progress ?? (() => undefined);
  const byPart = new Map<string, OplogRow[]>();
  for (const part of await store.partitions()) {
    byPart.set(part, decodeRows(await store.readRows({ partId: part, withContent: true })));
  }
  // Paths of reachable nodes, by walking directory snapshots from the root.
  const paths = new Map<string, string>([[ROOT_ID, '/']]);
  let directories = 0;
  const walk = (dirId: string, path: string): void => {
    directories++;
    const rows = byPart.get(dirId) ?? [];
    const snapshots = rows.filter((r) => r.nodeId === dirId && r.format === Format.FullDir);
    const latest = snapshots.sort((a, b) => b.version - a.version)[0];
    if (!latest) {
      problems.push(`${path}: directory has no snapshot in its partition`);
      return;
    }
    let entries: ReturnType<typeof decodeSnapshot>;
    try {
      entries = decodeSnapshot(latest.content ?? new Uint8Array());
    } catch (err) {
      problems.push(
        `${path}: directory snapshot v${latest.version} does not decode: ${(err as Error).message}`,
      );
      return;
    }
    for (const entry of entries.values()) {
      const child = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
      paths.set(entry.childId, child);
      if (entry.entryType === EntryType.DirectoryPhysical) {
        if (!byPart.has(entry.childId)) problems.push(`${child}: directory has no partition`);
        else walk(entry.childId, child);
      } else if (!rows.some((r) => r.nodeId === entry.childId)) {
        problems.push(`${child}: entry has no rows in its directory's partition`);
      }
    }
  };
  walk(ROOT_ID, '/');

  let inline = 0;
  let large = 0;
  let count = 0;
  const sums: string[] = [];
  for (const rows of byPart.values()) {
    for (const row of rows) {
      count++;
      const where = `${paths.get(row.nodeId) ?? `node ${row.nodeId}`} v${row.version}`;
      if (row.format === Format.FullDir || !row.blake3) continue;
      if (row.content !== null) {
        inline++;
        const actual = blake3Hex(row.content);
        if (actual !== row.blake3)
          problems.push(`${where}: inline content does not match recorded blake3 (${actual})`);
        else if (row.size !== null && row.size !== row.content.length)
          problems.push(`${where}: size ${row.content.length}, recorded ${row.size}`);
      } else {
        large++;
        const file = `_large_files/blake3=${row.blake3}`;
        const size = await store.contentSize(row.blake3);
        if (size === null) problems.push(`${where}: large file ${file} is missing`);
        else if (size !== row.size)
          problems.push(`${where}: large file ${file} has ${size} bytes, recorded ${row.size}`);
        else if (!options.quick) {
          const actual = await store.hashContent(row.blake3);
          if (actual !== row.blake3)
            problems.push(
              `${where}: large file ${file} does not match recorded blake3 (actual ${actual})`,
            );
        }
      }
      say(`checked ${where}`);
      if (paths.has(row.nodeId))
        sums.push(`${paths.get(row.nodeId)}\t${row.version}\t${row.blake3}`);
    }
  }
  sums.sort();
  const rootChecksum = blake3Hex(new TextEncoder().encode(sums.join('\n')));
  return { problems, rows: count, inline, large, directories, rootChecksum };
}
