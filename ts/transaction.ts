// SPDX-License-Identifier: Apache-2.0
/** {@link Transaction}: what `Pond.transaction` hands its callback to stage changes with. */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Table } from 'apache-arrow';
import type { Environment } from './environment.js';
import { ErrorCode, PondError } from './errors.js';
import { type MknodOutcome, mknod } from './factories/mknod.js';
import { query } from './native/engine.js';
import { type ArrowData, arrowToParquet, type ByteData, classify } from './query/arrow-input.js';
import { ingestHostFile } from './query/ingest.js';
import { planTables } from './query/planner.js';
import { collectSql, type SqlOptions } from './query/run-sql.js';
import { setTemporalBounds } from './query/temporal-bounds.js';
import { EntryType, isFileType, isTableType } from './tinyfs/entry-type.js';
import type { WD } from './tinyfs/fs.js';
import { readContent } from './tinyfs/node.js';
import { type ContentSource, collect } from './tinyfs/persistence.js';

/**
 * What {@link Transaction.write} takes: bytes or text (raw content, or Parquet bytes for a
 * table or series), or apache-arrow data (always a table or series version).
 */
export type WriteData = ByteData | ArrowData;

function source(data: ByteData): ContentSource {
  if (typeof data === 'string') return { kind: 'bytes', bytes: new TextEncoder().encode(data) };
  if (data instanceof Uint8Array) return { kind: 'bytes', bytes: data };
  return { kind: 'stream', chunks: data };
}

/** Changes staged inside {@link Pond.transaction}; visible to its own reads at once. */
export class Transaction {
  /** @internal */
  constructor(
    private readonly root: WD,
    private readonly environment: Environment,
  ) {}

  /** Create a directory (with `parents`, its missing parents too, and no error if it exists). */
  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    await this.root.mkdir(path, options);
  }

  /**
   * Write a file: a new file, or a new version of an existing one. Content under 64 KiB
   * is stored inline; larger content once, by its BLAKE3 hash. Tables and series must be
   * Parquet bytes or apache-arrow data (a `Table`, a `RecordBatch` or an async iterable of
   * batches, converted to Parquet once; `entryType` then defaults to a table). A series
   * version records its event-time range (`timeColumn`, else detected). Other values
   * reject with `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * import { tableFromArrays } from 'apache-arrow';
   * await tx.write('/lab/ph.table', tableFromArrays({ id: [1, 2], ph: [7.1, 7.3] }));
   * ```
   */
  async write(
    path: string,
    data: WriteData,
    options: { entryType?: EntryType; timeColumn?: string } = {},
  ): Promise<void> {
    const input = await classify(data, path);
    const entryType =
      options.entryType ??
      (input.kind === 'arrow' ? EntryType.TablePhysicalVersion : EntryType.FilePhysicalVersion);
    if (
      !isFileType(entryType) ||
      entryType === EntryType.FileDynamic ||
      entryType === EntryType.TableDynamic
    ) {
      throw new PondError(ErrorCode.INVALID_ARGUMENT, `write cannot create a ${entryType} node`, {
        path,
      });
    }
    if (!isTableType(entryType)) {
      if (input.kind === 'arrow') {
        throw new PondError(
          ErrorCode.INVALID_ARGUMENT,
          `Arrow data is written as a table or series, not a ${entryType}`,
          { path },
        );
      }
      await this.root.writeFile(path, source(input.data), { entryType });
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'pond-write-'));
    try {
      const file = join(dir, 'data.parquet');
      if (input.kind === 'arrow') {
        await arrowToParquet(input.batches, join(dir, 'data.arrow'), file, path);
      } else {
        const { data: bytes } = input;
        const chunks =
          typeof bytes === 'string'
            ? [Buffer.from(bytes)]
            : bytes instanceof Uint8Array
              ? [bytes]
              : bytes;
        await pipeline(Readable.from(chunks), createWriteStream(file));
      }
      await ingestHostFile(this.root, file, path, entryType, options);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Copy a host file into the pond (streamed by the engine, never held in memory).
   * Tables and series are checked as Parquet, as by `pond copy host+series:///...`.
   */
  async copyIn(
    hostPath: string,
    path: string,
    options: { entryType?: EntryType; timeColumn?: string } = {},
  ): Promise<void> {
    const st = await stat(hostPath).catch(() => null);
    if (!st?.isFile()) {
      throw new PondError(ErrorCode.NOT_FOUND, `host file ${hostPath}: no such file`, {
        path: hostPath,
      });
    }
    await ingestHostFile(
      this.root,
      hostPath,
      path,
      options.entryType ?? EntryType.FilePhysicalVersion,
      options,
    );
  }

  /**
   * Store the result of a query as a new table, or a new version of a table or series
   * (`entryType`, default a table). The query sees this transaction's own changes.
   *
   * @example
   * ```ts
   * await tx.writeSql('/derived/hourly.series', `SELECT ... FROM 'csv:///in/r.csv'`, {
   *   entryType: EntryType.TablePhysicalSeries,
   * });
   * ```
   */
  async writeSql(
    path: string,
    sql: string,
    options: { entryType?: EntryType; timeColumn?: string } = {},
  ): Promise<void> {
    const entryType = options.entryType ?? EntryType.TablePhysicalVersion;
    if (!isTableType(entryType) || entryType === EntryType.TableDynamic) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `writeSql writes tables and series, not ${entryType}`,
        {
          path,
        },
      );
    }
    const cacheDir = this.root.fs.persistence.cacheDir ?? null;
    const { hostRoot } = this.environment;
    const specs = await planTables(sql, { root: this.root, hostRoot, cacheDir });
    await this.write(path, query(sql, specs, { format: 'parquet' }), { ...options, entryType });
  }

  /**
   * Create (or with `overwrite` replace) a dynamic node: `factory` with a YAML config,
   * validated first and stored as written (`${env:...}` expanded only when used). A table
   * node's query is planned against its inputs first and the call fails, storing nothing,
   * when that fails; `check: false` skips this for inputs that do not exist yet.
   *
   * @example
   * ```ts
   * await tx.mknod('/mnt/logs', 'hostmount', 'directory: /var/log\n');
   * ```
   */
  async mknod(
    path: string,
    factory: string,
    config: string,
    options: { overwrite?: boolean; check?: boolean } = {},
  ): Promise<MknodOutcome> {
    return mknod(this.root, path, factory, config, {
      registry: this.environment.registry,
      env: this.environment.env,
      overwrite: options.overwrite ?? false,
      check: options.check ?? true,
    });
  }

  /**
   * Remove a node (a symlink itself, not its target); a directory with entries needs
   * `recursive`. Its versions stay in the pond's history (readable with {@link Pond.at}).
   */
  async rm(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.root.remove(path, options);
  }

  /**
   * Move or rename a node, like `mv`: into `to` when it is a directory, else to the new
   * path `to`, which must not exist. The node keeps its id and every version.
   */
  async mv(from: string, to: string): Promise<void> {
    await this.root.move(from, to);
  }

  /** Create a symbolic link at `path` to `target` (absolute, or relative to its directory). */
  async symlink(target: string, path: string): Promise<void> {
    await this.root.symlink(path, target);
  }

  /**
   * Set the temporal bounds of a series (`pond set-temporal-bounds`): every later read of it
   * (SQL, `cat`, copies out, derived nodes over it) leaves out the rows whose event time is
   * before `min` or after `max` (both inclusive; a `number` is milliseconds since the
   * epoch). One bound alone leaves the other end open; data appended later stays bounded;
   * `null` clears them. Stored as the original DuckPond stores them: a version of 0 bytes
   * with the bounds in milliseconds. A missing `path` becomes a new series holding only
   * the bounds; anything but a series rejects with `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * await tx.setTemporalBounds('/sensors/a.series', { min: new Date('2024-01-01T00:00:00Z') });
   * ```
   */
  async setTemporalBounds(
    path: string,
    bounds: { readonly min?: Date | number | null; readonly max?: Date | number | null } | null,
  ): Promise<void> {
    const ms = (t: Date | number | null | undefined) =>
      t === undefined || t === null ? null : t instanceof Date ? t.getTime() : t;
    await setTemporalBounds(
      this.root,
      path,
      bounds === null ? null : { minMs: ms(bounds.min), maxMs: ms(bounds.max) },
    );
  }

  /** SQL over the pond as this transaction sees it (its own changes included). */
  sql(sql: string, options: SqlOptions = {}): Promise<Table> {
    return collectSql(this.root, this.environment.hostRoot, sql, options);
  }

  /** Read a file as the transaction sees it. */
  async read(path: string): Promise<Uint8Array> {
    return collect(readContent((await this.root.file(path)).node));
  }
}
