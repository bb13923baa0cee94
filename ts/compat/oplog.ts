// SPDX-License-Identifier: Apache-2.0
/**
 * The original DuckPond's oplog presented as pond's (an {@link OplogReader}, what
 * `TlogPersistence` reads), so every read of an original pond goes through pond's own
 * read path: the same version records, override fields, series reads and time travel.
 *
 * pond's store already reads the original's Delta table (same partitioning, a superset of
 * the columns; REFERENCE-ORIGINAL §6.1). What differs is mended here, row by row:
 * - the reserved nodes `.pond-node-index` and `.pond-commit-log` (§6.3) are left out, rows
 *   and directory entries alike;
 * - directory snapshots (§6.2, with an extra `pond_id` column, empty as 0 bytes) are
 *   re-encoded as pond's; entries of another pond (the original's import mount points)
 *   and rows of other ponds' partitions are left out;
 * - versions at or below a node's highest `collapsed_through` (§6.1 item 1), which the
 *   store does not read, are dropped: their bytes are in the version that collapsed them;
 * - large content (§6.4) is de-chunked into raw files under {@link path}, outside the
 *   original pond, which is never written.
 */

import { createReadStream } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ErrorCode, PondError } from '../errors.js';
import { int64Column, utf8Column } from '../native/ipc.js';
import { blake3File } from '../native/remote.js';
import type { ReadRowsOptions, Store } from '../native/store.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { DirEntry } from '../tinyfs/persistence.js';
import { LAYOUT } from '../tlogfs/layout.js';
import type { OplogReader } from '../tlogfs/persistence.js';
import {
  decodeRows,
  encodeRows,
  encodeSnapshot,
  Format,
  isHash,
  type OplogRow,
} from '../tlogfs/rows.js';
import { dechunk } from './large.js';
import { parquetFiles, queryTables } from './sql.js';

/** Node ids of the original's reserved nodes (§6.3). */
export const RESERVED_IDS: ReadonlySet<string> = new Set([
  '00000000-0000-7700-8000-000000000000',
  '00000000-0000-7700-8000-000000000001',
]);

const SERIES_TYPES: ReadonlySet<string> = new Set([
  EntryType.FilePhysicalSeries,
  EntryType.TablePhysicalSeries,
]);

/** A directory entry naming a node of another pond (an import mount point). */
export interface ForeignEntry {
  readonly dirId: string;
  readonly name: string;
  readonly pondId: string;
}

/** A collapse: versions up to `through` are superseded, from transaction `txnSeq` on. */
interface Collapse {
  readonly through: number;
  readonly txnSeq: number;
}

/** What the readers of one original pond share (every read of it is the same). */
interface Shared {
  readonly collapses: Map<string, Promise<Map<string, Collapse[]>>>;
  readonly verified: Map<string, Promise<string>>;
  readonly foreign: Map<string, ForeignEntry>;
}

export class OriginalOplog implements OplogReader {
  private readonly shared: Shared;

  /**
   * @param store pond's store over the original's `data/` table.
   * @param pondId the local pond (§6.7 step 2).
   * @param path where derived files go (de-chunked content, caches): outside the pond.
   * @param asOfSeq for a view of the pond as it was: only collapses made by then count.
   */
  constructor(
    private readonly store: Store,
    readonly pondId: string,
    readonly path: string,
    private readonly asOfSeq: number | null = null,
    shared?: Shared,
  ) {
    this.shared = shared ?? { collapses: new Map(), verified: new Map(), foreign: new Map() };
  }

  /** The same pond as it was after transaction `asOfSeq` (see `TlogOptions.asOfSeq`). */
  at(asOfSeq: number | undefined): OriginalOplog {
    if (asOfSeq === undefined) return this;
    return new OriginalOplog(this.store, this.pondId, this.path, asOfSeq, this.shared);
  }

  /** Entries of other ponds the readers left out, by directory and name. */
  get foreign(): ReadonlyMap<string, ForeignEntry> {
    return this.shared.foreign;
  }

  /** The original pond's directory. */
  get pond(): string {
    return this.store.path;
  }

  get version(): number {
    return this.store.version;
  }

  largeFilePath(blake3: string): string {
    if (!isHash(blake3)) {
      throw new PondError(ErrorCode.CORRUPT, `${blake3}: not a content hash`, { path: blake3 });
    }
    return `_large_files/blake3=${blake3}`;
  }

  async readRows(options: ReadRowsOptions): Promise<Buffer> {
    const rows = decodeRows(await this.store.readRows(options));
    return encodeRows(await this.mend(options.partId, rows));
  }

  async *readContent(blake3: string): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(await this.largeFile(blake3))) {
      yield chunk as Buffer;
    }
  }

  /**
   * The raw copy of large content `blake3`, made from the original's chunked file if it
   * is missing or does not hold those bytes; checked once per process.
   */
  largeFile(blake3: string): Promise<string> {
    const verified = this.shared.verified;
    let found = verified.get(blake3);
    if (!found) {
      found = this.makeLargeFile(blake3);
      found.catch(() => verified.delete(blake3));
      verified.set(blake3, found);
    }
    return found;
  }

  private async makeLargeFile(blake3: string): Promise<string> {
    const dest = join(this.path, LAYOUT.data, this.largeFilePath(blake3));
    const present = await access(dest).then(
      () => true,
      () => false,
    );
    if (!present || (await blake3File(dest)) !== blake3) {
      await dechunk(join(this.pond, LAYOUT.data), blake3, dest);
    }
    return dest;
  }

  /** The rows of partition `partId` as pond reads them (see the module comment). */
  private async mend(partId: string, rows: readonly OplogRow[]): Promise<OplogRow[]> {
    const local = rows.filter((r) => r.pondId === this.pondId && !RESERVED_IDS.has(r.nodeId));
    const collapses = local.some((r) => SERIES_TYPES.has(r.fileType))
      ? await this.collapses(partId)
      : new Map<string, Collapse[]>();
    const out: OplogRow[] = [];
    for (const row of local) {
      if (row.version <= this.floor(collapses.get(row.nodeId))) continue;
      const isSnapshot = row.format === Format.FullDir && row.content !== null;
      const mended = isSnapshot ? { ...row, content: this.snapshot(row.nodeId, row.content) } : row;
      out.push(mended);
    }
    return out;
  }

  /** An original directory snapshot as pond's, without reserved and foreign entries. */
  private snapshot(dirId: string, content: Uint8Array | null): Buffer {
    const entries: DirEntry[] = [];
    if (content && content.length > 0) {
      const table = tableFromIPC(content);
      const names = utf8Column(table, 'name');
      const ids = utf8Column(table, 'child_node_id');
      const types = utf8Column(table, 'entry_type');
      const versions = int64Column(table, 'version_last_modified');
      const ponds = table.getChild('pond_id') ? utf8Column(table, 'pond_id') : [];
      for (let i = 0; i < table.numRows; i++) {
        const childId = ids[i] as string;
        const name = names[i] as string;
        const pondId = ponds[i] ?? null;
        if (RESERVED_IDS.has(childId)) continue;
        if (pondId !== null && pondId !== this.pondId) {
          this.shared.foreign.set(`${dirId}/${name}`, { dirId, name, pondId });
          continue;
        }
        entries.push({
          name,
          childId,
          entryType: types[i] as EntryType,
          versionLastModified: versions[i] ?? 0,
        });
      }
    }
    return encodeSnapshot(entries);
  }

  /** The highest version a node's collapses supersede in this view (0: none). */
  private floor(collapses: readonly Collapse[] | undefined): number {
    let floor = 0;
    for (const c of collapses ?? []) {
      if (this.asOfSeq === null || c.txnSeq <= this.asOfSeq) floor = Math.max(floor, c.through);
    }
    return floor;
  }

  /**
   * The collapses of each node in partition `partId` (`collapsed_through` values). pond's
   * store does not read that column, so the partition's data files are read for it; a
   * value counts only when the row carrying it is one the table holds (same node, version
   * and `txn_seq`), so a file no commit added (an interrupted write) changes nothing.
   */
  private collapses(partId: string): Promise<Map<string, Collapse[]>> {
    const all = this.shared.collapses;
    let found = all.get(partId);
    if (!found) {
      found = this.readCollapses(partId);
      all.set(partId, found);
    }
    return found;
  }

  private async readCollapses(partId: string): Promise<Map<string, Collapse[]>> {
    const live = new Set(
      decodeRows(await this.store.readRows({ partId, withContent: false })).map(
        (r) => `${r.nodeId}@${r.version}@${r.txnSeq}`,
      ),
    );
    const collapses = new Map<string, Collapse[]>();
    for (const path of await this.partitionFiles(partId)) {
      for (const t of await this.collapseRows(path)) {
        const nodes = utf8Column(t, 'node_id');
        const [versions, seqs, through] = ['version', 'txn_seq', 'collapsed_through'].map((c) =>
          int64Column(t, c),
        ) as [number[], number[], number[]];
        for (let i = 0; i < t.numRows; i++) {
          const node = nodes[i] as string;
          if (!live.has(`${node}@${versions[i]}@${seqs[i]}`)) continue;
          const collapse = { through: through[i] as number, txnSeq: seqs[i] as number };
          collapses.set(node, [...(collapses.get(node) ?? []), collapse]);
        }
      }
    }
    return collapses;
  }

  /** Rows with a `collapsed_through`; none from a file older than that column. */
  private async collapseRows(path: string) {
    try {
      return await queryTables(
        'SELECT node_id, version, txn_seq, collapsed_through FROM f WHERE collapsed_through IS NOT NULL',
        { f: parquetFiles(path, [path]) },
      );
    } catch (err) {
      if (err instanceof PondError && err.code === ErrorCode.SQL) return [];
      throw err;
    }
  }

  /** The data files of the local pond's partition `partId`, as they lie on disk. */
  private async partitionFiles(partId: string): Promise<string[]> {
    const dir = join(this.pond, LAYOUT.data, `pond_id=${this.pondId}`, `part_id=${partId}`);
    const names = await readdir(dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.parquet')).map((n) => join(dir, n));
  }
}
