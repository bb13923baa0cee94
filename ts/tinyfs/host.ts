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
import type { Directory, File, Node } from './node.js';
import { derivedNodeId } from './node-id.js';
import { checkName } from './path.js';
import type { NodeRef, VersionRecord } from './persistence.js';

function readOnly(what: string): PondError {
  return new PondError(ErrorCode.READ_ONLY, `${what}: host mounts are read-only`);
}

export class HostDirectory implements Directory {
  readonly writable = false;

  /** `hostPath` is the directory shown; `ref` identifies it in the pond. */
  constructor(
    readonly hostPath: string,
    private readonly ref: NodeRef,
  ) {}

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

  async createDirectory(name: string): Promise<Node> {
    throw readOnly(join(this.hostPath, name));
  }

  async createFile(name: string): Promise<Node> {
    throw readOnly(join(this.hostPath, name));
  }

  async createSymlink(name: string): Promise<Node> {
    throw readOnly(join(this.hostPath, name));
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
