// SPDX-License-Identifier: Apache-2.0
/**
 * The Delta-backed persistence layer. Reads go to the addon one partition at a time
 * (cached for the life of this object, which sees one table version); writes are staged
 * here and handed to the addon as one batch of rows at commit. Staged rows are visible to
 * this object's own reads, so a transaction sees its own changes.
 *
 * A physical directory's entries are written as one full snapshot row per transaction
 * that changes them, not one per change.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { alreadyExists, ErrorCode, notFound, PondError } from '../errors.js';
import type { Store, Txn } from '../native/store.js';
import { EntryType } from '../tinyfs/entry-type.js';
import { childRef } from '../tinyfs/node.js';
import { type IdSource, newNodeId, systemIdSource } from '../tinyfs/node-id.js';
import { checkName } from '../tinyfs/path.js';
import {
  type ContentSource,
  collect,
  type DirEntry,
  type NodeRef,
  type Persistence,
  ROOT_ID,
  type StoredContent,
  type VersionMeta,
  type VersionRecord,
} from '../tinyfs/persistence.js';
import { memo, ReadCache, type VersionCache } from './cache.js';
import { cacheDir, LAYOUT } from './layout.js';
import {
  decodeRows,
  decodeSnapshot,
  Format,
  LARGE_THRESHOLD,
  type OplogRow,
  snapshotRow,
} from './rows.js';

/**
 * What a persistence layer reads from: pond's oplog store, or a reader that presents
 * another layout as pond's rows (`ts/compat/` reads ponds written by the original DuckPond).
 */
export type OplogReader = Pick<
  Store,
  'path' | 'version' | 'readRows' | 'readContent' | 'largeFilePath'
>;

/** The open write transaction a persistence layer stages into. */
export interface TlogWrite {
  readonly txn: Txn;
  readonly txnSeq: number;
  /** µs since the epoch; the timestamp of every row this transaction writes. */
  readonly timestamp: number;
}

export interface TlogOptions {
  /** Read this Delta table version instead of the store's current one. */
  readonly tableVersion?: number;
  /**
   * See the pond as it was after transaction `asOfSeq`: only rows with a `txn_seq` up to it.
   * Rows keep their `txn_seq` through compaction and log cleanup, so this reaches back to
   * the pond's first transaction, unlike a Delta version. Give such a reader its own cache.
   */
  readonly asOfSeq?: number;
  readonly write?: TlogWrite;
  readonly ids?: IdSource;
  /** Decoded reads shared with other persistence layers over the same store. */
  readonly cache?: ReadCache;
}

interface DirtyDir {
  readonly entries: Map<string, DirEntry>;
  /** The snapshot version this transaction will write. */
  readonly version: number;
}

/**
 * What the tree sees of a row. The override columns pass through as stored (ms, the
 * original's unit); they are not event times. A version with no bytes has no event times
 * (a set-temporal-bounds marker records 0 and 0 there, as the original writes it).
 */
export function versionRecord(row: OplogRow): VersionRecord {
  const empty = row.size === 0;
  return {
    version: row.version,
    timestamp: row.timestamp,
    txnSeq: row.txnSeq,
    size: row.size,
    blake3: row.blake3,
    large: row.blake3 !== null && (row.size ?? 0) >= LARGE_THRESHOLD,
    minEventTime: empty ? null : row.minEventTime,
    maxEventTime: empty ? null : row.maxEventTime,
    minOverride: row.minOverride,
    maxOverride: row.maxOverride,
    extendedAttributes: row.extendedAttributes,
    factory: row.factory,
  };
}

export class TlogPersistence implements Persistence {
  readonly rootId = ROOT_ID;
  private readonly tableVersion: number;
  private readonly cache: VersionCache;
  private readonly staged: OplogRow[] = [];
  private readonly dirty = new Map<string, DirtyDir>();
  private readonly ids: IdSource;
  /** Where each node seen through a directory listing lives: for naming changed paths. */
  private readonly parents = new Map<string, { parentId: string; name: string }>();
  /** Paths this transaction removed, and moved (from, to), for the transaction log. */
  private readonly removed: string[] = [];
  private readonly moved: { from: string; to: string }[] = [];
  /** Rows re-staged into a moved node's new partition: not changes of their own. */
  private readonly carried = new Set<OplogRow>();

  constructor(
    private readonly oplog: OplogReader,
    readonly pondId: string,
    private readonly options: TlogOptions = {},
  ) {
    this.ids = options.ids ?? systemIdSource;
    this.tableVersion = options.tableVersion ?? oplog.version;
    this.cache = (options.cache ?? new ReadCache()).at(this.tableVersion);
  }

  get writable(): boolean {
    return this.options.write !== undefined;
  }

  /** Committed rows of a partition: content only for its directory snapshots and dynamic
   * configs (what listing and using nodes needs), not for file data. */
  private async committed(partId: string): Promise<OplogRow[]> {
    const rows = await memo(this.cache.partitions, partId, async () =>
      decodeRows(
        await this.oplog.readRows({
          partId,
          tableVersion: this.tableVersion,
          withContent: false,
          metadataContent: true,
        }),
      ),
    );
    const asOf = this.options.asOfSeq;
    return asOf === undefined ? rows : rows.filter((r) => r.txnSeq <= asOf);
  }

  private async rowsOf(node: NodeRef): Promise<OplogRow[]> {
    const rows = (await this.committed(node.partId)).filter((r) => r.nodeId === node.id);
    for (const r of this.staged) if (r.nodeId === node.id && r.partId === node.partId) rows.push(r);
    return rows.sort((a, b) => a.version - b.version);
  }

  async entries(dirId: string): Promise<ReadonlyMap<string, DirEntry>> {
    const dirty = this.dirty.get(dirId);
    if (dirty) return dirty.entries;
    const entries = await memo(this.cache.snapshots, dirId, () => this.loadSnapshot(dirId));
    if (this.options.write) {
      for (const e of entries.values())
        this.parents.set(e.childId, { parentId: dirId, name: e.name });
    }
    return entries;
  }

  private async loadSnapshot(dirId: string): Promise<Map<string, DirEntry>> {
    const rows = await this.rowsOf({
      id: dirId,
      partId: dirId,
      entryType: EntryType.DirectoryPhysical,
    });
    const last = rows[rows.length - 1];
    if (!last) throw notFound(dirId, 'no such directory in the oplog');
    const content = last.content ?? (await this.contentRow(dirId, dirId, last.version)).content;
    return decodeSnapshot(content ?? new Uint8Array(), dirId);
  }

  private async contentRow(partId: string, nodeId: string, version: number): Promise<OplogRow> {
    const rows = decodeRows(
      await this.oplog.readRows({
        partId,
        nodeId,
        version,
        tableVersion: this.tableVersion,
        withContent: true,
      }),
    );
    const row = rows[0];
    if (!row) throw notFound(nodeId, `no version ${version}`);
    return row;
  }

  async versions(node: NodeRef): Promise<readonly VersionRecord[]> {
    return (await this.rowsOf(node)).map(versionRecord);
  }

  async *read(node: NodeRef, version: VersionRecord): AsyncIterable<Uint8Array> {
    if (version.large && version.blake3) {
      yield* this.oplog.readContent(version.blake3);
      return;
    }
    const staged = this.staged.find((r) => r.nodeId === node.id && r.version === version.version);
    if (staged) {
      yield staged.content ?? new Uint8Array();
      return;
    }
    yield await memo(this.cache.contents, `${node.id}@${version.version}`, async () => {
      const committed = (await this.committed(node.partId)).find(
        (r) => r.nodeId === node.id && r.version === version.version && r.content !== null,
      );
      const row = committed ?? (await this.contentRow(node.partId, node.id, version.version));
      return row.content ?? new Uint8Array();
    });
  }

  get cacheDir(): string {
    return cacheDir(this.oplog.path);
  }

  async localPath(node: NodeRef, version: VersionRecord): Promise<string> {
    if (version.large && version.blake3) {
      return join(this.oplog.path, LAYOUT.data, this.oplog.largeFilePath(version.blake3));
    }
    const bytes = await collect(this.read(node, version));
    const path = join(
      this.cacheDir,
      'inline',
      `blake3=${version.blake3 ?? `${node.id}-v${version.version}`}`,
    );
    // The cache is derived and deletable, so never trusted: an entry that does not hold
    // exactly these bytes (altered, truncated) is rewritten. Inline content is small.
    const cached = await readFile(path).catch(() => null);
    if (!cached?.equals(bytes)) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${process.pid}-${randomUUID()}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    }
    return path;
  }

  private txn(): TlogWrite {
    const write = this.options.write;
    if (!write) throw new PondError(ErrorCode.READ_ONLY, 'not in a write transaction');
    return write;
  }

  async store(source: ContentSource): Promise<StoredContent> {
    const { txn } = this.txn();
    switch (source.kind) {
      case 'bytes':
        return txn.storeBytes(source.bytes);
      case 'hostFile':
        return txn.storeFile(source.path);
      case 'stream':
        return txn.storeStream(source.chunks);
    }
  }

  private async dirtyDir(dirId: string): Promise<DirtyDir> {
    let dir = this.dirty.get(dirId);
    if (!dir) {
      const entries = new Map(await this.entries(dirId));
      const rows = await this.rowsOf({
        id: dirId,
        partId: dirId,
        entryType: EntryType.DirectoryPhysical,
      });
      dir = { entries, version: (rows[rows.length - 1]?.version ?? 0) + 1 };
      this.dirty.set(dirId, dir);
    }
    return dir;
  }

  private async link(
    parentId: string,
    name: string,
    childId: string,
    entryType: EntryType,
  ): Promise<void> {
    const dir = await this.dirtyDir(parentId);
    if (dir.entries.has(checkName(name))) throw alreadyExists(name);
    dir.entries.set(name, { name, childId, entryType, versionLastModified: 1 });
    this.parents.set(childId, { parentId, name });
  }

  async createDirectory(parentId: string, name: string): Promise<NodeRef> {
    this.txn();
    const id = newNodeId(EntryType.DirectoryPhysical, this.ids);
    await this.link(parentId, name, id, EntryType.DirectoryPhysical);
    this.dirty.set(id, { entries: new Map(), version: 1 });
    return childRef(parentId, id, EntryType.DirectoryPhysical);
  }

  async createNode(
    parentId: string,
    name: string,
    entryType: EntryType,
    content: StoredContent,
    meta: VersionMeta = {},
  ): Promise<NodeRef> {
    this.txn();
    const id = newNodeId(entryType, this.ids);
    await this.link(parentId, name, id, entryType);
    const ref = childRef(parentId, id, entryType);
    this.stage(ref, 1, content, meta);
    return ref;
  }

  async appendVersion(
    node: NodeRef,
    content: StoredContent,
    meta: VersionMeta = {},
  ): Promise<VersionRecord> {
    this.txn();
    const rows = await this.rowsOf(node);
    return versionRecord(
      this.stage(node, (rows[rows.length - 1]?.version ?? 0) + 1, content, meta),
    );
  }

  async unlink(dirId: string, name: string): Promise<void> {
    this.txn();
    const dir = await this.dirtyDir(dirId);
    const entry = dir.entries.get(name);
    if (!entry) throw notFound(name);
    this.removed.push(this.pathOf(entry.childId));
    dir.entries.delete(name);
  }

  async move(fromDirId: string, name: string, toDirId: string, toName: string): Promise<void> {
    this.txn();
    const from = await this.dirtyDir(fromDirId);
    const entry = from.entries.get(name);
    if (!entry) throw notFound(name);
    const to = await this.dirtyDir(toDirId);
    if (to.entries.has(checkName(toName))) throw alreadyExists(toName);
    const before = this.pathOf(entry.childId);
    from.entries.delete(name);
    to.entries.set(toName, { ...entry, name: toName });
    this.parents.set(entry.childId, { parentId: toDirId, name: toName });
    this.moved.push({ from: before, to: this.pathOf(entry.childId) });
    // A physical directory owns its partition; any other node lives in its parent's, so
    // its versions follow it there (large content is shared by hash, not copied).
    if (entry.entryType !== EntryType.DirectoryPhysical && fromDirId !== toDirId) {
      await this.carryRows(entry.childId, fromDirId, toDirId);
    }
  }

  /** Re-stage node `nodeId`'s versions from partition `from` into `to`, keeping their
   * version numbers, `txn_seq` and times; versions `to` already holds (a node moved back)
   * are not repeated. */
  private async carryRows(nodeId: string, from: string, to: string): Promise<void> {
    const present = new Set(
      (await this.committed(to)).filter((r) => r.nodeId === nodeId).map((r) => r.version),
    );
    for (let i = 0; i < this.staged.length; i++) {
      const row = this.staged[i] as OplogRow;
      if (row.nodeId !== nodeId || row.partId !== from) continue;
      this.staged[i] = { ...row, partId: to };
      present.add(row.version);
    }
    const rows = decodeRows(
      await this.oplog.readRows({
        partId: from,
        nodeId,
        tableVersion: this.tableVersion,
        withContent: true,
      }),
    );
    for (const row of rows) {
      if (present.has(row.version)) continue;
      const copy = { ...row, partId: to };
      this.staged.push(copy);
      this.carried.add(copy);
      present.add(row.version);
    }
  }

  private stage(
    node: NodeRef,
    version: number,
    content: StoredContent,
    meta: VersionMeta,
  ): OplogRow {
    const { txnSeq, timestamp } = this.txn();
    const row: OplogRow = {
      partId: node.partId,
      nodeId: node.id,
      fileType: node.entryType,
      timestamp,
      version,
      content: content.inline,
      blake3: content.blake3,
      size: content.size,
      minEventTime: meta.minEventTime ?? null,
      maxEventTime: meta.maxEventTime ?? null,
      minOverride: meta.minOverride ?? null,
      maxOverride: meta.maxOverride ?? null,
      extendedAttributes: meta.extendedAttributes ?? null,
      factory: meta.factory ?? null,
      format: Format.Inline,
      txnSeq,
      pondId: this.pondId,
    };
    this.staged.push(row);
    return row;
  }

  /** Every row this transaction will commit: staged versions plus one snapshot per
   * changed directory. Empty when nothing changed. */
  pendingRows(): OplogRow[] {
    if (!this.options.write) return [];
    const { txnSeq, timestamp } = this.options.write;
    const snapshots = [...this.dirty.entries()].map(([dirId, dir]) =>
      snapshotRow(dirId, dir.version, dir.entries.values(), txnSeq, timestamp, this.pondId),
    );
    return [...snapshots, ...this.staged];
  }

  /** A node's path as this transaction last saw it linked. */
  private pathOf(id: string): string {
    const parts: string[] = [];
    for (let at = id; at !== ROOT_ID; ) {
      const link = this.parents.get(at);
      if (!link) return parts.length ? `?/${parts.reverse().join('/')}` : `node ${id}`;
      parts.push(link.name);
      at = link.parentId;
    }
    return `/${parts.reverse().join('/')}`;
  }

  /** What this transaction changes, by path (for the transaction log). */
  changes(): Changes {
    const rows = this.pendingRows().filter((r) => !this.carried.has(r));
    const changes = changesOf(rows, (id) => this.pathOf(id));
    return {
      ...changes,
      ...(this.removed.length ? { removed: [...this.removed].sort() } : {}),
      ...(this.moved.length ? { moved: [...this.moved] } : {}),
    };
  }
}

/** What one transaction changed, by path. */
export interface Changes {
  /** Paths of nodes the transaction created. */
  readonly created: readonly string[];
  /** Paths of existing nodes it wrote a new version of. */
  readonly versioned: readonly string[];
  /** Paths it removed (`rm`); absent when none. */
  readonly removed?: readonly string[];
  /** Paths it moved (`mv`), in order; absent when none. */
  readonly moved?: readonly { readonly from: string; readonly to: string }[];
}

/** The paths a set of rows created (first versions, new directories) and versioned. */
function changesOf(
  rows: readonly OplogRow[],
  pathOf: (id: string) => string,
): { created: string[]; versioned: string[] } {
  const created = new Set<string>();
  const versioned = new Set<string>();
  for (const row of rows) {
    const isDir = row.format === Format.FullDir;
    if (isDir && row.version > 1) continue; // a changed listing, reported by its entries
    (row.version === 1 ? created : versioned).add(pathOf(row.nodeId));
  }
  for (const path of created) versioned.delete(path);
  return { created: [...created].sort(), versioned: [...versioned].sort() };
}

/** The rows that create a pond: the root directory's empty snapshot. */
export function rootRows(pondId: string, txnSeq: number, timestamp: number): OplogRow[] {
  return [snapshotRow(ROOT_ID, 1, [], txnSeq, timestamp, pondId)];
}
