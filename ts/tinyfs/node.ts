// SPDX-License-Identifier: Apache-2.0
/**
 * Nodes and their three small interfaces, after the original tinyfs: a `Directory`
 * (get, entries, create), a `File` (versions, read, write) and a `Symlink` (readlink).
 * Physical nodes forward to a `Persistence`; dynamic nodes (factories) implement the same
 * interfaces and are produced by the `DynamicNodes` hook.
 */

import { ErrorCode, PondError } from '../errors.js';
import { EntryType, isDirectoryType, isDynamicType, isSymlinkType } from './entry-type.js';
import type {
  ContentSource,
  NodeRef,
  Persistence,
  VersionMeta,
  VersionRecord,
} from './persistence.js';
import { collect } from './persistence.js';

export interface Directory {
  /** False for directories whose content is computed (factories, host mounts). */
  readonly writable: boolean;
  get(name: string): Promise<Node | null>;
  /** Entries in name order. */
  entries(): Promise<Array<[string, Node]>>;
  createDirectory(name: string): Promise<Node>;
  createFile(
    name: string,
    entryType: EntryType,
    source: ContentSource,
    meta?: VersionMeta,
  ): Promise<Node>;
  createSymlink(name: string, target: string): Promise<Node>;
}

/**
 * Base of directories whose entries are computed (host mounts, factories): every write is
 * refused with the error `refuse` builds for the name.
 */
export abstract class ReadOnlyDirectory implements Directory {
  readonly writable = false;
  abstract get(name: string): Promise<Node | null>;
  abstract entries(): Promise<Array<[string, Node]>>;
  protected abstract refuse(name: string): PondError;

  async createDirectory(name: string): Promise<Node> {
    throw this.refuse(name);
  }

  async createFile(name: string): Promise<Node> {
    throw this.refuse(name);
  }

  async createSymlink(name: string): Promise<Node> {
    throw this.refuse(name);
  }
}

export interface File {
  versions(): Promise<readonly VersionRecord[]>;
  /** One version's bytes; the newest when `version` is absent. */
  read(version?: number): AsyncIterable<Uint8Array>;
  /** Add a version. */
  write(source: ContentSource, meta?: VersionMeta): Promise<VersionRecord>;
  /** A host file holding one version's bytes, where the store has host files. */
  localPath?(version: VersionRecord): Promise<string>;
  /**
   * For computed tables: their query-engine spec (opaque to tinyfs; see ts/query/spec.ts).
   * `visiting` lists the computed tables being resolved, to detect cycles.
   */
  queryable?(visiting: readonly string[]): Promise<unknown>;
}

export interface Symlink {
  readlink(): Promise<string>;
}

export type Node =
  | { readonly kind: 'directory'; readonly ref: NodeRef; readonly dir: Directory }
  | { readonly kind: 'file'; readonly ref: NodeRef; readonly file: File }
  | { readonly kind: 'symlink'; readonly ref: NodeRef; readonly link: Symlink };

/** Builds nodes for dynamic entry types (the factory registry plugs in here); `path` is
 * the path the node was reached by, for error messages. */
export type DynamicNodes = (ref: NodeRef, persistence: Persistence, path: string) => Promise<Node>;

export const noDynamicNodes: DynamicNodes = async (ref, _persistence, path) => {
  throw new PondError(
    ErrorCode.INVALID_CONFIG,
    `${path}: dynamic (${ref.entryType}) but no factory registry is configured`,
    { path },
  );
};

const brokenErrors = new WeakMap<Node, PondError>();

/** Why `node` could not be built, if it is a stand-in for a broken dynamic node. */
export function brokenError(node: Node): PondError | undefined {
  return brokenErrors.get(node);
}

/**
 * A stand-in for a dynamic node whose factory failed: listed in its directory so one bad
 * node does not hide its siblings, but every use of it throws `error`.
 */
export function brokenNode(ref: NodeRef, error: PondError): Node {
  const fail = async (): Promise<never> => {
    throw error;
  };
  const node: Node = isDirectoryType(ref.entryType)
    ? {
        kind: 'directory',
        ref,
        dir: {
          writable: false,
          get: fail,
          entries: fail,
          createDirectory: fail,
          createFile: fail,
          createSymlink: fail,
        },
      }
    : {
        kind: 'file',
        ref,
        file: {
          versions: fail,
          read: async function* () {
            yield* [];
            throw error;
          },
          write: fail,
          queryable: fail,
        },
      };
  brokenErrors.set(node, error);
  return node;
}

/** `error` as a PondError naming `path`. */
export function atPath(path: string, error: unknown): PondError {
  if (error instanceof PondError && error.path !== undefined && error.message.startsWith(path))
    return error;
  const code = error instanceof PondError ? error.code : ErrorCode.INTERNAL;
  const message = error instanceof Error ? error.message : String(error);
  const text = message.startsWith(`${path}:`) ? message : `${path}: ${message}`;
  return new PondError(code, text, { path, cause: error });
}

/** A node for a stored ref: physical types directly, dynamic ones through the hook. */
export async function makeNode(
  persistence: Persistence,
  ref: NodeRef,
  dynamic: DynamicNodes,
  path: string,
): Promise<Node> {
  if (isDynamicType(ref.entryType)) return dynamic(ref, persistence, path);
  if (isDirectoryType(ref.entryType)) {
    return { kind: 'directory', ref, dir: new PhysicalDirectory(persistence, ref, dynamic, path) };
  }
  if (isSymlinkType(ref.entryType)) {
    return { kind: 'symlink', ref, link: new PhysicalSymlink(persistence, ref, path) };
  }
  return { kind: 'file', ref, file: new PhysicalFile(persistence, ref, path) };
}

/** The ref of a directory entry: physical directories own their partition. */
export function childRef(dirId: string, id: string, entryType: EntryType): NodeRef {
  const partId = entryType === EntryType.DirectoryPhysical ? id : dirId;
  return { id, partId, entryType };
}

class PhysicalDirectory implements Directory {
  readonly writable = true;

  constructor(
    private readonly persistence: Persistence,
    private readonly ref: NodeRef,
    private readonly dynamic: DynamicNodes,
    private readonly path: string,
  ) {}

  private childPath(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  async get(name: string): Promise<Node | null> {
    const entry = (await this.persistence.entries(this.ref.id)).get(name);
    if (!entry) return null;
    const path = this.childPath(name);
    try {
      return await makeNode(
        this.persistence,
        childRef(this.ref.id, entry.childId, entry.entryType),
        this.dynamic,
        path,
      );
    } catch (err) {
      throw atPath(path, err);
    }
  }

  async entries(): Promise<Array<[string, Node]>> {
    const entries = [...(await this.persistence.entries(this.ref.id)).values()];
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.all(
      entries.map(async (e): Promise<[string, Node]> => {
        const ref = childRef(this.ref.id, e.childId, e.entryType);
        const path = this.childPath(e.name);
        try {
          return [e.name, await makeNode(this.persistence, ref, this.dynamic, path)];
        } catch (err) {
          // One broken dynamic node must not hide its siblings.
          if (!isDynamicType(e.entryType)) throw err;
          return [e.name, brokenNode(ref, atPath(path, err))];
        }
      }),
    );
  }

  async createDirectory(name: string): Promise<Node> {
    const ref = await this.persistence.createDirectory(this.ref.id, name);
    return makeNode(this.persistence, ref, this.dynamic, this.childPath(name));
  }

  async createFile(
    name: string,
    entryType: EntryType,
    source: ContentSource,
    meta?: VersionMeta,
  ): Promise<Node> {
    const content = await this.persistence.store(source);
    const ref = await this.persistence.createNode(this.ref.id, name, entryType, content, meta);
    return makeNode(this.persistence, ref, this.dynamic, this.childPath(name));
  }

  async createSymlink(name: string, target: string): Promise<Node> {
    const content = await this.persistence.store({
      kind: 'bytes',
      bytes: new TextEncoder().encode(target),
    });
    const ref = await this.persistence.createNode(this.ref.id, name, EntryType.Symlink, content);
    return makeNode(this.persistence, ref, this.dynamic, this.childPath(name));
  }
}

class PhysicalFile implements File {
  constructor(
    private readonly persistence: Persistence,
    private readonly ref: NodeRef,
    private readonly path: string,
  ) {}

  versions(): Promise<readonly VersionRecord[]> {
    return this.persistence.versions(this.ref);
  }

  async *read(version?: number): AsyncIterable<Uint8Array> {
    const versions = await this.versions();
    const chosen =
      version === undefined
        ? versions[versions.length - 1]
        : versions.find((v) => v.version === version);
    if (!chosen) {
      throw new PondError(ErrorCode.NOT_FOUND, `${this.path}: has no version ${version ?? ''}`, {
        path: this.path,
      });
    }
    yield* this.persistence.read(this.ref, chosen);
  }

  async write(source: ContentSource, meta?: VersionMeta): Promise<VersionRecord> {
    const content = await this.persistence.store(source);
    return this.persistence.appendVersion(this.ref, content, meta);
  }

  localPath(version: VersionRecord): Promise<string> {
    if (!this.persistence.localPath) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.path}: this store keeps no host files`,
        { path: this.path },
      );
    }
    return this.persistence.localPath(this.ref, version);
  }
}

class PhysicalSymlink implements Symlink {
  constructor(
    private readonly persistence: Persistence,
    private readonly ref: NodeRef,
    private readonly path: string,
  ) {}

  async readlink(): Promise<string> {
    const versions = await this.persistence.versions(this.ref);
    const last = versions[versions.length - 1];
    if (!last)
      throw new PondError(ErrorCode.NOT_FOUND, `${this.path}: symlink has no target`, {
        path: this.path,
      });
    return new TextDecoder().decode(await collect(this.persistence.read(this.ref, last)));
  }
}

/**
 * A file's bytes as read by `cat`: the newest version, or for raw series every version
 * concatenated oldest first.
 */
export async function* readContent(node: Node & { kind: 'file' }): AsyncIterable<Uint8Array> {
  if (node.ref.entryType === EntryType.FilePhysicalSeries) {
    for (const v of await node.file.versions()) yield* node.file.read(v.version);
    return;
  }
  yield* node.file.read();
}
