// SPDX-License-Identifier: Apache-2.0
/**
 * `pond show -m concise|detailed`: the oplog's rows grouped by the transaction that wrote
 * them, in the original DuckPond's shapes. `concise` is one line per transaction (rows
 * written, nodes touched, newest row time); `detailed` is a banner per transaction and
 * its rows grouped by partition (the directory that owns them), with each directory
 * snapshot's entries. Rows are read from the oplog's newest version, so a transaction
 * whose rows were all replaced by compaction still shows them (compaction keeps
 * `txn_seq`); grouping and rendering are pure.
 */

import { EntryType, isDirectoryType } from '../tinyfs/entry-type.js';
import type { DirEntry } from '../tinyfs/persistence.js';
import type { OplogRow } from '../tlogfs/rows.js';
import { humanSize, microsToUtc, shortNodeId } from './format.js';
import { isoMicros } from './output-json.js';

/** One oplog row as `show` needs it; `entries` is a physical directory snapshot's. */
export interface ShowRow {
  readonly txnSeq: number;
  readonly partId: string;
  readonly nodeId: string;
  readonly entryType: EntryType;
  readonly version: number;
  /** µs since the epoch. */
  readonly timestamp: number;
  readonly size: number | null;
  readonly factory: string | null;
  readonly entries: readonly DirEntry[] | null;
}

/** Every row of the pond's oplog (newest version), with directory snapshots decoded. */
export async function oplogRows(pondPath: string): Promise<ShowRow[]> {
  const { Store } = await import('../native/store.js');
  const { decodeRows, decodeSnapshot } = await import('../tlogfs/rows.js');
  const store = await Store.open(pondPath);
  const out: ShowRow[] = [];
  for (const partId of await store.partitions()) {
    const buffer = await store.readRows({ partId, withContent: false, metadataContent: true });
    for (const row of decodeRows(buffer)) out.push(showRow(row, decodeSnapshot));
  }
  return out;
}

function showRow(
  row: OplogRow,
  decodeSnapshot: (bytes: Uint8Array, dir: string) => Map<string, DirEntry>,
): ShowRow {
  const snapshot = row.fileType === EntryType.DirectoryPhysical && row.content !== null;
  return {
    txnSeq: row.txnSeq,
    partId: row.partId,
    nodeId: row.nodeId,
    entryType: row.fileType,
    version: row.version,
    timestamp: row.timestamp,
    size: row.size,
    factory: row.factory,
    entries: snapshot ? [...decodeSnapshot(row.content as Uint8Array, row.nodeId).values()] : null,
  };
}

/** Rows by transaction, newest transaction first; within one, by partition, node, version. */
export function byTransaction(rows: readonly ShowRow[]): [number, ShowRow[]][] {
  const groups = new Map<number, ShowRow[]>();
  for (const row of rows) {
    const group = groups.get(row.txnSeq);
    if (group) group.push(row);
    else groups.set(row.txnSeq, [row]);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const group of groups.values()) {
    group.sort(
      (a, b) => cmp(a.partId, b.partId) || cmp(a.nodeId, b.nodeId) || a.version - b.version,
    );
  }
  return [...groups.entries()].sort((a, b) => b[0] - a[0]);
}

/** What one transaction wrote: rows, distinct nodes, and its newest row's time (µs). */
export function summary(rows: readonly ShowRow[]): { ops: number; nodes: number; time: number } {
  return {
    ops: rows.length,
    nodes: new Set(rows.map((r) => r.nodeId)).size,
    time: Math.max(...rows.map((r) => r.timestamp)),
  };
}

/** `show -m concise`: the original's `seq N  N op(s)  N node(s)  time` lines. */
export function conciseText(groups: readonly [number, ShowRow[]][]): string {
  const lines = ['', 'Transactions (newest first)', '---------------------------'];
  for (const [seq, rows] of groups) {
    const s = summary(rows);
    lines.push(
      `  seq ${String(seq).padStart(5)}  ${String(s.ops).padStart(4)} op(s)  ${String(s.nodes).padStart(4)} node(s)  ${microsToUtc(s.time)} UTC`,
    );
  }
  if (groups.length === 0) lines.push('  (no transactions)');
  return `${lines.join('\n')}\n\n`;
}

/** `show -m concise --format json`: one record per transaction. */
export function conciseRecord(seq: number, rows: readonly ShowRow[]): Record<string, unknown> {
  const s = summary(rows);
  return {
    record: 'transaction',
    txn_seq: seq,
    ops: s.ops,
    nodes: s.nodes,
    time: isoMicros(s.time),
  };
}

const WIDTH = 64;

/** The original's transaction banner: label and seq on the left, the ids it touched on the right. */
function banner(seq: number, ids: readonly string[]): string[] {
  const rule = `+${'='.repeat(WIDTH)}+`;
  const left = ['Transaction', String(seq)];
  const lines = [rule];
  for (let i = 0; i < Math.max(left.length, ids.length); i++) {
    const l = left[i] ?? '';
    const r = ids[i] ?? '';
    lines.push(`| ${l}${' '.repeat(Math.max(1, WIDTH - 2 - l.length - r.length))}${r} |`);
  }
  lines.push(rule);
  return lines;
}

/** One row as the original's detailed view names it. */
function operation(row: ShowRow): string {
  let detail: string;
  if (row.entries !== null) {
    const n = row.entries.length;
    detail = `${n} ${n === 1 ? 'entry' : 'entries'}`;
  } else if (isDirectoryType(row.entryType)) detail = `dynamic: ${row.factory ?? 'unknown'}`;
  else detail = row.size === null ? 'unknown size' : humanSize(row.size);
  return `Node ${shortNodeId(row.nodeId)} ${row.entryType} v${row.version} (${detail})`;
}

/** A list of labelled children as the original's tree formatter draws them. */
function tree(items: readonly { label: string; children: readonly string[] }[]): string[] {
  const out: string[] = [];
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    const has = item.children.length > 0;
    const connector = has ? (last ? '+-+' : '|-+') : last ? '+--' : '|--';
    out.push(`${connector} ${item.label}`);
    item.children.forEach((child, j) => {
      const end = j === item.children.length - 1 ? '+--' : '|--';
      out.push(`${last ? ' ' : '|'} ${end} ${child}`);
    });
  });
  return out;
}

/**
 * `show -m detailed`: per transaction, newest first, a banner with the ids it touched,
 * then its rows by partition (`Partition [id] /path:`), each row a node, type, version
 * and size (a directory snapshot: its entries, `name -> [id]`). `paths` maps a physical
 * directory's id to its path.
 */
export function detailedText(
  groups: readonly [number, ShowRow[]][],
  paths: ReadonlyMap<string, string>,
): string {
  const lines: string[] = [];
  for (const [seq, rows] of groups) {
    const ids = [...new Set(rows.flatMap((r) => [r.partId, r.nodeId]))].sort();
    lines.push(...banner(seq, ids), '');
    const parts = [...new Set(rows.map((r) => r.partId))];
    for (const part of parts) {
      lines.push(`  Partition ${shortNodeId(part)} ${paths.get(part) ?? '<unknown>'}:`);
      const items = rows
        .filter((r) => r.partId === part)
        .map((r) => ({
          label: operation(r),
          children: (r.entries ?? []).map((e) => `${e.name} -> ${shortNodeId(e.childId)}`),
        }));
      lines.push(...tree(items).map((l) => `    ${l}`), '');
    }
  }
  return lines.length === 0 ? 'No transactions found.\n' : `${lines.join('\n')}\n`;
}

/** `show -m detailed --format json`: one record per row. */
export function operationRecord(
  row: ShowRow,
  paths: ReadonlyMap<string, string>,
): Record<string, unknown> {
  return {
    record: 'operation',
    txn_seq: row.txnSeq,
    part_id: row.partId,
    partition_path: paths.get(row.partId) ?? null,
    node_id: row.nodeId,
    entry_type: row.entryType,
    version: row.version,
    time: isoMicros(row.timestamp),
    size: row.size,
    factory: row.factory,
    entries: row.entries?.map((e) => ({ name: e.name, node_id: e.childId })) ?? null,
  };
}
