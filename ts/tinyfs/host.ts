// SPDX-License-Identifier: Apache-2.0
/**
 * A read-only, live view of a host directory as tinyfs nodes (hostmount, host mode). Every
 * access reads the host, so changes there show on the next access. Nothing below the
 * mounted directory is reached through a symlink: host symlinks are skipped, names cannot
 * contain `/` or `..`, and every directory and file is opened without following symlinks
 * and checked as opened (`host-dir.ts`), so a file swapped for a symlink between a listing
 * and a read is refused, never followed. The mounted directory itself must lie inside the
 * host root, symlinks included.
 */

import { type FileHandle, lstat, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { EntryType } from './entry-type.js';
import { HeldDir, openHostFile, readHandle } from './host-dir.js';
import { isInside, refusedPath } from './host-path.js';
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

/** A mounted host directory and the root it must stay inside (both absolute). */
export interface HostMountPoint {
  readonly dir: string;
  readonly root: string;
}

/**
 * The real path of `hostPath`, a path below `mount.dir`: the mounted directory's real path
 * (which must be a directory inside the real root) with the names below it, none of which
 * may be a symlink (the opens check that).
 */
async function expectedReal(mount: HostMountPoint, hostPath: string): Promise<string> {
  const st = await stat(mount.dir).catch(() => null);
  if (!st?.isDirectory()) {
    throw new PondError(ErrorCode.NOT_FOUND, `host directory ${mount.dir} does not exist`, {
      path: mount.dir,
    });
  }
  const real = await realpath(mount.dir);
  if (mount.root !== '/') {
    const root = await realpath(mount.root).catch(() => mount.root);
    if (!isInside(root, real)) {
      throw refusedPath(
        ErrorCode.INVALID_CONFIG,
        mount.dir,
        `is outside the host root ${mount.root} (through a symlink)`,
      );
    }
  }
  return join(real, relative(mount.dir, hostPath));
}

export class HostDirectory extends ReadOnlyDirectory {
  /** `hostPath` is the directory shown, below `mount.dir`; `ref` identifies it in the pond. */
  constructor(
    readonly hostPath: string,
    private readonly ref: NodeRef,
    private readonly mount: HostMountPoint = { dir: hostPath, root: '/' },
  ) {
    super();
  }

  protected refuse(name: string): PondError {
    return readOnly(join(this.hostPath, name));
  }

  /** This directory, opened and checked; `fn` names its entries through it. */
  private async held<T>(fn: (dir: HeldDir) => Promise<T>): Promise<T> {
    const real = await expectedReal(this.mount, this.hostPath);
    const dir = await HeldDir.open(real, real, ErrorCode.NOT_FOUND, this.hostPath);
    try {
      return await fn(dir);
    } finally {
      await dir.close();
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
      ? { kind: 'directory', ref, dir: new HostDirectory(hostPath, ref, this.mount) }
      : { kind: 'file', ref, file: new HostFile(hostPath, this.mount) };
  }

  async get(name: string): Promise<Node | null> {
    checkName(name);
    return this.held(async (dir) => {
      const st = await lstat(dir.name(name)).catch(() => null);
      if (!st || !(st.isFile() || st.isDirectory())) return null;
      return this.child(name, st.isDirectory());
    });
  }

  async entries(): Promise<Array<[string, Node]>> {
    const list = await this.held((dir) => dir.entries());
    return list
      .filter((d) => d.isFile() || d.isDirectory())
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((d): [string, Node] => [d.name, this.child(d.name, d.isDirectory())]);
  }
}

export class HostFile implements File {
  constructor(
    readonly hostPath: string,
    private readonly mount: HostMountPoint = { dir: hostPath, root: '/' },
  ) {}

  /** The file opened for reading and checked to be the regular file inside the mount. */
  async open(): Promise<FileHandle> {
    const real = await expectedReal(this.mount, this.hostPath);
    return openHostFile(real, real, ErrorCode.NOT_FOUND, this.hostPath);
  }

  async versions(): Promise<readonly VersionRecord[]> {
    const handle = await this.open().catch((err) => {
      if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    });
    if (!handle) return [];
    const st = await handle.stat().finally(() => handle.close());
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
    yield* readHandle(await this.open());
  }

  async write(): Promise<VersionRecord> {
    throw readOnly(this.hostPath);
  }

  /**
   * The file's real path, once checked as opened. The query engine opens it again by
   * path, so a swap after this check is outside what this check covers.
   */
  async localPath(): Promise<string> {
    const handle = await this.open();
    await handle.close();
    return expectedReal(this.mount, this.hostPath);
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

  async unlink(): Promise<void> {
    throw readOnly('host namespace');
  }

  async move(): Promise<void> {
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
