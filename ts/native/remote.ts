// SPDX-License-Identifier: Apache-2.0
/**
 * Typed wrapper over the addon's object-store handle (`native/src/remote/`): whole objects
 * under one URL's prefix, for file:// and s3://. Errors arrive as `PondError`s.
 */

import {
  addon,
  call,
  callSync,
  type FetchedFile,
  type NativeRemote,
  type RemoteObject,
  type RemoteOptions,
} from './addon.js';

export type { FetchedFile, RemoteObject, RemoteOptions };

export class ObjectStoreHandle {
  private constructor(private readonly native: NativeRemote) {}

  /** The store a `file:///path` or `s3://bucket/prefix` URL names (no request is made). */
  static open(url: string, options: RemoteOptions = {}): ObjectStoreHandle {
    return new ObjectStoreHandle(callSync(() => addon().NativeRemote.open(url, options)));
  }

  putBytes(key: string, bytes: Uint8Array): Promise<void> {
    return call(() => this.native.putBytes(key, Buffer.from(bytes)));
  }

  /** Upload a host file, streamed; resolves to the bytes sent. */
  putFile(key: string, file: string): Promise<number> {
    return call(() => this.native.putFile(key, file));
  }

  /** An object's bytes, or null when there is none. */
  async getBytes(key: string): Promise<Buffer | null> {
    return (await call(() => this.native.getBytes(key))) ?? null;
  }

  /** Download into a host file (atomically), with the bytes' size and BLAKE3. */
  getFile(key: string, file: string): Promise<FetchedFile> {
    return call(() => this.native.getFile(key, file));
  }

  /** An object's size, or null when there is none. */
  async head(key: string): Promise<number | null> {
    return (await call(() => this.native.head(key))) ?? null;
  }

  list(prefix = ''): Promise<RemoteObject[]> {
    return call(() => this.native.list(prefix));
  }

  delete(key: string): Promise<void> {
    return call(() => this.native.delete(key));
  }
}

/** BLAKE3 of a host file (hex), streamed by the addon. */
export function blake3File(path: string): Promise<string> {
  return call(() => addon().blake3File(path));
}
