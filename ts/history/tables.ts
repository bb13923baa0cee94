// SPDX-License-Identifier: Apache-2.0
/**
 * A pond's history as SQL tables: `pond:///transactions` (the transaction log) and
 * `pond:///versions` (every stored version of every node the view reaches). Each is built
 * as an Arrow IPC file in the pond's cache, named by its content hash, and handed to the
 * engine as an `arrow` format table, so it joins with data like any other table. A view
 * as of a transaction sees the history up to that transaction.
 */

import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Field,
  Int64,
  List,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { ErrorCode, invalidArgument, PondError } from '../errors.js';
import { blake3Hex } from '../native/store.js';
import type { TableSpec } from '../query/spec.js';
import type { TxnSummary } from '../steward/control.js';
import type { WD } from '../tinyfs/fs.js';
import { versionsOf } from './versions.js';
import { walkStored } from './walk.js';

export const HISTORY_SCHEME = 'pond:';

const TABLES = {
  transactions: transactionsTable,
  versions: versionsTable,
} as const;

/** The spec of a `pond:///NAME` table over the history `root` sees. */
export async function historyTable(text: string, root: WD): Promise<TableSpec> {
  const name = /^pond:\/\/\/([a-z_]+)$/.exec(text)?.[1];
  const build = name && Object.hasOwn(TABLES, name) ? TABLES[name as keyof typeof TABLES] : null;
  if (!build) {
    throw invalidArgument(
      `${text}: unknown history table (known: ${Object.keys(TABLES)
        .map((t) => `pond:///${t}`)
        .join(', ')})`,
    );
  }
  const cacheDir = root.fs.persistence.cacheDir;
  if (!cacheDir || !root.fs.history) {
    throw new PondError(ErrorCode.INVALID_ARGUMENT, `${text}: only a pond has a history`);
  }
  const bytes = tableToIPC(await build(root), 'file');
  const dir = join(cacheDir, 'history');
  const path = join(dir, `${name}-${blake3Hex(bytes).slice(0, 32)}.arrow`);
  if (!(await stat(path).catch(() => null))) {
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }
  return { kind: 'format', label: text, format: 'arrow', files: [{ path }] };
}

const strings = (values: readonly (string | null)[]) => vectorFromArray(values, new Utf8());
const int64s = (values: readonly (number | null)[]) =>
  vectorFromArray(
    values.map((v) => (v === null ? null : BigInt(v))),
    new Int64(),
  );
/** Times given in ms since the epoch, stored as µs UTC like the pond's data. */
const times = (ms: readonly (number | null)[]) =>
  vectorFromArray(ms, new TimestampMicrosecond('UTC'));
const stringLists = (values: readonly (readonly string[])[]) =>
  vectorFromArray(values as string[][], new List(new Field('item', new Utf8(), true)));

async function transactionsTable(root: WD): Promise<Table> {
  const history = root.fs.history;
  const asOf = history?.asOfSeq ?? null;
  const all = history ? await history.transactions() : [];
  const txns: readonly TxnSummary[] = asOf === null ? all : all.filter((t) => t.seq <= asOf);
  const moved = (t: TxnSummary) => (t.changes?.moved ?? []).map((m) => `${m.from} -> ${m.to}`);
  return new Table({
    txn_seq: int64s(txns.map((t) => t.seq)),
    txn_id: strings(txns.map((t) => t.id)),
    time: times(txns.map((t) => t.time)),
    status: strings(txns.map((t) => t.status)),
    kind: strings(txns.map((t) => t.kind)),
    parent_seq: int64s(txns.map((t) => t.parentSeq)),
    command: strings(txns.map((t) => ['pond', ...t.args].join(' '))),
    duration_ms: int64s(txns.map((t) => t.durationMs)),
    error: strings(txns.map((t) => t.error)),
    data_version: int64s(txns.map((t) => t.dataVersion)),
    changes: int64s(
      txns.map((t) =>
        t.changes
          ? t.changes.created.length +
            t.changes.versioned.length +
            (t.changes.removed?.length ?? 0) +
            (t.changes.moved?.length ?? 0)
          : 0,
      ),
    ),
    created: stringLists(txns.map((t) => t.changes?.created ?? [])),
    versioned: stringLists(txns.map((t) => t.changes?.versioned ?? [])),
    removed: stringLists(txns.map((t) => t.changes?.removed ?? [])),
    moved: stringLists(txns.map(moved)),
  });
}

async function versionsTable(root: WD): Promise<Table> {
  const cols = {
    path: [] as string[],
    node_id: [] as string[],
    entry_type: [] as string[],
    version: [] as number[],
    txn_seq: [] as number[],
    time: [] as number[],
    size: [] as (number | null)[],
    blake3: [] as (string | null)[],
    min_event_time: [] as (number | null)[],
    max_event_time: [] as (number | null)[],
    rows: [] as (number | null)[],
    factory: [] as (string | null)[],
  };
  const persistence = root.fs.persistence;
  for await (const { path, ref } of walkStored(persistence)) {
    for (const v of await versionsOf(persistence, ref)) {
      cols.path.push(path);
      cols.node_id.push(ref.id);
      cols.entry_type.push(ref.entryType);
      cols.version.push(v.version);
      cols.txn_seq.push(v.txnSeq);
      cols.time.push(v.time.getTime());
      cols.size.push(v.size);
      cols.blake3.push(v.blake3);
      cols.min_event_time.push(v.minEventTime?.getTime() ?? null);
      cols.max_event_time.push(v.maxEventTime?.getTime() ?? null);
      cols.rows.push(v.rows);
      cols.factory.push(v.factory);
    }
  }
  return new Table({
    path: strings(cols.path),
    node_id: strings(cols.node_id),
    entry_type: strings(cols.entry_type),
    version: int64s(cols.version),
    txn_seq: int64s(cols.txn_seq),
    time: times(cols.time),
    size: int64s(cols.size),
    blake3: strings(cols.blake3),
    min_event_time: times(cols.min_event_time),
    max_event_time: times(cols.max_event_time),
    rows: int64s(cols.rows),
    factory: strings(cols.factory),
  });
}
