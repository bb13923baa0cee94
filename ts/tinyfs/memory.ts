// SPDX-License-Identifier: Apache-2.0
/**
 * An in-memory persistence layer for unit tests: every write is immediately visible,
 * content is always inline, nothing is hashed.
 */

import { readFile } from 'node:fs/promises';
import { alreadyExists, notFound } from '../errors.js';
import { EntryType } from './entry-type.js';
import { childRef } from './node.js';
import { type IdSource, newNodeId, systemIdSource } from './node-id.js';
import { checkName } from './path.js';
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
} from './persistence.js';

interface StoredVersion {
  readonly record: VersionRecord;
  readonly bytes: Uint8Array;
}

export class MemoryPersistence implements Persistence {
  readonly pondId: string;
  readonly rootId = ROOT_ID;
  readonly writable = true;
  private readonly dirs = new Map<string, Map<string, DirEntry>>([[ROOT_ID, new Map()]]);
  private readonly nodes = new Map<string, StoredVersion[]>();
  private seq = 0;

  constructor(
    private readonly ids: IdSource = systemIdSource,
    private readonly clock: () => number = () => Date.now() * 1000,
  ) {
    this.pondId = newNodeId(EntryType.DirectoryPhysical, ids);
  }

  async entries(dirId: string): Promise<ReadonlyMap<string, DirEntry>> {
    const dir = this.dirs.get(dirId);
    if (!dir) throw notFound(dirId, 'no such directory');
    return dir;
  }

  async versions(node: NodeRef): Promise<readonly VersionRecord[]> {
    return (this.nodes.get(node.id) ?? []).map((v) => v.record);
  }

  async *read(node: NodeRef, version: VersionRecord): AsyncIterable<Uint8Array> {
    const found = this.nodes.get(node.id)?.find((v) => v.record.version === version.version);
    if (!found) throw notFound(node.id, `no version ${version.version}`);
    yield found.bytes;
  }

  async store(source: ContentSource): Promise<StoredContent> {
    const bytes =
      source.kind === 'bytes'
        ? source.bytes
        : source.kind === 'hostFile'
          ? new Uint8Array(await readFile(source.path))
          : await collect(source.chunks);
    return { blake3: null, size: bytes.length, inline: bytes };
  }

  async createDirectory(parentId: string, name: string): Promise<NodeRef> {
    const id = newNodeId(EntryType.DirectoryPhysical, this.ids);
    this.link(parentId, name, id, EntryType.DirectoryPhysical);
    this.dirs.set(id, new Map());
    return childRef(parentId, id, EntryType.DirectoryPhysical);
  }

  async createNode(
    parentId: string,
    name: string,
    entryType: EntryType,
    content: StoredContent,
    meta: VersionMeta = {},
  ): Promise<NodeRef> {
    const id = newNodeId(entryType, this.ids);
    this.link(parentId, name, id, entryType);
    const ref = childRef(parentId, id, entryType);
    await this.appendVersion(ref, content, meta);
    return ref;
  }

  async appendVersion(
    node: NodeRef,
    content: StoredContent,
    meta: VersionMeta = {},
  ): Promise<VersionRecord> {
    const list = this.nodes.get(node.id) ?? [];
    const record: VersionRecord = {
      version: list.length + 1,
      timestamp: this.clock(),
      txnSeq: ++this.seq,
      size: content.size,
      blake3: content.blake3,
      large: false,
      minEventTime: meta.minEventTime ?? null,
      maxEventTime: meta.maxEventTime ?? null,
      minOverride: meta.minOverride ?? null,
      maxOverride: meta.maxOverride ?? null,
      extendedAttributes: meta.extendedAttributes ?? null,
      factory: meta.factory ?? null,
    };
    list.push({ record, bytes: content.inline ?? new Uint8Array() });
    this.nodes.set(node.id, list);
    return record;
  }

  async unlink(dirId: string, name: string): Promise<void> {
    const dir = this.dirs.get(dirId);
    if (!dir?.delete(name)) throw notFound(name);
  }

  async move(fromDirId: string, name: string, toDirId: string, toName: string): Promise<void> {
    const entry = this.dirs.get(fromDirId)?.get(name);
    if (!entry) throw notFound(name);
    this.link(toDirId, toName, entry.childId, entry.entryType);
    this.dirs.get(fromDirId)?.delete(name);
  }

  private link(parentId: string, name: string, childId: string, entryType: EntryType): void {
    const dir = this.dirs.get(parentId);
    if (!dir) throw notFound(parentId, 'no such directory');
    if (dir.has(checkName(name))) throw alreadyExists(name);
    dir.set(name, { name, childId, entryType, versionLastModified: 1 });
  }
}
