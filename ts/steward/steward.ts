// SPDX-License-Identifier: Apache-2.0
/**
 * The steward owns a pond's write transactions: it takes the write lock, numbers the
 * transaction (`txn_seq`, recovered from the oplog's commit metadata), lets the caller
 * stage changes through tinyfs, and commits everything as one Delta commit, or nothing.
 */

import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import {
  isOriginalPond,
  OriginalPond,
  originalUnsupported,
  userCacheHome,
} from '../compat/pond.js';
import { ErrorCode, PondError } from '../errors.js';
import type { PondHistory } from '../history/source.js';
import { Store } from '../native/store.js';
import { FS, type FSOptions, type WD } from '../tinyfs/fs.js';
import { uuid7 } from '../tinyfs/node-id.js';
import { ReadCache } from '../tlogfs/cache.js';
import { rootRows, TlogPersistence } from '../tlogfs/persistence.js';
import { checkRows, encodeRows } from '../tlogfs/rows.js';
import {
  type Clock,
  Control,
  type NewRecord,
  RecordType,
  systemClock,
  type TxnSummary,
} from './control.js';
import { readHead } from './head.js';
import { checkControlReady, checkDataReady, prepareInit } from './init.js';
import { AUTO_COMPACT_EVERY, compactTables } from './maintain.js';
import { type Recovery, recover } from './recover.js';
import type { TxnRecord, WriteOptions } from './transactions.js';

export type { Recovery } from './recover.js';
export type { TxnRecord, WriteOptions } from './transactions.js';

/** Who made a pond, recorded in the metadata of its first transaction. */
export interface PondIdentity {
  readonly pondId: string;
  /** ms since the epoch. */
  readonly birthTime: number;
  readonly user: string;
  readonly host: string;
  readonly birthplace: string | null;
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

export interface WriteResult<T> {
  readonly value: T;
  /** False when the transaction changed nothing and so committed nothing. */
  readonly committed: boolean;
  readonly txnSeq: number;
}

export interface StewardOptions {
  /**
   * Called after each committed write that was not itself a post-commit run, once the
   * lock is released (post-commit factories run here). Its failures are its own to record.
   */
  readonly afterCommit?: (steward: Steward, txnSeq: number) => Promise<void>;
  /** The time of records and rows, and of durations (default: the system clock). */
  readonly clock?: Clock;
  /**
   * The user's cache directory (e.g. `~/.cache`): what pond derives from a pond written by
   * the original DuckPond goes under it, never into that pond (default: `~/.cache`).
   */
  readonly cacheHome?: string;
}

function parseMeta(json: string | null | undefined): PondTxnMeta | null {
  if (!json) return null;
  try {
    const meta = JSON.parse(json) as PondTxnMeta;
    return typeof meta.txn_seq === 'number' && typeof meta.txn_id === 'string' ? meta : null;
  } catch {
    return null;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof PondError) return `[${err.code}] ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Identity keys in the control table's settings. */
export const IDENTITY_KEYS = {
  pondId: 'identity.pond_id',
  birthTime: 'identity.birth_time',
  user: 'identity.user',
  host: 'identity.host',
  birthplace: 'identity.birthplace',
} as const;

export class Steward {
  private readonly cache = new ReadCache();
  /**
   * The newest table version the store handle has been seen at. The handle reports -1
   * while a commit or refresh holds it, and a reader must still get a whole snapshot (the
   * one before that commit), so readers take their version from here.
   */
  private seenVersion: number;
  private readonly clock: Clock;

  private constructor(
    readonly store: Store,
    readonly control: Control,
    readonly pondId: string,
    private readonly fsOptions: FSOptions,
    private readonly options: StewardOptions,
    /** False when the control table is missing from a pond with data: read-only. */
    private readonly controlPresent = true,
    /** Set for a pond written by the original DuckPond: read through it, never written. */
    private readonly original: OriginalPond | null = null,
  ) {
    this.seenVersion = store.version;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Open a pond. NOT_A_POND when there is none at `path`, or when `pond init` did not
   * finish there (run it again).
   */
  static async open(
    path: string,
    fsOptions: FSOptions = {},
    options: StewardOptions = {},
  ): Promise<Steward> {
    await checkDataReady(resolve(path));
    const store = await Store.open(path);
    if (await isOriginalPond(store.path)) {
      const original = await OriginalPond.open(store, options.cacheHome ?? userCacheHome());
      const control = await Control.open(path, options.clock);
      return new Steward(store, control, original.pondId, fsOptions, options, true, original);
    }
    const pondId = await store.pondId();
    if (!pondId) throw new PondError(ErrorCode.NOT_A_POND, `${path}: the oplog holds no pond`);
    const controlPresent = await checkControlReady(store);
    const control = await Control.open(path, options.clock);
    return new Steward(store, control, pondId, fsOptions, options, controlPresent);
  }

  /**
   * Create a pond: the oplog with the root directory as transaction 1, and the control
   * table with that transaction and the pond's identity. What an interrupted `create`
   * left at `path` (no user data by construction) is cleared first; an existing pond is
   * ALREADY_EXISTS.
   */
  static async create(
    path: string,
    options: { args: string[]; birthplace?: string | null },
    fsOptions: FSOptions = {},
    stewardOptions: StewardOptions = {},
  ): Promise<Steward> {
    const clock = stewardOptions.clock ?? systemClock;
    const started = clock();
    const pondId = uuid7();
    const timestamp = started * 1000;
    const identity = {
      pond_id: pondId,
      birth_time: Math.floor(timestamp / 1000),
      user: userInfo().username,
      host: hostname(),
      birthplace: options.birthplace ?? null,
    };
    const meta: PondTxnMeta = { txn_seq: 1, txn_id: uuid7(), args: options.args, identity };
    await prepareInit(resolve(path));
    const store = await Store.create(path, encodeRows(rootRows(pondId, 1, timestamp)), meta);
    const control = await Control.open(path, clock);
    const txn = { txnSeq: 1, txnId: meta.txn_id, txnKind: 'write' as const };
    await control.append([
      { recordType: RecordType.Begin, ...txn, args: options.args, timestamp },
      {
        recordType: RecordType.Committed,
        ...txn,
        dataVersion: store.version,
        durationMs: clock() - started,
        changes: { created: ['/'], versioned: [] },
      },
      ...Object.entries(IDENTITY_KEYS).map(([field, key]) => ({
        recordType: RecordType.Setting,
        key,
        value: String(identity[snake(field) as keyof typeof identity] ?? ''),
      })),
    ]);
    return new Steward(store, control, pondId, fsOptions, stewardOptions);
  }

  /** The newest table version this process has committed or loaded. */
  get tableVersion(): number {
    const handle = this.store.version;
    if (handle > this.seenVersion) this.seenVersion = handle;
    return this.seenVersion;
  }

  /**
   * A read-only view of the pond at its current (or a given) table version; with
   * `asOfSeq`, as it was after that transaction (see {@link resolveAsOf}).
   */
  async reader(options: { tableVersion?: number; asOfSeq?: number } = {}): Promise<WD> {
    const asOfSeq = options.asOfSeq;
    const readOptions = {
      tableVersion: options.tableVersion ?? this.tableVersion,
      // Snapshots as of a transaction differ from the head's at the same table version.
      cache: asOfSeq === undefined ? this.cache : new ReadCache(),
      ...(asOfSeq === undefined ? {} : { asOfSeq }),
    };
    const persistence = this.original
      ? this.original.persistence(readOptions)
      : new TlogPersistence(this.store, this.pondId, readOptions);
    return new FS(persistence, { ...this.fsOptions, history: this.history(asOfSeq) }).root();
  }

  /**
   * Refuse `what` (a write, named as the message says it) with READ_ONLY on a pond written
   * by the original DuckPond, before anything is locked or written.
   */
  requireWritable(what?: string): void {
    if (this.original) throw this.original.readOnly(what);
  }

  /** Refuse `what`, which works on pond's own format only, on an original DuckPond pond. */
  requireNative(what: string): void {
    if (this.original) throw originalUnsupported(this.store.path, what);
  }

  private history(asOfSeq: number | undefined): PondHistory {
    return { transactions: () => this.transactions(), asOfSeq: asOfSeq ?? null };
  }

  /**
   * Run `fn` in a write transaction. Everything it stages commits as one Delta commit
   * when it returns; if it throws, nothing is committed and the error propagates. The
   * control table records the transaction's begin and its outcome; after a commit the
   * `afterCommit` hook runs (post-commit factories), outside this transaction.
   */
  async write<T>(
    args: readonly string[],
    fn: (root: WD) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<WriteResult<T>> {
    this.requireWritable(`\`${args.join(' ')}\``);
    if (!this.controlPresent) {
      throw new PondError(
        ErrorCode.CORRUPT,
        `${this.store.path}: the control table is missing, so the transaction log is lost; restore it from a backup (\`pond fsck\` reports the damage)`,
        { path: this.store.path },
      );
    }
    const txn = await this.store.begin(options.waitMs);
    const started = this.clock();
    const record = {
      txnSeq: 0,
      txnId: uuid7(),
      txnKind: options.kind ?? 'write',
      parentSeq: options.parentSeq ?? null,
    };
    let committed = false;
    try {
      // Under the lock: the newest versions of both logs, checked against each other.
      const head = await readHead({
        data: (limit) => this.store.history(limit),
        control: (limit) => this.control.history(limit),
      });
      // begin() moved the handle to the newest version (it reads -1 only while a
      // concurrent read of this process holds it; the log then says the same).
      const handle = this.store.version;
      const base = handle >= 0 ? handle : (head.dataVersion ?? this.tableVersion);
      record.txnSeq = head.lastSeq + 1;
      await this.control.append([{ recordType: RecordType.Begin, ...record, args: [...args] }]);
      let value: T;
      let persistence: TlogPersistence;
      let rows: ReturnType<TlogPersistence['pendingRows']>;
      try {
        persistence = new TlogPersistence(this.store, this.pondId, {
          tableVersion: base,
          write: { txn, txnSeq: record.txnSeq, timestamp: this.clock() * 1000 },
          cache: this.cache,
        });
        const fs = new FS(persistence, { ...this.fsOptions, history: this.history(undefined) });
        value = await fn(await fs.root());
        rows = persistence.pendingRows();
      } catch (err) {
        await this.endRecord(
          { recordType: RecordType.Failed, ...record, error: messageOf(err) },
          started,
        );
        throw err;
      }
      if (rows.length === 0) {
        await this.endRecord({ recordType: RecordType.Completed, ...record }, started);
        return { value, committed: false, txnSeq: record.txnSeq };
      }
      const changes = persistence.changes();
      const meta: PondTxnMeta = { txn_seq: record.txnSeq, txn_id: record.txnId, args: [...args] };
      // We hold the lock and began at the newest version, so the commit makes exactly the
      // next version: partitions it did not write read the same there.
      let version: number;
      try {
        checkRows(rows);
        version = await txn.commit(encodeRows(rows), meta);
      } catch (err) {
        await this.endRecord(
          { recordType: RecordType.Failed, ...record, error: messageOf(err) },
          started,
        );
        throw err;
      }
      committed = true;
      if (version > this.seenVersion) this.seenVersion = version;
      if (version === base + 1) {
        try {
          this.cache.carry(base, version, rows);
        } catch {
          // Only a cache: readers at the new version load it themselves.
        }
      }
      await this.endRecord(
        { recordType: RecordType.Committed, ...record, dataVersion: version, changes },
        started,
      );
      if (record.txnSeq % AUTO_COMPACT_EVERY === 0) await this.compact(record.txnSeq);
      return { value, committed: true, txnSeq: record.txnSeq };
    } finally {
      await txn.release();
      if (committed && record.txnKind !== 'post-commit' && this.options.afterCommit) {
        await this.options.afterCommit(this, record.txnSeq);
      }
    }
  }

  /**
   * Record how a transaction ended. The data commit (or its absence) is what counts: if
   * this record cannot be written the transaction shows as INCOMPLETE until `pond recover`.
   */
  private async endRecord(record: NewRecord, started: number): Promise<void> {
    try {
      await this.control.append([{ ...record, durationMs: this.clock() - started }]);
    } catch {
      // Left for `pond recover`, which reads the outcome from the oplog.
    }
  }

  /** Automatic compaction (best effort: the transaction has committed either way). */
  private async compact(txnSeq: number): Promise<void> {
    try {
      await compactTables(this.store.path, txnSeq);
      await this.store.refresh();
    } catch {
      // A later commit or `pond maintain` will try again.
    }
  }

  /** Write transactions recorded in the control table, by sequence number. */
  async transactions(): Promise<TxnSummary[]> {
    if (this.original) return this.original.transactions();
    return this.control.transactions();
  }

  /** Committed pond transactions in the oplog's remaining commit log, oldest first. */
  async dataCommits(): Promise<TxnRecord[]> {
    const out: TxnRecord[] = [];
    for (const commit of await this.store.history()) {
      const meta = parseMeta(commit.meta);
      if (!meta) continue;
      out.push({
        txnSeq: meta.txn_seq,
        txnId: meta.txn_id,
        args: meta.args,
        time: commit.timestamp ?? 0,
        tableVersion: commit.version,
      });
    }
    return out;
  }

  /** The pond's identity, from the control table's settings. */
  async identity(): Promise<PondIdentity | null> {
    if (this.original) return this.original.identity();
    const settings = await this.control.settings();
    const id = settings.get(IDENTITY_KEYS.pondId);
    if (!id) return null;
    return {
      pondId: id,
      birthTime: Number(settings.get(IDENTITY_KEYS.birthTime) ?? 0),
      user: settings.get(IDENTITY_KEYS.user) ?? '',
      host: settings.get(IDENTITY_KEYS.host) ?? '',
      birthplace: settings.get(IDENTITY_KEYS.birthplace) || null,
    };
  }

  /** Settings, newest value per key. */
  settings(): Promise<Map<string, string>> {
    if (this.original) return Promise.resolve(this.original.settings());
    return this.control.settings();
  }

  /** Record a setting (under the write lock, so it orders with transactions). */
  async setSetting(key: string, value: string, options: WriteOptions = {}): Promise<void> {
    this.requireWritable('a setting');
    const txn = await this.store.begin(options.waitMs);
    try {
      await this.control.append([{ recordType: RecordType.Setting, key, value }]);
    } finally {
      await txn.release();
    }
  }

  /**
   * Close transactions left INCOMPLETE by a crash: those whose rows reached the oplog are
   * recorded COMMITTED, the rest COMPLETED (nothing of them was written). Holds the write
   * lock, so no live transaction is mistaken for a dead one.
   */
  async recover(options: WriteOptions = {}): Promise<Recovery[]> {
    this.requireWritable('`pond recover`');
    return recover(this, options);
  }
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
