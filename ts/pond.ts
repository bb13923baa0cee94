// SPDX-License-Identifier: Apache-2.0
/**
 * The library API: open or create a pond, read it, change it in transactions, and look
 * after it (status, fsck, maintain, recover). The CLI is a client of this class too: it
 * opens one `Pond` per command with an environment built from its command line.
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

import { readdir } from 'node:fs/promises';
import {
  type Environment,
  factoryOptions,
  type PondEnvironment,
  runEnvironment,
  stewardOptions,
  withDefaults,
} from './environment.js';
import { ErrorCode, PondError } from './errors.js';
import { dropRollups } from './factories/rollup-cache.js';
import { modeKey, postCommitNodes, type RunMode, runNode } from './factories/run.js';
import { type AsOf, resolveAsOf } from './history/as-of.js';
import { type DiffEntry, diffTrees } from './history/diff.js';
import { type CommitRecord, type TableStats, tableStats } from './native/store.js';
import type { ProgressFactory } from './progress.js';
import type { RemoteConfig, StoredRemoteOptions } from './remote/config.js';
import type { PushEvents, PushResult } from './remote/push.js';
import type { RemoteWatermark } from './remote/remotes.js';
import type { FetchResult } from './remote/restore.js';
import type { VerifyReport } from './remote/verify.js';
import type { TxnSummary } from './steward/control.js';
import { type FsckOptions, type FsckReport, fsck } from './steward/fsck.js';
import { type MaintainOptions, type MaintainResult, maintain } from './steward/maintain.js';
import {
  type PondIdentity,
  type Recovery,
  Steward,
  type WriteOptions,
  type WriteResult,
} from './steward/steward.js';
import type { WD } from './tinyfs/fs.js';
import { LAYOUT, TABLES, type TableName, tableDir } from './tlogfs/layout.js';
import { Transaction } from './transaction.js';
import { PondView } from './view.js';

export type { PondEnvironment } from './environment.js';
export type { AsOf } from './history/as-of.js';
export type { ChangeKind, DiffEntry } from './history/diff.js';
export type { VersionInfo } from './history/versions.js';
export type { SqlOptions } from './query/run-sql.js';
export type { RemoteConfig, StoredRemoteOptions } from './remote/config.js';
export type { PushEvents, PushResult } from './remote/push.js';
export type { RemoteWatermark } from './remote/remotes.js';
export type { FetchResult } from './remote/restore.js';
export type { VerifyReport } from './remote/verify.js';
export { Transaction, type WriteData } from './transaction.js';
export { entryOf, type PondEntry, PondView } from './view.js';

/** What {@link Pond.status} reports: identity, size, transactions, post-commit factories. */
export interface PondStatus {
  readonly path: string;
  readonly pondId: string;
  /** From the control table; null for a pond whose identity was never recorded. */
  readonly identity: PondIdentity | null;
  /** The oplog's Delta table. */
  readonly data: TableStats;
  /** Every write transaction, by sequence number. */
  readonly transactions: readonly TxnSummary[];
  /** Executable nodes that run after each commit, in run order, with their mode. */
  readonly postCommit: readonly { path: string; factory: string; mode: RunMode }[];
  /** Backups and remotes with their last known state (not contacted). */
  readonly remotes: readonly RemoteWatermark[];
}

/** One of the pond's two Delta tables, as {@link Pond.tables} reports it. */
export interface PondTable {
  readonly name: TableName;
  readonly dir: string;
  readonly stats: TableStats;
}

/** Names an interrupted `init` may leave in a pond directory (nothing of a user's). */
const SKELETON = new Set<string>(Object.values(LAYOUT));

/**
 * A pond opened by this process: read it, change it in transactions, run its executable
 * factories and look after it. Reads see the newest committed state and take no lock; a
 * write holds the pond's single-writer lock for its transaction.
 */
export class Pond extends PondView {
  private constructor(
    private readonly steward: Steward,
    private readonly environment: Environment,
  ) {
    super(() => steward.reader(), environment.hostRoot);
  }

  /**
   * The pond as it was after transaction `asOf` (a `pond log` seq), or at a time (the
   * newest transaction that had ended by then): a read-only view with the same read API.
   * It reads rows by their transaction, so it reaches back to the first transaction after
   * compaction and log cleanup too; removed and moved nodes appear where they were.
   *
   * @example
   * ```ts
   * const before = await pond.at(12);
   * const old = await before.read('/notes/hello.txt');
   * ```
   */
  async at(asOf: AsOf): Promise<PondView> {
    const seq = resolveAsOf(asOf, await this.steward.transactions());
    return new PondView(
      () => this.steward.reader({ asOfSeq: seq }),
      this.environment.hostRoot,
      seq,
    );
  }

  /**
   * Create a new pond in an empty or new directory (what an interrupted create left there
   * is cleared first). `ALREADY_EXISTS` when the directory holds a pond or anything else.
   * `args` is the command line recorded as transaction 1 (default `init`).
   */
  static async create(
    path: string,
    options: { birthplace?: string; args?: readonly string[] } & PondEnvironment = {},
  ): Promise<Pond> {
    const existing = await readdir(path).catch(() => [] as string[]);
    const foreign = existing.filter((name) => !SKELETON.has(name));
    if (foreign.length > 0) {
      throw new PondError(
        ErrorCode.ALREADY_EXISTS,
        `${path} exists and is not empty (found ${foreign.slice(0, 3).join(', ')}); choose an empty or new directory`,
        { path },
      );
    }
    const args = options.args
      ? [...options.args]
      : options.birthplace
        ? ['init', '--birthplace', options.birthplace]
        : ['init'];
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

  /** The pond's directory. */
  get path(): string {
    return this.steward.store.path;
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
    const result = await this.writeTree(
      options.args ?? ['transaction'],
      (root) => fn(new Transaction(root, this.environment)),
      options,
    );
    return result.value;
  }

  /**
   * A write transaction over the pond's tree itself, for the CLI's commands.
   * @internal
   */
  writeTree<T>(
    args: readonly string[],
    fn: (root: WD) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<WriteResult<T>> {
    return this.steward.write(args, fn, options);
  }

  /**
   * The pond's tree as of now (or `asOf`), read-only, for the CLI's commands.
   * @internal
   */
  async tree(options: { asOf?: AsOf } = {}): Promise<WD> {
    if (options.asOf === undefined) return this.steward.reader();
    const asOfSeq = resolveAsOf(options.asOf, await this.steward.transactions());
    return this.steward.reader({ asOfSeq });
  }

  /**
   * Run an executable factory node (as `pond run`): a path, or a bare name found under
   * `/system/run/` or `/system/etc/`, in its own write transaction. Rejects with the
   * factory's error (recorded as FAILED in the transaction log). `args` of the options is
   * the command line the log records (default `run TARGET ARGS...`).
   */
  async run(
    target: string,
    args: readonly string[] = [],
    options: {
      out?: (text: string) => void;
      waitMs?: number;
      args?: readonly string[];
      progress?: ProgressFactory;
    } = {},
  ): Promise<void> {
    const environment = {
      ...runEnvironment(this.environment, options.out),
      ...(options.progress ? { progress: options.progress } : {}),
    };
    await runNode(this.steward, target, args, environment, {
      recordArgs: options.args ?? ['run', target, ...args],
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    });
  }

  /** Write transactions with their status, changes and errors, from the control table. */
  transactions(): Promise<TxnSummary[]> {
    return this.steward.transactions();
  }

  /** The pond's identity (who made it, where, when), from the control table. */
  identity(): Promise<PondIdentity | null> {
    return this.steward.identity();
  }

  /** Settings, newest value per key (see `pond help config` for the keys). */
  settings(): Promise<Map<string, string>> {
    return this.steward.settings();
  }

  /** Record a setting, ordered with transactions under the write lock. */
  setSetting(key: string, value: string, options: WriteOptions = {}): Promise<void> {
    return this.steward.setSetting(key, value, options);
  }

  /** Identity, size, transactions and post-commit factories in one report. */
  async status(): Promise<PondStatus> {
    const [transactions, settings, identity, root] = await Promise.all([
      this.steward.transactions(),
      this.steward.settings(),
      this.steward.identity(),
      this.steward.reader(),
    ]);
    const nodes = await postCommitNodes(root, this.environment);
    const { watermarks } = await import('./remote/remotes.js');
    return {
      remotes: await watermarks(this.steward),
      path: this.path,
      pondId: this.id,
      identity,
      data: await tableStats(tableDir(this.path, 'data')),
      transactions,
      postCommit: nodes.map((n) => ({
        ...n,
        mode: settings.get(modeKey(n.factory)) === 'pull' ? 'pull' : 'push',
      })),
    };
  }

  /** The pond's Delta tables (oplog, then control) with their storage statistics. */
  async tables(): Promise<PondTable[]> {
    const out: PondTable[] = [];
    for (const name of TABLES) {
      const dir = tableDir(this.path, name);
      out.push({ name, dir, stats: await tableStats(dir) });
    }
    return out;
  }

  /** Commits of the oplog's Delta table, oldest first (the newest `limit` when given). */
  commits(limit?: number): Promise<CommitRecord[]> {
    return this.steward.store.history(limit);
  }

  /**
   * What changed from one point of history to another (default: to now): nodes created,
   * removed, moved and given new versions, sorted by path.
   */
  async diff(from: AsOf, to?: AsOf): Promise<DiffEntry[]> {
    const txns = await this.steward.transactions();
    const before = await this.steward.reader({ asOfSeq: resolveAsOf(from, txns) });
    const after =
      to === undefined
        ? await this.steward.reader()
        : await this.steward.reader({ asOfSeq: resolveAsOf(to, txns) });
    return diffTrees(before.fs.persistence, after.fs.persistence);
  }

  /**
   * Record a backup this pond pushes to after every commit (`pond backup add`): claimed
   * for this pond now, refused when it holds another pond's pushes. Credentials in
   * `options` must be `${env:VAR}` references.
   */
  async addBackup(name: string, url: string, options: StoredRemoteOptions = {}): Promise<void> {
    this.steward.requireWritable('`pond backup add`');
    const { addRemote } = await import('./remote/remotes.js');
    await addRemote(
      this.steward,
      { name, url, mode: 'push', mount: null, options },
      this.environment.env,
    );
  }

  /**
   * Record a remote this pond pulls another pond from (`pond remote add`) and pull it
   * once; with `mount`, a read-only `pond-import` node there shows its tree (`pull`
   * brings it up to date later).
   */
  async addRemote(
    name: string,
    url: string,
    options: { mount?: string; options?: StoredRemoteOptions } = {},
  ): Promise<void> {
    this.steward.requireWritable('`pond remote add`');
    const { addRemote, removeRemote } = await import('./remote/remotes.js');
    const mount = options.mount ?? null;
    if (mount !== null) {
      const root = await this.steward.reader();
      if (await root.find(mount)) {
        throw new PondError(
          ErrorCode.ALREADY_EXISTS,
          `${mount} exists; mount a remote on a new path`,
          { path: mount },
        );
      }
    }
    const config = { name, url, mode: 'pull' as const, mount, options: options.options ?? {} };
    const checked = await addRemote(this.steward, config, this.environment.env);
    const { pullFrom } = await import('./remote/remotes.js');
    try {
      await pullFrom(this.steward, name, this.environment.env);
    } catch (err) {
      await removeRemote(this.steward, name);
      throw err;
    }
    if (checked.mount === null) return;
    const at = checked.mount;
    try {
      await this.transaction(
        async (tx) => {
          await tx.mkdir(at.slice(0, at.lastIndexOf('/')) || '/', { parents: true });
          await tx.mknod(at, 'pond-import', `remote: ${name}\n`, { check: false });
        },
        { args: ['remote', 'add', name, url, at] },
      );
    } catch (err) {
      await removeRemote(this.steward, name);
      throw err;
    }
  }

  /** Forget a backup or remote (what it holds stays there; a replica is dropped). */
  async removeRemote(name: string): Promise<void> {
    this.steward.requireWritable('`pond remote remove`');
    const { removeRemote } = await import('./remote/remotes.js');
    await removeRemote(this.steward, name);
  }

  /** Backups and remotes, by name. */
  async remotes(): Promise<RemoteConfig[]> {
    const { listRemotes } = await import('./remote/remotes.js');
    return listRemotes(this.steward);
  }

  /** Run `fn` on remote `name`, or on every remote of `mode` (any mode when null), in order. */
  private async eachRemote<T>(
    name: string | undefined,
    mode: 'push' | 'pull' | null,
    fn: (name: string) => Promise<T>,
  ): Promise<T[]> {
    const all = name !== undefined ? [] : await this.remotes();
    const names =
      name !== undefined
        ? [name]
        : all.filter((r) => mode === null || r.mode === mode).map((r) => r.name);
    const out: T[] = [];
    for (const n of names) out.push(await fn(n));
    return out;
  }

  /** Push to one backup, or to every backup; resolves to what each push sent. */
  async push(
    name?: string,
    options: { events?: PushEvents; waitMs?: number } = {},
  ): Promise<PushResult[]> {
    this.steward.requireWritable('`pond push`');
    const { pushTo } = await import('./remote/remotes.js');
    return this.eachRemote(name, 'push', (n) =>
      pushTo(this.steward, n, this.environment.env, options),
    );
  }

  /** Pull one remote, or every pull remote, into its local replica. */
  async pull(name?: string): Promise<FetchResult[]> {
    this.steward.requireWritable('`pond pull`');
    const { pullFrom } = await import('./remote/remotes.js');
    return this.eachRemote(name, 'pull', (n) => pullFrom(this.steward, n, this.environment.env));
  }

  /** Compare one remote (or every one) with this pond or its replica, checking objects. */
  async verify(name?: string, options: { quick?: boolean } = {}): Promise<VerifyReport[]> {
    const { verifyRemote } = await import('./remote/remotes.js');
    return this.eachRemote(name, null, (n) =>
      verifyRemote(this.steward, n, this.environment.env, options),
    );
  }

  /**
   * Build a new pond at `path` (missing or empty) from a backup: the same pond id, files,
   * versions and transaction log as the pond that pushed it. Every content is checked
   * against its hash; a corrupt backup is refused with CORRUPT and nothing is left at `path`.
   */
  static async restore(
    url: string,
    path: string,
    options: { options?: StoredRemoteOptions; name?: string } & PondEnvironment = {},
  ): Promise<Pond> {
    const { restore } = await import('./remote/restore.js');
    const { expandOptions } = await import('./remote/config.js');
    const env = options.env ?? process.env;
    const stored = options.options ?? {};
    const config = {
      name: options.name ?? 'restore',
      url,
      mode: 'push' as const,
      mount: null,
      options: stored,
    };
    await restore(url, expandOptions(config, env), path);
    const pond = await Pond.open(path, options);
    if (options.name !== undefined) await pond.addBackup(options.name, url, stored);
    return pond;
  }

  /** Check every stored version, large file and the control log against the oplog. */
  fsck(options: FsckOptions = {}): Promise<FsckReport> {
    return fsck(this.steward, options);
  }

  /** Compact, checkpoint and vacuum both tables, under the write lock. */
  maintain(options: MaintainOptions = {}): Promise<MaintainResult> {
    return maintain(this.steward, options);
  }

  /** Close transactions a crash left INCOMPLETE (see `pond recover`). */
  recover(options: WriteOptions = {}): Promise<Recovery[]> {
    return this.steward.recover(options);
  }

  /**
   * Drop the cached rollups of the temporal-reduce node at `path`, so its next read
   * recomputes every bucket. Returns the node's path and how many files went.
   */
  async rebuild(path: string): Promise<{ path: string; dropped: number }> {
    const root = await this.steward.reader();
    const np = await root.get(path, { follow: false });
    const versions = await root.fs.persistence.versions(np.node.ref);
    if (versions[versions.length - 1]?.factory !== 'temporal-reduce') {
      throw new PondError(ErrorCode.INVALID_ARGUMENT, `${np.path}: not a temporal-reduce node`, {
        path: np.path,
      });
    }
    const cache = root.fs.persistence.cacheDir;
    const dropped = cache ? await dropRollups(cache, np.node.ref.id) : 0;
    return { path: np.path, dropped };
  }
}
