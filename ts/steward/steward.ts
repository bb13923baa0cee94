// SPDX-License-Identifier: Apache-2.0
/**
 * The steward owns a pond's write transactions: it takes the write lock, numbers the
 * transaction (`txn_seq`, recovered from the oplog's commit metadata), lets the caller
 * stage changes through tinyfs, and commits everything as one Delta commit, or nothing.
 */

import { hostname, userInfo } from 'node:os';
import { ErrorCode, PondError } from '../errors.js';
import { Store } from '../native/store.js';
import { FS, type FSOptions, type WD } from '../tinyfs/fs.js';
import { uuid7 } from '../tinyfs/node-id.js';
import { ReadCache } from '../tlogfs/cache.js';
import { rootRows, TlogPersistence } from '../tlogfs/persistence.js';
import { encodeRows } from '../tlogfs/rows.js';

/** Who made a pond, recorded in the metadata of its first transaction. */
export interface PondIdentity {
  readonly pondId: string;
  /** ms since the epoch. */
  readonly birthTime: number;
  readonly user: string;
  readonly host: string;
  readonly birthplace: string | null;
}

/** One committed write transaction, as recorded in the oplog's commit metadata. */
export interface TxnRecord {
  readonly txnSeq: number;
  readonly txnId: string;
  readonly args: readonly string[];
  /** Commit time, ms since the epoch. */
  readonly time: number;
  /** The Delta table version the commit produced. */
  readonly tableVersion: number;
}

interface PondTxnMeta {
  txn_seq: number;
  txn_id: string;
  args: string[];
  identity?: {
    pond_id: string;
    birth_time: number;
    user: string;
    host: string;
    birthplace: string | null;
  };
}

export interface WriteOptions {
  /** Wait this long for another writer's lock before failing with LOCKED. */
  readonly waitMs?: number;
}

export interface WriteResult<T> {
  readonly value: T;
  /** False when the transaction changed nothing and so committed nothing. */
  readonly committed: boolean;
  readonly txnSeq: number;
}

function nowMicros(): number {
  return Date.now() * 1000;
}

function parseMeta(json: string | null | undefined): PondTxnMeta | null {
  if (!json) return null;
  try {
    const meta = JSON.parse(json) as PondTxnMeta;
    return typeof meta.txn_seq === 'number' ? meta : null;
  } catch {
    return null;
  }
}

export class Steward {
  private readonly cache = new ReadCache();

  private constructor(
    readonly store: Store,
    readonly pondId: string,
    private readonly fsOptions: FSOptions,
  ) {}

  static async open(path: string, fsOptions: FSOptions = {}): Promise<Steward> {
    const store = await Store.open(path);
    const pondId = await store.pondId();
    if (!pondId) throw new PondError(ErrorCode.NOT_A_POND, `${path}: the oplog holds no pond`);
    return new Steward(store, pondId, fsOptions);
  }

  /** Create a pond: the oplog with the root directory as transaction 1. */
  static async create(
    path: string,
    options: { args: string[]; birthplace?: string | null },
    fsOptions: FSOptions = {},
  ): Promise<Steward> {
    const pondId = uuid7();
    const timestamp = nowMicros();
    const meta: PondTxnMeta = {
      txn_seq: 1,
      txn_id: uuid7(),
      args: options.args,
      identity: {
        pond_id: pondId,
        birth_time: Math.floor(timestamp / 1000),
        user: userInfo().username,
        host: hostname(),
        birthplace: options.birthplace ?? null,
      },
    };
    const store = await Store.create(path, encodeRows(rootRows(pondId, 1, timestamp)), meta);
    return new Steward(store, pondId, fsOptions);
  }

  /** A read-only view of the pond at its current (or a given) table version. */
  async reader(options: { tableVersion?: number } = {}): Promise<WD> {
    const persistence = new TlogPersistence(this.store, this.pondId, {
      ...options,
      cache: this.cache,
    });
    return new FS(persistence, this.fsOptions).root();
  }

  /**
   * Run `fn` in a write transaction. Everything it stages commits as one Delta commit
   * when it returns; if it throws, nothing is committed and the error propagates.
   */
  async write<T>(
    args: readonly string[],
    fn: (root: WD) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<WriteResult<T>> {
    const txn = await this.store.begin(options.waitMs);
    try {
      const txnSeq = (await this.lastTxnSeq()) + 1;
      const persistence = new TlogPersistence(this.store, this.pondId, {
        write: { txn, txnSeq, timestamp: nowMicros() },
        cache: this.cache,
      });
      const value = await fn(await new FS(persistence, this.fsOptions).root());
      const rows = persistence.pendingRows();
      if (rows.length === 0) {
        txn.abort();
        return { value, committed: false, txnSeq };
      }
      const meta: PondTxnMeta = { txn_seq: txnSeq, txn_id: uuid7(), args: [...args] };
      // We hold the lock and began at the newest version, so the commit makes exactly the
      // next version: partitions it did not write read the same there.
      const base = this.store.version;
      const version = await txn.commit(encodeRows(rows), meta);
      if (version === base + 1) this.cache.carry(base, version, new Set(rows.map((r) => r.partId)));
      return { value, committed: true, txnSeq };
    } catch (err) {
      txn.abort();
      throw err;
    }
  }

  /** Committed write transactions, oldest first (the newest `limit` when given). */
  async transactions(limit?: number): Promise<TxnRecord[]> {
    const out: TxnRecord[] = [];
    for (const commit of await this.store.history()) {
      const meta = parseMeta(commit.pondTxn);
      if (!meta) continue;
      out.push({
        txnSeq: meta.txn_seq,
        txnId: meta.txn_id,
        args: meta.args,
        time: commit.timestamp ?? 0,
        tableVersion: commit.version,
      });
    }
    return limit === undefined ? out : out.slice(Math.max(0, out.length - limit));
  }

  /** The pond's identity, from its first transaction. */
  async identity(): Promise<PondIdentity | null> {
    const first = (await this.store.history())
      .map((c) => parseMeta(c.pondTxn))
      .find((m) => m?.identity);
    const id = first?.identity;
    if (!id) return null;
    return {
      pondId: id.pond_id,
      birthTime: id.birth_time,
      user: id.user,
      host: id.host,
      birthplace: id.birthplace,
    };
  }

  private async lastTxnSeq(): Promise<number> {
    for (const limit of [16, undefined]) {
      const commits = await this.store.history(limit);
      for (let i = commits.length - 1; i >= 0; i--) {
        const meta = parseMeta(commits[i]?.pondTxn);
        if (meta) return meta.txn_seq;
      }
    }
    return 0;
  }
}
