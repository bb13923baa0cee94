// SPDX-License-Identifier: Apache-2.0
/**
 * Oplog rows (docs/architecture.md, "On disk") and directory snapshots as they cross to
 * and from the addon.
 * The column names and the snapshot schema are persisted: they live here, once, and
 * renaming a TS field never changes what is written.
 */

import { ErrorCode, PondError } from '../errors.js';
import { binaryColumn, decode, encodeColumns, int64Column, utf8Column } from '../native/ipc.js';
import { EntryType, isEntryType } from '../tinyfs/entry-type.js';
import { checkName } from '../tinyfs/path.js';
import type { DirEntry } from '../tinyfs/persistence.js';

/** Content at or above this size lives in `_large_files/` (the addon's threshold). */
export const LARGE_THRESHOLD = 64 * 1024;

/** `format` column values. */
export const Format = { Inline: 'inline', FullDir: 'fulldir' } as const;
export type Format = (typeof Format)[keyof typeof Format];

/** A content hash as stored: it names `_large_files/blake3=<hash>` and cache files. */
const HASH = /^[0-9a-f]{64}$/;
/** Node, partition and pond ids (UUIDs); they name cache files and partitions. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isHash(value: string): boolean {
  return HASH.test(value);
}

export function isNodeId(value: string): boolean {
  return ID.test(value);
}

/**
 * A stored row or snapshot entry that fails validation. Values read from the oplog become
 * host paths (content files, caches), so one that could escape them is never used.
 */
function corrupt(path: string, what: string): PondError {
  return new PondError(ErrorCode.CORRUPT, `${path}: ${what}`, { path });
}

/** The node a row belongs to, as an error names it (its id, when that is one). */
function rowPath(nodeId: unknown, partId: unknown): string {
  if (typeof nodeId === 'string' && isNodeId(nodeId)) return nodeId;
  return `partition ${JSON.stringify(partId)} node ${JSON.stringify(nodeId)}`;
}

export interface OplogRow {
  readonly partId: string;
  readonly nodeId: string;
  readonly fileType: EntryType;
  /** µs since the epoch. */
  readonly timestamp: number;
  readonly version: number;
  readonly content: Uint8Array | null;
  readonly blake3: string | null;
  readonly size: number | null;
  readonly minEventTime: number | null;
  readonly maxEventTime: number | null;
  readonly minOverride: number | null;
  readonly maxOverride: number | null;
  readonly extendedAttributes: string | null;
  readonly factory: string | null;
  readonly format: Format;
  readonly txnSeq: number;
  readonly pondId: string;
}

export function encodeRows(rows: readonly OplogRow[]): Buffer {
  const utf8 = (f: (r: OplogRow) => string | null) => ({
    type: 'utf8' as const,
    values: rows.map(f),
  });
  const int64 = (f: (r: OplogRow) => number | null) => ({
    type: 'int64' as const,
    values: rows.map(f),
  });
  return encodeColumns({
    part_id: utf8((r) => r.partId),
    node_id: utf8((r) => r.nodeId),
    file_type: utf8((r) => r.fileType),
    // Sent as Int64 µs; the addon casts to Timestamp(µs, UTC).
    timestamp: int64((r) => r.timestamp),
    version: int64((r) => r.version),
    content: { type: 'binary', values: rows.map((r) => r.content) },
    blake3: utf8((r) => r.blake3),
    size: int64((r) => r.size),
    min_event_time: int64((r) => r.minEventTime),
    max_event_time: int64((r) => r.maxEventTime),
    min_override: int64((r) => r.minOverride),
    max_override: int64((r) => r.maxOverride),
    extended_attributes: utf8((r) => r.extendedAttributes),
    factory: utf8((r) => r.factory),
    format: utf8((r) => r.format),
    txn_seq: int64((r) => r.txnSeq),
    pond_id: utf8((r) => r.pondId),
  });
}

/**
 * A row as a partition read without content (`metadataContent`) returns it: content only
 * for the partition's own directory snapshots and dynamic-node configs, as
 * `keep_metadata_content` in `native/src/store.rs` keeps it.
 */
export function asMetadataRead(row: OplogRow): OplogRow {
  return row.nodeId === row.partId || row.factory !== null ? row : { ...row, content: null };
}

export interface DecodeOptions {
  /**
   * Called with each row that fails validation (a CORRUPT error naming its node), which
   * is then left out; without it the first such row throws.
   */
  readonly invalid?: (err: PondError) => void;
}

/** Oplog rows from Arrow IPC, each validated (ids, hash, entry type, format). */
export function decodeRows(buffer: Uint8Array, options: DecodeOptions = {}): OplogRow[] {
  const table = decode(buffer);
  const str = (name: string) => utf8Column(table, name);
  const num = (name: string) => int64Column(table, name);
  const partId = str('part_id');
  const nodeId = str('node_id');
  const fileType = str('file_type');
  const timestamp = num('timestamp');
  const version = num('version');
  const content = binaryColumn(table, 'content');
  const blake3 = str('blake3');
  const size = num('size');
  const minEvent = num('min_event_time');
  const maxEvent = num('max_event_time');
  const minOverride = num('min_override');
  const maxOverride = num('max_override');
  const attrs = str('extended_attributes');
  const factory = str('factory');
  const format = str('format');
  const txnSeq = num('txn_seq');
  const pondId = str('pond_id');
  const rows: OplogRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const type = fileType[i] as string;
    const problem = rowProblem({
      partId: partId[i],
      nodeId: nodeId[i],
      pondId: pondId[i],
      fileType: type,
      blake3: blake3[i],
      format: format[i],
      version: version[i],
    });
    if (problem) {
      const err = corrupt(
        rowPath(nodeId[i], partId[i]),
        `oplog row v${version[i]} ${problem}; the pond is damaged or was altered`,
      );
      if (!options.invalid) throw err;
      options.invalid(err);
      continue;
    }
    rows.push({
      partId: partId[i] as string,
      nodeId: nodeId[i] as string,
      fileType: type as EntryType,
      timestamp: timestamp[i] as number,
      version: version[i] as number,
      content: content[i] ?? null,
      blake3: blake3[i] ?? null,
      size: size[i] ?? null,
      minEventTime: minEvent[i] ?? null,
      maxEventTime: maxEvent[i] ?? null,
      minOverride: minOverride[i] ?? null,
      maxOverride: maxOverride[i] ?? null,
      extendedAttributes: attrs[i] ?? null,
      factory: factory[i] ?? null,
      format: (format[i] as Format) ?? Format.Inline,
      txnSeq: txnSeq[i] as number,
      pondId: pondId[i] as string,
    });
  }
  return rows;
}

interface RowKeys {
  readonly partId: string | null | undefined;
  readonly nodeId: string | null | undefined;
  readonly pondId: string | null | undefined;
  readonly fileType: string;
  readonly blake3: string | null | undefined;
  readonly format: string | null | undefined;
  readonly version: number | null | undefined;
}

/** What is wrong with a row's path-forming values, or null. */
function rowProblem(r: RowKeys): string | null {
  const show = (v: unknown) => JSON.stringify(v);
  if (typeof r.nodeId !== 'string' || !isNodeId(r.nodeId))
    return `has node_id ${show(r.nodeId)}, not a node id`;
  if (typeof r.partId !== 'string' || !isNodeId(r.partId))
    return `has part_id ${show(r.partId)}, not a node id`;
  if (typeof r.pondId !== 'string' || !isNodeId(r.pondId))
    return `has pond_id ${show(r.pondId)}, not a pond id`;
  if (!isEntryType(r.fileType)) return `has unknown file_type ${show(r.fileType)}`;
  if (r.blake3 !== null && r.blake3 !== undefined && !isHash(r.blake3))
    return `has blake3 ${show(r.blake3)}, not a 64-digit hex hash`;
  if (
    r.format !== null &&
    r.format !== undefined &&
    r.format !== Format.Inline &&
    r.format !== Format.FullDir
  )
    return `has unknown format ${show(r.format)}`;
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 1)
    return `has version ${show(r.version)}`;
  return null;
}

/**
 * Check rows about to be committed as a read will check them, so a transaction never
 * writes a row that no reader would accept. Throws the CORRUPT error of the first bad row.
 */
export function checkRows(rows: readonly OplogRow[]): void {
  for (const r of rows) {
    const problem = rowProblem(r);
    if (problem) throw corrupt(rowPath(r.nodeId, r.partId), `oplog row v${r.version} ${problem}`);
  }
}

/** A directory snapshot: Arrow IPC of `{name, child_node_id, entry_type, version_last_modified}`. */
export function encodeSnapshot(entries: Iterable<DirEntry>): Buffer {
  const list = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return encodeColumns({
    name: { type: 'utf8', values: list.map((e) => e.name) },
    child_node_id: { type: 'utf8', values: list.map((e) => e.childId) },
    entry_type: { type: 'utf8', values: list.map((e) => e.entryType) },
    version_last_modified: { type: 'int64', values: list.map((e) => e.versionLastModified) },
  });
}

/**
 * A directory snapshot's entries, validated: names as tinyfs allows them, child ids as
 * node ids, known entry types. `dir` names the directory in a CORRUPT error.
 */
export function decodeSnapshot(buffer: Uint8Array, dir = 'directory'): Map<string, DirEntry> {
  const out = new Map<string, DirEntry>();
  if (buffer.length === 0) return out;
  const table = decode(buffer);
  if (table.numRows === 0) return out;
  const names = utf8Column(table, 'name');
  const ids = utf8Column(table, 'child_node_id');
  const types = utf8Column(table, 'entry_type');
  const versions = int64Column(table, 'version_last_modified');
  for (let i = 0; i < table.numRows; i++) {
    const type = types[i] as string;
    const name = names[i] as string;
    const childId = ids[i] as string;
    const bad = (what: string) =>
      corrupt(dir, `directory snapshot entry ${JSON.stringify(name)} ${what}`);
    if (!isEntryType(type)) throw bad(`has unknown entry_type ${JSON.stringify(type)}`);
    if (typeof childId !== 'string' || !isNodeId(childId))
      throw bad(`has child id ${JSON.stringify(childId)}, not a node id`);
    try {
      checkName(name);
    } catch {
      throw bad('is not a valid name');
    }
    out.set(name, {
      name,
      childId,
      entryType: type,
      versionLastModified: versions[i] as number,
    });
  }
  return out;
}

/** The row recording a directory's entries as of one transaction. */
export function snapshotRow(
  dirId: string,
  version: number,
  entries: Iterable<DirEntry>,
  txnSeq: number,
  timestamp: number,
  pondId: string,
): OplogRow {
  return {
    partId: dirId,
    nodeId: dirId,
    fileType: EntryType.DirectoryPhysical,
    timestamp,
    version,
    content: encodeSnapshot(entries),
    blake3: null,
    size: null,
    minEventTime: null,
    maxEventTime: null,
    minOverride: null,
    maxOverride: null,
    extendedAttributes: null,
    factory: null,
    format: Format.FullDir,
    txnSeq,
    pondId,
  };
}
