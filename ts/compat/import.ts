// SPDX-License-Identifier: Apache-2.0
/**
 * `pond import-original SRC DEST`: a pond written by the original DuckPond converted into
 * one of pond's own, history and all. Each of the original's committed transactions
 * becomes one Delta commit of the new pond with the same `txn_seq`, transaction id and
 * command line, holding the same rows as pond reads them from the original (see
 * `oplog.ts`): node ids, version numbers, write times and content hashes are kept, so
 * `--as-of` and `pond history` tell the same story. The control table gets a begin and an
 * end record per transaction (failed ones included) and the original's identity.
 *
 * Not carried over: the reserved nodes, versions a collapse superseded (their bytes are
 * in the version that collapsed them; a transaction that wrote nothing else is recorded
 * COMPLETED, as one with nothing to commit), and the original's settings (remote state,
 * factory modes). Content is re-stored in pond's layout (large files raw, by BLAKE3).
 */

import { readdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { Store } from '../native/store.js';
import { Control, type NewRecord, RecordType, type TxnSummary } from '../steward/control.js';
import { checkDataReady, prepareInit } from '../steward/init.js';
import { IDENTITY_KEYS } from '../steward/steward.js';
import { LAYOUT } from '../tlogfs/layout.js';
import { decodeRows, encodeRows, LARGE_THRESHOLD, type OplogRow } from '../tlogfs/rows.js';
import { originalTxnMeta } from './control.js';
import { isOriginalPond, OriginalPond } from './pond.js';

/** What an import did. */
export interface ImportReport {
  readonly source: string;
  readonly dest: string;
  readonly pondId: string;
  /** Transactions in the new pond's log (committed ones and the rest). */
  readonly transactions: number;
  /** Oplog commits written, one per committed transaction. */
  readonly commits: number;
  readonly rows: number;
  /** Large content files stored (raw, by BLAKE3). */
  readonly largeFiles: number;
}

export interface ImportOptions {
  /** Where the original's large files are de-chunked (see `derivedDir`). */
  readonly cacheHome: string;
  /** ms since the epoch, for the control records' commit times. */
  readonly clock?: () => number;
}

/** One original transaction as the new pond commits it. */
interface Batch {
  readonly seq: number;
  readonly txnId: string;
  readonly args: readonly string[];
  readonly rows: OplogRow[];
}

/** Convert the original pond at `src` into a new pond at `dest` (missing or empty). */
export async function importOriginal(
  src: string,
  dest: string,
  options: ImportOptions,
): Promise<ImportReport> {
  const source = resolve(src);
  const target = resolve(dest);
  const original = await openSource(source, options.cacheHome);
  if (target === source || target.startsWith(`${source}${sep}`)) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${target} is inside ${source}; pond never writes an original pond: choose a directory outside it`,
      { path: target },
    );
  }
  await checkDest(target);
  const txns = await original.transactions();
  const batches = await readBatches(original, txns);
  const first = batches[0];
  if (!first) {
    throw new PondError(ErrorCode.INVALID_DATA, `${source}: the oplog holds no transaction`, {
      path: source,
    });
  }
  try {
    const versions = await writeBatches(target, original, first, batches.slice(1));
    await writeControl(target, original, txns, batches, versions, options.clock);
    return {
      source,
      dest: target,
      pondId: original.pondId,
      transactions: new Set([...txns.map((t) => t.seq), ...batches.map((b) => b.seq)]).size,
      commits: batches.length,
      rows: batches.reduce((n, b) => n + b.rows.length, 0),
      largeFiles: new Set(batches.flatMap((b) => b.rows.filter(isLarge).map((r) => r.blake3))).size,
    };
  } catch (err) {
    for (const dir of Object.values(LAYOUT)) {
      await rm(join(target, dir), { recursive: true, force: true });
    }
    throw err;
  }
}

async function openSource(source: string, cacheHome: string): Promise<OriginalPond> {
  await checkDataReady(source);
  const store = await Store.open(source);
  if (!(await isOriginalPond(source))) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${source} is a pond in pond's own format, not one written by the original DuckPond; there is nothing to convert (copy it with \`pond backup add\` and \`pond restore\`)`,
      { path: source },
    );
  }
  return OriginalPond.open(store, cacheHome);
}

/** DEST must be missing or empty: never a pond, never someone's files. */
async function checkDest(target: string): Promise<void> {
  const names = await readdir(target).catch(() => [] as string[]);
  if (names.length === 0) return;
  const isPond = names.includes(LAYOUT.data) || names.includes(LAYOUT.control);
  throw new PondError(
    ErrorCode.ALREADY_EXISTS,
    isPond
      ? `${target} is already a pond; import-original makes a new one: choose a missing or empty directory`
      : `${target} exists and is not empty (found ${names.slice(0, 3).join(', ')}); choose a missing or empty directory`,
    { path: target },
  );
}

function isLarge(row: OplogRow): boolean {
  return row.content === null && row.blake3 !== null && (row.size ?? 0) >= LARGE_THRESHOLD;
}

/** Every row of the local pond, as pond reads it, by transaction, oldest first. */
async function readBatches(original: OriginalPond, txns: readonly TxnSummary[]): Promise<Batch[]> {
  const bySeq = new Map<number, OplogRow[]>();
  for (const partId of await original.store.partitions()) {
    const rows = decodeRows(await original.oplog.readRows({ partId, withContent: true }));
    for (const row of rows) bySeq.set(row.txnSeq, [...(bySeq.get(row.txnSeq) ?? []), row]);
  }
  const [foreign] = original.oplog.foreign.values();
  if (foreign) {
    throw new PondError(
      ErrorCode.INVALID_DATA,
      `${original.store.path}: directory ${foreign.dirId} mounts ${JSON.stringify(foreign.name)} from pond ${foreign.pondId} (a cross-pond import); pond has no such mounts, so this pond cannot be converted`,
      { path: original.store.path },
    );
  }
  const meta = new Map<number, { txnId: string; args: readonly string[] }>();
  for (const commit of await original.store.history()) {
    const m = originalTxnMeta(commit.meta);
    if (m) meta.set(m.txnSeq, m);
  }
  const ids = new Map(txns.map((t) => [t.seq, t.id]));
  return [...bySeq.keys()]
    .sort((a, b) => a - b)
    .map((seq) => ({
      seq,
      txnId: meta.get(seq)?.txnId ?? ids.get(seq) ?? `${seq}`,
      args: meta.get(seq)?.args ?? [],
      rows: bySeq.get(seq) ?? [],
    }));
}

function txnMeta(batch: Batch): { txn_seq: number; txn_id: string; args: string[] } {
  return { txn_seq: batch.seq, txn_id: batch.txnId, args: [...batch.args] };
}

/** The new pond's oplog: one commit per batch; its table version by `txn_seq`. */
async function writeBatches(
  target: string,
  original: OriginalPond,
  first: Batch,
  rest: readonly Batch[],
): Promise<Map<number, number>> {
  if (first.rows.some(isLarge)) {
    throw new PondError(
      ErrorCode.INVALID_DATA,
      `${original.store.path}: its first transaction (${first.seq}) holds large content; an original pond starts with its root directory`,
      { path: original.store.path },
    );
  }
  const identity = original.identity();
  await prepareInit(target);
  const store = await Store.create(target, encodeRows(first.rows), {
    ...txnMeta(first),
    identity: {
      pond_id: original.pondId,
      birth_time: identity?.birthTime ?? Math.floor((first.rows[0]?.timestamp ?? 0) / 1000),
      user: identity?.user ?? '',
      host: identity?.host ?? '',
      birthplace: identity?.birthplace ?? null,
    },
  });
  const versions = new Map([[first.seq, store.version]]);
  for (const batch of rest) {
    const txn = await store.begin();
    try {
      const rows: OplogRow[] = [];
      for (const row of batch.rows) {
        if (!isLarge(row)) {
          rows.push(row);
          continue;
        }
        const stored = await txn.storeFile(await original.oplog.largeFile(row.blake3 as string));
        if (stored.blake3 !== row.blake3 || stored.size !== row.size) {
          throw new PondError(
            ErrorCode.CORRUPT,
            `${row.nodeId} v${row.version}: its content stored as ${stored.blake3} (${stored.size} bytes), the original says ${row.blake3} (${row.size} bytes)`,
            { path: row.nodeId },
          );
        }
        rows.push({ ...row, content: stored.inline });
      }
      versions.set(batch.seq, await txn.commit(encodeRows(rows), txnMeta(batch)));
    } finally {
      await txn.release();
    }
  }
  return versions;
}

/** Begin and end records for every transaction, and the identity, in one append. */
async function writeControl(
  target: string,
  original: OriginalPond,
  txns: readonly TxnSummary[],
  batches: readonly Batch[],
  versions: ReadonlyMap<number, number>,
  clock?: () => number,
): Promise<void> {
  const known = new Map(txns.map((t) => [t.seq, t]));
  const records: NewRecord[] = [];
  for (const t of txns) {
    const version = versions.get(t.seq);
    // A transaction whose rows a later collapse superseded left nothing to commit here.
    const status = t.status === 'COMMITTED' && version === undefined ? 'COMPLETED' : t.status;
    records.push(...recordsOf({ ...t, status }, version ?? null));
  }
  for (const b of batches) {
    if (known.has(b.seq)) continue;
    const time = Math.floor((b.rows[0]?.timestamp ?? 0) / 1000);
    records.push(
      ...recordsOf(
        {
          seq: b.seq,
          id: b.txnId,
          kind: 'write',
          parentSeq: null,
          args: b.args,
          time,
          status: 'COMMITTED',
          dataVersion: null,
          durationMs: null,
          error: null,
          changes: null,
          recovered: false,
        },
        versions.get(b.seq) ?? null,
      ),
    );
  }
  records.sort((a, b) => (a.txnSeq ?? 0) - (b.txnSeq ?? 0));
  const identity = original.identity();
  const settings: Record<string, string> = {
    [IDENTITY_KEYS.pondId]: original.pondId,
    [IDENTITY_KEYS.birthTime]: String(identity?.birthTime ?? 0),
    [IDENTITY_KEYS.user]: identity?.user ?? '',
    [IDENTITY_KEYS.host]: identity?.host ?? '',
    [IDENTITY_KEYS.birthplace]: identity?.birthplace ?? '',
  };
  for (const [key, value] of Object.entries(settings)) {
    records.push({ recordType: RecordType.Setting, key, value });
  }
  const store = await Store.open(target);
  const lock = await store.begin();
  try {
    await (await Control.open(target, clock)).append(records);
  } finally {
    await lock.release();
  }
}

/** A transaction's begin and end records as pond's control table keeps them. */
function recordsOf(t: TxnSummary, dataVersion: number | null): NewRecord[] {
  const txn = { txnSeq: t.seq, txnId: t.id, txnKind: t.kind };
  const begin: NewRecord = {
    recordType: RecordType.Begin,
    ...txn,
    args: [...t.args],
    timestamp: t.time * 1000,
  };
  const end = {
    ...txn,
    durationMs: t.durationMs,
    timestamp: (t.time + (t.durationMs ?? 0)) * 1000,
  };
  switch (t.status) {
    case 'COMMITTED':
      return [begin, { recordType: RecordType.Committed, ...end, dataVersion }];
    case 'FAILED':
      return [begin, { recordType: RecordType.Failed, ...end, error: t.error }];
    case 'COMPLETED':
      return [begin, { recordType: RecordType.Completed, ...end }];
    case 'INCOMPLETE':
      return [begin];
  }
}
