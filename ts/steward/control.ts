// SPDX-License-Identifier: Apache-2.0
/**
 * The control table (`$POND/control`): what happened to each write transaction and the
 * pond's settings. A transaction appends `begin` before it stages anything and one of
 * `committed`, `failed` or `completed` (nothing to commit) when it ends, so a `begin` with
 * no end is a transaction that was interrupted (INCOMPLETE until `pond recover`, whose end
 * records carry key = `recovered`). Settings
 * are key/value rows; the newest row for a key wins. Column names are persisted: they live
 * here and in `native/src/schema.rs`, once.
 */

import { dirname, resolve } from 'node:path';
import { decode, encodeColumns, int64Column, utf8Column } from '../native/ipc.js';
import { type CommitRecord, ControlTable } from '../native/store.js';
import type { Changes } from '../tlogfs/persistence.js';

export const RecordType = {
  Begin: 'begin',
  Committed: 'committed',
  Failed: 'failed',
  Completed: 'completed',
  Setting: 'setting',
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Why a transaction ran: a command or library call, `pond run`, or a post-commit factory. */
export type TxnKind = 'write' | 'run' | 'post-commit';

export type { Changes };

export interface ControlRecord {
  readonly recordType: RecordType;
  /** µs since the epoch. */
  readonly timestamp: number;
  readonly txnSeq: number | null;
  readonly txnId: string | null;
  readonly txnKind: TxnKind | null;
  /** For a post-commit run: the transaction whose commit triggered it. */
  readonly parentSeq: number | null;
  readonly args: readonly string[] | null;
  /** The oplog version a `committed` transaction produced. */
  readonly dataVersion: number | null;
  readonly durationMs: number | null;
  readonly error: string | null;
  readonly changes: Changes | null;
  readonly key: string | null;
  readonly value: string | null;
}

/**
 * How a transaction ended: COMMITTED (its changes are in the oplog), FAILED (it threw;
 * nothing was written), COMPLETED (it had nothing to commit) or INCOMPLETE (it began and
 * never ended: a crash, until `pond recover` closes it).
 */
export type TxnStatus = 'COMMITTED' | 'FAILED' | 'COMPLETED' | 'INCOMPLETE';

/** One write transaction as the control table tells it. */
export interface TxnSummary {
  /** The transaction's sequence number (`txn_seq`), one more than the one before. */
  readonly seq: number;
  /** Its UUIDv7. */
  readonly id: string;
  /** Why it ran. */
  readonly kind: TxnKind;
  /** For a post-commit run: the transaction whose commit triggered it. */
  readonly parentSeq: number | null;
  /** The command line (or the library's `args`) it recorded. */
  readonly args: readonly string[];
  /** Begin time, ms since the epoch. */
  readonly time: number;
  /** How it ended. */
  readonly status: TxnStatus;
  /** The oplog's Delta version its commit made (COMMITTED only). */
  readonly dataVersion: number | null;
  /** From begin to end, in ms (null while INCOMPLETE). */
  readonly durationMs: number | null;
  /** A FAILED transaction's error, as `[CODE] message`. */
  readonly error: string | null;
  /** The paths it created and versioned (COMMITTED only). */
  readonly changes: Changes | null;
  /** Set when `pond recover` closed the transaction. */
  readonly recovered: boolean;
}

const STATUS: Record<string, TxnStatus> = {
  [RecordType.Committed]: 'COMMITTED',
  [RecordType.Failed]: 'FAILED',
  [RecordType.Completed]: 'COMPLETED',
};

/** What a record needs; everything else defaults to null. */
export type NewRecord = Partial<ControlRecord> & { readonly recordType: RecordType };

function encode(records: readonly NewRecord[], now: number): Buffer {
  const utf8 = (f: (r: NewRecord) => string | null | undefined) => ({
    type: 'utf8' as const,
    values: records.map((r) => f(r) ?? null),
  });
  const int64 = (f: (r: NewRecord) => number | null | undefined) => ({
    type: 'int64' as const,
    values: records.map((r) => f(r) ?? null),
  });
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  return encodeColumns({
    record_type: utf8((r) => r.recordType),
    timestamp: int64((r) => r.timestamp ?? now),
    txn_seq: int64((r) => r.txnSeq),
    txn_id: utf8((r) => r.txnId),
    txn_kind: utf8((r) => r.txnKind),
    parent_seq: int64((r) => r.parentSeq),
    args: utf8((r) => json(r.args)),
    data_version: int64((r) => r.dataVersion),
    duration_ms: int64((r) => r.durationMs),
    error: utf8((r) => r.error),
    changes: utf8((r) => json(r.changes)),
    key: utf8((r) => r.key),
    value: utf8((r) => r.value),
  });
}

function decodeRecords(buffer: Uint8Array): ControlRecord[] {
  const table = decode(buffer);
  const str = (name: string) => utf8Column(table, name);
  const num = (name: string) => int64Column(table, name);
  const [recordType, txnId, txnKind, args, error, changes, key, value] = [
    'record_type',
    'txn_id',
    'txn_kind',
    'args',
    'error',
    'changes',
    'key',
    'value',
  ].map(str) as (string | null)[][];
  const [timestamp, txnSeq, parentSeq, dataVersion, durationMs] = [
    'timestamp',
    'txn_seq',
    'parent_seq',
    'data_version',
    'duration_ms',
  ].map(num) as (number | null)[][];
  const parse = <T>(text: string | null | undefined): T | null =>
    text ? (JSON.parse(text) as T) : null;
  return (recordType ?? []).map((type, i) => ({
    recordType: type as RecordType,
    timestamp: timestamp?.[i] ?? 0,
    txnSeq: txnSeq?.[i] ?? null,
    txnId: txnId?.[i] ?? null,
    txnKind: (txnKind?.[i] ?? null) as TxnKind | null,
    parentSeq: parentSeq?.[i] ?? null,
    args: parse<string[]>(args?.[i]),
    dataVersion: dataVersion?.[i] ?? null,
    durationMs: durationMs?.[i] ?? null,
    error: error?.[i] ?? null,
    changes: parse<Changes>(changes?.[i]),
    key: key?.[i] ?? null,
    value: value?.[i] ?? null,
  }));
}

/** Milliseconds since the epoch; injected where output must be stable (golden tests). */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export class Control {
  private constructor(
    private readonly table: ControlTable,
    private readonly clock: Clock,
  ) {}

  /** Open a pond's control table; records without a timestamp get `clock`'s time. */
  static async open(pond: string, clock: Clock = systemClock): Promise<Control> {
    return new Control(await ControlTable.open(pond), clock);
  }

  /**
   * Append records as one commit. Callers hold the write lock. The commit metadata names
   * the newest data version a `committed` record here claims (`data_version`, `data_seq`),
   * so a writer can check the data table against the control log from the log tails alone.
   */
  async append(records: readonly NewRecord[]): Promise<void> {
    const seq = Math.max(0, ...records.map((r) => r.txnSeq ?? 0));
    const landed = records
      .filter((r) => r.recordType === RecordType.Committed && typeof r.dataVersion === 'number')
      .sort((a, b) => (a.dataVersion as number) - (b.dataVersion as number))
      .pop();
    await this.table.append(encode(records, this.clock() * 1000), {
      txn_seq: seq,
      record_type: records[0]?.recordType,
      ...(landed ? { data_version: landed.dataVersion, data_seq: landed.txnSeq } : {}),
    });
  }

  async records(): Promise<ControlRecord[]> {
    return decodeRecords(await this.table.read());
  }

  /** Commits of the control table, oldest first (the newest `limit` when given). */
  history(limit?: number): Promise<CommitRecord[]> {
    return this.table.history(limit);
  }

  /** Write transactions, by sequence number. */
  async transactions(records?: readonly ControlRecord[]): Promise<TxnSummary[]> {
    const all = records ?? (await this.records());
    const begins = new Map<string, ControlRecord>();
    const ends = new Map<string, ControlRecord>();
    for (const r of all) {
      if (!r.txnId) continue;
      if (r.recordType === RecordType.Begin) begins.set(r.txnId, r);
      else if (r.recordType in STATUS) {
        const seen = ends.get(r.txnId);
        if (!seen || r.timestamp < seen.timestamp) ends.set(r.txnId, r);
      }
    }
    const out: TxnSummary[] = [];
    for (const [id, begin] of begins) {
      const end = ends.get(id);
      out.push({
        seq: begin.txnSeq ?? 0,
        id,
        kind: begin.txnKind ?? 'write',
        parentSeq: begin.parentSeq,
        args: begin.args ?? [],
        time: Math.floor(begin.timestamp / 1000),
        status: end ? (STATUS[end.recordType] as TxnStatus) : 'INCOMPLETE',
        dataVersion: end?.dataVersion ?? null,
        durationMs: end?.durationMs ?? null,
        error: end?.error ?? null,
        changes: end?.changes ?? null,
        recovered: end?.key === 'recovered',
      });
    }
    return out.sort((a, b) => a.seq - b.seq || a.time - b.time);
  }

  /** Settings, the newest value per key. */
  async settings(records?: readonly ControlRecord[]): Promise<Map<string, string>> {
    const all = (records ?? (await this.records()))
      .filter((r) => r.recordType === RecordType.Setting && r.key !== null)
      .sort((a, b) => a.timestamp - b.timestamp);
    const out = new Map<string, string>();
    for (const r of all) out.set(r.key as string, r.value ?? '');
    return out;
  }
}

/**
 * The setting that roots the host paths a pond's executable nodes use (copy-out's
 * `directory`...), whether they run after a commit or by `pond run`: the caller's `-d`
 * never applies to them. Settings live in the control table, which is this machine's own
 * record and not part of the oplog, so a pond's content cannot widen it.
 */
export const HOST_ROOT_SETTING = 'host.root';

/** The host root of a pond's executable nodes: `host.root`, else the directory holding the pond. */
export function pondHostRoot(settings: ReadonlyMap<string, string>, pondPath: string): string {
  const set = settings.get(HOST_ROOT_SETTING);
  return set ? resolve(set) : dirname(resolve(pondPath));
}
