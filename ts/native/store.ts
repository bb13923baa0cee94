// SPDX-License-Identifier: Apache-2.0
/**
 * Typed wrappers over the addon's store and transaction handles. Every method
 * rehydrates addon errors as `PondError` with the addon's code.
 */

import type { StoredContent } from '../tinyfs/persistence.js';
import {
  addon,
  type CommitRecord,
  call,
  callSync,
  type MaintainOptions,
  type MaintainReport,
  type NativeContentWriter,
  type NativeControl,
  type NativeStore,
  type NativeTxn,
  type PondLayout,
  type ReadRowsOptions,
  type StoredContentRaw,
  type TableStats,
} from './addon.js';

export type {
  CommitRecord,
  MaintainOptions,
  MaintainReport,
  PondLayout,
  ReadRowsOptions,
  TableStats,
};

function stored(raw: StoredContentRaw): StoredContent {
  return {
    blake3: raw.blake3,
    size: raw.size,
    inline: raw.inline
      ? new Uint8Array(raw.inline.buffer, raw.inline.byteOffset, raw.inline.length)
      : null,
  };
}

export class Store {
  private constructor(private readonly native: NativeStore) {}

  static async open(pond: string): Promise<Store> {
    return new Store(await call(() => addon().NativeStore.open(pond)));
  }

  /** Create the pond's directories and oplog with `rows` as the first commit. */
  static async create(pond: string, rows: Buffer, meta: object): Promise<Store> {
    return new Store(
      await call(() => addon().NativeStore.create(pond, rows, JSON.stringify(meta))),
    );
  }

  get path(): string {
    return this.native.path;
  }

  /** The Delta table version this handle reads. */
  get version(): number {
    return this.native.version;
  }

  pondId(): Promise<string | null> {
    return call(() => this.native.pondId());
  }

  refresh(): Promise<number> {
    return call(() => this.native.refresh());
  }

  readRows(options: ReadRowsOptions): Promise<Buffer> {
    return call(() => this.native.readRows(options));
  }

  history(limit?: number): Promise<CommitRecord[]> {
    return call(() => this.native.history(limit));
  }

  /**
   * Begin a write transaction: take the write lock, waiting up to `waitMs` (default 0) for
   * another writer (this process's too: await the previous `Txn.release()`).
   */
  async begin(waitMs?: number): Promise<Txn> {
    return new Txn(await call(() => this.native.begin(waitMs)));
  }

  /**
   * Stream large content. With `verify` (default) the bytes are hashed as they stream, and
   * after the last chunk the stream fails with CORRUPT unless they matched the hash.
   */
  async *readContent(blake3: string, verify = true): AsyncIterable<Uint8Array> {
    const reader = await call(() => this.native.openContent(blake3, verify));
    for (;;) {
      const chunk = await call(() => reader.next());
      if (!chunk) return;
      yield chunk;
    }
  }

  /** Copy large content to a host file, never through a symlink; verified by default. */
  exportContent(blake3: string, dest: string, verify = true): Promise<void> {
    return call(() => this.native.exportContent(blake3, dest, verify));
  }

  hashContent(blake3: string): Promise<string> {
    return call(() => this.native.hashContent(blake3));
  }

  /** Every partition id at this handle's version. */
  partitions(): Promise<string[]> {
    return call(() => this.native.partitions());
  }

  /** The size of a large content file, or null if it is missing. */
  contentSize(blake3: string): Promise<number | null> {
    return call(() => this.native.contentSize(blake3));
  }

  /**
   * Where large content lives, relative to the oplog's directory (`data/`), as messages
   * name it: `_large_files/blake3=<hex>`. Throws CORRUPT when `blake3` is not a hash.
   */
  largeFilePath(blake3: string): string {
    return callSync(() => this.native.largeFilePath(blake3));
  }
}

export class Txn {
  constructor(private readonly native: NativeTxn) {}

  async storeFile(path: string): Promise<StoredContent> {
    return stored(await call(() => this.native.storeFile(path)));
  }

  async storeBytes(bytes: Uint8Array): Promise<StoredContent> {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return stored(await call(() => this.native.storeBytes(buffer)));
  }

  async storeStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredContent> {
    const writer: NativeContentWriter = this.native.contentWriter();
    try {
      for await (const chunk of chunks) {
        await call(() =>
          writer.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
        );
      }
      return stored(await call(() => writer.finish()));
    } catch (err) {
      await writer.discard().catch(() => undefined);
      throw err;
    }
  }

  commit(rows: Buffer, meta: object): Promise<number> {
    return call(() => this.native.commit(rows, JSON.stringify(meta)));
  }

  /** End the transaction and release the write lock (before commit: discard it). */
  release(): Promise<void> {
    return call(() => this.native.release());
  }
}

/** The control table at `$POND/control` (see `steward/control.ts` for its rows). */
export class ControlTable {
  private constructor(private readonly native: NativeControl) {}

  static async open(pond: string): Promise<ControlTable> {
    return new ControlTable(await call(() => addon().NativeControl.open(pond)));
  }

  /** Append rows (Arrow IPC) as one commit with `pond_control` metadata. */
  append(rows: Buffer, meta: object): Promise<number> {
    return call(() => this.native.append(rows, JSON.stringify(meta)));
  }

  /** Every row, as Arrow IPC. */
  read(): Promise<Buffer> {
    return call(() => this.native.read());
  }

  history(limit?: number): Promise<CommitRecord[]> {
    return call(() => this.native.history(limit));
  }
}

/** Statistics of the Delta table in `dir`. */
export function tableStats(dir: string): Promise<TableStats> {
  return call(() => addon().tableStats(dir));
}

/** Compact, vacuum, checkpoint and clean the log of the Delta table in `dir`. */
export function maintainTable(dir: string, options: MaintainOptions): Promise<MaintainReport> {
  return call(() => addon().maintainTable(dir, options));
}

/** The pond directory's layout as the addon defines it (see `tlogfs/layout.ts`). */
export function pondLayout(): PondLayout {
  return callSync(() => addon().pondLayout());
}

/** BLAKE3 of bytes as hex. */
export function blake3Hex(bytes: Uint8Array): string {
  return addon().blake3Hex(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
