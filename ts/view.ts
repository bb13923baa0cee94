// SPDX-License-Identifier: Apache-2.0
/**
 * The read API of a pond: list, read, query, and the stored versions of a node. {@link Pond}
 * is a `PondView` of the newest state; {@link Pond.at} returns one of an earlier point in
 * history, where every read, derived nodes' inputs included, sees the pond as it was.
 */

import type { RecordBatch, Table } from 'apache-arrow';
import { invalidArgument, isADirectory } from './errors.js';
import { type VersionInfo, versionsOf } from './history/versions.js';
import { collectSql, type SqlOptions, streamSql } from './query/run-sql.js';
import type { EntryType } from './tinyfs/entry-type.js';
import type { NodePath, WD } from './tinyfs/fs.js';
import { readContent } from './tinyfs/node.js';
import { collect } from './tinyfs/persistence.js';

/** One entry as returned by {@link PondView.list}. */
export interface PondEntry {
  /** Absolute pond path. */
  readonly path: string;
  /** What the node is: a directory, a raw file, a table or series, dynamic or physical. */
  readonly entryType: EntryType;
  /** The node's UUIDv7 (its entry type is encoded in byte 6). */
  readonly nodeId: string;
  /** Newest version number; 0 for nodes without versions of their own. */
  readonly version: number;
  /** Size in bytes of the newest version; null for directories. */
  readonly size: number | null;
  /** Time of the newest version. */
  readonly modified: Date | null;
  /** A symlink's target. */
  readonly target?: string;
  /** The factory a dynamic node's newest version names. */
  readonly factory?: string;
}

/** The {@link PondEntry} for a node reached by `np`. */
export async function entryOf(root: WD, np: NodePath): Promise<PondEntry> {
  const node = np.node;
  const versions =
    node.kind === 'file'
      ? await node.file.versions()
      : await root.fs.persistence.versions(node.ref);
  const latest = versions[versions.length - 1];
  const entry: PondEntry = {
    path: np.path,
    entryType: node.ref.entryType,
    nodeId: node.ref.id,
    version: latest?.version ?? 0,
    size: node.kind === 'directory' ? null : (latest?.size ?? null),
    modified: latest ? new Date(latest.timestamp / 1000) : null,
    ...(latest?.factory ? { factory: latest.factory } : {}),
  };
  return node.kind === 'symlink' ? { ...entry, target: await node.link.readlink() } : entry;
}

/** A read-only view of a pond at one point in its history. */
export class PondView {
  /** @internal */
  constructor(
    private readonly snapshot: () => Promise<WD>,
    private readonly hostRoot: string,
    /** The transaction this view shows the pond after; null for the newest state. */
    readonly asOfSeq: number | null = null,
  ) {}

  /** Entries matching a glob (default: everything), sorted by path. */
  async list(pattern = '/**'): Promise<PondEntry[]> {
    const root = await this.snapshot();
    const out: PondEntry[] = [];
    const seen = new Set<string>();
    for await (const { np } of root.glob(pattern)) {
      if (np.path === '/' || seen.has(np.path)) continue;
      seen.add(np.path);
      out.push(await entryOf(root, np));
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /**
   * Run SQL over pond paths, globs and URLs and return the whole result.
   * Int64 columns arrive as bigint. Timestamps are stored as µs since the epoch, UTC
   * (`Timestamp(µs, "UTC")`), but apache-arrow's `get()` returns a timestamp as a number
   * of milliseconds (fractional below 1 ms): pass it to `new Date()` as it is. A table name
   * `'/path@vK'` reads version K of a table or series alone; `'pond:///transactions'` and
   * `'pond:///versions'` are the pond's own history.
   *
   * @example
   * ```ts
   * const t = await pond.sql(`SELECT avg(level) AS level FROM '/sensors/well.series'`);
   * console.log(t.getChild('level')?.get(0));
   * ```
   */
  async sql(sql: string, options: SqlOptions = {}): Promise<Table> {
    return collectSql(await this.snapshot(), this.hostRoot, sql, options);
  }

  /** Run SQL and receive the result batch by batch, never all at once. */
  async *stream(sql: string, options: SqlOptions = {}): AsyncIterable<RecordBatch> {
    yield* streamSql(await this.snapshot(), this.hostRoot, sql, options);
  }

  /** A file's bytes (raw series: every version, oldest first), or one `version`'s. */
  async read(path: string, options: { version?: number } = {}): Promise<Uint8Array> {
    return collect(this.readStream(path, options));
  }

  /** A file's bytes in chunks, without holding the whole file in memory. */
  async *readStream(path: string, options: { version?: number } = {}): AsyncIterable<Uint8Array> {
    const root = await this.snapshot();
    const np = await root.get(path);
    if (np.node.kind !== 'file') throw isADirectory(np.path);
    if (options.version === undefined) yield* readContent(np.node);
    else {
      if (!Number.isSafeInteger(options.version) || options.version < 1) {
        throw invalidArgument(`version ${options.version}: versions count from 1`, np.path);
      }
      yield* np.node.file.read(options.version);
    }
  }

  /** The stored versions of the node at `path` (a symlink's own), oldest first. */
  async versions(path: string): Promise<VersionInfo[]> {
    const root = await this.snapshot();
    const np = await root.get(path, { follow: false });
    return versionsOf(root.fs.persistence, np.node.ref);
  }
}
