// SPDX-License-Identifier: Apache-2.0
/**
 * A read-only, live view of a host directory as tinyfs nodes (hostmount, host mode). Every
 * access reads the host, so changes there show on the next access. Host symlinks are
 * skipped and names cannot contain `/` or `..`, so no path leaves the mounted directory.
 */

import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { EntryType } from './entry-type.js';
import { type Directory, type File, type Node, ReadOnlyDirectory } from './node.js';
import { derivedNodeId } from './node-id.js';
import { checkName } from './path.js';
import type {
  DirEntry,
  NodeRef,
  Persistence,
  StoredContent,
  VersionRecord,
} from './persistence.js';

function readOnly(what: string): PondError {
  return new PondError(ErrorCode.READ_ONLY, `${what}: host mounts are read-only`);
}

export class HostDirectory extends ReadOnlyDirectory {
  /** `hostPath` is the directory shown; `ref` identifies it in the pond. */
  constructor(
    readonly hostPath: string,
    private readonly ref: NodeRef,
  ) {
    super();
  }

  protected refuse(name: string): PondError {
    return readOnly(join(this.hostPath, name));
  }

  private async check(): Promise<void> {
    const st = await lstat(this.hostPath).catch(() => null);
    if (!st?.isDirectory()) {
      throw new PondError(ErrorCode.NOT_FOUND, `host directory ${this.hostPath} does not exist`, {
        path: this.hostPath,
      });
    }
  }

  private child(name: string, isDir: boolean): Node {
    const hostPath = join(this.hostPath, name);
    const entryType = isDir ? EntryType.DirectoryDynamic : EntryType.FileDynamic;
    const ref: NodeRef = {
      id: derivedNodeId(entryType, `host:${hostPath}`),
      partId: this.ref.id,
      entryType,
    };
    return isDir
      ? { kind: 'directory', ref, dir: new HostDirectory(hostPath, ref) }
      : { kind: 'file', ref, file: new HostFile(hostPath) };
  }

  async get(name: string): Promise<Node | null> {
    await this.check();
    const st = await lstat(join(this.hostPath, checkName(name))).catch(() => null);
    if (!st || st.isSymbolicLink() || !(st.isFile() || st.isDirectory())) return null;
    return this.child(name, st.isDirectory());
  }

  async entries(): Promise<Array<[string, Node]>> {
    await this.check();
    const list = await readdir(this.hostPath, { withFileTypes: true });
    return list
      .filter((d) => d.isFile() || d.isDirectory())
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((d): [string, Node] => [d.name, this.child(d.name, d.isDirectory())]);
  }
}

export class HostFile implements File {
  constructor(readonly hostPath: string) {}

  async versions(): Promise<readonly VersionRecord[]> {
    const st = await lstat(this.hostPath).catch(() => null);
    if (!st?.isFile()) return [];
    return [
      {
        version: 1,
        timestamp: Math.floor(st.mtimeMs * 1000),
        txnSeq: 0,
        size: st.size,
        blake3: null,
        large: false,
        minEventTime: null,
        maxEventTime: null,
        extendedAttributes: null,
        factory: null,
      },
    ];
  }

  async *read(): AsyncIterable<Uint8Array> {
    yield* createReadStream(this.hostPath) as AsyncIterable<Uint8Array>;
  }

  async write(): Promise<VersionRecord> {
    throw readOnly(this.hostPath);
  }

  async localPath(): Promise<string> {
    return this.hostPath;
  }
}

/**
 * The persistence layer of a host namespace: nothing is stored, every node is computed
 * (host directories, overlays), and nothing can be written.
 */
export class HostPersistence implements Persistence {
  readonly pondId = '00000000-0000-7000-8000-000000000000';
  readonly rootId = derivedNodeId(EntryType.DirectoryDynamic, 'host:/');
  readonly writable = false;

  async entries(): Promise<ReadonlyMap<string, DirEntry>> {
    return new Map();
  }

  async versions(): Promise<readonly VersionRecord[]> {
    return [];
  }

  read(node: NodeRef): AsyncIterable<Uint8Array> {
    throw new PondError(ErrorCode.NOT_FOUND, `node ${node.id} has no stored content`);
  }

  async store(): Promise<StoredContent> {
    throw readOnly('host namespace');
  }

  async createDirectory(): Promise<NodeRef> {
    throw readOnly('host namespace');
  }

  async createNode(): Promise<NodeRef> {
    throw readOnly('host namespace');
  }

  async appendVersion(): Promise<VersionRecord> {
    throw readOnly('host namespace');
  }
}

/** A directory with nodes mounted over some of its names (host mode `--hostmount`). */
export class OverlayDirectory extends ReadOnlyDirectory {
  /** `mounts` build their nodes on first use (a mount may refer to the namespace it is in). */
  constructor(
    private readonly base: Directory | null,
    private readonly mounts: ReadonlyMap<string, () => Promise<Node>>,
  ) {
    super();
  }

  protected refuse(name: string): PondError {
    return readOnly(name);
  }

  async get(name: string): Promise<Node | null> {
    const mount = this.mounts.get(name);
    if (mount) return mount();
    return this.base ? this.base.get(name) : null;
  }

  async entries(): Promise<Array<[string, Node]>> {
    const merged = new Map(this.base ? await this.base.entries() : []);
    for (const [name, node] of this.mounts) merged.set(name, await node());
    return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
