// SPDX-License-Identifier: Apache-2.0
/**
 * The original DuckPond's control table (REFERENCE-ORIGINAL §6.6), read through the
 * engine: its lifecycle records become pond's transaction summaries (`pond log`), its
 * settings pond's settings, and its identity settings (under the nil pond id) pond's
 * identity. The original keeps no command lines there; they come from the oplog's commit
 * metadata (`pond_txn.user.args`, §6.1 item 4).
 *
 * The table is read from every Parquet file in its directory, identical rows once: the
 * original only appends to it, and compaction rewrites rows unchanged, so a file that a
 * later commit replaced repeats rows that are already there.
 */

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { int64Column, utf8Column } from '../native/ipc.js';
import type { CommitRecord } from '../native/store.js';
import type { TxnStatus, TxnSummary } from '../steward/control.js';
import { LAYOUT } from '../tlogfs/layout.js';
import { parquetFiles, queryTables } from './sql.js';

/** The pond id the original files identity settings under. */
export const NIL_POND = '00000000-0000-0000-0000-000000000000';

/** `record_kind` values (the original's `RecordKind`). */
const RecordKind = {
  Begin: 'begin',
  DataCommitted: 'data_committed',
  Failed: 'failed',
  Completed: 'completed',
  Setting: 'setting',
} as const;

const END_STATUS: Record<string, TxnStatus> = {
  [RecordKind.DataCommitted]: 'COMMITTED',
  [RecordKind.Failed]: 'FAILED',
  [RecordKind.Completed]: 'COMPLETED',
};

/** Identity setting keys under {@link NIL_POND}. */
export const IdentityKey = {
  storeId: 'store_id',
  birthTimestamp: 'birth_timestamp',
  birthplace: 'birthplace',
  birthUsername: 'birth_username',
} as const;

/** One control record; `has_*` columns folded into nulls. */
export interface OriginalRecord {
  readonly pondId: string;
  readonly recordKind: string;
  readonly txnSeq: number;
  /** The transaction id, or a setting's key. */
  readonly txnId: string;
  readonly durationMs: number | null;
  /** µs since the epoch. */
  readonly tsMicros: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What the original records about one transaction in the oplog's commit metadata. */
export interface OriginalTxnMeta {
  readonly txnSeq: number;
  readonly txnId: string;
  readonly args: readonly string[];
  /** The pond the transaction wrote (empty in older commits: null). */
  readonly pondId: string | null;
}

/** Who made an original pond (pond's `PondIdentity`, the host unknown). */
export interface OriginalIdentity {
  readonly pondId: string;
  /** ms since the epoch. */
  readonly birthTime: number;
  readonly user: string;
  readonly host: string;
  readonly birthplace: string | null;
}

function parseJson(text: string | null): Record<string, unknown> {
  try {
    const value = JSON.parse(text ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every record of the control table at `pond`, each once. */
export async function readControl(pond: string): Promise<OriginalRecord[]> {
  const dir = join(pond, LAYOUT.control);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
    n.endsWith('.parquet'),
  );
  if (names.length === 0) return [];
  const files = names.sort().map((n) => join(dir, n));
  const tables = await queryTables(
    `SELECT pond_id, record_kind, txn_seq, txn_id,
       CASE WHEN has_duration_ms THEN duration_ms END AS duration_ms, ts_micros, metadata_json
     FROM control`,
    { control: parquetFiles(dir, files) },
  );
  const seen = new Set<string>();
  const out: OriginalRecord[] = [];
  for (const t of tables) {
    const [pondId, kind, txnId, meta] = ['pond_id', 'record_kind', 'txn_id', 'metadata_json'].map(
      (c) => utf8Column(t, c),
    ) as [string[], string[], string[], (string | null)[]];
    const [seq, duration, ts] = ['txn_seq', 'duration_ms', 'ts_micros'].map((c) =>
      int64Column(t, c),
    ) as [number[], (number | null)[], number[]];
    for (let i = 0; i < t.numRows; i++) {
      const key = JSON.stringify([
        pondId[i],
        kind[i],
        seq[i],
        txnId[i],
        duration[i],
        ts[i],
        meta[i],
      ]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        pondId: pondId[i] as string,
        recordKind: kind[i] as string,
        txnSeq: seq[i] as number,
        txnId: txnId[i] as string,
        durationMs: duration[i] ?? null,
        tsMicros: ts[i] as number,
        metadata: parseJson(meta[i] ?? null),
      });
    }
  }
  return out.sort((a, b) => a.tsMicros - b.tsMicros);
}

/** Settings of `pondId`, newest value per key (`metadata_json` is `{"v": value}`). */
export function settingsOf(
  records: readonly OriginalRecord[],
  pondId: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    if (r.recordKind !== RecordKind.Setting || r.pondId !== pondId) continue;
    const value = r.metadata.v;
    if (typeof value === 'string') out.set(r.txnId, value);
  }
  return out;
}

/** The pond's identity from its identity settings, or null when `store_id` is missing. */
export function identityOf(records: readonly OriginalRecord[]): OriginalIdentity | null {
  const settings = settingsOf(records, NIL_POND);
  const pondId = settings.get(IdentityKey.storeId);
  if (!pondId) return null;
  const birthMicros = Number(settings.get(IdentityKey.birthTimestamp) ?? 0);
  return {
    pondId,
    birthTime: Number.isFinite(birthMicros) ? Math.floor(birthMicros / 1000) : 0,
    user: settings.get(IdentityKey.birthUsername) ?? '',
    host: '',
    birthplace: settings.get(IdentityKey.birthplace) || null,
  };
}

/** The original's `pond_txn` commit metadata (nested: `{txn_seq, user: {txn_id, args}}`). */
export function originalTxnMeta(meta: string | null | undefined): OriginalTxnMeta | null {
  const value = parseJson(meta ?? null);
  const user = value.user as { txn_id?: unknown; args?: unknown } | undefined;
  if (typeof value.txn_seq !== 'number' || typeof user?.txn_id !== 'string') return null;
  const args = Array.isArray(user.args) ? user.args.filter((a) => typeof a === 'string') : [];
  const pondId = typeof value.pond_id === 'string' && value.pond_id ? value.pond_id : null;
  return { txnSeq: value.txn_seq, txnId: user.txn_id, args, pondId };
}

/**
 * The local pond's id from the oplog's commits, when the control table names none
 * (REFERENCE-ORIGINAL §6.7 step 2): the oldest commit that records a pond id and was not
 * made by applying another pond's pulled bundle.
 */
export function pondIdOfCommits(commits: readonly CommitRecord[]): string | null {
  for (const commit of commits) {
    const meta = originalTxnMeta(commit.meta);
    if (meta?.pondId && meta.args.slice(0, 2).join(' ') !== 'internal apply_pulled_bundle') {
      return meta.pondId;
    }
  }
  return null;
}

/**
 * The local pond's transactions, by sequence number: status from the lifecycle records,
 * command lines from the oplog's commits (a transaction that never committed has none).
 */
export function transactionsOf(
  records: readonly OriginalRecord[],
  pondId: string,
  commits: readonly CommitRecord[],
): TxnSummary[] {
  const args = new Map<number, readonly string[]>();
  for (const c of commits) {
    const meta = originalTxnMeta(c.meta);
    if (meta) args.set(meta.txnSeq, meta.args);
  }
  const bySeq = new Map<number, OriginalRecord[]>();
  for (const r of records) {
    if (r.pondId !== pondId || r.recordKind === RecordKind.Setting) continue;
    bySeq.set(r.txnSeq, [...(bySeq.get(r.txnSeq) ?? []), r]);
  }
  const out: TxnSummary[] = [];
  for (const [seq, group] of [...bySeq].sort((a, b) => a[0] - b[0])) {
    const begin = group.find((r) => r.recordKind === RecordKind.Begin);
    const end = group.find((r) => END_STATUS[r.recordKind] !== undefined);
    const first = begin ?? end;
    if (!first) continue;
    const status = end ? (END_STATUS[end.recordKind] as TxnStatus) : 'INCOMPLETE';
    const version = end?.metadata.data_delta_version;
    const reason = end?.metadata.reason;
    out.push({
      seq,
      id: first.txnId,
      kind: 'write',
      parentSeq: null,
      args: args.get(seq) ?? [],
      time: Math.floor(first.tsMicros / 1000),
      status,
      dataVersion: status === 'COMMITTED' && typeof version === 'number' ? version : null,
      durationMs: end?.durationMs ?? null,
      error: status === 'FAILED' && typeof reason === 'string' ? reason : null,
      changes: null,
      recovered: false,
    });
  }
  return out;
}
