// SPDX-License-Identifier: Apache-2.0
/**
 * The library API: open or create a pond, read it, and change it in transactions.
 *
 * @example
 * ```ts
 * import { Pond } from 'duckpond';
 * const pond = await Pond.create('/tmp/my-pond');
 * await pond.transaction(async (tx) => {
 *   await tx.mkdir('/notes', { parents: true });
 *   await tx.write('/notes/hello.txt', 'hello');
 * });
 * console.log(new TextDecoder().decode(await pond.read('/notes/hello.txt')));
 * ```
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RecordBatch, Table, tableFromIPC } from 'apache-arrow';
import { ErrorCode, isADirectory, PondError } from './errors.js';
import { dynamicNodes } from './factories/dynamic.js';
import { defaultRegistry } from './factories/index.js';
import { type MknodOutcome, mknod } from './factories/mknod.js';
import type { Registry } from './factories/registry.js';
import { type RunEnvironment, runNode, runPostCommit } from './factories/run.js';
import { query } from './native/engine.js';
import { type ArrowData, arrowToParquet, type ByteData, classify } from './query/arrow-input.js';
import { ingestHostFile } from './query/ingest.js';
import { planTables } from './query/planner.js';
import type { TxnSummary } from './steward/control.js';
import { Steward, type StewardOptions } from './steward/steward.js';
import { EntryType, isFileType, isTableType } from './tinyfs/entry-type.js';
import type { FSOptions, NodePath, WD } from './tinyfs/fs.js';
import { readContent } from './tinyfs/node.js';
import { type ContentSource, collect } from './tinyfs/persistence.js';

/** One entry as returned by {@link Pond.list}. */
export interface PondEntry {
  readonly path: string;
  readonly entryType: EntryType;
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

/**
 * What a pond's dynamic nodes and factories run with. Every field has a default, so
 * `Pond.open(path)` behaves as the CLI does with no `-d`.
 *
 * @example
 * ```ts
 * import { defaultRegistry, Pond, tableFactory } from 'duckpond';
 * const registry = defaultRegistry().with(myFactory);
 * const pond = await Pond.open('/data/pond', { registry, hostRoot: '/data/host' });
 * ```
 */
export interface PondEnvironment {
  /** The factories `mknod`, reads and runs know (default: pond's own, `defaultRegistry()`). */
  readonly registry?: Registry;
  /** Values for `${env:VAR}` in configs (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The root of `host+` URLs and of host paths in configs (default `/`). */
  readonly hostRoot?: string;
  /** Where executable factories print, for post-commit runs after library commits and for
   * `pond.run` without its own `out` (default: nowhere). */
  readonly out?: (text: string) => void;
}

type Environment = Required<PondEnvironment>;

function withDefaults(environment: PondEnvironment): Environment {
  return {
    registry: environment.registry ?? defaultRegistry(),
    env: environment.env ?? process.env,
    hostRoot: environment.hostRoot ?? '/',
    out: environment.out ?? (() => undefined),
  };
}

function runEnvironment(environment: Environment, out = environment.out): RunEnvironment {
  const { registry, env, hostRoot } = environment;
  return { registry, env, hostRoot, out, err: () => undefined };
}

/** tinyfs options that make dynamic nodes work with the environment's factories. */
function factoryOptions(environment: Environment): FSOptions {
  const { registry, env, hostRoot } = environment;
  return { dynamic: dynamicNodes({ registry, env, hostRoot }) };
}

/** Post-commit factories run after library commits too; their outcome is in the log. */
function stewardOptions(environment: Environment): StewardOptions {
  const run = runEnvironment(environment);
  return {
    afterCommit: async (steward, seq) => {
      await runPostCommit(steward, seq, run);
    },
  };
}

/** Options of {@link Pond.sql} and {@link Pond.stream}. */
export interface SqlOptions {
  /**
   * Cancel the statement after this many milliseconds (planning and every batch after);
   * it then rejects with `TIMEOUT`. Default: no limit.
   */
  readonly timeoutMs?: number;
  /**
   * Check each large content file against its recorded BLAKE3 before the scan reads it
   * (default true; a file is re-hashed only when it changed since it was last verified).
   * A mismatch rejects with `CORRUPT`.
   */
  readonly verify?: boolean;
}

/** Run SQL with pond paths resolved in `root`; the result as Arrow IPC chunks. */
async function* ipcChunks(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): AsyncIterable<Uint8Array> {
  const cacheDir = root.fs.persistence.cacheDir ?? null;
  const specs = await planTables(sql, { root, hostRoot, cacheDir });
  yield* query(sql, specs, { format: 'ipc', ...options });
}

async function* streamSql(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): AsyncIterable<RecordBatch> {
  for await (const chunk of ipcChunks(root, hostRoot, sql, options)) {
    yield* tableFromIPC(chunk).batches;
  }
}

async function collectSql(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): Promise<Table> {
  const tables: Table[] = [];
  for await (const chunk of ipcChunks(root, hostRoot, sql, options)) {
    tables.push(tableFromIPC(chunk));
  }
  if (tables.length === 1) return tables[0] as Table;
  return new Table(tables.flatMap((t) => t.batches));
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

  /** SQL over the pond as this transaction sees it (its own changes included). */
  sql(sql: string, options: SqlOptions = {}): Promise<Table> {
    return collectSql(this.root, this.environment.hostRoot, sql, options);
  }

  /** Read a file as the transaction sees it. */
  async read(path: string): Promise<Uint8Array> {
    return collect(readContent((await this.root.file(path)).node));
  }
}

export class Pond {
  private constructor(
    private readonly steward: Steward,
    private readonly environment: Environment,
  ) {}

  /** Create a new pond in an empty or new directory. */
  static async create(
    path: string,
    options: { birthplace?: string } & PondEnvironment = {},
  ): Promise<Pond> {
    const args = options.birthplace ? ['init', '--birthplace', options.birthplace] : ['init'];
    const environment = withDefaults(options);
    const steward = await Steward.create(
      path,
      { args, birthplace: options.birthplace ?? null },
      factoryOptions(environment),
      stewardOptions(environment),
    );
    return new Pond(steward, environment);
  }

  /** Open an existing pond; `NOT_A_POND` if there is none at `path`. */
  static async open(path: string, options: PondEnvironment = {}): Promise<Pond> {
    const environment = withDefaults(options);
    const steward = await Steward.open(
      path,
      factoryOptions(environment),
      stewardOptions(environment),
    );
    return new Pond(steward, environment);
  }

  /** The pond's id (a UUIDv7). */
  get id(): string {
    return this.steward.pondId;
  }

  /**
   * Run `fn` in a write transaction: everything it does commits together when it
   * resolves, or not at all when it throws. Fails with `LOCKED` if another process is
   * writing (after waiting `waitMs`, default 0).
   */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: { args?: readonly string[]; waitMs?: number } = {},
  ): Promise<T> {
    const args = options.args ?? ['transaction'];
    const result = await this.steward.write(
      args,
      (root) => fn(new Transaction(root, this.environment)),
      options,
    );
    return result.value;
  }

  /**
   * Run an executable factory node (as `pond run`): a path, or a bare name found under
   * `/system/run/` or `/system/etc/`, in its own write transaction. Rejects with the
   * factory's error (recorded as FAILED in the transaction log).
   */
  async run(
    target: string,
    args: readonly string[] = [],
    options: { out?: (text: string) => void; waitMs?: number } = {},
  ): Promise<void> {
    const environment = runEnvironment(this.environment, options.out);
    await runNode(this.steward, target, args, environment, {
      recordArgs: ['run', target, ...args],
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    });
  }

  /** Write transactions with their status, changes and errors, from the control table. */
  transactions(): Promise<TxnSummary[]> {
    return this.steward.transactions();
  }

  /** Entries matching a glob (default: everything), sorted by path. */
  async list(pattern = '/**'): Promise<PondEntry[]> {
    const root = await this.steward.reader();
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
   * of milliseconds (fractional below 1 ms): pass it to `new Date()` as it is.
   *
   * @example
   * ```ts
   * const t = await pond.sql(`SELECT avg(level) AS level FROM '/sensors/well.series'`);
   * console.log(t.getChild('level')?.get(0));
   * ```
   */
  async sql(sql: string, options: SqlOptions = {}): Promise<Table> {
    return collectSql(await this.steward.reader(), this.environment.hostRoot, sql, options);
  }

  /** Run SQL and receive the result batch by batch, never all at once. */
  async *stream(sql: string, options: SqlOptions = {}): AsyncIterable<RecordBatch> {
    yield* streamSql(await this.steward.reader(), this.environment.hostRoot, sql, options);
  }

  /** A file's bytes (raw series: every version, oldest first). */
  async read(path: string): Promise<Uint8Array> {
    return collect(this.readStream(path));
  }

  /** A file's bytes in chunks, without holding the whole file in memory. */
  async *readStream(path: string): AsyncIterable<Uint8Array> {
    const root = await this.steward.reader();
    const np = await root.get(path);
    if (np.node.kind !== 'file') throw isADirectory(np.path);
    yield* readContent(np.node);
  }
}
